//! Schedule plans (计划进度) and the 六个一 check over the projects an actor sees.

use chrono::NaiveDate;
use domain::responsibility::{SchedulePlan, SixOnes};
use domain::{EventKind, Stage};
use sqlx::Row;

use crate::rows::{corrupt, parse_day};
use crate::{ProjectFilter, Result, Store, Tx};

fn stage_of(code: &str) -> Result<Stage> {
    match EventKind::from_code(code) {
        Some(EventKind::Stage(stage)) => Ok(stage),
        _ => Err(corrupt("阶段", code)),
    }
}

/// A project that lacks part of the 六个一.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SixOnesGap {
    pub code: String,
    pub name: String,
    pub territory: String,
    pub state: String,
    pub missing: Vec<&'static str>,
}

impl Tx {
    /// Replaces a project's schedule plan (an empty plan removes it), logged with before and
    /// after.
    pub async fn set_plan(&mut self, project_code: &str, plan: &SchedulePlan) -> Result<()> {
        let project_id = self.project_id(project_code).await?;
        let before = plan_of_project(self.conn(), project_id).await?;
        if before.as_ref() == Some(plan) || (before.is_none() && plan.is_empty()) {
            return Ok(());
        }
        sqlx::query("DELETE FROM project_plans WHERE project_id = $1")
            .bind(project_id)
            .execute(self.conn())
            .await?;
        for (stage, on) in &plan.entries {
            sqlx::query(
                "INSERT INTO project_plans (project_id, stage, planned_on) VALUES ($1, $2, $3)",
            )
            .bind(project_id)
            .bind(EventKind::Stage(*stage).code())
            .bind(on.format("%Y-%m-%d").to_string())
            .execute(self.conn())
            .await?;
        }
        self.log("plan", project_code, "set", before.as_ref(), Some(plan))
            .await
    }
}

async fn plan_of_project(
    conn: &mut sqlx::AnyConnection,
    project_id: i64,
) -> Result<Option<SchedulePlan>> {
    let rows = sqlx::query("SELECT stage, planned_on FROM project_plans WHERE project_id = $1")
        .bind(project_id)
        .fetch_all(conn)
        .await?;
    plan_from_rows(&rows)
}

/// A plan from its rows of stage and date; `None` without any.
fn plan_from_rows(rows: &[sqlx::any::AnyRow]) -> Result<Option<SchedulePlan>> {
    if rows.is_empty() {
        return Ok(None);
    }
    let mut entries: Vec<(Stage, NaiveDate)> = Vec::new();
    for row in rows {
        let stage: String = row.try_get("stage")?;
        let on: String = row.try_get("planned_on")?;
        entries.push((stage_of(&stage)?, parse_day(&on)?));
    }
    SchedulePlan::new(entries)
        .map(Some)
        .map_err(|e| corrupt("计划进度", &e.to_string()))
}

impl Store {
    /// A project's schedule plan, if it has one.
    pub async fn plan_of(&self, project_code: &str) -> Result<Option<SchedulePlan>> {
        let rows = sqlx::query(
            "SELECT pp.stage, pp.planned_on FROM project_plans pp \
             JOIN projects p ON p.id = pp.project_id WHERE p.code = $1",
        )
        .bind(project_code)
        .fetch_all(self.pool())
        .await?;
        plan_from_rows(&rows)
    }

    /// The projects `filter` selects that lack part of the 六个一, by 项目编号.
    pub async fn six_ones_gaps(&self, filter: &ProjectFilter) -> Result<Vec<SixOnesGap>> {
        let (from, clause, params) = crate::projects::listing::matching(filter);
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT p.code, p.name, u.name AS territory, p.state_label, p.stage, \
             CASE WHEN p.leader_id IS NULL THEN 0 ELSE 1 END AS has_leader, \
             CASE WHEN p.team_id IS NULL THEN 0 ELSE 1 END AS has_team, \
             CASE WHEN EXISTS (SELECT 1 FROM project_plans pp WHERE pp.project_id = p.id) THEN 1 ELSE 0 END \
             AS has_plan \
             {from} {clause} ORDER BY p.code"
        ));
        let mut query = sqlx::query(sql);
        for value in &params {
            query = query.bind(value.clone());
        }
        let mut gaps = Vec::new();
        for row in query.fetch_all(self.pool()).await? {
            // Integers, not booleans: the one type both databases give `Any` for a flag.
            let flag = |column: &str| -> Result<bool> { Ok(row.try_get::<i64, _>(column)? != 0) };
            let state: String = row.try_get("state_label")?;
            // A dropped project is no longer followed.
            if domain::stage::label_flags(&state).0 {
                continue;
            }
            let stage: Option<String> = row.try_get("stage")?;
            let stage = match stage.as_deref().map(domain::EventKind::from_code) {
                Some(Some(domain::EventKind::Stage(s))) => Some(s),
                _ => None,
            };
            if !SixOnes::apply(stage) {
                continue;
            }
            let has = SixOnes {
                leader: flag("has_leader")?,
                // Every project has its territory unit (a required column).
                unit: true,
                team: flag("has_team")?,
                plan: flag("has_plan")? || !SixOnes::plan_needed(stage),
            };
            let missing = has.missing();
            if !missing.is_empty() {
                gaps.push(SixOnesGap {
                    code: row.try_get("code")?,
                    name: row.try_get("name")?,
                    territory: row.try_get("territory")?,
                    state,
                    missing,
                });
            }
        }
        Ok(gaps)
    }
}
