//! Lists of projects filtered, sorted and paged in SQL, over the derived state that `Tx` keeps
//! on each project; and the check that this state agrees with the events it is derived from.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::stage::{RuleContext, progress_of};
use domain::{Money, Stage};
use serde::Serialize;
use sqlx::Row;

use crate::batch::Value;
use crate::rows::{corrupt, parse_day};
use crate::{Result, Store, StoreError};
use domain::duplicates::DuplicateState;

/// Which projects a list shows. Every field narrows the list; `scope_unit` is the access rule
/// for unit staff (projects held or credited by that unit) and is applied before the others.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub scope_unit: Option<String>,
    pub stage: Option<Stage>,
    /// Held by territory or credited.
    pub unit: Option<String>,
    pub chain: Option<String>,
    pub key_only: bool,
    /// A part of the name or the 项目编号.
    pub text: Option<String>,
    /// Within this leader's scope: their own projects, those in their 包保县区, those of the
    /// chains they lead.
    pub leader_scope: Option<String>,
    /// Owned by this 工作专班.
    pub team: Option<String>,
    /// Exactly this 项目编号.
    pub code: Option<String>,
    /// Invested by one of these firms (empty: any).
    pub investors: Vec<i64>,
    pub sort: ProjectSort,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProjectSort {
    #[default]
    Code,
    Name,
    /// Largest signed amount first.
    SignedAmount,
    /// Latest signing first.
    SignedOn,
}

impl ProjectSort {
    pub const ALL: [(ProjectSort, &'static str, &'static str); 4] = [
        (ProjectSort::Code, "code", "项目编号"),
        (ProjectSort::Name, "name", "项目名称"),
        (ProjectSort::SignedAmount, "amount", "签约额（大到小）"),
        (ProjectSort::SignedOn, "signed", "签约日期（新到旧）"),
    ];

    pub fn from_code(code: &str) -> ProjectSort {
        Self::ALL
            .iter()
            .find(|(_, c, _)| *c == code)
            .map_or(ProjectSort::Code, |(s, _, _)| *s)
    }

    fn order_by(self) -> &'static str {
        match self {
            ProjectSort::Code => "p.code",
            ProjectSort::Name => "p.name, p.code",
            ProjectSort::SignedAmount => {
                "COALESCE(p.signed_value, p.signed_amount, 0) DESC, p.code"
            }
            ProjectSort::SignedOn => "p.signed_on DESC, p.code",
        }
    }
}

/// One row of a project list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectSummary {
    pub code: String,
    pub name: String,
    pub territory: String,
    pub chain: Option<String>,
    pub state: String,
    /// The first 签约's amount, or the project's 签约额 before it signs.
    pub signed_amount: Option<Money>,
    pub signed_on: Option<NaiveDate>,
    pub key_project: bool,
    /// Held or judged in 重复研判 (a held or confirmed one counts in no figure).
    pub duplicate: Option<DuplicateState>,
    /// The investing firm's number in the 招商大数据库.
    pub investor_id: Option<i64>,
}

const HELD_BY: &str = "(u.name = {} OR EXISTS (SELECT 1 FROM project_credits pc JOIN units cu ON cu.id = pc.unit_id \
     WHERE pc.project_id = p.id AND cu.name = {}))";

/// The condition that a project (`p`, its territory `u`) is held by the unit named by
/// `placeholder`: in its territory or credited to it.
pub(crate) fn held_by(placeholder: &str) -> String {
    HELD_BY.replace("{}", placeholder)
}

