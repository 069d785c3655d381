//! Writes. Every change goes through a [`Tx`], which checks the record with the domain's rules,
//! resolves the names it refers to, writes it, and logs who changed what in the same
//! transaction. Each method resolves and checks everything before its first write, so that a
//! rejected record leaves the transaction as it was and the caller may go on collecting errors.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::records::{
    Chain, Fund, Leader, Project, ScoreGroup, Target, Team, Unit, UnitKind, Visit, value_lists,
};
use domain::stage::{self, Correction, RecordedEvent, RuleContext, StageEvent};
use domain::{CreditCode, FieldError};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use crate::batch::{Batch, Value};
use crate::read::{all_events_by_project, events_of_project, project_by_code};
use crate::{Backend, Result, StoreError, now_millis};

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Inserted,
    Updated,
    Unchanged,
}

/// What an append did: an exact duplicate of an existing record is reported, not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    Added(i64),
    Duplicate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Named {
    Unit,
    Leader,
    Chain,
    Team,
    Project,
}

impl Named {
    fn query(self) -> &'static str {
        match self {
            Named::Unit => "SELECT name, id FROM units",
            Named::Leader => "SELECT name, id FROM leaders",
            Named::Chain => "SELECT name, id FROM chains",
            Named::Team => "SELECT name, id FROM teams",
            Named::Project => "SELECT code, id FROM projects",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Named::Unit => "单位",
            Named::Leader => "领导",
            Named::Chain => "产业链",
            Named::Team => "工作专班",
            Named::Project => "项目编号",
        }
    }
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    tx: Transaction<'static, Any>,
    actor: String,
    today: NaiveDate,
    names: HashMap<Named, HashMap<String, i64>>,
    value_lists: HashMap<String, Vec<String>>,
    histories: HashMap<i64, History>,
    backend: Backend,
    reserved: HashMap<&'static str, Reserved>,
    // Queued rows, flushed in this order so that foreign keys hold.
    projects: Batch,
    credits: Batch,
    events: Batch,
    log: Batch,
}

/// A project's stored events and signed amount, as the stage rules need them.
#[derive(Default)]
struct History {
    signed_amount: Option<domain::Money>,
    events: Vec<RecordedEvent>,
}

/// Ids reserved for one table (see [`Tx::reserve_id`]).
#[derive(Default)]
struct Reserved {
    ids: Vec<i64>,
    sqlite_next: Option<i64>,
}

const PROJECT_INSERT: &str = "INSERT INTO projects (id, code, name, enterprise_id, chain_id, territory_unit_id, \
     leader_id, team_id, source_mode, capital_origin, currency, planned_investment, signed_amount, key_project, \
     illustrative, created_at, updated_at) VALUES ";
const CREDIT_INSERT: &str = "INSERT INTO project_credits (project_id, unit_id, position) VALUES ";
const EVENT_INSERT: &str = "INSERT INTO events (id, project_id, kind, event_date, amount, company_code, parcel, \
     note, evidence, corrects_id, correction_reason, withdrawn, illustrative, created_at, created_by) VALUES ";
const LOG_INSERT: &str = "INSERT INTO change_log (at, actor, entity, entity_key, action, before_json, after_json) VALUES ";

impl Tx {
    pub(crate) fn new(
        tx: Transaction<'static, Any>,
        backend: Backend,
        actor: &str,
        today: NaiveDate,
    ) -> Self {
        Tx {
            tx,
            actor: actor.to_owned(),
            today,
            names: HashMap::new(),
            value_lists: HashMap::new(),
            histories: HashMap::new(),
            backend,
            reserved: HashMap::new(),
            projects: Batch::new(PROJECT_INSERT, 17),
            credits: Batch::new(CREDIT_INSERT, 3),
            events: Batch::new(EVENT_INSERT, 15),
            log: Batch::new(LOG_INSERT, 7),
        }
    }

    /// The date against which "never in the future" is judged.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// Judges dates against another day; tests use it to pin the clock.
    pub fn set_today(&mut self, today: NaiveDate) {
        self.today = today;
    }

