//! Writes. Every change goes through a [`Tx`], which checks the record with the domain's rules,
//! resolves the names it refers to, writes it, and logs who changed what in the same
//! transaction. Each method resolves and checks everything before its first write, so that a
//! rejected record leaves the transaction as it was and the caller may go on collecting errors.

pub(crate) use crate::events::derived_state;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use domain::stage::RecordedEvent;
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use crate::batch::{Batch, Value};
use crate::{Backend, Result, StoreError, now_millis};

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Inserted,
    Updated,
    Unchanged,
}

impl Upserted {
    /// What a write that changed the record did: updated it if it was held, else inserted it.
    pub(crate) fn changed(held: bool) -> Self {
        if held {
            Upserted::Updated
        } else {
            Upserted::Inserted
        }
    }
}

/// What an append did: an exact duplicate of an existing record is reported, not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    Added(i64),
    Duplicate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Named {
    Unit,
    Leader,
    Chain,
    Team,
    Project,
}

impl Named {
    pub(crate) fn query(self) -> &'static str {
        match self {
            Named::Unit => "SELECT name, id FROM units",
            Named::Leader => "SELECT name, id FROM leaders",
            Named::Chain => "SELECT name, id FROM chains",
            Named::Team => "SELECT name, id FROM teams",
            Named::Project => "SELECT code AS name, id FROM projects",
        }
    }

    pub(crate) fn noun(self) -> &'static str {
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
    pub(crate) tx: Transaction<'static, Any>,
    pub(crate) actor: String,
    pub(crate) today: NaiveDate,
    pub(crate) names: HashMap<Named, HashMap<String, i64>>,
    pub(crate) value_lists: HashMap<String, Vec<String>>,
    pub(crate) histories: HashMap<i64, History>,
    pub(crate) backend: Backend,
    pub(crate) reserved: HashMap<&'static str, Reserved>,
    // Queued rows, flushed in this order so that foreign keys hold.
    pub(crate) projects: Batch,
    pub(crate) credits: Batch,
    pub(crate) events: Batch,
    pub(crate) log: Batch,
    /// Projects whose events or signed amount changed: their derived state is rewritten at
    /// the next flush.
    pub(crate) dirty: HashSet<i64>,
    /// Whether anything was logged, i.e. a business record changed: the commit then moves
    /// `data_version` on.
    pub(crate) changed: bool,
    /// The review state new events, funds and visits start in (approved unless the web layer
    /// says the actor is a unit's staff).
    pub(crate) entry_review: domain::review::ReviewState,
    /// The enterprise_revision this transaction writes firms at, once it has written one.
    pub(crate) enterprise_revision: Option<i64>,
    /// Projects created in this transaction by (investor, county): the duplicate check sees
    /// them before they are written.
    pub(crate) fresh_projects: HashMap<(i64, i64), Vec<(i64, String)>>,
    /// Investors this transaction looked up or created, by (credit code, or name when it has
    /// none): a ledger names the same firm on many rows.
    pub(crate) firm_ids: HashMap<String, i64>,
    /// Every firm held is in `firm_ids` (`preload_firms`): a miss there means none, without
    /// asking the database.
    pub(crate) firms_loaded: bool,
    /// Firms this transaction created: they have no stored projects to compare a new one with.
    pub(crate) fresh_firms: HashSet<i64>,
    /// New projects held as suspected duplicates (id, original id), marked at commit.
    pub(crate) held_duplicates: Vec<(i64, i64)>,
    /// Indexes dropped for a bulk load (their CREATE statements), built again at commit.
    pub(crate) deferred_indexes: Vec<String>,
    /// The audit chain's head as this transaction's entries move it; written back at commit.
    pub(crate) chain: domain::audit::Head,
    /// Which entries are hashed with the store's key (all from `from` on); `None` only in the
    /// transaction that keys the chain.
    pub(crate) keying: Option<domain::audit::Keying>,
    /// The head's sequence number when the transaction began.
    pub(crate) chain_start: i64,
    /// This process's turn to write (see [`crate::Store::begin`]).
    pub(crate) _turn: tokio::sync::OwnedSemaphorePermit,
}

/// A project's stored events and signed amount, as the stage rules need them.
#[derive(Default)]
pub(crate) struct History {
    pub(crate) signed_amount: Option<domain::Money>,
    pub(crate) events: Vec<RecordedEvent>,
}

/// Ids reserved for one table (see [`Tx::reserve_id`]).
#[derive(Default)]
pub(crate) struct Reserved {
    pub(crate) ids: Vec<i64>,
    pub(crate) sqlite_next: Option<i64>,
}

const PROJECT_INSERT: &str = "INSERT INTO projects (id, code, name, enterprise_id, chain_id, territory_unit_id, \
     leader_id, team_id, source_mode, capital_origin, currency, planned_investment, signed_amount, key_project, \
     illustrative, created_at, updated_at) VALUES ";