/// The FROM and WHERE of a filtered project list, and the values of its placeholders.
pub(crate) fn matching(filter: &ProjectFilter) -> (&'static str, String, Vec<String>) {
    let mut params: Vec<String> = Vec::new();
    let mut param = |value: String| {
        params.push(value);
        format!("${}", params.len())
    };
    let mut conditions = Vec::new();
    for unit in [&filter.scope_unit, &filter.unit].into_iter().flatten() {
        let placeholder = param(unit.clone());
        conditions.push(held_by(&placeholder));
    }
    if let Some(stage) = filter.stage {
        conditions.push(format!(
            "p.stage = {}",
            param(domain::EventKind::Stage(stage).code().to_owned())
        ));
    }
    if let Some(chain) = &filter.chain {
        conditions.push(format!("c.name = {}", param(chain.clone())));
    }
    if filter.key_only {
        conditions.push("p.key_project = 1".to_owned());
    }
    if let Some(text) = &filter.text {
        let escaped = text
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let placeholder = param(format!("%{escaped}%"));
        conditions.push(format!(
            "(p.name LIKE {placeholder} ESCAPE '\\' OR p.code LIKE {placeholder} ESCAPE '\\')"
        ));
    }
    if let Some(leader) = &filter.leader_scope {
        let n = param(leader.clone());
        conditions.push(format!(
            "(p.leader_id = (SELECT id FROM leaders WHERE name = {n}) \
             OR c.chain_leader_id = (SELECT id FROM leaders WHERE name = {n}) \
             OR p.territory_unit_id IN (SELECT lu.unit_id FROM leader_units lu \
             JOIN leaders l ON l.id = lu.leader_id WHERE l.name = {n}))"
        ));
    }
    if let Some(code) = &filter.code {
        conditions.push(format!("p.code = {}", param(code.clone())));
    }
    if !filter.investors.is_empty() {
        conditions.push(format!(
            "p.enterprise_id IN ({})",
            crate::figures::id_list(&filter.investors)
        ));
    }
    if let Some(team) = &filter.team {
        let n = param(team.clone());
        conditions.push(format!(
            "p.team_id = (SELECT id FROM teams WHERE name = {n})"
        ));
    }
    let from = PROJECT_JOINS;
    let clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    (from, clause, params)
}

