//! Reading what the figures are computed from, and the records a drill-down lists.
//!
//! A scoreboard reads one row per project (its derived milestone dates, migration 4), one per
//! fund and one per visit, each with only the columns a figure looks at: at a million projects
//! the read is what costs, and the computation itself is done in memory by `domain::figures`.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use domain::figures::facts::{
    FactFund, FactProject, FactUnit, FactVisit, Facts, Milestones, SourceInterner,
};
use domain::records::{Fund, ScoreGroup, UnitKind, Visit};
use sqlx::Row;

use crate::activity::{fund_from_row, visit_from_row};
use crate::rows::corrupt;
use crate::{ProjectSummary, Result, Store, StoreError};

/// An ISO date as stored, parsed without the generality of a format string.
fn day(text: &str) -> Result<NaiveDate> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| {
            NaiveDate::from_ymd_opt(
                i32::try_from(digits(0..4)?).ok()?,
                digits(5..7)?,
                digits(8..10)?,
            )
        })
        .flatten()
        .ok_or_else(|| corrupt("日期", text))
}

fn opt_day(text: &str) -> Result<Option<NaiveDate>> {
    (!text.is_empty()).then(|| day(text)).transpose()
}

fn int(what: &str, text: &str) -> Result<i64> {
    text.parse().map_err(|_| corrupt(what, text))
}

/// A chunk of records as read: one text per column, the column's values joined by ';'.
type Chunk = Vec<String>;

/// The records of a chunk, each as its N fields (NULL as the empty string); an error when the
/// columns do not hold the same number of values.
fn records<const N: usize>(chunk: &Chunk) -> impl Iterator<Item = Result<[&str; N]>> + '_ {
    let mut columns: Vec<std::str::Split<'_, char>> = chunk.iter().map(|c| c.split(';')).collect();
    let mut broken = chunk.len() != N;
    std::iter::from_fn(move || {
        if broken {
            broken = false;
            return Some(Err(corrupt("记录", "列数不符")));
        }
        let mut record = [""; N];
        let mut present = 0;
        for (field, column) in record.iter_mut().zip(&mut columns) {
            if let Some(value) = column.next() {
                *field = value;
                present += 1;
            }
        }
        match present {
            0 => None,
            n if n == N => Some(Ok(record)),
            _ => {
                columns.clear();
                Some(Err(corrupt("记录", "各列的值数不同")))
            }
        }
    })
}

/// Which records a figure counts: the approved ones (SPEC §2), or every record entered,
/// whatever its review, for the view that shows what is pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Counted {
    #[default]
    Approved,
    WithPending,
}

/// The figures' records as read at one `data_version`.
pub(crate) struct CachedFacts {
    version: i64,
    counted: Counted,
    facts: Arc<Facts>,
}

/// Ids hashed by one multiplication: SipHash's defence against chosen keys is not needed for
/// ids the database assigned, and at a million projects it is a tenth of the read.
#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_i64(&mut self, n: i64) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type IdMap<V> = HashMap<i64, V, std::hash::BuildHasherDefault<IdHasher>>;

/// Parses each chunk on its own thread and joins the results in chunk order.
fn parse_chunks<T: Send>(
    chunks: &[Chunk],
    parse: impl Fn(&Chunk) -> Result<Vec<T>> + Sync,
) -> Result<Vec<T>> {
    let parts: Vec<Result<Vec<T>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| scope.spawn(|| parse(chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(StoreError::Corrupt("解析线程异常退出".into())))
            })
            .collect()
    });
    let mut out = Vec::new();
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

fn lookup(index: &IdMap<u32>, what: &str, id: &str) -> Result<u32> {
    index
        .get(&int(what, id)?)
        .copied()
        .ok_or_else(|| corrupt(what, id))
}

/// Projects, funds, visits and the 招商方式 the projects name.
type Parsed = (Vec<FactProject>, Vec<FactFund>, Vec<FactVisit>, Vec<String>);

