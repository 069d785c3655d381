//! The 招商要素表 (issue 23.3): factors and every value each has had, and the factors a packaged
//! project's 推介书 quotes.

use domain::factors::{Factor, FactorCategory, FactorValue, with_new_value};
use sqlx::Row;

use crate::rows::{corrupt, parse_day};
use crate::tx::{Tx, Upserted};
use crate::{Result, Store, StoreError, now_millis};

/// A factor with its values, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactorRecord {
    pub factor: Factor,
    pub values: Vec<FactorValue>,
}

async fn read(conn: &mut sqlx::AnyConnection, code: Option<&str>) -> Result<Vec<FactorRecord>> {
    let sql = match code {
        Some(_) => {
            "SELECT f.id, f.code, f.category, f.item, v.value, v.unit, v.source, v.valid_from, \
             v.valid_to, v.note FROM factors f LEFT JOIN factor_values v ON v.factor_id = f.id \
             WHERE f.code = $1 ORDER BY f.id, v.valid_from"
        }
        None => {
            "SELECT f.id, f.code, f.category, f.item, v.value, v.unit, v.source, v.valid_from, \
             v.valid_to, v.note FROM factors f LEFT JOIN factor_values v ON v.factor_id = f.id \
             ORDER BY f.code, v.valid_from"
        }
    };
    let mut query = sqlx::query(sql);
    if let Some(code) = code {
        query = query.bind(code);
    }
    let rows = query.fetch_all(conn).await?;
    let mut out: Vec<FactorRecord> = Vec::new();
    for row in &rows {
        let code: String = row.try_get("code")?;
        if out.last().is_none_or(|r| r.factor.code != code) {
            let category: String = row.try_get("category")?;
            let category = FactorCategory::from_code(&category)
                .ok_or_else(|| corrupt("要素类别", &category))?;
            let factor = Factor::new(&code, category, &row.try_get::<String, _>("item")?)
                .map_err(|_| corrupt("招商要素", &code))?;
            out.push(FactorRecord {
                factor,
                values: Vec::new(),
            });
        }
        let Some(from) = row.try_get::<Option<String>, _>("valid_from")? else {
            continue;
        };
        let mut value = FactorValue::new(
            &row.try_get::<String, _>("value")?,
            &row.try_get::<String, _>("unit")?,
            &row.try_get::<String, _>("source")?,
            parse_day(&from)?,
            row.try_get::<Option<String>, _>("valid_to")?
                .map(|d| parse_day(&d))
                .transpose()?,
        )
        .map_err(|_| corrupt("要素数值", &code))?;
        value.note = row.try_get("note")?;
        if let Some(record) = out.last_mut() {
            record.values.push(value);
        }
    }
    // By category as the table is printed, then by code.
    out.sort_by(|a, b| {
        (a.factor.category, &a.factor.code).cmp(&(b.factor.category, &b.factor.code))
    });
    Ok(out)
}

impl Store {
    /// The whole 要素表: every factor with its values, by category and code.
    pub async fn factors(&self) -> Result<Vec<FactorRecord>> {
        read(&mut *self.pool().acquire().await?, None).await
    }

    /// The 要素编号 a packaged project's 推介书 quotes.
    pub async fn packaged_factors(&self, packaged_code: &str) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT f.code FROM packaged_factors pf JOIN factors f ON f.id = pf.factor_id \
             JOIN packaged_projects k ON k.id = pf.packaged_id WHERE k.code = $1 ORDER BY f.code",
        )
        .bind(packaged_code)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }
}

impl Tx {
    /// Adds a factor, or renames or moves the one with its 要素编号.
    pub async fn upsert_factor(&mut self, factor: &Factor) -> Result<Upserted> {
        let before = read(self.conn(), Some(&factor.code)).await?.pop();
        sqlx::query(
            "INSERT INTO factors (code, category, item) VALUES ($1, $2, $3) ON CONFLICT (code) \
             DO UPDATE SET category = excluded.category, item = excluded.item",
        )
        .bind(&factor.code)
        .bind(factor.category.code())
        .bind(&factor.item)
        .execute(self.conn())
        .await?;
        let outcome = match &before {
            None => Upserted::Inserted,
            Some(b) if &b.factor == factor => return Ok(Upserted::Unchanged),
            Some(_) => Upserted::Updated,
        };
        let action = if before.is_some() { "update" } else { "create" };
        self.log(
            "factor",
            &factor.code,
            action,
            before.as_ref().map(|b| &b.factor),
            Some(factor),
        )
        .await?;
        Ok(outcome)
    }