impl Store {
    /// The 项目编号 of every project matching `filter`, in its order, without paging: what an
    /// export of a filtered list writes.
    pub async fn list_project_codes(&self, filter: &ProjectFilter) -> Result<Vec<String>> {
        let (from, clause, params) = matching(filter);
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT p.code {from} {clause} ORDER BY {}",
            filter.sort.order_by()
        ));
        let mut query = sqlx::query(sql);
        for value in &params {
            query = query.bind(value.clone());
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// The ids of every project `filter` selects, without paging: what a figure over a scope
    /// (a leader's 包保) restricts the records to.
    pub async fn project_ids(&self, filter: &ProjectFilter) -> Result<Vec<i64>> {
        let (from, clause, params) = matching(filter);
        let sql = sqlx::AssertSqlSafe(format!("SELECT p.id {from} {clause}"));
        let mut query = sqlx::query(sql);
        for value in &params {
            query = query.bind(value.clone());
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// Every project `filter` selects, by 项目编号, without paging.
    pub async fn summaries(&self, filter: &ProjectFilter) -> Result<Vec<ProjectSummary>> {
        let (from, clause, params) = matching(filter);
        let sql = sqlx::AssertSqlSafe(format!("{SUMMARY_COLUMNS} {from} {clause} ORDER BY p.code"));
        let mut query = sqlx::query(sql);
        for value in &params {
            query = query.bind(value.clone());
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// The projects with these ids (at most a few hundred), with their ids.
    pub(crate) async fn summaries_where_ids(
        &self,
        ids: &[i64],
    ) -> Result<Vec<(i64, ProjectSummary)>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{SUMMARY_COLUMNS}, p.id {PROJECT_JOINS} WHERE p.id IN ({})",
            crate::figures::id_list(ids)
        ));
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, summary_from_row(row)?)))
            .collect()
    }

    /// The projects matching `filter`, one page of them, and how many match in all.
    pub async fn list_projects(
        &self,
        filter: &ProjectFilter,
    ) -> Result<(i64, Vec<ProjectSummary>)> {
        let (from, clause, params) = matching(filter);
        let count_sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {from} {clause}"));
        let mut count = sqlx::query(count_sql);
        for value in &params {
            count = count.bind(value.clone());
        }
        let total: i64 = count.fetch_one(self.pool()).await?.try_get(0)?;

        let n = params.len();
        let page_sql = sqlx::AssertSqlSafe(format!(
            "{SUMMARY_COLUMNS} {from} {clause} ORDER BY {} LIMIT ${} OFFSET ${}",
            filter.sort.order_by(),
            n + 1,
            n + 2
        ));
        let mut page = sqlx::query(page_sql);
        for value in &params {
            page = page.bind(value.clone());
        }
        let rows = page
            .bind(filter.limit.clamp(1, 500))
            .bind(filter.offset.max(0))
            .fetch_all(self.pool())
            .await?;
        let summaries = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>>>()?;
        Ok((total, summaries))
    }

    /// The projects whose stored state differs from what their events give, as of `today`:
    /// empty unless something wrote around `Tx`.
    pub async fn project_states_disagreeing(&self, today: NaiveDate) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT code, signed_amount, stage, state_label, signed_on, signed_value, first_on, \
             landed_on, started_on, production_on, capacity_on, resumed_on, approved_signed_on, \
             approved_signed_value, approved_first_on, approved_landed_on, approved_started_on, \
             approved_production_on, approved_capacity_on, approved_resumed_on FROM projects",
        )
        .fetch_all(self.pool())
        .await?;
        let mut events: HashMap<String, Vec<domain::stage::RecordedEvent>> = HashMap::new();
        for (code, event) in self.all_events().await? {
            events.entry(code).or_default().push(event);
        }
        let mut disagreeing = Vec::new();
        for row in &rows {
            let code: String = row.try_get("code")?;
            let signed_amount: Option<i64> = row.try_get("signed_amount")?;
            let signed_amount = signed_amount
                .map(|v| Money::from_units("签约额", v))
                .transpose()?;
            let ctx = RuleContext {
                today,
                project_signed_amount: signed_amount,
            };
            let history = events.remove(&code).unwrap_or_default();
            let progress = progress_of(&history, &ctx)
                .map_err(|e| StoreError::Corrupt(format!("{code}: {e}")))?;
            let expected = crate::tx::derived_state(&progress, &history, signed_amount);
            let mut stored = Vec::with_capacity(expected.len());
            for (i, value) in expected.iter().enumerate() {
                stored.push(match value {
                    Value::Int(_) => Value::Int(row.try_get(i + 2)?),
                    Value::Text(_) => Value::Text(row.try_get(i + 2)?),
                });
            }
            if stored != expected {
                disagreeing.push(code);
            }
        }
        Ok(disagreeing)
    }
}

/// The columns of a [`ProjectSummary`], read by name; a query may read more beside them.
pub(crate) const SUMMARY_COLUMNS: &str = "SELECT p.code, p.name AS name, u.name AS territory, c.name AS chain, p.state_label, \
     COALESCE(p.signed_value, p.signed_amount) AS amount, p.signed_on, p.key_project, p.duplicate_state, \
     p.enterprise_id AS investor_id";

pub(crate) fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<ProjectSummary> {
    let amount: Option<i64> = row.try_get("amount")?;
    let signed_on: Option<String> = row.try_get("signed_on")?;
    let duplicate: Option<String> = row.try_get("duplicate_state")?;
    Ok(ProjectSummary {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        territory: row.try_get("territory")?,
        chain: row.try_get("chain")?,
        state: row.try_get("state_label")?,
        signed_amount: amount.map(|v| Money::from_units("签约额", v)).transpose()?,
        signed_on: signed_on.as_deref().map(parse_day).transpose()?,
        key_project: row.try_get::<i64, _>("key_project")? != 0,
        duplicate: duplicate
            .as_deref()
            .map(|code| DuplicateState::from_code(code).ok_or_else(|| corrupt("重复研判", code)))
            .transpose()?,
        investor_id: row.try_get("investor_id")?,
    })
}

pub(crate) const PROJECT_JOINS: &str = "FROM projects p JOIN units u ON u.id = p.territory_unit_id \
     LEFT JOIN chains c ON c.id = p.chain_id";
