//! Funds in place and visits: appended records, each reported once if repeated.

use domain::FieldError;
use domain::records::{Fund, Visit, value_lists};
use sqlx::Row;

use super::{Added, Named, Tx};
use crate::{Result, StoreError, now_millis};

impl Tx {
    /// Records money in place; an exact duplicate of an existing record is not added.
    pub async fn add_fund(&mut self, fund: &Fund) -> Result<Added> {
        // The fund's project may still be queued.
        self.flush().await?;
        let project_id = self.project_id(&fund.project_code).await?;
        self.check_listed(value_lists::FUND_SOURCE, "来源", fund.source.as_deref())
            .await?;
        let date = fund.date.format("%Y-%m-%d").to_string();
        self.check_window(fund.date).await?;
        if fund.date > self.today {
            return Err(StoreError::Invalid(FieldError::new(
                "日期",
                format!("不能晚于今天（{}）", self.today),
            )));
        }
        let duplicate = sqlx::query(
            "SELECT id FROM funds WHERE project_id = $1 AND fund_date = $2 AND amount = $3 AND currency = $4 \
             AND COALESCE(source, '') = $5 AND verified = $6",
        )
        .bind(project_id)
        .bind(&date)
        .bind(fund.amount.units())
        .bind(fund.currency.code())
        .bind(fund.source.clone().unwrap_or_default())
        .bind(i64::from(fund.verified))
        .fetch_optional(&mut *self.tx)
        .await?;
        if duplicate.is_some() {
            return Ok(Added::Duplicate);
        }
        let verifier = if fund.verified {
            fund.verifier.clone().or_else(|| Some(self.actor.clone()))
        } else {
            None
        };
        let id: i64 = sqlx::query(
            "INSERT INTO funds (project_id, fund_date, amount, currency, source, verified, verifier, evidence, \
             illustrative, created_at, created_by, review) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(project_id)
        .bind(&date)
        .bind(fund.amount.units())
        .bind(fund.currency.code())
        .bind(&fund.source)
        .bind(i64::from(fund.verified))
        .bind(verifier)
        .bind(&fund.evidence)
        .bind(i64::from(fund.illustrative))
        .bind(now_millis())
        .bind(&self.actor)
        .bind(self.entry_review.code())
        .fetch_one(&mut *self.tx)
        .await?
        .try_get(0)?;
        self.log::<(), _>("fund", &id.to_string(), "create", None, Some(fund))
            .await?;
        Ok(Added::Added(id))
    }

    /// 核实: confirms a fund record, naming who verified it.
    pub async fn verify_fund(&mut self, fund_id: i64) -> Result<()> {
        let row = sqlx::query("SELECT verified FROM funds WHERE id = $1")
            .bind(fund_id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("到位资金记录{fund_id}不存在")))?;
        if row.try_get::<i64, _>(0)? != 0 {
            return Err(StoreError::invalid("已核实", "该记录已核实"));
        }
        sqlx::query("UPDATE funds SET verified = 1, verifier = $1 WHERE id = $2")
            .bind(&self.actor)
            .bind(fund_id)
            .execute(&mut *self.tx)
            .await?;
        let actor = self.actor.clone();
        self.log(
            "fund",
            &fund_id.to_string(),
            "verify",
            Some(&false),
            Some(&(true, actor)),
        )
        .await?;
        Ok(())
    }

    /// Records a visit; an exact duplicate of an existing record is not added.
    pub async fn add_visit(&mut self, visit: &Visit) -> Result<Added> {
        // The visit's project may still be queued.
        self.flush().await?;
        let unit = self
            .resolve_opt(Named::Unit, "单位", visit.unit.as_deref())
            .await?;
        let project = self
            .resolve_opt(Named::Project, "项目编号", visit.project_code.as_deref())
            .await?;
        self.check_listed(value_lists::VISIT_MODE, "方式", visit.mode.as_deref())
            .await?;
        self.check_window(visit.date).await?;
        if visit.date > self.today {
            return Err(StoreError::Invalid(FieldError::new(
                "日期",
                format!("不能晚于今天（{}）", self.today),
            )));
        }
        let date = visit.date.format("%Y-%m-%d").to_string();
        let code = visit
            .enterprise_code
            .as_ref()
            .map(|c| c.as_str().to_owned());
        let duplicate = sqlx::query(
            "SELECT id FROM visits WHERE visit_date = $1 AND COALESCE(unit_id, 0) = $2 \
             AND COALESCE(enterprise_name, '') = $3 AND COALESCE(credit_code, '') = $4 AND COALESCE(leaders, '') = $5 \
             AND COALESCE(mode, '') = $6 AND COALESCE(place, '') = $7 AND COALESCE(content, '') = $8 \
             AND COALESCE(outcome, '') = $9 AND COALESCE(project_id, 0) = $10",
        )
        .bind(&date)
        .bind(unit.unwrap_or(0))
        .bind(visit.enterprise.clone().unwrap_or_default())
        .bind(code.clone().unwrap_or_default())
        .bind(visit.leaders.clone().unwrap_or_default())
        .bind(visit.mode.clone().unwrap_or_default())
        .bind(visit.place.clone().unwrap_or_default())
        .bind(visit.content.clone().unwrap_or_default())
        .bind(visit.outcome.clone().unwrap_or_default())
        .bind(project.unwrap_or(0))
        .fetch_optional(&mut *self.tx)
        .await?;
        if duplicate.is_some() {
            return Ok(Added::Duplicate);
        }
        let id: i64 = sqlx::query(
            "INSERT INTO visits (visit_date, unit_id, enterprise_name, credit_code, leaders, mode, place, content, \
             outcome, project_id, illustrative, created_at, created_by, review) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(&date)
        .bind(unit)
        .bind(&visit.enterprise)
        .bind(code)
        .bind(&visit.leaders)
        .bind(&visit.mode)
        .bind(&visit.place)
        .bind(&visit.content)
        .bind(&visit.outcome)
        .bind(project)
        .bind(i64::from(visit.illustrative))
        .bind(now_millis())
        .bind(&self.actor)
        .bind(self.entry_review.code())
        .fetch_one(&mut *self.tx)
        .await?
        .try_get(0)?;
        self.log::<(), _>("visit", &id.to_string(), "create", None, Some(visit))
            .await?;
        Ok(Added::Added(id))
    }
}
