//! 敲门计划: visits planned to target firms, each reported once if repeated.

use domain::CreditCode;
use domain::visits::VisitPlan;
use sqlx::Row;

use crate::rows::{corrupt, parse_day};
use crate::tx::{Added, Named, Tx};
use crate::{Result, Store};

impl Tx {
    /// Adds a plan; the same plan again (firm, code, unit, leader, date and purpose) is
    /// reported as a duplicate and not added.
    pub async fn add_visit_plan(&mut self, plan: &VisitPlan) -> Result<Added> {
        let unit = match &plan.unit {
            Some(unit) => Some(self.resolve(Named::Unit, "单位", unit).await?),
            None => None,
        };
        let planned = plan.planned.format("%Y-%m-%d").to_string();
        let duplicate = sqlx::query(
            "SELECT id FROM visit_plans WHERE enterprise_name = $1 AND COALESCE(credit_code, '') = $2 \
             AND COALESCE(unit_id, 0) = $3 AND COALESCE(leader, '') = $4 AND planned_date = $5 \
             AND COALESCE(purpose, '') = $6",
        )
        .bind(&plan.enterprise)
        .bind(plan.credit_code.as_ref().map_or("", CreditCode::as_str))
        .bind(unit.unwrap_or(0))
        .bind(plan.leader.as_deref().unwrap_or(""))
        .bind(&planned)
        .bind(plan.purpose.as_deref().unwrap_or(""))
        .fetch_optional(self.conn())
        .await?;
        if duplicate.is_some() {
            return Ok(Added::Duplicate);
        }
        let actor = self.actor_name().to_owned();
        let id: i64 = sqlx::query(
            "INSERT INTO visit_plans (enterprise_name, credit_code, unit_id, leader, planned_date, purpose, \
             created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&plan.enterprise)
        .bind(plan.credit_code.as_ref().map(CreditCode::as_str))
        .bind(unit)
        .bind(&plan.leader)
        .bind(&planned)
        .bind(&plan.purpose)
        .bind(crate::now_millis())
        .bind(actor)
        .fetch_one(self.conn())
        .await?
        .try_get("id")?;
        self.log(
            "visit_plan",
            &plan.enterprise,
            "create",
            None::<&()>,
            Some(plan),
        )
        .await?;
        Ok(Added::Added(id))
    }
}

impl Store {
    /// The knock-door plans, of one unit or all, by planned date.
    pub async fn visit_plans(&self, unit: Option<&str>) -> Result<Vec<VisitPlan>> {
        let rows = sqlx::query(
            "SELECT p.enterprise_name, p.credit_code, u.name, p.leader, p.planned_date, p.purpose \
             FROM visit_plans p LEFT JOIN units u ON u.id = p.unit_id \
             WHERE $1 = '' OR u.name = $1 ORDER BY p.planned_date, p.id",
        )
        .bind(unit.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let name: String = r.try_get("enterprise_name")?;
                let code: Option<String> = r.try_get("credit_code")?;
                let planned: String = r.try_get("planned_date")?;
                let mut plan = VisitPlan::new(&name, parse_day(&planned)?)
                    .map_err(|_| corrupt("目标企业", &name))?;
                plan.credit_code = code
                    .map(|c| {
                        CreditCode::parse("统一社会信用代码", &c)
                            .map_err(|_| corrupt("统一社会信用代码", &c))
                    })
                    .transpose()?;
                plan.unit = r.try_get("name")?;
                plan.leader = r.try_get("leader")?;
                plan.purpose = r.try_get("purpose")?;
                Ok(plan)
            })
            .collect()
    }
}
