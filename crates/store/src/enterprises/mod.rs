//! The 招商大数据库's firms: kept by credit code (by name where a firm has none), updated rather
//! than added when met again.

mod bench;
mod group;
mod merge;

pub use group::{Group, GroupFirm};
pub use merge::{Merge, Moves};

use chrono::NaiveDate;
use domain::enterprise::{Enterprise, EnterpriseSize, IndustryCode};
use domain::{CreditCode, Money};
use sqlx::Row;

use std::collections::HashMap;

use crate::batch::{Value, all_written};
use crate::rows::{corrupt, parse_day};
use crate::tx::json;
use crate::{Backend, Result, Store, Tx, Upserted, now_millis};

macro_rules! firm_columns {
    () => {
        "SELECT id, name, credit_code, industry_code, province, city, registered_capital, \
         founded_on, size, tags, scope, former_names, short_names, products, revision, merged_into"
    };
}
const SELECT: &str = concat!(firm_columns!(), " FROM enterprises");

pub(crate) fn from_row(row: &sqlx::any::AnyRow) -> Result<(i64, Enterprise)> {
    let name: String = row.try_get("name")?;
    let code: Option<String> = row.try_get("credit_code")?;
    let industry: Option<String> = row.try_get("industry_code")?;
    let capital: Option<i64> = row.try_get("registered_capital")?;
    let founded: Option<String> = row.try_get("founded_on")?;
    let size: Option<String> = row.try_get("size")?;
    let tags: Option<String> = row.try_get("tags")?;
    let scope: Option<String> = row.try_get("scope")?;
    let mut e = Enterprise::new(&name).map_err(|_| corrupt("企业名称", &name))?;
    e.credit_code = code
        .map(|c| {
            CreditCode::parse("统一社会信用代码", &c).map_err(|_| corrupt("统一社会信用代码", &c))
        })
        .transpose()?;
    e.industry = industry
        .map(|c| IndustryCode::parse("行业代码", &c).map_err(|_| corrupt("行业代码", &c)))
        .transpose()?;
    e.province = row.try_get("province")?;
    e.city = row.try_get("city")?;
    e.registered_capital = capital
        .map(|v| Money::from_units("注册资本", v).map_err(|_| corrupt("注册资本", &v.to_string())))
        .transpose()?;
    e.founded = founded.as_deref().map(parse_day).transpose()?;
    e.size = size
        .map(|s| EnterpriseSize::parse("规模", &s).map_err(|_| corrupt("规模", &s)))
        .transpose()?;
    e.tags = tags
        .as_deref()
        .map(Enterprise::split_tags)
        .unwrap_or_default();
    e.scope = scope;
    for (list, column) in [
        (&mut e.former_names, "former_names"),
        (&mut e.short_names, "short_names"),
        (&mut e.products, "products"),
    ] {
        let joined: Option<String> = row.try_get(column)?;
        *list = joined
            .as_deref()
            .map(Enterprise::split_tags)
            .unwrap_or_default();
    }
    Ok((row.try_get("id")?, e))
}

fn day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

impl Tx {
    /// Before a bulk load into an empty enterprises table on SQLite: drops the table's indexes
    /// that the load never reads (all but the credit code's and the names of firms without
    /// one), and builds them again at commit, one sort each, instead of a B-tree insert per
    /// firm into each (a million firms: 62 s → 48 s). The drop is part of the transaction: a
    /// rollback brings them back, and readers see them throughout. Not on PostgreSQL, where
    /// dropping an index locks the table against readers until the commit.
    pub async fn defer_enterprise_indexes(&mut self) -> Result<()> {
        if !self.backend().is_sqlite() || !self.deferred_indexes.is_empty() {
            return Ok(());
        }
        let held = sqlx::query("SELECT 1 FROM enterprises LIMIT 1")
            .fetch_optional(self.conn())
            .await?;
        if held.is_some() {
            return Ok(());
        }
        let rows = sqlx::query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'enterprises' \
             AND sql IS NOT NULL AND name <> 'enterprises_uncoded_name' ORDER BY name",
        )
        .fetch_all(self.conn())
        .await?;
        for row in rows {
            let name: String = row.try_get("name")?;
            let create: String = row.try_get("sql")?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX \"{name}\"")))
                .execute(self.conn())
                .await?;
            self.deferred_indexes.push(create);
        }
        Ok(())
    }

    /// The revision the firms this transaction writes are stamped with: the first call moves
    /// the counter on and holds its row lock until commit, so revisions follow commit order.
    pub(crate) async fn enterprise_revision(&mut self) -> Result<i64> {
        if let Some(revision) = self.enterprise_revision {
            return Ok(revision);
        }
        let revision: i64 = sqlx::query(
            "UPDATE enterprise_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision",
        )
        .fetch_one(self.conn())
        .await?
        .try_get(0)?;
        self.enterprise_revision = Some(revision);
        Ok(revision)
    }

    /// Adds a firm, or updates the one with the same credit code (without a code: the same
    /// name and no code); logged with before and after.
    pub async fn upsert_enterprise(&mut self, e: &Enterprise) -> Result<Upserted> {
        let written = self.upsert_enterprises(std::slice::from_ref(e)).await?;
        Ok(written.first().map_or(Upserted::Unchanged, |w| w.outcome))
    }
}