const CREDIT_INSERT: &str = "INSERT INTO project_credits (project_id, unit_id, position) VALUES ";
const EVENT_INSERT: &str = "INSERT INTO events (id, project_id, kind, event_date, amount, company_code, parcel, \
     note, evidence, corrects_id, correction_reason, withdrawn, illustrative, created_at, created_by, review) VALUES ";
const LOG_INSERT: &str = "INSERT INTO change_log (at, actor, entity, entity_key, entity_id, action, before_json, after_json, seq, hash) VALUES ";

/// A record as the change log keeps it. These records hold no maps with non-string keys, the
/// one thing that makes serde_json fail, so an empty string here would mean a bug, not bad
/// input.
pub(crate) fn json<T: Serialize + ?Sized>(record: &T) -> String {
    serde_json::to_string(record).unwrap_or_default()
}

impl Tx {
    pub(crate) fn new(
        tx: Transaction<'static, Any>,
        backend: Backend,
        actor: &str,
        today: NaiveDate,
        chain: domain::audit::Head,
        keying: Option<domain::audit::Keying>,
        turn: tokio::sync::OwnedSemaphorePermit,
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
            events: Batch::new(EVENT_INSERT, 16),
            log: Batch::unconstrained(LOG_INSERT, 10),
            dirty: HashSet::new(),
            changed: false,
            entry_review: domain::review::ReviewState::Approved,
            enterprise_revision: None,
            fresh_projects: HashMap::new(),
            firm_ids: HashMap::new(),
            firms_loaded: false,
            fresh_firms: HashSet::new(),
            held_duplicates: Vec::new(),
            deferred_indexes: Vec::new(),
            chain_start: chain.seq,
            chain,
            keying,
            _turn: turn,
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
        self.mark_held_duplicates().await?;
        // Nothing inside a transaction reads the derived states, so each touched project's is
        // written once, here.
        self.write_states().await?;
        for create in std::mem::take(&mut self.deferred_indexes) {
            sqlx::query(sqlx::AssertSqlSafe(create))
                .execute(&mut *self.tx)
                .await?;
        }
        if self.changed {
            sqlx::query("UPDATE data_version SET version = version + 1 WHERE id = 1")
                .execute(&mut *self.tx)
                .await?;
        }
        if self.chain.seq != self.chain_start {
            sqlx::query("UPDATE audit_chain SET seq = $1, hash = $2 WHERE id = 1")
                .bind(self.chain.seq)
                .bind(domain::audit::to_hex(&self.chain.hash))
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        Ok(())
    }

    /// The audit chain's head as this transaction has moved it.
    pub(crate) fn audit_head(&self) -> domain::audit::Head {
        self.chain
    }

    /// How this transaction keys the entries it appends.
    pub(crate) fn audit_keying(&self) -> Option<&domain::audit::Keying> {
        self.keying.as_ref()
    }

    /// Moves the head past entries chained outside [`Tx::log_json`] (the entries written
    /// before the chain existed); written at commit.
    pub(crate) fn set_audit_head(&mut self, head: domain::audit::Head) {
        self.chain = head;
    }

    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }

    pub(crate) async fn log<B: Serialize, A: Serialize>(
        &mut self,
        entity: &'static str,
        key: &str,
        action: &'static str,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<()> {
        self.log_json(entity, key, None, action, before.map(json), after.map(json))
            .await
    }

    /// As [`Tx::log`] for an event that changes no business record (a sign-in, a lockout): it
    /// joins the audit chain but leaves `data_version`, so the figures are not read again.
    pub(crate) async fn log_security<A: Serialize>(
        &mut self,
        entity: &'static str,
        key: &str,
        action: &'static str,
        after: Option<&A>,
    ) -> Result<()> {
        let changed = self.changed;
        self.log_json(entity, key, None, action, None, after.map(json))
            .await?;
        self.changed = changed;
        Ok(())
    }

    /// As [`Tx::log`] with before and after already in JSON ([`json`]), and for a record found
    /// by its id as well as its key (firms: see migration 16).
    pub(crate) async fn log_json(
        &mut self,
        entity: &'static str,
        key: &str,
        id: Option<i64>,
        action: &'static str,
        before: Option<String>,
        after: Option<String>,
    ) -> Result<()> {
        self.changed = true;
        let at = now_millis();
        let (seq, hash) = self.chain.append(
            domain::audit::Entry {
                seq: 0,
                at,
                actor: &self.actor,
                entity,
                entity_key: key,
                entity_id: id,
                action,
                before: before.as_deref(),
                after: after.as_deref(),
            },
            self.keying.as_ref(),
        );
        let row = vec![
            Value::from(at),
            Value::from(self.actor.as_str()),
            Value::from(entity),
            Value::from(key),
            Value::from(id),
            Value::from(action),
            Value::from(before),
            Value::from(after),
            Value::from(seq),
            Value::from(domain::audit::to_hex(&hash)),
        ];
        self.log.push(row);
        if self.log.is_full() {
            self.log.flush(&mut self.tx, self.backend).await?;
        }
        Ok(())
    }

