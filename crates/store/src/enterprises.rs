//! The 招商大数据库's firms: kept by credit code (by name where a firm has none), updated rather
//! than added when met again.

use chrono::NaiveDate;
use domain::enterprise::{Enterprise, EnterpriseSize, IndustryCode};
use domain::{CreditCode, Money};
use sqlx::Row;

use std::collections::HashMap;

use crate::batch::{Value, placeholders};
use crate::read::{corrupt, parse_day};
use crate::{Result, Store, Tx, Upserted, now_millis};

const SELECT: &str = "SELECT id, name, credit_code, industry_code, province, city, registered_capital, \
     founded_on, size, tags FROM enterprises";

fn from_row(row: &sqlx::any::AnyRow) -> Result<(i64, Enterprise)> {
    let name: String = row.try_get(1)?;
    let code: Option<String> = row.try_get(2)?;
    let industry: Option<String> = row.try_get(3)?;
    let capital: Option<i64> = row.try_get(6)?;
    let founded: Option<String> = row.try_get(7)?;
    let size: Option<String> = row.try_get(8)?;
    let tags: Option<String> = row.try_get(9)?;
    let mut e = Enterprise::new(&name).map_err(|_| corrupt("企业名称", &name))?;
    e.credit_code = code
        .map(|c| {
            CreditCode::parse("统一社会信用代码", &c).map_err(|_| corrupt("统一社会信用代码", &c))
        })
        .transpose()?;
    e.industry = industry
        .map(|c| IndustryCode::parse("行业代码", &c).map_err(|_| corrupt("行业代码", &c)))
        .transpose()?;
    e.province = row.try_get(4)?;
    e.city = row.try_get(5)?;
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
    Ok((row.try_get(0)?, e))
}

fn day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

impl Tx {
    /// Adds a firm, or updates the one with the same credit code (without a code: the same
    /// name and no code); logged with before and after.
    pub async fn upsert_enterprise(&mut self, e: &Enterprise) -> Result<Upserted> {
        let outcomes = self.upsert_enterprises(std::slice::from_ref(e)).await?;
        Ok(outcomes.first().copied().unwrap_or(Upserted::Unchanged))
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
        Value::from((!e.tags.is_empty()).then(|| e.tags.join("、"))),
    ]
}

fn key_of(e: &Enterprise) -> String {
    e.credit_code
        .as_ref()
        .map_or_else(|| e.name.clone(), |c| c.as_str().to_owned())
}

/// Rows of values to a statement: at most this many firms (nine or ten values each).
const CHUNK: usize = 300;

impl Tx {
    /// As [`Tx::upsert_enterprise`] for many firms at once: one read of the firms already held
    /// per chunk, one multi-row INSERT and one multi-row UPDATE. A firm met twice in `firms`
    /// counts as added, then updated, as it would one by one.
    pub async fn upsert_enterprises(&mut self, firms: &[Enterprise]) -> Result<Vec<Upserted>> {
        let mut outcomes = Vec::with_capacity(firms.len());
        for chunk in firms.chunks(CHUNK) {
            outcomes.extend(self.upsert_chunk(chunk).await?);
        }
        Ok(outcomes)
    }

    async fn upsert_chunk(&mut self, firms: &[Enterprise]) -> Result<Vec<Upserted>> {
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
        for (column, keys, extra) in [
            ("credit_code", &codes, ""),
            ("name", &names, " AND credit_code IS NULL"),
        ] {
            if keys.is_empty() {
                continue;
            }
            let marks = (1..=keys.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE {column} IN ({marks}){extra} ORDER BY id"
            ));
            let mut query = sqlx::query(sql);
            for key in keys {
                query = query.bind(*key);
            }
            for row in query.fetch_all(self.conn()).await? {
                let (id, e) = from_row(&row)?;
                held.entry(key_of(&e)).or_insert((id, e));
            }
        }
        // Decide each firm in order; a key met earlier in the chunk is updated in place.
        let mut inserts: Vec<Enterprise> = Vec::new();
        let mut pending: HashMap<String, usize> = HashMap::new();
        let mut updates: Vec<(i64, Enterprise)> = Vec::new();
        let mut outcomes = Vec::with_capacity(firms.len());
        for e in firms {
            let key = key_of(e);
            if let Some(&i) = pending.get(&key) {
                let before = std::mem::replace(&mut inserts[i], e.clone());
                outcomes.push(if before == *e {
                    Upserted::Unchanged
                } else {
                    self.log("enterprise", &key, "update", Some(&before), Some(e))
                        .await?;
                    Upserted::Updated
                });
                continue;
            }
            match held.get_mut(&key) {
                Some((_, old)) if old == e => outcomes.push(Upserted::Unchanged),
                Some((id, old)) => {
                    self.log("enterprise", &key, "update", Some(&*old), Some(e))
                        .await?;
                    *old = e.clone();
                    match updates.iter_mut().find(|(u, _)| u == id) {
                        Some((_, pending)) => *pending = e.clone(),
                        None => updates.push((*id, e.clone())),
                    }
                    outcomes.push(Upserted::Updated);
                }
                None => {
                    self.log("enterprise", &key, "create", None::<&()>, Some(e))
                        .await?;
                    pending.insert(key, inserts.len());
                    inserts.push(e.clone());
                    outcomes.push(Upserted::Inserted);
                }
            }
        }
        if !inserts.is_empty() {
            let mut sql = String::from(
                "INSERT INTO enterprises (name, credit_code, industry_code, province, city, \
                 registered_capital, founded_on, size, tags, created_at) VALUES ",
            );
            sql.push_str(&placeholders(self.backend(), inserts.len(), 10));
            let now = now_millis();
            let rows = inserts.iter().map(|e| {
                let mut row = values(e);
                row.push(Value::from(now));
                row
            });
            bind_rows(self.conn(), sql, rows).await?;
        }
        if !updates.is_empty() {
            let mut sql = String::from(
                "UPDATE enterprises SET name = v.column2, industry_code = v.column4, \
                 province = v.column5, city = v.column6, registered_capital = v.column7, \
                 founded_on = v.column8, size = v.column9, tags = v.column10 FROM (VALUES ",
            );
            sql.push_str(&placeholders(self.backend(), updates.len(), 10));
            sql.push_str(") AS v WHERE enterprises.id = v.column1");
            let rows = updates.iter().map(|(id, e)| {
                let mut row = vec![Value::from(*id)];
                row.extend(values(e));
                row
            });
            bind_rows(self.conn(), sql, rows).await?;
        }
        Ok(outcomes)
    }
}

async fn bind_rows(
    conn: &mut sqlx::AnyConnection,
    sql: String,
    rows: impl Iterator<Item = Vec<Value>>,
) -> Result<()> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for value in rows.flatten() {
        query = match value {
            Value::Int(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
        };
    }
    query.execute(conn).await?;
    Ok(())
}

impl Store {
    /// Every firm, in the order they were added.
    pub async fn enterprises(&self) -> Result<Vec<Enterprise>> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY id"));
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