/// The packed records as facts: projects with their credited units, funds and visits.
fn parse(
    uncounted: &std::collections::HashSet<i64>,
    units: &IdMap<u32>,
    project_chunks: &[Chunk],
    credit_chunks: &[Chunk],
    fund_chunks: &[Chunk],
    visit_chunks: &[Chunk],
) -> Result<Parsed> {
    let sources = std::sync::Mutex::new(SourceInterner::default());
    let mut projects = parse_chunks(project_chunks, |chunk| {
        // A chunk names a handful of 招商方式: each is decoded and interned once.
        let mut seen: HashMap<&str, u32> = HashMap::new();
        records::<11>(chunk)
            .map(|f| {
                let f = f?;
                let signed_value = if f[4].is_empty() {
                    0
                } else {
                    int("签约额", f[4])?
                };
                Ok(FactProject {
                    id: int("项目", f[0])?,
                    territory: lookup(units, "单位", f[1])?,
                    credited: Vec::new(),
                    milestones: Milestones {
                        first_on: opt_day(f[2])?,
                        signed: opt_day(f[3])?.map(|d| (d, signed_value)),
                        landed_on: opt_day(f[5])?,
                        started_on: opt_day(f[6])?,
                        production_on: opt_day(f[7])?,
                        capacity_on: opt_day(f[8])?,
                        resumed_on: match f[9] {
                            "" => Vec::new(),
                            list => list.split(',').map(day).collect::<Result<_>>()?,
                        },
                    },
                    source: match f[10] {
                        "" => None,
                        hex => Some(match seen.get(hex) {
                            Some(&i) => i,
                            None => {
                                let name = unhex(hex)?;
                                let i = sources
                                    .lock()
                                    .map_err(|_| corrupt("招商方式", hex))?
                                    .intern(&name);
                                seen.insert(hex, i);
                                i
                            }
                        }),
                    },
                })
            })
            .collect()
    })?;
    let mut index: IdMap<u32> = IdMap::with_capacity_and_hasher(projects.len(), Default::default());
    for (i, p) in projects.iter().enumerate() {
        index.insert(p.id, i as u32);
    }
    // A project's credited units in any order: each counts once whatever its position.
    for chunk in credit_chunks {
        for f in records::<2>(chunk) {
            let f = f?;
            if uncounted.contains(&int("项目", f[0])?) {
                continue;
            }
            let p = lookup(&index, "项目", f[0])?;
            projects[p as usize]
                .credited
                .push(lookup(units, "单位", f[1])?);
        }
    }
    let funds = parse_chunks(fund_chunks, |chunk| {
        let mut out = Vec::new();
        for f in records::<6>(chunk) {
            let f = f?;
            if uncounted.contains(&int("项目", f[1])?) {
                continue;
            }
            let usd = match f[4] {
                "CNY" => false,
                "USD" => true,
                _ => continue,
            };
            out.push(FactFund {
                id: int("到位资金", f[0])?,
                project: lookup(&index, "项目", f[1])?,
                date: day(f[2])?,
                amount: int("金额", f[3])?,
                usd,
                verified: f[5] != "0",
            });
        }
        Ok(out)
    })?;
    let visits = parse_chunks(visit_chunks, |chunk| {
        records::<3>(chunk)
            .map(|f| {
                let f = f?;
                Ok(FactVisit {
                    id: int("对接记录", f[0])?,
                    date: day(f[1])?,
                    unit: match f[2] {
                        "" => None,
                        u => Some(lookup(units, "单位", u)?),
                    },
                })
            })
            .collect()
    })?;
    let sources = sources
        .into_inner()
        .map_err(|_| corrupt("招商方式", "解析线程异常退出"))?
        .into_names();
    Ok((projects, funds, visits, sources))
}

/// Text from the hex of its UTF-8 bytes ([`Backend::hex_text`](crate::dialect::Backend)).
fn unhex(hex: &str) -> Result<String> {
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .ok_or_else(|| corrupt("招商方式", hex))
        })
        .collect::<Result<Vec<u8>>>()?;
    String::from_utf8(bytes).map_err(|_| corrupt("招商方式", hex))
}

/// How many records one packed row carries.
const CHUNK: i64 = 50_000;