    pub async fn commit(mut self) -> Result<()> {
        self.flush().await?;
        self.tx.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }

    async fn log<B: Serialize, A: Serialize>(
        &mut self,
        entity: &'static str,
        key: &str,
        action: &'static str,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<()> {
        // These records hold no maps with non-string keys, the one thing that makes
        // serde_json fail, so an empty string here would mean a bug, not bad input.
        let row = vec![
            Value::from(now_millis()),
            Value::from(self.actor.as_str()),
            Value::from(entity),
            Value::from(key),
            Value::from(action),
            Value::from(before.map(|b| serde_json::to_string(b).unwrap_or_default())),
            Value::from(after.map(|a| serde_json::to_string(a).unwrap_or_default())),
        ];
        self.log.push(row);
        if self.log.is_full() {
            self.log.flush(&mut self.tx, self.backend).await?;
        }
        Ok(())
    }

    /// Writes every queued row, parents before children.
    async fn flush(&mut self) -> Result<()> {
        self.projects.flush(&mut self.tx, self.backend).await?;
        self.credits.flush(&mut self.tx, self.backend).await?;
        self.events.flush(&mut self.tx, self.backend).await?;
        self.log.flush(&mut self.tx, self.backend).await?;
        Ok(())
    }

    /// The next id of `table`. Ids are reserved rather than assigned by the database so that
    /// rows can be queued and written many to a statement while callers learn their ids at
    /// once. Under SQLite the transaction holds the write lock from BEGIN IMMEDIATE, so nobody
    /// else can take the ids above the current maximum; under PostgreSQL they come from the
    /// column's identity sequence, which is safe across sessions.
    async fn reserve_id(&mut self, table: &'static str) -> Result<i64> {
        let reserved = self.reserved.entry(table).or_default();
        if let Some(id) = reserved.ids.pop() {
            return Ok(id);
        }
        match self.backend {
            Backend::Sqlite => {
                let next = match reserved.sqlite_next {
                    Some(next) => next,
                    None => {
                        let sql = sqlx::AssertSqlSafe(format!(
                            "SELECT COALESCE(MAX(id), 0) FROM {table}"
                        ));
                        sqlx::query(sql)
                            .fetch_one(&mut *self.tx)
                            .await?
                            .try_get::<i64, _>(0)?
                            + 1
                    }
                };
                self.reserved.entry(table).or_default().sqlite_next = Some(next + 1);
                Ok(next)
            }
            Backend::Postgres => {
                let sql = sqlx::AssertSqlSafe(format!(
                    "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, 256)"
                ));
                let rows = sqlx::query(sql).fetch_all(&mut *self.tx).await?;
                let mut ids = rows
                    .iter()
                    .map(|r| r.try_get::<i64, _>(0))
                    .collect::<Result<Vec<_>, _>>()?;
                ids.reverse();
                let first = ids
                    .pop()
                    .ok_or_else(|| StoreError::Corrupt(format!("无法为{table}分配编号")))?;
                self.reserved.entry(table).or_default().ids = ids;
                Ok(first)
            }
        }
    }

    async fn names(&mut self, kind: Named) -> Result<&mut HashMap<String, i64>> {
        if !self.names.contains_key(&kind) {
            let rows = sqlx::query(kind.query()).fetch_all(&mut *self.tx).await?;
            let map = rows
                .iter()
                .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
                .collect::<Result<HashMap<_, _>>>()?;
            self.names.insert(kind, map);
        }
        Ok(self.names.entry(kind).or_default())
    }

    async fn find(&mut self, kind: Named, name: &str) -> Result<Option<i64>> {
        Ok(self.names(kind).await?.get(name).copied())
    }

    /// The id of a record named in `field`, or an error naming the field.
    async fn resolve(&mut self, kind: Named, field: &str, name: &str) -> Result<i64> {
        self.find(kind, name).await?.ok_or_else(|| {
            StoreError::invalid(
                field,
                format!("{}“{name}”不存在，请先录入或导入", kind.noun()),
            )
        })
    }

