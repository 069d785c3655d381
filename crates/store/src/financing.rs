//! 融资方案: a project's financing plan (need, sources, bank, status), one per project.

use domain::Money;
use domain::financing::{FinancingPlan, FinancingStatus};
use sqlx::Row;

use crate::rows::corrupt;
use crate::{Result, Store, Tx, Upserted};

impl Tx {
    /// Replaces a project's financing plan, logged with what it was.
    pub async fn set_financing(
        &mut self,
        project_code: &str,
        plan: &FinancingPlan,
    ) -> Result<Upserted> {
        let project_id = self.project_id(project_code).await?;
        let before = financing_of_project(self.conn(), project_id).await?;
        if before.as_ref() == Some(plan) {
            return Ok(Upserted::Unchanged);
        }
        sqlx::query("DELETE FROM financing_plans WHERE project_id = $1")
            .bind(project_id)
            .execute(self.conn())
            .await?;
        sqlx::query(
            "INSERT INTO financing_plans (project_id, need, sources, bank, status) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(project_id)
        .bind(plan.need.units())
        .bind(&plan.sources)
        .bind(plan.bank.as_deref())
        .bind(plan.status.label())
        .execute(self.conn())
        .await?;
        self.log(
            "financing",
            project_code,
            "set",
            before.as_ref(),
            Some(plan),
        )
        .await?;
        Ok(Upserted::changed(before.is_some()))
    }
}

async fn financing_of_project(
    conn: &mut sqlx::AnyConnection,
    project_id: i64,
) -> Result<Option<FinancingPlan>> {
    let Some(row) = sqlx::query(
        "SELECT need, sources, bank, status FROM financing_plans WHERE project_id = $1",
    )
    .bind(project_id)
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    financing_from_row(&row).map(Some)
}

/// A financing plan from its columns need, sources, bank and status.
fn financing_from_row(row: &sqlx::any::AnyRow) -> Result<FinancingPlan> {
    let need: i64 = row.try_get("need")?;
    let status: String = row.try_get("status")?;
    Ok(FinancingPlan {
        need: Money::from_units("融资需求", need)
            .map_err(|_| corrupt("融资需求", &need.to_string()))?,
        sources: row.try_get("sources")?,
        bank: row.try_get("bank")?,
        status: FinancingStatus::parse("状态", &status).map_err(|_| corrupt("状态", &status))?,
    })
}

impl Store {
    /// Every financing plan, by 项目编号.
    pub async fn all_financing(&self) -> Result<Vec<(String, FinancingPlan)>> {
        let rows = sqlx::query(
            "SELECT p.code, f.need, f.sources, f.bank, f.status FROM financing_plans f \
             JOIN projects p ON p.id = f.project_id ORDER BY p.code",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("code")?, financing_from_row(row)?)))
            .collect()
    }

    /// A project's financing plan, if it has one.
    pub async fn financing_of(&self, project_code: &str) -> Result<Option<FinancingPlan>> {
        sqlx::query(
            "SELECT f.need, f.sources, f.bank, f.status FROM financing_plans f \
             JOIN projects p ON p.id = f.project_id WHERE p.code = $1",
        )
        .bind(project_code)
        .fetch_optional(self.pool())
        .await?
        .map(|row| financing_from_row(&row))
        .transpose()
    }
}