/// The columns written for a firm, after its id (updates) or as they are inserted.
fn values(e: &Enterprise) -> Vec<Value> {
    vec![
        Value::from(e.name.clone()),
        Value::from(e.credit_code.as_ref().map(|c| c.as_str().to_owned())),
        Value::from(e.industry.as_ref().map(|c| c.as_str().to_owned())),
        Value::from(e.province.clone()),
        Value::from(e.city.clone()),
        Value::from(e.registered_capital.map(Money::units)),
        Value::from(day(e.founded)),
        Value::from(e.size.map(|s| s.label().to_owned())),
        joined(&e.tags),
        Value::from(e.scope.clone()),
        joined(&e.former_names),
        joined(&e.short_names),
        joined(&e.products),
    ]
}

fn joined(list: &[String]) -> Value {
    Value::from((!list.is_empty()).then(|| list.join("、")))
}

/// `$1, $2, …, $n`.
fn marks(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn key_of(e: &Enterprise) -> String {
    e.credit_code
        .as_ref()
        .map_or_else(|| e.name.clone(), |c| c.as_str().to_owned())
}

/// Rows of values to a statement: at most this many firms (sixteen values each).
const CHUNK: usize = 300;

impl Tx {
    /// As [`Tx::upsert_enterprise`] for many firms at once: one read of the firms already held
    /// per chunk, one multi-row INSERT and one multi-row UPDATE. A firm met twice in `firms`
    /// counts as added, then updated, as it would one by one. Each firm's outcome comes with
    /// its id, so that the search index can follow the import as it is written.
    pub async fn upsert_enterprises(&mut self, firms: &[Enterprise]) -> Result<Vec<Written>> {
        // Firms written here are not in `firm_ids`: a later lookup asks the database again.
        self.firms_loaded = false;
        let mut written = Vec::with_capacity(firms.len());
        for chunk in firms.chunks(CHUNK) {
            written.extend(self.upsert_chunk(chunk).await?);
        }
        Ok(written)
    }

    /// The firms without a credit code among `names`, by id, through the partial index of
    /// uncoded names (`Backend::uncoded_firms`), each with the record it was merged into.
    async fn uncoded_named(
        &mut self,
        names: &[&str],
    ) -> Result<Vec<(i64, Enterprise, Option<i64>)>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "{} FROM {} AND name IN ({}) ORDER BY id",
            firm_columns!(),
            self.backend().uncoded_firms(),
            marks(names.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for name in names {
            query = query.bind(*name);
        }
        let rows = query.fetch_all(self.conn()).await?;
        rows.iter()
            .map(|row| {
                let (id, e) = from_row(row)?;
                Ok((id, e, row.try_get("merged_into")?))
            })
            .collect()
    }

    async fn upsert_chunk(&mut self, firms: &[Enterprise]) -> Result<Vec<Written>> {
        // The firms already held, by key.
        let codes: Vec<&str> = firms
            .iter()
            .filter_map(|e| e.credit_code.as_ref().map(CreditCode::as_str))
            .collect();
        let names: Vec<&str> = firms
            .iter()
            .filter(|e| e.credit_code.is_none())
            .map(|e| e.name.as_str())
            .collect();
        let mut held: HashMap<String, (i64, Enterprise)> = HashMap::new();
        if !codes.is_empty() {
            let sql = format!(
                "{SELECT} WHERE credit_code IN ({}) ORDER BY id",
                marks(codes.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for code in &codes {
                query = query.bind(*code);
            }
            for row in query.fetch_all(self.conn()).await? {
                let (id, e) = from_row(&row)?;
                held.entry(key_of(&e)).or_insert((id, e));
            }
        }
        // A name merged into another record stands for the record kept, whose fields the
        // bureau chose: the firm is found there and left as it is.
        let mut redirected: HashMap<String, i64> = HashMap::new();
        for (id, e, merged_into) in self.uncoded_named(&names).await? {
            if let Some(kept) = merged_into {
                redirected.entry(key_of(&e)).or_insert(kept);
            } else {
                held.entry(key_of(&e)).or_insert((id, e));
            }
        }
        // A coded firm not yet held may be one entered earlier by its name alone (a ledger
        // naming an investor without a code): the one uncoded firm of that exact name takes the
        // code and the fields, rather than a twin being made.
        let unclaimed: Vec<&str> = firms
            .iter()
            .filter(|e| e.credit_code.is_some() && !held.contains_key(&key_of(e)))
            .map(|e| e.name.as_str())
            .collect();
        let mut by_name: HashMap<String, Vec<(i64, Enterprise)>> = HashMap::new();
        for (id, e, merged_into) in self.uncoded_named(&unclaimed).await? {
            if merged_into.is_none() {
                by_name.entry(e.name.clone()).or_default().push((id, e));
            }
        }
        let mut claimed = std::collections::HashSet::new();
        for e in firms.iter().filter(|e| e.credit_code.is_some()) {
            if let Some([(id, old)]) = by_name.get(&e.name).map(Vec::as_slice)
                && !held.contains_key(&key_of(e))
                && claimed.insert(*id)
            {
                held.insert(key_of(e), (*id, old.clone()));
            }
        }
        // Decide each firm in order; a key met earlier in the chunk is updated in place.
        let mut inserts: Vec<Enterprise> = Vec::new();
        let mut pending: HashMap<String, usize> = HashMap::new();
        let mut updates: Vec<(i64, Enterprise)> = Vec::new();
        let mut outcomes = Vec::with_capacity(firms.len());
        // The held id of each firm; a new firm's is known once it is inserted.
        let mut ids: Vec<Option<i64>> = Vec::with_capacity(firms.len());
        // The change-log entries (firm, key, action, before), written once every firm has its
        // id.
        let mut changes: Vec<(usize, String, &'static str, Option<Enterprise>)> = Vec::new();
        for (at, e) in firms.iter().enumerate() {
            let key = key_of(e);
            if let Some(&kept) = redirected.get(&key).filter(|_| !held.contains_key(&key)) {
                ids.push(Some(kept));
                outcomes.push(Upserted::Unchanged);
                continue;
            }
            ids.push(held.get(&key).map(|(id, _)| *id));
            if let Some(&i) = pending.get(&key) {
                let before = std::mem::replace(&mut inserts[i], e.clone());
                outcomes.push(if before == *e {
                    Upserted::Unchanged
                } else {
                    changes.push((at, key, "update", Some(before)));
                    Upserted::Updated
                });
                continue;
            }
            match held.get_mut(&key) {
                Some((_, old)) if old == e => outcomes.push(Upserted::Unchanged),
                Some((id, old)) => {
                    let before = std::mem::replace(old, e.clone());
                    match updates.iter_mut().find(|(u, _)| u == id) {
                        Some((_, pending)) => *pending = e.clone(),
                        None => updates.push((*id, e.clone())),
                    }
                    changes.push((at, key, "update", Some(before)));
                    outcomes.push(Upserted::Updated);
                }
                None => {
                    pending.insert(key.clone(), inserts.len());
                    inserts.push(e.clone());
                    changes.push((at, key, "create", None));
                    outcomes.push(Upserted::Inserted);
                }
            }
        }
        if inserts.is_empty() && updates.is_empty() {
            return written(outcomes, ids);
        }
        let revision = self.enterprise_revision().await?;
        // The log's JSON is made on this thread while the database writes the firms on its
        // own: a million firms' worth is seconds of the import.
        let log_json = || -> Vec<(Option<String>, String)> {
            changes
                .iter()
                .map(|(at, _, _, before)| (before.as_ref().map(json), json(&firms[*at])))
                .collect()
        };
        let logged = if inserts.is_empty() {
            log_json()
        } else {
            let (new_ids, logged) = self.insert_firms(&inserts, revision, log_json).await?;
            for (e, id) in firms.iter().zip(ids.iter_mut()) {
                if id.is_none() {
                    *id = new_ids.get(&key_of(e)).copied();
                }
            }
            logged
        };
        if !updates.is_empty() {
            let mut sql = String::from(
                "UPDATE enterprises SET name = v.column2, credit_code = v.column3, industry_code = v.column4, \
                 province = v.column5, city = v.column6, registered_capital = v.column7, \
                 founded_on = v.column8, size = v.column9, tags = v.column10, \
                 scope = v.column11, former_names = v.column12, short_names = v.column13, \
                 products = v.column14, revision = v.column15 FROM (VALUES ",
            );
            sql.push_str(&self.backend().placeholders(updates.len(), 15));
            sql.push_str(") AS v WHERE enterprises.id = v.column1");
            let rows = updates.iter().map(|(id, e)| {
                let mut row = vec![Value::from(*id)];
                row.extend(values(e));
                row.push(Value::from(revision));
                row
            });
            bound(sql, rows).execute(self.conn()).await?;
        }
        let written = written(outcomes, ids)?;
        for ((at, key, action, _), (before, after)) in changes.into_iter().zip(logged) {
            let id = Some(written[at].id);
            self.log_json("enterprise", &key, id, action, before, Some(after))
                .await?;
        }
        Ok(written)
    }

    /// Inserts new firms (their keys known to be free) and returns each one's id by key,
    /// with what `meanwhile` made while the database wrote.
    async fn insert_firms<T>(
        &mut self,
        inserts: &[Enterprise],
        revision: i64,
        meanwhile: impl FnOnce() -> T,
    ) -> Result<(HashMap<String, i64>, T)> {
        let now = now_millis();
        let row = |id: Option<i64>, e: &Enterprise| {
            let mut row: Vec<Value> = id.map(Value::from).into_iter().collect();
            row.extend(values(e));
            row.push(Value::from(now));
            row.push(Value::from(revision));
            row
        };
        // The keys were looked up, so no row can meet the unique credit code.
        let columns = "name, credit_code, industry_code, province, city, registered_capital, \
                       founded_on, size, tags, scope, former_names, short_names, products, \
                       created_at, revision";
        match self.backend() {
            // SQLite has one writer at a time, and this transaction is it: the new firms take
            // the ids after the largest. Returning each row's id would cost a message between
            // threads per firm, a sixth of the database thread's time in a large import.
            Backend::Sqlite => {
                let last: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM enterprises")
                    .fetch_one(self.conn())
                    .await?;
                let first = last.unwrap_or(0) + 1;
                let mut sql = Backend::Sqlite
                    .insert_all(&format!("INSERT INTO enterprises (id, {columns}) VALUES "));
                sql.push_str(&Backend::Sqlite.placeholders(inserts.len(), 16));
                let rows = (first..).zip(inserts).map(|(id, e)| row(Some(id), e));
                let (done, made) =
                    tokio::join!(bound(sql, rows).execute(self.conn()), async { meanwhile() });
                all_written(inserts.len(), done?.rows_affected())?;
                let ids = (first..).zip(inserts).map(|(id, e)| (key_of(e), id));
                Ok((ids.collect(), made))
            }
            Backend::Postgres => {
                let mut sql = format!("INSERT INTO enterprises ({columns}) VALUES ");
                sql.push_str(&Backend::Postgres.placeholders(inserts.len(), 15));
                sql.push_str(" RETURNING id, credit_code, name");
                let rows = inserts.iter().map(|e| row(None, e));
                let (returned, made) =
                    tokio::join!(bound(sql, rows).fetch_all(self.conn()), async {
                        meanwhile()
                    });
                let returned = returned?;
                all_written(inserts.len(), returned.len() as u64)?;
                let mut ids = HashMap::with_capacity(returned.len());
                for row in &returned {
                    let code: Option<String> = row.try_get("credit_code")?;
                    let name: String = row.try_get("name")?;
                    ids.insert(code.unwrap_or(name), row.try_get("id")?);
                }
                Ok((ids, made))
            }
        }
    }
}

/// What an upsert did to one firm, and the firm's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub outcome: Upserted,
    pub id: i64,
}

/// Every firm has an id by now: held, or returned by its insert.
fn written(outcomes: Vec<Upserted>, ids: Vec<Option<i64>>) -> Result<Vec<Written>> {
    outcomes
        .into_iter()
        .zip(ids)
        .map(|(outcome, id)| {
            let id =
                id.ok_or_else(|| crate::StoreError::Incomplete("新增企业的编号未返回".to_owned()))?;
            Ok(Written { outcome, id })
        })
        .collect()
}

/// `sql` with the values of `rows` bound in order.
fn bound(
    sql: String,
    rows: impl Iterator<Item = Vec<Value>>,
) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for value in rows.flatten() {
        query = match value {
            Value::Int(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
        };
    }
    query
}

impl Store {
    /// Every firm (not those merged into another), in the order they were added.
    pub async fn enterprises(&self) -> Result<Vec<Enterprise>> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE merged_into IS NULL ORDER BY id"));
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok(from_row(r)?.1)).collect()
    }

    /// The firm with this credit code.
    pub async fn enterprise_by_code(&self, code: &str) -> Result<Option<Enterprise>> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE credit_code = $1"));
        let row = sqlx::query(sql)
            .bind(code)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?.map(|(_, e)| e))
    }
}