    async fn resolve_opt(
        &mut self,
        kind: Named,
        field: &str,
        name: Option<&str>,
    ) -> Result<Option<i64>> {
        match name {
            Some(name) => Ok(Some(self.resolve(kind, field, name).await?)),
            None => Ok(None),
        }
    }

    async fn remember(&mut self, kind: Named, name: &str, id: i64) -> Result<()> {
        self.names(kind).await?.insert(name.to_owned(), id);
        Ok(())
    }

    /// Checks a value against an editable value list.
    async fn check_listed(&mut self, list: &str, field: &str, value: Option<&str>) -> Result<()> {
        let Some(value) = value else { return Ok(()) };
        if !self.value_lists.contains_key(list) {
            let rows =
                sqlx::query("SELECT value FROM value_lists WHERE list = $1 ORDER BY position")
                    .bind(list)
                    .fetch_all(&mut *self.tx)
                    .await?;
            let values = rows
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<Vec<String>, _>>()?;
            self.value_lists.insert(list.to_owned(), values);
        }
        let values = self
            .value_lists
            .get(list)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if values.iter().any(|v| v == value) {
            Ok(())
        } else {
            Err(StoreError::invalid(
                field,
                format!("“{value}”不在可选值中（{}）", values.join("、")),
            ))
        }
    }

    pub async fn upsert_unit(&mut self, unit: &Unit) -> Result<Upserted> {
        let parent_id = self
            .resolve_opt(Named::Unit, "上级单位", unit.parent.as_deref())
            .await?;
        let existing = sqlx::query(
            "SELECT u.id, u.kind, u.score_group, u.division_code, p.name FROM units u \
             LEFT JOIN units p ON p.id = u.parent_id WHERE u.name = $1",
        )
        .bind(&unit.name)
        .fetch_optional(&mut *self.tx)
        .await?;
        let kind = unit.kind.code();
        let group = unit.group.map(|g| g.code());
        match existing {
            None => {
                let id: i64 = sqlx::query(
                    "INSERT INTO units (name, kind, score_group, division_code, parent_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(&unit.name)
                .bind(kind)
                .bind(group)
                .bind(&unit.division_code)
                .bind(parent_id)
                .bind(now_millis())
                .fetch_one(&mut *self.tx)
                .await?
                .try_get(0)?;
                self.remember(Named::Unit, &unit.name, id).await?;
                self.log::<Unit, Unit>("unit", &unit.name, "create", None, Some(unit))
                    .await?;
                Ok(Upserted::Inserted)
            }
            Some(row) => {
                let id: i64 = row.try_get(0)?;
                let stored_kind: String = row.try_get(1)?;
                let stored_group: Option<String> = row.try_get(2)?;
                let before = Unit {
                    name: unit.name.clone(),
                    kind: UnitKind::from_code(&stored_kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("单位类型: {stored_kind}")))?,
                    group: stored_group.as_deref().and_then(ScoreGroup::from_code),
                    division_code: row.try_get(3)?,
                    parent: row.try_get(4)?,
                };
                if &before == unit {
                    return Ok(Upserted::Unchanged);
                }
                if parent_id.is_some() && self.unit_is_ancestor(id, parent_id).await? {
                    return Err(StoreError::invalid(
                        "上级单位",
                        "上级单位不能是本单位的下级",
                    ));
                }
                sqlx::query(
                    "UPDATE units SET kind = $1, score_group = $2, division_code = $3, parent_id = $4 WHERE id = $5",
                )
                .bind(kind)
                .bind(group)
                .bind(&unit.division_code)
                .bind(parent_id)
                .bind(id)
                .execute(&mut *self.tx)
                .await?;
                self.log("unit", &unit.name, "update", Some(&before), Some(unit))
                    .await?;
                Ok(Upserted::Updated)
            }
        }
    }

