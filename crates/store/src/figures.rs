//! Reading what the figures are computed from, and the records a drill-down lists.
//!
//! A scoreboard reads one row per project (its derived milestone dates, migration 4), one per
//! fund and one per visit, each with only the columns a figure looks at: at a million projects
//! the read is what costs, and the computation itself is done in memory by `domain::figures`.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::figures::facts::{FactFund, FactProject, FactUnit, FactVisit, Facts, Milestones};
use domain::records::{Fund, ScoreGroup, UnitKind, Visit};
use sqlx::Row;

use crate::read::{corrupt, fund_from_row, visit_from_row};
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

/// The fields of one packed record, exactly `n` of them.
fn fields(record: &str, n: usize) -> Result<Vec<&str>> {
    let parts: Vec<&str> = record.split('|').collect();
    if parts.len() == n {
        Ok(parts)
    } else {
        Err(corrupt("记录", record))
    }
}

/// How many records one packed row carries.
const CHUNK: i64 = 50_000;

impl Store {
    /// The rows of `table` as `columns` joined by '|', many records to a row of text joined
    /// by ';'. sqlx's Any driver costs some microseconds per row and per column, which at a
    /// million projects is most of a scoreboard's time; one text per 50,000 records is parsed
    /// here in a fraction of that. The columns hold only integers and ISO dates, never '|'
    /// or ';'.
    async fn packed(&self, table: &str, key: &str, columns: &[&str]) -> Result<Vec<String>> {
        let bounds = sqlx::AssertSqlSafe(format!("SELECT MIN({key}), MAX({key}) FROM {table}"));
        let row = sqlx::query(bounds).fetch_one(self.pool()).await?;
        let (Some(min), Some(max)) = (
            row.try_get::<Option<i64>, _>(0)?,
            row.try_get::<Option<i64>, _>(1)?,
        ) else {
            return Ok(Vec::new());
        };
        // printf and format write NULL as the empty string; one call per row is much cheaper
        // in SQLite than a CAST, COALESCE and || per column.
        let pattern = vec!["%s"; columns.len()].join("|");
        let columns = columns.join(", ");
        let aggregate = match self.backend() {
            crate::Backend::Sqlite => format!("group_concat(printf('{pattern}', {columns}), ';')"),
            crate::Backend::Postgres => format!("string_agg(format('{pattern}', {columns}), ';')"),
        };
        let sql = format!("SELECT {aggregate} FROM {table} WHERE {key} >= $1 AND {key} < $2");
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
                Ok::<_, StoreError>((index, row.try_get::<Option<String>, _>(0)?))
            });
            from += CHUNK;
            index += 1;
        }
        let mut chunks = vec![None; index];
        while let Some(done) = tasks.join_next().await {
            let (i, chunk) = done.map_err(|e| StoreError::Corrupt(format!("读取中断: {e}")))??;
            chunks[i] = chunk;
        }
        Ok(chunks.into_iter().flatten().collect())
    }

    /// Everything a scoreboard needs, read in a handful of queries.
    pub async fn figure_facts(&self) -> Result<Facts> {
        let mut units = Vec::new();
        let mut unit_index: HashMap<i64, u32> = HashMap::new();
        let rows = sqlx::query("SELECT id, name, kind, score_group FROM units ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        for row in &rows {
            let id: i64 = row.try_get(0)?;
            let kind: String = row.try_get(2)?;
            let group: Option<String> = row.try_get(3)?;
            unit_index.insert(id, units.len() as u32);
            units.push(FactUnit {
                id,
                name: row.try_get(1)?,
                kind: UnitKind::from_code(&kind).ok_or_else(|| corrupt("单位类型", &kind))?,
                group: group
                    .map(|g| ScoreGroup::from_code(&g).ok_or_else(|| corrupt("分组", &g)))
                    .transpose()?,
            });
        }
        let unit = |id: i64| {
            unit_index
                .get(&id)
                .copied()
                .ok_or_else(|| corrupt("单位", &id.to_string()))
        };

        let project_columns = [
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
        ];
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
        let (project_chunks, credit_chunks, fund_chunks, visit_chunks, targets) = tokio::try_join!(
            self.packed("projects", "id", &project_columns),
            self.packed("project_credits", "project_id", &credit_columns),
            self.packed("funds", "id", &fund_columns),
            self.packed("visits", "id", &visit_columns),
            self.targets(),
        )?;

        let mut projects = Vec::new();
        let mut project_index: HashMap<i64, u32> = HashMap::new();
        for chunk in &project_chunks {
            for record in chunk.split(';') {
                let f = fields(record, project_columns.len())?;
                let id = int("项目", f[0])?;
                let signed_value = if f[4].is_empty() {
                    0
                } else {
                    int("签约额", f[4])?
                };
                let resumed_on = match f[9] {
                    "" => Vec::new(),
                    list => list.split(',').map(day).collect::<Result<_>>()?,
                };
                project_index.insert(id, projects.len() as u32);
                projects.push(FactProject {
                    id,
                    territory: unit(int("单位", f[1])?)?,
                    credited: Vec::new(),
                    milestones: Milestones {
                        first_on: opt_day(f[2])?,
                        signed: opt_day(f[3])?.map(|d| (d, signed_value)),
                        landed_on: opt_day(f[5])?,
                        started_on: opt_day(f[6])?,
                        production_on: opt_day(f[7])?,
                        capacity_on: opt_day(f[8])?,
                        resumed_on,
                    },
                });
            }
        }
        let project = |id: i64| {
            project_index
                .get(&id)
                .copied()
                .ok_or_else(|| corrupt("项目", &id.to_string()))
        };

        // A project's credited units in any order: each counts once whatever its position.
        for chunk in &credit_chunks {
            for record in chunk.split(';') {
                let f = fields(record, credit_columns.len())?;
                let p = project(int("项目", f[0])?)?;
                projects[p as usize]
                    .credited
                    .push(unit(int("单位", f[1])?)?);
            }
        }

        let mut funds = Vec::new();
        for chunk in &fund_chunks {
            for record in chunk.split(';') {
                let f = fields(record, fund_columns.len())?;
                let usd = match f[4] {
                    "CNY" => false,
                    "USD" => true,
                    _ => continue,
                };
                funds.push(FactFund {
                    id: int("到位资金", f[0])?,
                    project: project(int("项目", f[1])?)?,
                    date: day(f[2])?,
                    amount: int("金额", f[3])?,
                    usd,
                    verified: f[5] != "0",
                });
            }
        }

        let mut visits = Vec::new();
        for chunk in &visit_chunks {
            for record in chunk.split(';') {
                let f = fields(record, visit_columns.len())?;
                visits.push(FactVisit {
                    id: int("对接记录", f[0])?,
                    date: day(f[1])?,
                    unit: match f[2] {
                        "" => None,
                        u => Some(unit(int("单位", u)?)?),
                    },
                });
            }
        }

        Ok(Facts {
            units,
            projects,
            funds,
            visits,
            targets,
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
                "{} WHERE f.id IN ({})",
                crate::read::FUND_SELECT,
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
                "{} WHERE v.id IN ({})",
                crate::read::VISIT_SELECT,
                id_list(chunk)
            ));
            for row in sqlx::query(sql).fetch_all(self.pool()).await? {
                let id: i64 = row.try_get(11)?;
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