fn indexed(rows: &[sqlx::any::AnyRow]) -> Result<Vec<IndexedFirm>> {
    rows.iter()
        .map(|r| {
            let (id, firm) = from_row(r)?;
            Ok(IndexedFirm {
                id,
                firm,
                revision: r.try_get("revision")?,
                merged_into: r.try_get("merged_into")?,
            })
        })
        .collect()
}

/// A firm as the search index holds it: its id, the record, and the revision it was written at.
#[derive(Debug, Clone)]
pub struct IndexedFirm {
    pub id: i64,
    pub firm: Enterprise,
    /// The enterprise revision it was last written at.
    pub revision: i64,
    /// The record this one was merged into: it is then not searched for.
    pub merged_into: Option<i64>,
}

impl Store {
    /// The last enterprise revision committed: every firm written at it or before is visible.
    pub async fn enterprise_revision(&self) -> Result<i64> {
        let row = sqlx::query("SELECT revision FROM enterprise_revision WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("revision")?)
    }

    /// A page of the firms written at revision `upto` or before, in (revision, id) order after
    /// the firm (`after_revision`, `after_id`); the search index reads them to catch up (all of
    /// them from (-1, 0)). Keyset paging on the `(revision, id)` index: each page is a range
    /// scan, however many firms one revision wrote.
    pub async fn enterprises_written(
        &self,
        after_revision: i64,
        after_id: i64,
        upto: i64,
        limit: i64,
    ) -> Result<Vec<IndexedFirm>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE (revision > $1 OR (revision = $1 AND id > $2)) AND revision <= $3 \
             ORDER BY revision, id LIMIT $4"
        ));
        let rows = sqlx::query(sql)
            .bind(after_revision)
            .bind(after_id)
            .bind(upto)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        indexed(&rows)
    }

    /// The firms with these ids, in the order asked (ids not held are left out).
    pub async fn enterprises_by_id(&self, ids: &[i64]) -> Result<Vec<IndexedFirm>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks = (1..=ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE id IN ({marks})"));
        let mut query = sqlx::query(sql);
        for id in ids {
            query = query.bind(*id);
        }
        let mut found: HashMap<i64, IndexedFirm> = indexed(&query.fetch_all(self.pool()).await?)?
            .into_iter()
            .map(|f| (f.id, f))
            .collect();
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// A token that names this database, made on first asking: an index built from another
    /// database (or one recreated since) is rebuilt rather than caught up.
    pub async fn database_identity(&self) -> Result<String> {
        const KEY: &str = "database_identity";
        let read = || sqlx::query("SELECT value FROM settings WHERE key = $1").bind(KEY);
        if let Some(row) = read().fetch_optional(self.pool()).await? {
            return Ok(row.try_get("value")?);
        }
        use sha2::Digest;
        let seed = format!(
            "{}:{}:{:?}",
            now_millis(),
            std::process::id(),
            std::time::Instant::now()
        );
        let token = hex::encode(&sha2::Sha256::digest(seed.as_bytes())[..16]);
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(KEY)
        .bind(token)
        .execute(self.pool())
        .await?;
        Ok(read().fetch_one(self.pool()).await?.try_get("value")?)
    }
}

impl Store {
    pub async fn enterprise(&self, id: i64) -> Result<Option<Enterprise>> {
        Ok(self.enterprises_by_id(&[id]).await?.pop().map(|f| f.firm))
    }
}