    /// Whether `unit` lies on the parent chain starting at `start`, which would make a cycle.
    async fn unit_is_ancestor(&mut self, unit: i64, start: Option<i64>) -> Result<bool> {
        let mut current = start;
        let mut steps = 0;
        while let Some(id) = current {
            if id == unit {
                return Ok(true);
            }
            steps += 1;
            if steps > 64 {
                return Ok(true);
            }
            current = sqlx::query("SELECT parent_id FROM units WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?
                .map(|r| r.try_get::<Option<i64>, _>(0))
                .transpose()?
                .flatten();
        }
        Ok(false)
    }

    pub async fn upsert_leader(&mut self, leader: &Leader) -> Result<Upserted> {
        let existing = sqlx::query("SELECT id, title, illustrative FROM leaders WHERE name = $1")
            .bind(&leader.name)
            .fetch_optional(&mut *self.tx)
            .await?;
        match existing {
            None => {
                let id: i64 = sqlx::query("INSERT INTO leaders (name, title, illustrative) VALUES ($1, $2, $3) RETURNING id")
                    .bind(&leader.name)
                    .bind(&leader.title)
                    .bind(i64::from(leader.illustrative))
                    .fetch_one(&mut *self.tx)
                    .await?
                    .try_get(0)?;
                self.remember(Named::Leader, &leader.name, id).await?;
                self.log::<Leader, Leader>("leader", &leader.name, "create", None, Some(leader))
                    .await?;
                Ok(Upserted::Inserted)
            }
            Some(row) => {
                let before = Leader {
                    name: leader.name.clone(),
                    title: row.try_get(1)?,
                    illustrative: row.try_get::<i64, _>(2)? != 0,
                };
                if &before == leader {
                    return Ok(Upserted::Unchanged);
                }
                sqlx::query("UPDATE leaders SET title = $1, illustrative = $2 WHERE id = $3")
                    .bind(&leader.title)
                    .bind(i64::from(leader.illustrative))
                    .bind(row.try_get::<i64, _>(0)?)
                    .execute(&mut *self.tx)
                    .await?;
                self.log(
                    "leader",
                    &leader.name,
                    "update",
                    Some(&before),
                    Some(leader),
                )
                .await?;
                Ok(Upserted::Updated)
            }
        }
    }

    pub async fn upsert_chain(&mut self, chain: &Chain) -> Result<Upserted> {
        let leader_id = self
            .resolve_opt(Named::Leader, "链长", chain.chain_leader.as_deref())
            .await?;
        let existing = sqlx::query(
            "SELECT c.id, c.industry, l.name FROM chains c LEFT JOIN leaders l ON l.id = c.chain_leader_id WHERE c.name = $1",
        )
        .bind(&chain.name)
        .fetch_optional(&mut *self.tx)
        .await?;
        match existing {
            None => {
                let id: i64 = sqlx::query("INSERT INTO chains (name, industry, chain_leader_id) VALUES ($1, $2, $3) RETURNING id")
                    .bind(&chain.name)
                    .bind(&chain.industry)
                    .bind(leader_id)
                    .fetch_one(&mut *self.tx)
                    .await?
                    .try_get(0)?;
                self.remember(Named::Chain, &chain.name, id).await?;
                self.log::<Chain, Chain>("chain", &chain.name, "create", None, Some(chain))
                    .await?;
                Ok(Upserted::Inserted)
            }
            Some(row) => {
                let before = Chain {
                    name: chain.name.clone(),
                    industry: row.try_get(1)?,
                    chain_leader: row.try_get(2)?,
                };
                if &before == chain {
                    return Ok(Upserted::Unchanged);
                }
                sqlx::query("UPDATE chains SET industry = $1, chain_leader_id = $2 WHERE id = $3")
                    .bind(&chain.industry)
                    .bind(leader_id)
                    .bind(row.try_get::<i64, _>(0)?)
                    .execute(&mut *self.tx)
                    .await?;
                self.log("chain", &chain.name, "update", Some(&before), Some(chain))
                    .await?;
                Ok(Upserted::Updated)
            }
        }
    }

    pub async fn upsert_team(&mut self, team: &Team) -> Result<Upserted> {
        let leader_id = self
            .resolve_opt(Named::Leader, "牵头领导", team.leader.as_deref())
            .await?;
        let existing = sqlx::query(
            "SELECT t.id, l.name FROM teams t LEFT JOIN leaders l ON l.id = t.leader_id WHERE t.name = $1",
        )
        .bind(&team.name)
        .fetch_optional(&mut *self.tx)
        .await?;
        match existing {
            None => {
                let id: i64 =
                    sqlx::query("INSERT INTO teams (name, leader_id) VALUES ($1, $2) RETURNING id")
                        .bind(&team.name)
                        .bind(leader_id)
                        .fetch_one(&mut *self.tx)
                        .await?
                        .try_get(0)?;
                self.remember(Named::Team, &team.name, id).await?;
                self.log::<Team, Team>("team", &team.name, "create", None, Some(team))
                    .await?;
                Ok(Upserted::Inserted)
            }
            Some(row) => {
                let before = Team {
                    name: team.name.clone(),
                    leader: row.try_get(1)?,
                };
                if &before == team {
                    return Ok(Upserted::Unchanged);
                }
                sqlx::query("UPDATE teams SET leader_id = $1 WHERE id = $2")
                    .bind(leader_id)
                    .bind(row.try_get::<i64, _>(0)?)
                    .execute(&mut *self.tx)
                    .await?;
                self.log("team", &team.name, "update", Some(&before), Some(team))
                    .await?;
                Ok(Upserted::Updated)
            }
        }
    }

    /// The enterprise with this credit code, or (without one) this name, created if missing.
    async fn enterprise_id(&mut self, name: &str, code: Option<&CreditCode>) -> Result<i64> {
        let found = match code {
            Some(code) => {
                sqlx::query("SELECT id, name FROM enterprises WHERE credit_code = $1")
                    .bind(code.as_str())
                    .fetch_optional(&mut *self.tx)
                    .await?
            }
            None => {
                sqlx::query("SELECT id, name FROM enterprises WHERE name = $1 AND credit_code IS NULL ORDER BY id")
                    .bind(name)
                    .fetch_optional(&mut *self.tx)
                    .await?
            }
        };
        if let Some(row) = found {
            return Ok(row.try_get(0)?);
        }
        let id: i64 = sqlx::query("INSERT INTO enterprises (name, credit_code, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(name)
            .bind(code.map(CreditCode::as_str))
            .bind(now_millis())
            .fetch_one(&mut *self.tx)
            .await?
            .try_get(0)?;
        let key = code.map_or_else(|| name.to_owned(), |c| c.as_str().to_owned());
        self.log::<(), _>("enterprise", &key, "create", None, Some(&(name, code)))
            .await?;
        Ok(id)
    }

    /// Creates the project with this 项目编号, or updates it to match `project`.
    pub async fn upsert_project(&mut self, project: &Project) -> Result<Upserted> {
        project.check()?;
        // Every reference is resolved before failing, so that a form or a file row learns of
        // all its unknown names at once.
        let mut errors = Vec::new();
        let mut collect = |result: Result<Option<i64>>| -> Result<Option<i64>> {
            match result {
                Ok(id) => Ok(id),
                Err(StoreError::Invalid(e)) => {
                    errors.push(e);
                    Ok(None)
                }
                Err(other) => Err(other),
            }
        };
        let territory = collect(
            self.resolve(Named::Unit, "所在县区", &project.territory)
                .await
                .map(Some),
        )?;
        let mut credited = Vec::with_capacity(project.credited.len());
        for unit in &project.credited {
            credited.push(collect(
                self.resolve(Named::Unit, "责任单位", unit).await.map(Some),
            )?);
        }
        let chain = collect(
            self.resolve_opt(Named::Chain, "产业链", project.chain.as_deref())
                .await,
        )?;
        let leader = collect(
            self.resolve_opt(Named::Leader, "分管领导", project.leader.as_deref())
                .await,
        )?;
        let team = collect(
            self.resolve_opt(Named::Team, "工作专班", project.team.as_deref())
                .await,
        )?;
        collect(
            self.check_listed(
                value_lists::SOURCE_MODE,
                "招商方式",
                project.source_mode.as_deref(),
            )
            .await
            .map(|()| None),
        )?;
        let (Some(territory), true) = (territory, errors.is_empty()) else {
            return Err(match errors.len() {
                1 => StoreError::Invalid(errors.remove(0)),
                _ => StoreError::InvalidFields(errors),
            });
        };
        let credited: Vec<i64> = credited.into_iter().flatten().collect();
        let existing = match self.find(Named::Project, &project.code).await? {
            Some(_) => {
                self.flush().await?;
                project_by_code(&mut self.tx, &project.code).await?
            }
            None => None,
        };
        if let Some(existing) = &existing
            && &existing.project == project
        {
            return Ok(Upserted::Unchanged);
        }
        let enterprise = match &project.investor {
            Some(name) => Some(
                self.enterprise_id(name, project.investor_code.as_ref())
                    .await?,
            ),
            None => None,
        };
        let now = now_millis();
        let id = match &existing {
            None => {
                let id = self.reserve_id("projects").await?;
                self.projects.push(vec![
                    Value::from(id),
                    Value::from(project.code.as_str()),
                    Value::from(project.name.as_str()),
                    Value::from(enterprise),
                    Value::from(chain),
                    Value::from(territory),
                    Value::from(leader),
                    Value::from(team),
                    Value::from(project.source_mode.clone()),
                    Value::from(project.capital_origin.code()),
                    Value::from(project.currency.code()),
                    Value::from(project.planned_investment.map(|m| m.units())),
                    Value::from(project.signed_amount.map(|m| m.units())),
                    Value::from(i64::from(project.key_project)),
                    Value::from(i64::from(project.illustrative)),
                    Value::from(now),
                    Value::from(now),
                ]);
                self.remember(Named::Project, &project.code, id).await?;
                id
            }
            Some(existing) => {
                sqlx::query(
                    "UPDATE projects SET name = $1, enterprise_id = $2, chain_id = $3, territory_unit_id = $4, \
                     leader_id = $5, team_id = $6, source_mode = $7, capital_origin = $8, currency = $9, \
                     planned_investment = $10, signed_amount = $11, key_project = $12, illustrative = $13, \
                     updated_at = $14 WHERE id = $15",
                )
                .bind(&project.name)
                .bind(enterprise)
                .bind(chain)
                .bind(territory)
                .bind(leader)
                .bind(team)
                .bind(&project.source_mode)
                .bind(project.capital_origin.code())
                .bind(project.currency.code())
                .bind(project.planned_investment.map(|m| m.units()))
                .bind(project.signed_amount.map(|m| m.units()))
                .bind(i64::from(project.key_project))
                .bind(i64::from(project.illustrative))
                .bind(now)
                .bind(existing.id)
                .execute(&mut *self.tx)
                .await?;
                // The signed amount the stage rules read may have changed.
                self.histories.remove(&existing.id);
                sqlx::query("DELETE FROM project_credits WHERE project_id = $1")
                    .bind(existing.id)
                    .execute(&mut *self.tx)
                    .await?;
                existing.id
            }
        };
        for (position, unit) in credited.iter().enumerate() {
            self.credits.push(vec![
                Value::from(id),
                Value::from(*unit),
                Value::from(position as i64),
            ]);
        }
        if self.projects.is_full() || self.credits.is_full() {
            self.flush().await?;
        }
        let before = existing.as_ref().map(|e| &e.project);
        let action = if before.is_some() { "update" } else { "create" };
        self.log("project", &project.code, action, before, Some(project))
            .await?;
        Ok(if existing.is_some() {
            Upserted::Updated
        } else {
            Upserted::Inserted
        })
    }

    async fn project_id(&mut self, code: &str) -> Result<i64> {
        self.resolve(Named::Project, "项目编号", code).await
    }

    async fn history(&mut self, project_id: i64) -> Result<&mut History> {
        if !self.histories.contains_key(&project_id) {
            self.flush().await?;
            let events = events_of_project(&mut self.tx, project_id).await?;
            let signed: Option<i64> =
                sqlx::query("SELECT signed_amount FROM projects WHERE id = $1")
                    .bind(project_id)
                    .fetch_one(&mut *self.tx)
                    .await?
                    .try_get(0)?;
            let signed_amount = signed
                .map(|v| domain::Money::from_units("签约额", v))
                .transpose()?;
            self.histories.insert(
                project_id,
                History {
                    signed_amount,
                    events,
                },
            );
        }
        Ok(self.histories.entry(project_id).or_default())
    }

    /// Reads the histories of all projects in two queries, for imports that add events to many
    /// projects; without it each project's history is read when first needed.
    pub async fn preload_histories(&mut self) -> Result<()> {
        self.flush().await?;
        let projects = sqlx::query("SELECT id, signed_amount FROM projects")
            .fetch_all(&mut *self.tx)
            .await?;
        let mut histories: HashMap<i64, History> = HashMap::with_capacity(projects.len());
        for row in &projects {
            let signed: Option<i64> = row.try_get(1)?;
            let signed_amount = signed
                .map(|v| domain::Money::from_units("签约额", v))
                .transpose()?;
            histories.insert(
                row.try_get(0)?,
                History {
                    signed_amount,
                    events: Vec::new(),
                },
            );
        }
        for (project_id, event) in all_events_by_project(&mut self.tx).await? {
            histories.entry(project_id).or_default().events.push(event);
        }
        self.histories = histories;
        Ok(())
    }

    /// Appends an event to a project after checking it against the project's history. An
    /// event identical to one the project already has is reported as a duplicate.
    pub async fn add_event(&mut self, project_code: &str, event: &StageEvent) -> Result<Added> {
        self.add_event_marked(project_code, event, false).await
    }

    /// As [`Tx::add_event`], marking the event as illustrative (generated demo data).
    pub async fn add_event_marked(
        &mut self,
        project_code: &str,
        event: &StageEvent,
        illustrative: bool,
    ) -> Result<Added> {
        let project_id = self.project_id(project_code).await?;
        let today = self.today;
        let history = self.history(project_id).await?;
        let ctx = RuleContext {
            today,
            project_signed_amount: history.signed_amount,
        };
        if history
            .events
            .iter()
            .any(|r| r.correction.is_none() && &r.event == event)
        {
            return Ok(Added::Duplicate);
        }
        let progress = stage::progress_of(&history.events, &ctx).map_err(|e| {
            StoreError::Corrupt(format!("项目“{project_code}”的已有事件不符合规则: {e}"))
        })?;
        progress.apply(event, &ctx)?;
        let id = self
            .insert_event(project_id, event, None, illustrative)
            .await?;
        self.history(project_id).await?.events.push(RecordedEvent {
            id,
            event: event.clone(),
            correction: None,
        });
        self.log::<(), _>(
            "event",
            &id.to_string(),
            "create",
            None,
            Some(&(project_code, event)),
        )
        .await?;
        Ok(Added::Added(id))
    }

    /// Queues an event for writing under a reserved id, which it returns at once.
    async fn insert_event(
        &mut self,
        project_id: i64,
        event: &StageEvent,
        correction: Option<&Correction>,
        illustrative: bool,
    ) -> Result<i64> {
        let id = self.reserve_id("events").await?;
        self.events.push(vec![
            Value::from(id),
            Value::from(project_id),
            Value::from(event.kind.code()),
            Value::from(event.date.format("%Y-%m-%d").to_string()),
            Value::from(event.amount.map(|m| m.units())),
            Value::from(event.company.as_ref().map(|c| c.as_str().to_owned())),
            Value::from(event.parcel.clone()),
            Value::from(event.note.clone()),
            Value::from(event.evidence.clone()),
            Value::from(correction.map(|c| c.corrects)),
            Value::from(correction.map(|c| c.reason.clone())),
            Value::from(i64::from(correction.is_some_and(|c| c.withdrawn))),
            Value::from(i64::from(illustrative)),
            Value::from(now_millis()),
            Value::from(self.actor.as_str()),
        ]);
        if self.events.is_full() {
            self.flush().await?;
        }
        Ok(id)
    }

    /// Corrects event `event_id` of a project: `replacement` is what it should have been, or
    /// `None` to withdraw it. The original stays; the correction is a new event with its reason.
    pub async fn correct_event(
        &mut self,
        project_code: &str,
        event_id: i64,
        replacement: Option<&StageEvent>,
        reason: &str,
    ) -> Result<i64> {
        let project_id = self.project_id(project_code).await?;
        let today = self.today;
        let history = self.history(project_id).await?;
        let ctx = RuleContext {
            today,
            project_signed_amount: history.signed_amount,
        };
        stage::check_correction(&history.events, event_id, replacement, reason, &ctx)?;
        let before = history
            .events
            .iter()
            .rev()
            .find(|r| {
                r.id == event_id
                    || r.correction
                        .as_ref()
                        .is_some_and(|c| c.corrects == event_id)
            })
            .map(|r| r.event.clone());
        let correction = Correction {
            corrects: event_id,
            reason: reason.trim().to_owned(),
            withdrawn: replacement.is_none(),
        };
        let stored = match replacement {
            Some(event) => event.clone(),
            // A withdrawal repeats the original so that the row stays readable on its own.
            None => before
                .clone()
                .ok_or_else(|| StoreError::invalid(stage::FIELD_KIND, "要更正的事件不存在"))?,
        };
        let id = self
            .insert_event(project_id, &stored, Some(&correction), false)
            .await?;
        self.history(project_id).await?.events.push(RecordedEvent {
            id,
            event: stored,
            correction: Some(correction.clone()),
        });
        self.log(
            "event",
            &event_id.to_string(),
            "correct",
            before.as_ref(),
            Some(&(replacement, &correction.reason)),
        )
        .await?;
        Ok(id)
    }

    /// Records money in place; an exact duplicate of an existing record is not added.
    pub async fn add_fund(&mut self, fund: &Fund) -> Result<Added> {
        // The fund's project may still be queued.
        self.flush().await?;
        let project_id = self.project_id(&fund.project_code).await?;
        self.check_listed(value_lists::FUND_SOURCE, "来源", fund.source.as_deref())
            .await?;
        let date = fund.date.format("%Y-%m-%d").to_string();
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
             illustrative, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
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
             outcome, project_id, illustrative, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
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
        .fetch_one(&mut *self.tx)
        .await?
        .try_get(0)?;
        self.log::<(), _>("visit", &id.to_string(), "create", None, Some(visit))
            .await?;
        Ok(Added::Added(id))
    }

    /// Sets a year's target for a unit, or for the city when `target.unit` is `None`.
    pub async fn upsert_target(&mut self, target: &Target) -> Result<Upserted> {
        let unit = self
            .resolve_opt(Named::Unit, "单位", target.unit.as_deref())
            .await?;
        let key = format!(
            "{}/{}/{}",
            target.year,
            target.unit.as_deref().unwrap_or("全市"),
            target.indicator.id()
        );
        let existing = sqlx::query(
            "SELECT id, value FROM targets WHERE year = $1 AND COALESCE(unit_id, 0) = $2 AND indicator = $3",
        )
        .bind(i64::from(target.year))
        .bind(unit.unwrap_or(0))
        .bind(target.indicator.id())
        .fetch_optional(&mut *self.tx)
        .await?;
        match existing {
            None => {
                sqlx::query(
                    "INSERT INTO targets (year, unit_id, indicator, value) VALUES ($1, $2, $3, $4)",
                )
                .bind(i64::from(target.year))
                .bind(unit)
                .bind(target.indicator.id())
                .bind(target.value)
                .execute(&mut *self.tx)
                .await?;
                self.log::<(), _>("target", &key, "create", None, Some(target))
                    .await?;
                Ok(Upserted::Inserted)
            }
            Some(row) => {
                let before: i64 = row.try_get(1)?;
                if before == target.value {
                    return Ok(Upserted::Unchanged);
                }
                sqlx::query("UPDATE targets SET value = $1 WHERE id = $2")
                    .bind(target.value)
                    .bind(row.try_get::<i64, _>(0)?)
                    .execute(&mut *self.tx)
                    .await?;
                self.log("target", &key, "update", Some(&before), Some(target))
                    .await?;
                Ok(Upserted::Updated)
            }
        }
    }
}