    /// A new value of factor `code` from its day on: the value before is closed the day before
    /// and kept ([`with_new_value`]). The same value again on the same day changes nothing (a
    /// file imported twice); another value on a day that has one is refused.
    pub async fn add_factor_value(&mut self, code: &str, value: &FactorValue) -> Result<Upserted> {
        let record = read(self.conn(), Some(code))
            .await?
            .pop()
            .ok_or_else(|| StoreError::invalid("要素编号", format!("要素“{code}”不存在")))?;
        if let Some(same_day) = record
            .values
            .iter()
            .find(|v| v.valid_from == value.valid_from)
        {
            let same = (&same_day.value, &same_day.unit, &same_day.source)
                == (&value.value, &value.unit, &value.source);
            return if same {
                Ok(Upserted::Unchanged)
            } else {
                Err(StoreError::invalid(
                    "生效日期",
                    format!(
                        "要素{code}在{}已有数值{}，不能另行登记",
                        value.valid_from, same_day.value
                    ),
                ))
            };
        }
        let values = with_new_value(&record.values, value.clone())?;
        let id: i64 = sqlx::query("SELECT id FROM factors WHERE code = $1")
            .bind(code)
            .fetch_one(self.conn())
            .await?
            .try_get(0)?;
        // The one value whose end moved: the latest before the new one.
        if let Some(closed) = values.iter().rev().nth(1) {
            sqlx::query(
                "UPDATE factor_values SET valid_to = $3 WHERE factor_id = $1 AND valid_from = $2",
            )
            .bind(id)
            .bind(closed.valid_from.to_string())
            .bind(closed.valid_to.map(|d| d.to_string()))
            .execute(self.conn())
            .await?;
        }
        sqlx::query(
            "INSERT INTO factor_values (factor_id, value, unit, source, valid_from, valid_to, note, \
             created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(&value.value)
        .bind(&value.unit)
        .bind(&value.source)
        .bind(value.valid_from.to_string())
        .bind(value.valid_to.map(|d| d.to_string()))
        .bind(&value.note)
        .bind(now_millis())
        .bind(self.actor_name().to_owned())
        .execute(self.conn())
        .await?;
        self.log(
            "factor_value",
            code,
            "add",
            record.values.last(),
            Some(value),
        )
        .await?;
        Ok(Upserted::Inserted)
    }

    /// The factors packaged project `packaged_code`'s 推介书 quotes, replacing those before; every
    /// unknown 要素编号 is named at once.
    pub async fn set_packaged_factors(
        &mut self,
        packaged_code: &str,
        codes: &[String],
    ) -> Result<()> {
        let packaged: i64 = sqlx::query("SELECT id FROM packaged_projects WHERE code = $1")
            .bind(packaged_code)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("项目库中没有“{packaged_code}”")))?
            .try_get(0)?;
        let mut ids = Vec::new();
        let mut unknown = Vec::new();
        for code in codes {
            match sqlx::query("SELECT id FROM factors WHERE code = $1")
                .bind(code)
                .fetch_optional(self.conn())
                .await?
            {
                Some(row) => ids.push(row.try_get::<i64, _>(0)?),
                None => unknown.push(code.as_str()),
            }
        }
        if !unknown.is_empty() {
            return Err(StoreError::invalid(
                "推介要素",
                format!("要素表中没有{}", unknown.join("、")),
            ));
        }
        ids.sort_unstable();
        ids.dedup();
        sqlx::query("DELETE FROM packaged_factors WHERE packaged_id = $1")
            .bind(packaged)
            .execute(self.conn())
            .await?;
        for id in ids {
            sqlx::query("INSERT INTO packaged_factors (packaged_id, factor_id) VALUES ($1, $2)")
                .bind(packaged)
                .bind(id)
                .execute(self.conn())
                .await?;
        }
        self.log(
            "packaged_factors",
            packaged_code,
            "set",
            None::<&()>,
            Some(&codes),
        )
        .await
    }
}
