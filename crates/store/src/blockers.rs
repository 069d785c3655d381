//! 堵点问题: raised, instructed (批示), moved through their statuses and closed, each step kept
//! in the blocker's history and in the change log.

use chrono::NaiveDate;
use domain::blockers::{Blocker, BlockerStatus, NewBlocker, NoteKind};
use domain::records::value_lists;
use sqlx::Row;

use crate::rows::{corrupt, parse_day};
use crate::{Backend, Result, Store, StoreError, Tx, now_millis};

/// A blocker with what the pages show beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockerView {
    pub blocker: Blocker,
    pub project_name: String,
    pub territory: String,
    /// The project's leader in charge (包保领导).
    pub project_leader: Option<String>,
    /// The leaders whose 包保县区 include the project's territory.
    pub territory_leaders: Vec<String>,
}

impl BlockerView {
    /// Who an overdue blocker is escalated to as of `today` (none while it is in time).
    pub fn escalated_to(&self, today: NaiveDate) -> Vec<String> {
        self.blocker.escalated_to(
            today,
            self.project_leader.as_deref(),
            &self.territory_leaders,
        )
    }
}

/// One entry of a blocker's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockerNote {
    pub at: i64,
    pub actor: String,
    pub kind: NoteKind,
    pub status: Option<BlockerStatus>,
    pub body: Option<String>,
}

/// Which blockers a list shows.
#[derive(Debug, Clone, Default)]
pub struct BlockerFilter {
    /// For unit staff: blockers of the projects their unit holds, and those their unit owns.
    pub scope_unit: Option<String>,
    pub open_only: bool,
    pub project: Option<String>,
    /// Owned by this leader, or on a project this leader is in charge of.
    pub leader: Option<String>,
    /// Owned by this unit.
    pub owner_unit: Option<String>,
    /// On the projects of this 工作专班.
    pub team: Option<String>,
    /// Past its deadline on this day (`Blocker::is_overdue` with `open_only`).
    pub overdue_on: Option<NaiveDate>,
}

const SELECT: &str = "SELECT b.id, p.code AS project_code, p.name AS project_name, \
     tu.name AS territory, b.description, b.category, b.raised_on, ou.name AS owner_unit, \
     bl.name AS leader, b.deadline, b.status, b.resolution, b.resolved_on, \
     pl.name AS project_leader, (SELECT string_agg_placeholder) AS territory_leaders \
     FROM blockers b JOIN projects p ON p.id = b.project_id JOIN units tu ON tu.id = p.territory_unit_id \
     JOIN units ou ON ou.id = b.owner_unit_id LEFT JOIN leaders bl ON bl.id = b.leader_id \
     LEFT JOIN leaders pl ON pl.id = p.leader_id";

fn select(backend: Backend) -> String {
    // The 包保 leaders of the project's territory, joined with a separator no name holds.
    let agg = backend.joined_names("l.name", "|");
    SELECT.replace(
        "(SELECT string_agg_placeholder)",
        &format!(
            "(SELECT {agg} FROM leader_units lu JOIN leaders l ON l.id = lu.leader_id \
             WHERE lu.unit_id = p.territory_unit_id)"
        ),
    )
}

