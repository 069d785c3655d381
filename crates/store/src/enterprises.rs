//! The 招商大数据库's firms: kept by credit code (by name where a firm has none), updated rather
//! than added when met again.

use chrono::NaiveDate;
use domain::enterprise::{Enterprise, EnterpriseSize, IndustryCode};
use domain::{CreditCode, Money};
use sqlx::Row;

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
        let existing = match &e.credit_code {
            Some(code) => {
                let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE credit_code = $1"));
                sqlx::query(sql)
                    .bind(code.as_str())
                    .fetch_optional(self.conn())
                    .await?
            }
            None => {
                let sql = sqlx::AssertSqlSafe(format!(
                    "{SELECT} WHERE name = $1 AND credit_code IS NULL ORDER BY id"
                ));
                sqlx::query(sql)
                    .bind(&e.name)
                    .fetch_optional(self.conn())
                    .await?
            }
        };
        let before = existing.as_ref().map(from_row).transpose()?;
        if before.as_ref().is_some_and(|(_, b)| b == e) {
            return Ok(Upserted::Unchanged);
        }
        let tags = (!e.tags.is_empty()).then(|| e.tags.join("、"));
        let values = (
            e.industry.as_ref().map(|c| c.as_str().to_owned()),
            e.registered_capital.map(Money::units),
            day(e.founded),
            e.size.map(|s| s.label()),
        );
        let key = e
            .credit_code
            .as_ref()
            .map_or_else(|| e.name.clone(), |c| c.as_str().to_owned());
        match &before {
            Some((id, old)) => {
                sqlx::query(
                    "UPDATE enterprises SET name = $1, industry_code = $2, province = $3, city = $4, \
                     registered_capital = $5, founded_on = $6, size = $7, tags = $8 WHERE id = $9",
                )
                .bind(&e.name)
                .bind(values.0)
                .bind(&e.province)
                .bind(&e.city)
                .bind(values.1)
                .bind(values.2)
                .bind(values.3)
                .bind(tags)
                .bind(id)
                .execute(self.conn())
                .await?;
                self.log("enterprise", &key, "update", Some(old), Some(e))
                    .await?;
                Ok(Upserted::Updated)
            }
            None => {
                sqlx::query(
                    "INSERT INTO enterprises (name, credit_code, industry_code, province, city, \
                     registered_capital, founded_on, size, tags, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(&e.name)
                .bind(e.credit_code.as_ref().map(|c| c.as_str().to_owned()))
                .bind(values.0)
                .bind(&e.province)
                .bind(&e.city)
                .bind(values.1)
                .bind(values.2)
                .bind(values.3)
                .bind(tags)
                .bind(now_millis())
                .execute(self.conn())
                .await?;
                self.log("enterprise", &key, "create", None::<&()>, Some(e))
                    .await?;
                Ok(Upserted::Inserted)
            }
        }
    }
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
