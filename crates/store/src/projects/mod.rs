//! Projects: the record as stored and where it stands, the list and its filters
//! (`listing`), the writes (`write`), and the check for duplicates (`duplicates`).

pub(crate) mod duplicates;
pub(crate) mod listing;
pub(crate) mod placements;
mod write;

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::records::{CapitalOrigin, Project};
use domain::stage::{
    NextStep, Progress, ProjectFacts, RecordedEvent, RuleContext, next_step, progress_of,
};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::events::events_of_project;
use crate::rows::{corrupt, credit_code, currency, money};
use crate::{Result, Store, StoreError};

/// A project as stored, with its key and times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectRecord {
    pub id: i64,
    pub project: Project,
    pub created_at: i64,
    pub updated_at: i64,
    /// Moves on with every change of the record (an edit names the one it started from).
    pub version: i64,
}

/// Where a project stands: its record, its stored events, the progress they add up to, and
/// what is missing before its next step.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectStatus {
    pub record: ProjectRecord,
    pub events: Vec<RecordedEvent>,
    pub progress: Progress,
    pub next_step: NextStep,
}

const PROJECT_SELECT: &str = "SELECT p.id, p.code, p.name AS name, e.name AS investor, e.credit_code, c.name AS chain, u.name AS territory, l.name AS leader, t.name AS team, \
     p.source_mode, p.capital_origin, p.currency, p.planned_investment, p.signed_amount, p.key_project, \
     p.illustrative, p.created_at, p.updated_at, p.version \
     FROM projects p JOIN units u ON u.id = p.territory_unit_id \
     LEFT JOIN enterprises e ON e.id = p.enterprise_id LEFT JOIN chains c ON c.id = p.chain_id \
     LEFT JOIN leaders l ON l.id = p.leader_id LEFT JOIN teams t ON t.id = p.team_id";

fn project_from_row(row: &AnyRow) -> Result<ProjectRecord> {
    let origin: String = row.try_get("capital_origin")?;
    let currency_code: String = row.try_get("currency")?;
    let project = Project {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        investor: row.try_get("investor")?,
        investor_code: credit_code(row.try_get("credit_code")?)?,
        chain: row.try_get("chain")?,
        territory: row.try_get("territory")?,
        credited: Vec::new(),
        leader: row.try_get("leader")?,
        team: row.try_get("team")?,
        source_mode: row.try_get("source_mode")?,
        capital_origin: CapitalOrigin::from_code(&origin)
            .ok_or_else(|| corrupt("资金来源", &origin))?,
        currency: currency(&currency_code)?,
        planned_investment: money(row.try_get("planned_investment")?)?,
        signed_amount: money(row.try_get("signed_amount")?)?,
        key_project: row.try_get::<i64, _>("key_project")? != 0,
        illustrative: row.try_get::<i64, _>("illustrative")? != 0,
    };
    Ok(ProjectRecord {
        id: row.try_get("id")?,
        project,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        version: row.try_get("version")?,
    })
}

pub(crate) async fn project_by_code(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<ProjectRecord>> {
    let sql = sqlx::AssertSqlSafe(format!("{PROJECT_SELECT} WHERE p.code = $1"));
    let Some(row) = sqlx::query(sql)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let mut record = project_from_row(&row)?;
    let credited = sqlx::query(
        "SELECT u.name FROM project_credits pc JOIN units u ON u.id = pc.unit_id \
         WHERE pc.project_id = $1 ORDER BY pc.position",
    )
    .bind(record.id)
    .fetch_all(&mut *conn)
    .await?;
    record.project.credited = credited
        .iter()
        .map(|r| r.try_get("name"))
        .collect::<Result<_, _>>()?;
    Ok(Some(record))
}

impl Store {
    pub async fn project(&self, code: &str) -> Result<Option<ProjectRecord>> {
        let mut conn = self.pool().acquire().await?;
        project_by_code(&mut conn, code).await
    }

    /// The project with this 项目编号 and where it stands, judged as of `today`.
    pub async fn project_status(
        &self,
        code: &str,
        today: NaiveDate,
    ) -> Result<Option<ProjectStatus>> {
        let mut conn = self.pool().acquire().await?;
        let Some(record) = project_by_code(&mut conn, code).await? else {
            return Ok(None);
        };
        let events = events_of_project(&mut conn, record.id).await?;
        let project = &record.project;
        let ctx = RuleContext {
            today,
            project_signed_amount: project.signed_amount,
        };
        let progress = progress_of(&events, &ctx)
            .map_err(|e| StoreError::Corrupt(format!("项目“{code}”的已有事件不符合规则: {e}")))?;
        let facts = ProjectFacts {
            has_investor: project.investor.is_some(),
            signed_amount: progress
                .signed
                .map(|(_, amount)| amount)
                .or(project.signed_amount),
            has_leader: project.leader.is_some(),
            has_team: project.team.is_some(),
        };
        let next_step = next_step(&progress, &facts);
        Ok(Some(ProjectStatus {
            record,
            events,
            progress,
            next_step,
        }))
    }

    /// All projects, ordered by 项目编号.
    pub async fn projects(&self) -> Result<Vec<Project>> {
        let sql = sqlx::AssertSqlSafe(format!("{PROJECT_SELECT} ORDER BY p.code"));
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        let mut records: Vec<ProjectRecord> =
            rows.iter().map(project_from_row).collect::<Result<_>>()?;
        let credits = sqlx::query(
            "SELECT pc.project_id, u.name FROM project_credits pc JOIN units u ON u.id = pc.unit_id \
             ORDER BY pc.project_id, pc.position",
        )
        .fetch_all(self.pool())
        .await?;
        let mut by_project: HashMap<i64, Vec<String>> = HashMap::new();
        for row in &credits {
            by_project
                .entry(row.try_get("project_id")?)
                .or_default()
                .push(row.try_get("name")?);
        }
        for record in &mut records {
            record.project.credited = by_project.remove(&record.id).unwrap_or_default();
        }
        Ok(records.into_iter().map(|r| r.project).collect())
    }
}