fn view_from_row(row: &sqlx::any::AnyRow) -> Result<BlockerView> {
    let day = |column: &str| -> Result<Option<NaiveDate>> {
        let text: Option<String> = row.try_get(column)?;
        text.as_deref().map(parse_day).transpose()
    };
    let status: String = row.try_get("status")?;
    let raised_on: String = row.try_get("raised_on")?;
    let deadline: String = row.try_get("deadline")?;
    let leaders: Option<String> = row.try_get("territory_leaders")?;
    let mut territory_leaders: Vec<String> = leaders
        .unwrap_or_default()
        .split('|')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    territory_leaders.sort();
    Ok(BlockerView {
        blocker: Blocker {
            id: row.try_get("id")?,
            raised: NewBlocker {
                project_code: row.try_get("project_code")?,
                description: row.try_get("description")?,
                category: row.try_get("category")?,
                raised_on: parse_day(&raised_on)?,
                owner_unit: row.try_get("owner_unit")?,
                leader: row.try_get("leader")?,
                deadline: parse_day(&deadline)?,
            },
            status: BlockerStatus::parse("状态", &status).map_err(|_| corrupt("状态", &status))?,
            resolution: row.try_get("resolution")?,
            resolved_on: day("resolved_on")?,
        },
        project_name: row.try_get("project_name")?,
        territory: row.try_get("territory")?,
        project_leader: row.try_get("project_leader")?,
        territory_leaders,
    })
}

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Tx {
    /// Raises a blocker; its category must be in the 堵点类别 list, its owner unit and leader
    /// must exist. Returns its id.
    pub async fn raise_blocker(&mut self, blocker: &NewBlocker) -> Result<i64> {
        let project_id = self.project_id(&blocker.project_code).await?;
        // Every unknown name at once, as the form lists its own errors: category, owner, leader.
        let mut errors = Vec::new();
        let mut collect =
            |result: Result<Option<i64>>| crate::error::keep_refusal(&mut errors, result);
        collect(
            self.check_blocker_category(&blocker.category)
                .await
                .map(|()| None),
        )?;
        let owner = collect(
            self.unit_id("责任单位", &blocker.owner_unit)
                .await
                .map(Some),
        )?;
        let leader = match &blocker.leader {
            Some(name) => collect(self.leader_id("责任领导", name).await.map(Some))?,
            None => None,
        };
        let Some(owner) = owner.filter(|_| errors.is_empty()) else {
            return Err(match errors.len() {
                1 => StoreError::Invalid(errors.remove(0)),
                _ => StoreError::InvalidFields(errors),
            });
        };
        let row = sqlx::query(
            "INSERT INTO blockers (project_id, description, category, raised_on, owner_unit_id, \
             leader_id, deadline, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(project_id)
        .bind(&blocker.description)
        .bind(&blocker.category)
        .bind(day_text(blocker.raised_on))
        .bind(owner)
        .bind(leader)
        .bind(day_text(blocker.deadline))
        .bind(BlockerStatus::Open.label())
        .fetch_one(self.conn())
        .await?;
        let id: i64 = row.try_get(0)?;
        self.note(id, NoteKind::Raised, Some(BlockerStatus::Open), None)
            .await?;
        self.log(
            "blocker",
            &id.to_string(),
            "create",
            None::<&()>,
            Some(blocker),
        )
        .await?;
        Ok(id)
    }

    /// Checks a category against the 堵点类别 list.
    pub async fn check_blocker_category(&mut self, category: &str) -> Result<()> {
        self.check_listed(value_lists::BLOCKER_CATEGORY, "问题类别", Some(category))
            .await
    }

    /// The blocker already raised on the same project with the same description on the same
    /// day, if any: what makes importing a file of blockers twice add nothing.
    pub async fn blocker_raised_as(&mut self, blocker: &NewBlocker) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT b.id FROM blockers b JOIN projects p ON p.id = b.project_id \
             WHERE p.code = $1 AND b.description = $2 AND b.raised_on = $3",
        )
        .bind(&blocker.project_code)
        .bind(&blocker.description)
        .bind(day_text(blocker.raised_on))
        .fetch_optional(self.conn())
        .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    async fn blocker_in_tx(&mut self, id: i64) -> Result<BlockerView> {
        let sql = sqlx::AssertSqlSafe(format!("{} WHERE b.id = $1", select(self.backend())));
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("堵点问题#{id}不存在")))?;
        view_from_row(&row)
    }

    async fn note(
        &mut self,
        id: i64,
        kind: NoteKind,
        status: Option<BlockerStatus>,
        body: Option<&str>,
    ) -> Result<()> {
        let actor = self.actor_name().to_owned();
        sqlx::query(
            "INSERT INTO blocker_notes (blocker_id, at, actor, kind, status, body) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(now_millis())
        .bind(actor)
        .bind(kind.code())
        .bind(status.map(BlockerStatus::label))
        .bind(body)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Moves a blocker to `to` on `on` (closing needs the resolution), kept in its history.
    pub async fn change_blocker_status(
        &mut self,
        id: i64,
        to: BlockerStatus,
        resolution: &str,
        on: NaiveDate,
    ) -> Result<Blocker> {
        let before = self.blocker_in_tx(id).await?.blocker;
        let after = before.change_status(to, resolution, on)?;
        sqlx::query(
            "UPDATE blockers SET status = $1, resolution = $2, resolved_on = $3 WHERE id = $4",
        )
        .bind(after.status.label())
        .bind(after.resolution.as_deref())
        .bind(after.resolved_on.map(day_text))
        .bind(id)
        .execute(self.conn())
        .await?;
        self.note(id, NoteKind::Status, Some(to), after.resolution.as_deref())
            .await?;
        self.log(
            "blocker",
            &id.to_string(),
            "status",
            Some(&before),
            Some(&after),
        )
        .await?;
        Ok(after)
    }

    /// A leader's instruction (批示) on a blocker.
    pub async fn instruct_blocker(&mut self, id: i64, text: &str) -> Result<()> {
        let text = domain::blockers::instruction(text)?;
        self.blocker_in_tx(id).await?;
        self.note(id, NoteKind::Instruction, None, Some(&text))
            .await?;
        self.log(
            "blocker",
            &id.to_string(),
            "instruction",
            None::<&()>,
            Some(&text),
        )
        .await
    }
}

impl Store {
    /// One blocker; `None` when there is none with this id.
    pub async fn blocker(&self, id: i64) -> Result<Option<BlockerView>> {
        let sql = sqlx::AssertSqlSafe(format!("{} WHERE b.id = $1", select(self.backend())));
        match sqlx::query(sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
        {
            Some(row) => Ok(Some(view_from_row(&row)?)),
            None => Ok(None),
        }
    }

    /// A blocker's history, oldest first.
    pub async fn blocker_notes(&self, id: i64) -> Result<Vec<BlockerNote>> {
        let rows = sqlx::query(
            "SELECT at, actor, kind, status, body FROM blocker_notes WHERE blocker_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                let status: Option<String> = row.try_get("status")?;
                Ok(BlockerNote {
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    kind: NoteKind::from_code(&kind).ok_or_else(|| corrupt("类型", &kind))?,
                    status: status
                        .map(|s| BlockerStatus::parse("状态", &s).map_err(|_| corrupt("状态", &s)))
                        .transpose()?,
                    body: row.try_get("body")?,
                })
            })
            .collect()
    }

    /// The blockers `filter` selects, the earliest deadline first.
    pub async fn blockers(&self, filter: &BlockerFilter) -> Result<Vec<BlockerView>> {
        let mut params: Vec<String> = Vec::new();
        let mut conditions: Vec<String> = Vec::new();
        if let Some(unit) = &filter.scope_unit {
            params.push(unit.clone());
            let n = params.len();
            conditions.push(format!(
                "(ou.name = ${n} OR tu.name = ${n} OR EXISTS (SELECT 1 FROM project_credits pc \
                 JOIN units cu ON cu.id = pc.unit_id WHERE pc.project_id = p.id AND cu.name = ${n}))"
            ));
        }
        if filter.open_only {
            params.push(BlockerStatus::Resolved.label().to_owned());
            conditions.push(format!("b.status <> ${}", params.len()));
        }
        if let Some(on) = filter.overdue_on {
            params.push(day_text(on));
            conditions.push(format!("b.deadline < ${}", params.len()));
        }
        if let Some(code) = &filter.project {
            params.push(code.clone());
            conditions.push(format!("p.code = ${}", params.len()));
        }
        if let Some(leader) = &filter.leader {
            params.push(leader.clone());
            let n = params.len();
            conditions.push(format!(
                "(bl.name = ${n} OR pl.name = ${n} OR (p.leader_id IS NULL AND EXISTS \
                 (SELECT 1 FROM leader_units lu JOIN leaders l ON l.id = lu.leader_id \
                 WHERE lu.unit_id = p.territory_unit_id AND l.name = ${n})))"
            ));
        }
        if let Some(unit) = &filter.owner_unit {
            params.push(unit.clone());
            conditions.push(format!("ou.name = ${}", params.len()));
        }
        if let Some(team) = &filter.team {
            params.push(team.clone());
            conditions.push(format!(
                "p.team_id = (SELECT id FROM teams WHERE name = ${})",
                params.len()
            ));
        }
        let clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "{} {clause} ORDER BY b.deadline, b.id",
            select(self.backend())
        ));
        let mut query = sqlx::query(sql);
        for value in &params {
            query = query.bind(value.clone());
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(view_from_row).collect()
    }
}
