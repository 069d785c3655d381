//! Schedule plans (计划进度) and the 六个一 check over the projects an actor sees.

use chrono::NaiveDate;
use domain::responsibility::{
    ElementItem, ElementStatus, ElementSupport, SchedulePlan, SixOnes, TeamMember,
};
use domain::{EventKind, Stage};
use sqlx::Row;

use crate::read::{corrupt, parse_day};
use crate::{ProjectFilter, Result, Store, Tx, Upserted};

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
    if rows.is_empty() {
        return Ok(None);
    }
    let mut entries: Vec<(Stage, NaiveDate)> = Vec::new();
    for row in &rows {
        let stage: String = row.try_get(0)?;
        let on: String = row.try_get(1)?;
        entries.push((stage_of(&stage)?, parse_day(&on)?));
    }
    SchedulePlan::new(entries)
        .map(Some)
        .map_err(|e| corrupt("计划进度", &e.to_string()))
}

/// A project's row id, or `None` when no project has this code.
pub(crate) async fn project_id_by_code(
    conn: &mut sqlx::AnyConnection,
    code: &str,
) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT id FROM projects WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

impl Store {
    /// A project's schedule plan, if it has one.
    pub async fn plan_of(&self, project_code: &str) -> Result<Option<SchedulePlan>> {
        let mut conn = self.pool().acquire().await?;
        match project_id_by_code(&mut conn, project_code).await? {
            Some(id) => plan_of_project(&mut conn, id).await,
            None => Ok(None),
        }
    }

    /// The projects `filter` selects that lack part of the 六个一, by 项目编号.
    pub async fn six_ones_gaps(&self, filter: &ProjectFilter) -> Result<Vec<SixOnesGap>> {
        let (from, clause, params) = crate::listing::matching(filter);
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT p.code, p.name, u.name, p.state_label, \
             CASE WHEN p.leader_id IS NULL THEN 0 ELSE 1 END, CASE WHEN p.team_id IS NULL THEN 0 ELSE 1 END, \
             CASE WHEN EXISTS (SELECT 1 FROM project_plans pp WHERE pp.project_id = p.id) THEN 1 ELSE 0 END \
             {from} {clause} ORDER BY p.code"
        ));
        let mut query = sqlx::query(sql);
        for value in &params {
            query = query.bind(value.clone());
        }
        let mut gaps = Vec::new();
        for row in query.fetch_all(self.pool()).await? {
            // Integers, not booleans: the one type both databases give `Any` for a flag.
            let flag = |i: usize| -> Result<bool> { Ok(row.try_get::<i64, _>(i)? != 0) };
            let has = SixOnes {
                leader: flag(4)?,
                // Every project has its territory unit (a required column).
                unit: true,
                team: flag(5)?,
                plan: flag(6)?,
            };
            let missing = has.missing();
            if !missing.is_empty() {
                gaps.push(SixOnesGap {
                    code: row.try_get(0)?,
                    name: row.try_get(1)?,
                    territory: row.try_get(2)?,
                    state: row.try_get(3)?,
                    missing,
                });
            }
        }
        Ok(gaps)
    }
}

impl Tx {
    /// Sets the units (包保县区) a leader answers for, replacing the previous ones; logged.
    pub async fn set_leader_units(&mut self, leader: &str, units: &[String]) -> Result<Upserted> {
        let leader_id = self.leader_id("领导", leader).await?;
        let mut ids = Vec::new();
        for unit in units {
            ids.push(self.unit_id("包保县区", unit).await?);
        }
        ids.sort_unstable();
        ids.dedup();
        let before = leader_units_of(self.conn(), leader).await?;
        let mut after: Vec<String> = units.to_vec();
        after.sort();
        after.dedup();
        if before == after {
            return Ok(Upserted::Unchanged);
        }
        let outcome = Upserted::changed(!before.is_empty());
        sqlx::query("DELETE FROM leader_units WHERE leader_id = $1")
            .bind(leader_id)
            .execute(self.conn())
            .await?;
        for unit_id in ids {
            sqlx::query("INSERT INTO leader_units (leader_id, unit_id) VALUES ($1, $2)")
                .bind(leader_id)
                .bind(unit_id)
                .execute(self.conn())
                .await?;
        }
        self.log("leader_units", leader, "set", Some(&before), Some(&after))
            .await?;
        Ok(outcome)
    }
}

/// A leader's 包保县区, by name (none for an unknown leader).
async fn leader_units_of(conn: &mut sqlx::AnyConnection, leader: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT u.name FROM leader_units lu JOIN units u ON u.id = lu.unit_id \
         JOIN leaders l ON l.id = lu.leader_id WHERE l.name = $1 ORDER BY u.name",
    )
    .bind(leader)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