    /// Who the change log names for this transaction's changes.
    /// Records entered from now on start in `state` of the reporting cycle: what the web
    /// layer sets for a unit's staff. Everything else (the bureau, the command line, imports)
    /// is approved on entry.
    pub fn enter_as(&mut self, state: domain::review::ReviewState) {
        self.entry_review = state;
    }

    /// Drops a project's cached history after its events changed underneath it (a review),
    /// and marks its derived state for rewriting.
    pub(crate) fn forget_history(&mut self, project_id: i64) {
        self.histories.remove(&project_id);
        self.dirty.insert(project_id);
    }

    pub(crate) fn entry_review(&self) -> domain::review::ReviewState {
        self.entry_review
    }

    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn actor_name(&self) -> &str {
        &self.actor
    }

    /// The transaction's connection, for writes outside the queued tables.
    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// The id of the leader named in `field`, or an error naming the field.
    pub(crate) async fn leader_id(&mut self, field: &str, name: &str) -> Result<i64> {
        self.resolve(Named::Leader, field, name).await
    }

    /// The id of the unit named in `field`, or an error naming the field.
    pub(crate) async fn team_id(&mut self, field: &str, name: &str) -> Result<i64> {
        self.resolve(Named::Team, field, name).await
    }

    pub(crate) async fn unit_id(&mut self, field: &str, name: &str) -> Result<i64> {
        self.resolve(Named::Unit, field, name).await
    }

    /// Writes every queued row, parents before children.
    pub(crate) async fn flush(&mut self) -> Result<()> {
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
    pub(crate) async fn reserve_id(&mut self, table: &'static str) -> Result<i64> {
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

    pub(crate) async fn names(&mut self, kind: Named) -> Result<&mut HashMap<String, i64>> {
        if !self.names.contains_key(&kind) {
            let rows = sqlx::query(kind.query()).fetch_all(&mut *self.tx).await?;
            let map = rows
                .iter()
                .map(|r| Ok((r.try_get::<String, _>("name")?, r.try_get::<i64, _>("id")?)))
                .collect::<Result<HashMap<_, _>>>()?;
            self.names.insert(kind, map);
        }
        Ok(self.names.entry(kind).or_default())
    }

    pub(crate) async fn find(&mut self, kind: Named, name: &str) -> Result<Option<i64>> {
        Ok(self.names(kind).await?.get(name).copied())
    }

    /// The id of a record named in `field`, or an error naming the field.
    /// Whether a project with this code is held or written in this transaction: an import
    /// names an unknown code in the same pass as the row's other bad cells.
    pub async fn project_known(&mut self, code: &str) -> Result<bool> {
        Ok(self.find(Named::Project, code).await?.is_some())
    }

    /// The refusal `field` would get for naming `name` if no record of `kind` has that name:
    /// a file row whose other cells are bad never reaches the write that would say so, and
    /// learns of its unknown names in the same pass.
    pub async fn unknown_name(
        &mut self,
        kind: Named,
        field: &str,
        name: &str,
    ) -> Result<Option<domain::FieldError>> {
        match self.resolve(kind, field, name).await {
            Ok(_) => Ok(None),
            Err(StoreError::Invalid(e)) => Ok(Some(e)),
            Err(other) => Err(other),
        }
    }

    pub(crate) async fn resolve(&mut self, kind: Named, field: &str, name: &str) -> Result<i64> {
        self.find(kind, name).await?.ok_or_else(|| {
            StoreError::invalid(
                field,
                format!("{}“{name}”不存在，请先录入或导入", kind.noun()),
            )
        })
    }

    pub(crate) async fn resolve_opt(
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

    pub(crate) async fn remember(&mut self, kind: Named, name: &str, id: i64) -> Result<()> {
        self.names(kind).await?.insert(name.to_owned(), id);
        Ok(())
    }

    /// Checks a value against an editable value list.
    pub(crate) async fn check_listed(
        &mut self,
        list: &str,
        field: &str,
        value: Option<&str>,
    ) -> Result<()> {
        let Some(value) = value else { return Ok(()) };
        if !self.value_lists.contains_key(list) {
            let rows =
                sqlx::query("SELECT value FROM value_lists WHERE list = $1 ORDER BY position")
                    .bind(list)
                    .fetch_all(&mut *self.tx)
                    .await?;
            let values = rows
                .iter()
                .map(|r| r.try_get("value"))
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
}