impl Store {
    /// The rows of `table`, 50,000 records to a row: one text per column, its values joined
    /// by ';' (NULL as the empty string). sqlx's Any driver costs some microseconds per row and
    /// per column, which at a million projects was most of a scoreboard's time; the texts are
    /// parsed here in a fraction of that. One aggregate per column is cheaper in SQLite than
    /// formatting each row. The columns hold only integers and ISO dates (and a comma-joined
    /// list of dates), never ';'.
    async fn packed(
        &self,
        table: &str,
        key: &str,
        columns: &[&str],
        condition: &'static str,
    ) -> Result<Vec<Chunk>> {
        let bounds = sqlx::AssertSqlSafe(format!("SELECT MIN({key}), MAX({key}) FROM {table}"));
        let row = sqlx::query(bounds).fetch_one(self.pool()).await?;
        let (Some(min), Some(max)) = (
            row.try_get::<Option<i64>, _>(0)?,
            row.try_get::<Option<i64>, _>(1)?,
        ) else {
            return Ok(Vec::new());
        };
        // Every aggregate of one query sees the same rows in the same order, so the columns'
        // values line up.
        let aggregate = columns
            .iter()
            .map(|c| self.backend().joined_text(c))
            .collect::<Vec<_>>()
            .join(", ");
        let width = columns.len();
        let sql = format!(
            "SELECT {aggregate} FROM {table} WHERE {key} >= $1 AND {key} < $2 AND {condition}"
        );
        // The chunks are read at once on several connections: SQLite then builds them on as
        // many threads, PostgreSQL in as many backends.
        let mut tasks = tokio::task::JoinSet::new();
        let mut from = min;
        let mut index = 0usize;
        while from <= max {
            let pool = self.pool().clone();
            let sql = sql.clone();
            tasks.spawn(async move {
                let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(from)
                    .bind(from + CHUNK)
                    .fetch_one(&pool)
                    .await?;
                let mut chunk = Vec::with_capacity(width);
                for i in 0..width {
                    match row.try_get::<Option<String>, _>(i)? {
                        Some(column) => chunk.push(column),
                        None => return Ok::<_, StoreError>((index, None)),
                    }
                }
                Ok((index, Some(chunk)))
            });
            from += CHUNK;
            index += 1;
        }
        let mut chunks: Vec<Option<Chunk>> = vec![None; index];
        while let Some(done) = tasks.join_next().await {
            let (i, chunk) = done.map_err(|e| StoreError::Corrupt(format!("读取中断: {e}")))??;
            chunks[i] = chunk;
        }
        Ok(chunks.into_iter().flatten().collect())
    }