async fn names_led(
    conn: &mut sqlx::AnyConnection,
    sql: &'static str,
    leader_id: i64,
) -> Result<Vec<String>> {
    let rows = sqlx::query(sql).bind(leader_id).fetch_all(conn).await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// What a leader answers for: 包保县区, chains led as 链长, teams led, and the projects these
/// reach (the leader's own projects, those in the leader's units or chains).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeaderScope {
    pub units: Vec<String>,
    pub chains: Vec<String>,
    pub teams: Vec<String>,
    pub projects: Vec<crate::ProjectSummary>,
}

impl Store {
    /// A leader's 包保县区 (none for an unknown leader).
    pub async fn leader_units(&self, leader: &str) -> Result<Vec<String>> {
        let mut conn = self.pool().acquire().await?;
        leader_units_of(&mut conn, leader).await
    }

    /// A leader's scope; `None` when there is no such leader.
    pub async fn leader_scope(&self, leader: &str) -> Result<Option<LeaderScope>> {
        let mut conn = self.pool().acquire().await?;
        let Some(row) = sqlx::query("SELECT id FROM leaders WHERE name = $1")
            .bind(leader)
            .fetch_optional(&mut *conn)
            .await?
        else {
            return Ok(None);
        };
        let id: i64 = row.try_get(0)?;
        let chains = names_led(
            &mut conn,
            "SELECT name FROM chains WHERE chain_leader_id = $1 ORDER BY name",
            id,
        )
        .await?;
        let teams = names_led(
            &mut conn,
            "SELECT name FROM teams WHERE leader_id = $1 ORDER BY name",
            id,
        )
        .await?;
        let units = leader_units_of(&mut conn, leader).await?;
        let projects = self
            .summaries(&ProjectFilter {
                leader_scope: Some(leader.to_owned()),
                ..ProjectFilter::default()
            })
            .await?;
        Ok(Some(LeaderScope {
            units,
            chains,
            teams,
            projects,
        }))
    }
}

/// An open 要素保障 item in a department's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedElement {
    pub project_code: String,
    pub project_name: String,
    pub element: ElementSupport,
}

const ELEMENT_SELECT: &str = "SELECT p.code, p.name, e.item, e.status, d.name, e.due_on, e.done_on \
     FROM element_items e JOIN projects p ON p.id = e.project_id LEFT JOIN units d ON d.id = e.department_id";

fn element_from_row(row: &sqlx::any::AnyRow) -> Result<QueuedElement> {
    let item: String = row.try_get(2)?;
    let status: String = row.try_get(3)?;
    let day = |i: usize| -> Result<Option<NaiveDate>> {
        let text: Option<String> = row.try_get(i)?;
        text.as_deref().map(parse_day).transpose()
    };
    Ok(QueuedElement {
        project_code: row.try_get(0)?,
        project_name: row.try_get(1)?,
        element: ElementSupport {
            item: ElementItem::parse("要素", &item).map_err(|_| corrupt("要素", &item))?,
            status: ElementStatus::parse("状态", &status).map_err(|_| corrupt("状态", &status))?,
            department: row.try_get(4)?,
            due: day(5)?,
            done: day(6)?,
        },
    })
}

impl Tx {
    /// Sets one 要素保障 item of a project, logged with what it was.
    pub async fn set_element(
        &mut self,
        project_code: &str,
        element: &ElementSupport,
    ) -> Result<Upserted> {
        let project_id = self.project_id(project_code).await?;
        let department = match &element.department {
            Some(name) => Some(self.unit_id("责任部门", name).await?),
            None => None,
        };
        let item = element.item.label();
        let sql = sqlx::AssertSqlSafe(format!(
            "{ELEMENT_SELECT} WHERE e.project_id = $1 AND e.item = $2"
        ));
        let before = match sqlx::query(sql)
            .bind(project_id)
            .bind(item)
            .fetch_optional(self.conn())
            .await?
        {
            Some(row) => Some(element_from_row(&row)?.element),
            None => None,
        };
        if before.as_ref() == Some(element) {
            return Ok(Upserted::Unchanged);
        }
        let day = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        sqlx::query("DELETE FROM element_items WHERE project_id = $1 AND item = $2")
            .bind(project_id)
            .bind(item)
            .execute(self.conn())
            .await?;
        sqlx::query(
            "INSERT INTO element_items (project_id, item, status, department_id, due_on, done_on) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(project_id)
        .bind(item)
        .bind(element.status.label())
        .bind(department)
        .bind(day(element.due))
        .bind(day(element.done))
        .execute(self.conn())
        .await?;
        self.log(
            "element",
            &format!("{project_code}/{item}"),
            "set",
            before.as_ref(),
            Some(element),
        )
        .await?;
        Ok(Upserted::changed(before.is_some()))
    }
}

impl Store {
    /// A project's 要素保障 items that were set, in the order of the thirteen.
    pub async fn elements_of(&self, project_code: &str) -> Result<Vec<ElementSupport>> {
        let sql = sqlx::AssertSqlSafe(format!("{ELEMENT_SELECT} WHERE p.code = $1"));
        let rows = sqlx::query(sql)
            .bind(project_code)
            .fetch_all(self.pool())
            .await?;
        let mut items = rows
            .iter()
            .map(|r| Ok(element_from_row(r)?.element))
            .collect::<Result<Vec<_>>>()?;
        items.sort_by_key(|e| e.item);
        Ok(items)
    }

