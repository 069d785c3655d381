//! The audit log's hash chain in the database: entries written before it existed are chained
//! once, and [`Store::verify_audit`] walks the whole log against it (domain::audit).

use std::path::Path;

use domain::audit::{Head, StoredEntry, Verdict, Verifier};
use serde::Serialize;
use sqlx::Row;

use crate::{Backend, Result, Store, StoreError};

/// Entries read per query while verifying.
const PAGE: i64 = 10_000;

const ENTRY_SELECT: &str = "SELECT id, seq, hash, at, actor, entity, entity_key, entity_id, action, before_json, after_json \
     FROM change_log";

fn stored_entry(row: &sqlx::any::AnyRow) -> Result<StoredEntry> {
    Ok(StoredEntry {
        id: row.try_get("id")?,
        seq: row.try_get("seq")?,
        hash: row.try_get("hash")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        entity: row.try_get("entity")?,
        entity_key: row.try_get("entity_key")?,
        entity_id: row.try_get("entity_id")?,
        action: row.try_get("action")?,
        before: row.try_get("before_json")?,
        after: row.try_get("after_json")?,
    })
}

fn head_of(row: &sqlx::any::AnyRow) -> Result<Head> {
    let hash: String = row.try_get("hash")?;
    Ok(Head {
        seq: row.try_get("seq")?,
        hash: domain::audit::from_hex(&hash)
            .ok_or_else(|| StoreError::Corrupt(format!("审计链头: {hash}")))?,
    })
}

impl Store {
    /// Chains the entries written before migration 17, in the order they were written. Runs
    /// once, when the store is opened after the migration; afterwards `legacy_through` is 0.
    pub(crate) async fn chain_legacy_entries(&self) -> Result<()> {
        let legacy: i64 = sqlx::query("SELECT legacy_through FROM audit_chain WHERE id = 1")
            .fetch_one(self.pool())
            .await?
            .try_get("legacy_through")?;
        if legacy == 0 {
            return Ok(());
        }
        let mut tx = self.begin("system:migrate").await?;
        let mut head = tx.audit_head();
        let mut after = 0i64;
        loop {
            let sql = sqlx::AssertSqlSafe(format!(
                "{ENTRY_SELECT} WHERE seq IS NULL AND id > $1 AND id <= $2 ORDER BY id LIMIT {PAGE}"
            ));
            let rows = sqlx::query(sql)
                .bind(after)
                .bind(legacy)
                .fetch_all(tx.conn())
                .await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("id")?;
            for row in &rows {
                let e = stored_entry(row)?;
                let (seq, hash) = head.append(domain::audit::Entry {
                    seq: 0,
                    at: e.at,
                    actor: &e.actor,
                    entity: &e.entity,
                    entity_key: &e.entity_key,
                    entity_id: e.entity_id,
                    action: &e.action,
                    before: e.before.as_deref(),
                    after: e.after.as_deref(),
                });
                sqlx::query("UPDATE change_log SET seq = $1, hash = $2 WHERE id = $3")
                    .bind(seq)
                    .bind(domain::audit::to_hex(&hash))
                    .bind(e.id)
                    .execute(tx.conn())
                    .await?;
            }
        }
        tx.set_audit_head(head);
        sqlx::query("UPDATE audit_chain SET legacy_through = 0 WHERE id = 1")
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    /// Walks the whole audit log in one snapshot: the entries without a sequence number (never
    /// chained, so written around the application), then the chain in order, then the head the
    /// last commit recorded. Stops at the first breach.
    pub async fn verify_audit(&self) -> Result<Verdict> {
        let begin = self.backend().begin_snapshot();
        let mut tx = self.pool().begin_with(begin).await?;
        let recorded = head_of(
            &sqlx::query("SELECT seq, hash FROM audit_chain WHERE id = 1")
                .fetch_one(&mut *tx)
                .await?,
        )?;
        let mut verifier = Verifier::new();
        let mut last_id = None;
        let unchained = sqlx::AssertSqlSafe(format!(
            "{ENTRY_SELECT} WHERE seq IS NULL ORDER BY id LIMIT 1"
        ));
        if let Some(row) = sqlx::query(unchained).fetch_optional(&mut *tx).await? {
            verifier.check(&stored_entry(&row)?);
        }
        let mut after = i64::MIN;
        while !verifier.broken() {
            let sql = sqlx::AssertSqlSafe(format!(
                "{ENTRY_SELECT} WHERE seq > $1 ORDER BY seq LIMIT {PAGE}"
            ));
            let rows = sqlx::query(sql).bind(after).fetch_all(&mut *tx).await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("seq")?;
            for row in &rows {
                let entry = stored_entry(row)?;
                last_id = Some(entry.id);
                verifier.check(&entry);
            }
        }
        tx.rollback().await?;
        Ok(verifier.finish(recorded, last_id))
    }
}

/// Which entries the audit page lists: each filter an exact value when given.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub entity_key: Option<String>,
    /// Entries before this sequence number (the next page).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

impl Store {
    /// SQLite's own check of the file (`PRAGMA integrity_check`): "ok", or what is damaged.
    /// PostgreSQL keeps no such check to hand; it answers "ok" for its part.
    pub async fn integrity_check(&self) -> Result<String> {
        match self.backend() {
            Backend::Sqlite => {
                let rows = sqlx::query("PRAGMA integrity_check")
                    .fetch_all(self.pool())
                    .await?;
                let lines = rows
                    .iter()
                    .map(|r| r.try_get::<String, _>(0))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(lines.join("\n"))
            }
            Backend::Postgres => Ok("ok".into()),
        }
    }