    /// The number of committed transactions that changed business records.
    pub async fn data_version(&self) -> Result<i64> {
        let row = sqlx::query("SELECT version FROM data_version WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("version")?)
    }

    /// Everything a scoreboard needs, as the records stand now.
    ///
    /// The records are read on several connections at once, so they are taken only when
    /// `data_version` is the same before and after (no change committed in between, so every
    /// connection saw the same records); otherwise the read is repeated. The result is kept
    /// until the version moves: a view of the records, checked against the database on every
    /// call, never a stored total.
    pub async fn figure_facts(&self) -> Result<Arc<Facts>> {
        self.figure_facts_counting(Counted::Approved).await
    }

    /// As [`Store::figure_facts`], counting the records `counted` says.
    pub async fn figure_facts_counting(&self, counted: Counted) -> Result<Arc<Facts>> {
        let mut before = self.data_version().await?;
        if let Some(cached) = self.cached_facts(before, counted) {
            return Ok(cached);
        }
        for _ in 0..5 {
            let read = self.read_facts_counting(counted).await;
            let after = self.data_version().await?;
            if after == before {
                let facts = Arc::new(read?);
                if let Ok(mut cache) = self.facts.lock() {
                    *cache = Some(CachedFacts {
                        version: after,
                        counted,
                        facts: Arc::clone(&facts),
                    });
                }
                return Ok(facts);
            }
            before = after;
        }
        Err(StoreError::Busy(
            "统计所需的记录在读取期间不断变化，请稍后重试".into(),
        ))
    }

    fn cached_facts(&self, version: i64, counted: Counted) -> Option<Arc<Facts>> {
        let cache = self.facts.lock().ok()?;
        cache
            .as_ref()
            .filter(|c| c.version == version && c.counted == counted)
            .map(|c| Arc::clone(&c.facts))
    }

    /// The records read afresh, bypassing the cache and its version check: for benchmarks,
    /// which time the read itself. Not consistent under concurrent writes; use `figure_facts`.
    pub async fn read_facts_uncached(&self) -> Result<Facts> {
        self.read_facts_counting(Counted::Approved).await
    }

    async fn read_facts_counting(&self, counted: Counted) -> Result<Facts> {
        let mut units = Vec::new();
        let mut unit_index: IdMap<u32> = IdMap::default();
        let rows = sqlx::query("SELECT id, name, kind, score_group FROM units ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let kind: String = row.try_get("kind")?;
            let group: Option<String> = row.try_get("score_group")?;
            unit_index.insert(id, units.len() as u32);
            units.push(FactUnit {
                id,
                name: row.try_get("name")?,
                kind: UnitKind::from_code(&kind).ok_or_else(|| corrupt("单位类型", &kind))?,
                group: group
                    .map(|g| ScoreGroup::from_code(&g).ok_or_else(|| corrupt("分组", &g)))
                    .transpose()?,
            });
        }
        // The milestones of approved events (migration 11), or of every event.
        let source = self.backend().hex_text("source_mode");
        let project_columns = match counted {
            Counted::Approved => [
                "id",
                "territory_unit_id",
                "approved_first_on",
                "approved_signed_on",
                "approved_signed_value",
                "approved_landed_on",
                "approved_started_on",
                "approved_production_on",
                "approved_capacity_on",
                "approved_resumed_on",
                source.as_str(),
            ],
            Counted::WithPending => [
                "id",
                "territory_unit_id",
                "first_on",
                "signed_on",
                "signed_value",
                "landed_on",
                "started_on",
                "production_on",
                "capacity_on",
                "resumed_on",
                source.as_str(),
            ],
        };
        // The view with pending records counts every record entered, a returned one too (it
        // is still in the cycle, back with its unit), as the milestones of every event do.
        // A withdrawn fund or visit counts under neither reading.
        let reviewed = match counted {
            Counted::Approved => "review = 'approved' AND withdrawn_at IS NULL",
            Counted::WithPending => "withdrawn_at IS NULL",
        };
        let credit_columns = ["project_id", "unit_id"];
        let fund_columns = [
            "id",
            "project_id",
            "fund_date",
            "amount",
            "currency",
            "verified",
        ];
        let visit_columns = ["id", "visit_date", "unit_id"];
        // Suspected and confirmed duplicates (重复研判) count nowhere, nor do their records; nor
        // does a project a unit has still to confirm (`placements`).
        let (project_chunks, credit_chunks, fund_chunks, visit_chunks, targets, uncounted) = tokio::try_join!(
            self.packed(
                "projects",
                "id",
                &project_columns,
                "(duplicate_state IS NULL OR duplicate_state = 'cleared') \
                 AND id NOT IN (SELECT project_id FROM placement_requests)"
            ),
            self.packed("project_credits", "project_id", &credit_columns, "1 = 1"),
            self.packed("funds", "id", &fund_columns, reviewed),
            self.packed("visits", "id", &visit_columns, reviewed),
            self.targets(),
            self.uncounted_projects(),
        )?;

        // Parsing a million records takes a while: off the async workers, a thread per chunk.
        let (projects, funds, visits, sources) = tokio::task::spawn_blocking(move || {
            parse(
                &uncounted,
                &unit_index,
                &project_chunks,
                &credit_chunks,
                &fund_chunks,
                &visit_chunks,
            )
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("解析中断: {e}")))??;
        Ok(Facts {
            units,
            projects,
            funds,
            visits,
            targets,
            sources,
        })
    }

    /// The projects with these ids, in the order given.
    pub async fn project_summaries(&self, ids: &[i64]) -> Result<Vec<ProjectSummary>> {
        let mut by_id = HashMap::new();
        for chunk in ids.chunks(500) {
            for (id, summary) in self.summaries_where_ids(chunk).await? {
                by_id.insert(id, summary);
            }
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// The fund records with these ids, in the order given.
    pub async fn funds_by_id(&self, ids: &[i64]) -> Result<Vec<(i64, Fund)>> {
        let mut by_id = HashMap::new();
        for chunk in ids.chunks(500) {
            let sql = sqlx::AssertSqlSafe(format!(
                "{} AND f.id IN ({})",
                crate::activity::FUND_SELECT,
                id_list(chunk)
            ));
            for row in sqlx::query(sql).fetch_all(self.pool()).await? {
                let (id, fund) = fund_from_row(&row)?;
                by_id.insert(id, fund);
            }
        }
        Ok(ids
            .iter()
            .filter_map(|id| by_id.remove(id).map(|f| (*id, f)))
            .collect())
    }

    /// The visit records with these ids, in the order given.
    pub async fn visits_by_id(&self, ids: &[i64]) -> Result<Vec<Visit>> {
        let mut by_id = HashMap::new();
        for chunk in ids.chunks(500) {
            let sql = sqlx::AssertSqlSafe(format!(
                "{} AND v.id IN ({})",
                crate::activity::VISIT_SELECT,
                id_list(chunk)
            ));
            for row in sqlx::query(sql).fetch_all(self.pool()).await? {
                let id: i64 = row.try_get("id")?;
                by_id.insert(id, visit_from_row(&row)?);
            }
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }
}

/// Ids are integers the caller took from the database, so they are written into the SQL.
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_columns_line_up_into_records_or_are_refused() {
        let chunk: Chunk = vec!["1;2;3".into(), ";2022-01-05;".into()];
        let read: Vec<[&str; 2]> = records::<2>(&chunk)
            .collect::<Result<_>>()
            .unwrap_or_default();
        assert_eq!(read, [["1", ""], ["2", "2022-01-05"], ["3", ""]]);
        let ragged: Chunk = vec!["1;2;3".into(), "a;b".into()];
        assert!(records::<2>(&ragged).any(|r| r.is_err()));
        let narrow: Chunk = vec!["1;2".into()];
        assert!(records::<2>(&narrow).any(|r| r.is_err()));
        assert_eq!(day("2024-02-29").ok(), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert!(day("2023-02-29").is_err() && day("2023-2-28").is_err() && day("").is_err());
    }
}
