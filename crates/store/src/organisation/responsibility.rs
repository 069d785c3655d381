//! Who answers for what: a leader's 包保县区 and what they reach (chains led as 链长, teams
//! led, the projects of these), and the members of a 工作专班.

use domain::responsibility::TeamMember;
use sqlx::Row;

use crate::tx::{Tx, Upserted};
use crate::{ProjectFilter, Result, Store};

// 包保县区: the units a leader answers for, and what that reaches.

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
    rows.iter().map(|r| Ok(r.try_get("name")?)).collect()
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

    /// A leader's scope; `None` when there is no such leader. Its projects are only those
    /// within `scope_unit` when one is given (a unit account's view of the leader).
    pub async fn leader_scope(
        &self,
        leader: &str,
        scope_unit: Option<&str>,
    ) -> Result<Option<LeaderScope>> {
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
                scope_unit: scope_unit.map(str::to_owned),
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

// 工作专班 members.

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
        "SELECT m.name AS name, u.name AS unit, m.duty FROM team_members m LEFT JOIN units u ON u.id = m.unit_id \
         WHERE m.team_id = $1 ORDER BY m.position",
    )
    .bind(team_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TeamMember {
                name: r.try_get("name")?,
                unit: r.try_get("unit")?,
                duty: r.try_get("duty")?,
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
    /// A team with its leader, members and projects (only those within `scope_unit` when one
    /// is given); `None` when there is no such team.
    pub async fn team_detail(
        &self,
        name: &str,
        scope_unit: Option<&str>,
    ) -> Result<Option<TeamDetail>> {
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
        let id: i64 = row.try_get("id")?;
        let members = members_of(&mut conn, id).await?;
        drop(conn);
        let projects = self
            .summaries(&ProjectFilter {
                team: Some(name.to_owned()),
                scope_unit: scope_unit.map(str::to_owned),
                ..ProjectFilter::default()
            })
            .await?;
        Ok(Some(TeamDetail {
            name: name.to_owned(),
            leader: row.try_get("name")?,
            members,
            projects,
        }))
    }
}

impl Store {
    /// Every leader's 包保县区, by leader, leaders without any left out.
    pub async fn all_leader_units(&self) -> Result<Vec<(String, Vec<String>)>> {
        let rows = sqlx::query(
            "SELECT l.name AS l_name, u.name AS u_name FROM leader_units lu JOIN leaders l ON l.id = lu.leader_id \
             JOIN units u ON u.id = lu.unit_id ORDER BY l.name, u.name",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for row in &rows {
            let (leader, unit): (String, String) = (row.try_get("l_name")?, row.try_get("u_name")?);
            match out.last_mut() {
                Some((l, units)) if *l == leader => units.push(unit),
                _ => out.push((leader, vec![unit])),
            }
        }
        Ok(out)
    }
}