    /// The newest entries first, as the 审计员 reads them.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<StoredEntry>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{ENTRY_SELECT} WHERE seq IS NOT NULL AND ($1 = '' OR actor = $1) AND ($2 = '' OR entity = $2) \
             AND ($3 = '' OR entity_key = $3) AND seq < $4 ORDER BY seq DESC LIMIT $5"
        ));
        let rows = sqlx::query(sql)
            .bind(filter.actor.clone().unwrap_or_default())
            .bind(filter.entity.clone().unwrap_or_default())
            .bind(filter.entity_key.clone().unwrap_or_default())
            .bind(filter.before_seq.unwrap_or(i64::MAX))
            .bind(filter.limit.clamp(1, 500))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(stored_entry).collect()
    }
}

impl Store {
    /// Writes a consistent copy of the whole database to `path` while others go on reading and
    /// writing (SQLite's `VACUUM INTO`: one read transaction's snapshot, compacted). The file
    /// must not exist. PostgreSQL is backed up with its own tools (README: pg_dump).
    pub async fn backup_to(&self, path: &Path) -> Result<()> {
        if !self.backend().is_sqlite() {
            return Err(StoreError::Config(
                "PostgreSQL 数据库请用 pg_dump/pg_restore 备份与恢复（见 README）".into(),
            ));
        }
        if path.exists() {
            return Err(StoreError::invalid(
                "备份文件",
                format!("{} 已存在，不会覆盖", path.display()),
            ));
        }
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::invalid("备份文件", "路径须为 UTF-8"))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

/// The file of a SQLite URL (`sqlite:PATH` or `sqlite://PATH`), `None` for PostgreSQL.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let (normal, backend) = crate::normalise_url(url).ok()?;
    backend
        .is_sqlite()
        .then(|| crate::sqlite_path(&normal).map(std::path::PathBuf::from))
        .flatten()
}

/// One entry of the change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub entity: String,
    pub entity_key: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

const CHANGE_SELECT: &str =
    "SELECT id, at, actor, entity, entity_key, action, before_json, after_json FROM change_log";

fn change_entry(row: &sqlx::any::AnyRow) -> Result<ChangeEntry> {
    Ok(ChangeEntry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        entity: row.try_get("entity")?,
        entity_key: row.try_get("entity_key")?,
        action: row.try_get("action")?,
        before: row.try_get("before_json")?,
        after: row.try_get("after_json")?,
    })
}

impl Store {
    /// The change log of one record (`entity` and its key), oldest first. A firm's entries
    /// are found by its id: [`Store::firm_changes`].
    pub async fn changes_of(&self, entity: &str, key: &str) -> Result<Vec<ChangeEntry>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CHANGE_SELECT} WHERE entity = $1 AND entity_key = $2 AND entity_id IS NULL ORDER BY id"
        )))
        .bind(entity)
        .bind(key)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(change_entry).collect()
    }

    /// The change log of the firm `id` of the 招商大数据库, oldest first.
    pub async fn firm_changes(&self, id: i64) -> Result<Vec<ChangeEntry>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CHANGE_SELECT} WHERE entity = 'enterprise' AND entity_id = $1 ORDER BY id"
        )))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(change_entry).collect()
    }
}