    /// A department's open items (未启动, 办理中), the earliest due first.
    pub async fn element_queue(&self, department: &str) -> Result<Vec<QueuedElement>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{ELEMENT_SELECT} WHERE d.name = $1 AND e.status IN ('未启动', '办理中') \
             ORDER BY COALESCE(e.due_on, '9999-12-31'), p.code, e.item"
        ));
        let rows = sqlx::query(sql)
            .bind(department)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(element_from_row).collect()
    }
}

/// A 工作专班 with its leader, members and projects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamDetail {
    pub name: String,
    pub leader: Option<String>,
    pub members: Vec<TeamMember>,
    pub projects: Vec<crate::ProjectSummary>,
}

async fn members_of(conn: &mut sqlx::AnyConnection, team_id: i64) -> Result<Vec<TeamMember>> {
    let rows = sqlx::query(
        "SELECT m.name, u.name, m.duty FROM team_members m LEFT JOIN units u ON u.id = m.unit_id \
         WHERE m.team_id = $1 ORDER BY m.position",
    )
    .bind(team_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TeamMember {
                name: r.try_get(0)?,
                unit: r.try_get(1)?,
                duty: r.try_get(2)?,
            })
        })
        .collect()
}

impl Tx {
    /// Replaces a team's members (a member's unit must exist), logged with before and after.
    pub async fn set_team_members(&mut self, team: &str, members: &[TeamMember]) -> Result<()> {
        let team_id = self.team_id("工作专班", team).await?;
        let mut units = Vec::with_capacity(members.len());
        for member in members {
            units.push(match &member.unit {
                Some(unit) => Some(self.unit_id("成员单位", unit).await?),
                None => None,
            });
        }
        let before = members_of(self.conn(), team_id).await?;
        if before == members {
            return Ok(());
        }
        sqlx::query("DELETE FROM team_members WHERE team_id = $1")
            .bind(team_id)
            .execute(self.conn())
            .await?;
        for (i, (member, unit)) in members.iter().zip(units).enumerate() {
            sqlx::query(
                "INSERT INTO team_members (team_id, position, name, unit_id, duty) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(team_id)
            .bind(i as i64)
            .bind(&member.name)
            .bind(unit)
            .bind(member.duty.as_deref())
            .execute(self.conn())
            .await?;
        }
        self.log("team_members", team, "set", Some(&before), Some(&members))
            .await
    }
}

impl Store {
    /// A team with its leader, members and projects; `None` when there is no such team.
    pub async fn team_detail(&self, name: &str) -> Result<Option<TeamDetail>> {
        let mut conn = self.pool().acquire().await?;
        let Some(row) = sqlx::query(
            "SELECT t.id, l.name FROM teams t LEFT JOIN leaders l ON l.id = t.leader_id WHERE t.name = $1",
        )
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(None);
        };
        let id: i64 = row.try_get(0)?;
        let members = members_of(&mut conn, id).await?;
        drop(conn);
        let projects = self
            .summaries(&ProjectFilter {
                team: Some(name.to_owned()),
                ..ProjectFilter::default()
            })
            .await?;
        Ok(Some(TeamDetail {
            name: name.to_owned(),
            leader: row.try_get(1)?,
            members,
            projects,
        }))
    }
}

impl Store {
    /// Every leader's 包保县区, by leader, leaders without any left out.
    pub async fn all_leader_units(&self) -> Result<Vec<(String, Vec<String>)>> {
        let rows = sqlx::query(
            "SELECT l.name, u.name FROM leader_units lu JOIN leaders l ON l.id = lu.leader_id \
             JOIN units u ON u.id = lu.unit_id ORDER BY l.name, u.name",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for row in &rows {
            let (leader, unit): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            match out.last_mut() {
                Some((l, units)) if *l == leader => units.push(unit),
                _ => out.push((leader, vec![unit])),
            }
        }
        Ok(out)
    }

    /// Every 要素保障 item set, by 项目编号 and then in the order of the thirteen.
    pub async fn all_elements(&self) -> Result<Vec<(String, ElementSupport)>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ELEMENT_SELECT} ORDER BY p.code"
        )))
        .fetch_all(self.pool())
        .await?;
        let mut items = rows
            .iter()
            .map(|r| element_from_row(r).map(|q| (q.project_code, q.element)))
            .collect::<Result<Vec<_>>>()?;
        items.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.item.cmp(&b.1.item)));
        Ok(items)
    }
}

impl Store {
    /// The ids of a chain's projects (as the figures' facts number them).
    pub async fn chain_project_ids(&self, chain: &str) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT p.id FROM projects p JOIN chains c ON c.id = p.chain_id WHERE c.name = $1",
        )
        .bind(chain)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }
}
