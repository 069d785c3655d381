//! The audit log's hash chain in the database: entries written before it existed are chained
//! once, the chain is keyed with a secret kept outside the database ([`AuditKey`]), and
//! [`Store::verify_audit`] walks the whole log against it (domain::audit).

use std::path::{Path, PathBuf};

use domain::audit::{Head, Key, Keying, StoredEntry, Verdict, Verifier};
use serde::Serialize;
use sqlx::Row;

use crate::{Backend, Result, Store, StoreError};

/// Entries read per query while verifying.
const PAGE: i64 = 10_000;

pub(crate) const ENTRY_SELECT: &str = "SELECT id, seq, hash, at, actor, entity, entity_key, entity_id, action, before_json, after_json \
     FROM change_log";

pub(crate) fn stored_entry(row: &sqlx::any::AnyRow) -> Result<StoredEntry> {
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

/// The environment variable naming the audit key file, read by the command line's
/// `--audit-key` and by [`AuditKey::default_for`] alike, so that a test's store and the binary
/// it starts agree.
pub const AUDIT_KEY_ENV: &str = "ZHAOSHANG_AUDIT_KEY";

/// Where the key of the audit chain comes from.
#[derive(Debug, Clone)]
pub enum AuditKey {
    /// A file of 64 hex digits, readable by its owner only. Created (32 random bytes, mode
    /// 0600) when it does not exist and the database's chain is not keyed yet.
    File(PathBuf),
    /// A key held in memory: an in-memory database, a copy opened with its original's key.
    Given(Key),
}

impl AuditKey {
    /// The key a store takes unless told otherwise: a new one held in memory for an in-memory
    /// SQLite database, which nothing can reopen; else the file [`AUDIT_KEY_ENV`] names, else
    /// `$XDG_CONFIG_HOME/zhaoshang/audit.key` (`~/.config/zhaoshang/audit.key`). One file for
    /// every database of the account rather than one beside each: a backup restored elsewhere
    /// keeps its key, and a copy of the data folder does not carry the key with it.
    pub fn default_for(url: &str) -> Result<AuditKey> {
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Ok(AuditKey::Given(Key::from_bytes(
                crate::users::accounts::random_bytes::<32>()?,
            )));
        }
        let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        if let Some(path) = set(AUDIT_KEY_ENV) {
            return Ok(AuditKey::File(PathBuf::from(path)));
        }
        let config = set("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| set("HOME").map(|home| PathBuf::from(home).join(".config")))
            .ok_or_else(|| {
                StoreError::Config(format!(
                    "找不到审计密钥的默认位置（未设置 HOME）：请用 --audit-key 或 {AUDIT_KEY_ENV} 指定密钥文件"
                ))
            })?;
        Ok(AuditKey::File(config.join("zhaoshang").join("audit.key")))
    }
}

/// The key a store appends with, and where it came from, for messages.
pub(crate) struct HeldKey {
    key: Key,
    origin: String,
}

/// The key `source` gives, for the database behind `pool` (before its migrations: the chain's
/// keying may not exist yet). A missing key file is created only when the chain is not keyed:
/// for a keyed chain a new key could verify nothing, so the operator is sent to the old one.
pub(crate) async fn resolve_key(pool: &sqlx::AnyPool, source: AuditKey) -> Result<HeldKey> {
    let path = match source {
        AuditKey::Given(key) => {
            return Ok(HeldKey {
                key,
                origin: "程序给定的审计密钥".into(),
            });
        }
        AuditKey::File(path) => path,
    };
    let origin = format!("审计密钥文件 {}", path.display());
    if let Some(key) = read_key_file(&path)? {
        return Ok(HeldKey { key, origin });
    }
    // Before migration 21 the column is missing and the query fails: not keyed.
    let keyed_with: Option<String> =
        sqlx::query("SELECT key_fingerprint FROM audit_chain WHERE id = 1")
            .fetch_optional(pool)
            .await
            .ok()
            .flatten()
            .and_then(|row| {
                row.try_get::<Option<String>, _>("key_fingerprint")
                    .ok()
                    .flatten()
            });
    if let Some(fingerprint) = keyed_with {
        return Err(StoreError::Config(format!(
            "{origin} 不存在，而数据库的审计链已用指纹为 {fingerprint} 的密钥签名：\
             请用 --audit-key（或 {AUDIT_KEY_ENV}）指向原来的密钥文件（见 README「审计密钥」）"
        )));
    }
    let key = create_key_file(&path)?;
    Ok(HeldKey { key, origin })
}

/// The key in the file at `path`, `None` when there is no file. A file that others may read
/// or write is refused before it is read.
fn read_key_file(path: &Path) -> Result<Option<Key>> {
    let shown = path.display();
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(StoreError::Config(format!(
                "无法读取审计密钥文件 {shown}: {e}"
            )));
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(StoreError::Config(format!(
                "审计密钥文件 {shown} 的权限为 {mode:o}，其他用户也能读写：\
                 请执行 chmod 600 {shown}，只让运行服务的账号读取"
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = metadata;
    let text = std::fs::read_to_string(path)
        .map_err(|e| StoreError::Config(format!("无法读取审计密钥文件 {shown}: {e}")))?;
    Key::from_hex(text.trim()).map(Some).ok_or_else(|| {
        StoreError::Config(format!(
            "审计密钥文件 {shown} 的内容不是审计密钥（应为一行 64 位十六进制数字）"
        ))
    })
}

/// A new key written to `path` (mode 0600, its folder 0700 if created). The file is written
/// under a name of its own and linked into place, so that a process starting at the same
/// moment reads either no file or a whole one, and both end with the same key.
fn create_key_file(path: &Path) -> Result<Key> {
    use std::io::Write as _;
    let shown = path.display();
    let failed =
        |e: std::io::Error| StoreError::Config(format!("无法创建审计密钥文件 {shown}: {e}"));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(failed)?;
    }
    let key = Key::from_bytes(crate::users::accounts::random_bytes::<32>()?);
    let suffix = hex::encode(crate::users::accounts::random_bytes::<8>()?);
    let mut staged = path.as_os_str().to_owned();
    staged.push(format!(".{suffix}.new"));
    let staged = PathBuf::from(staged);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&staged).and_then(|mut file| {
        file.write_all(format!("{}\n", key.to_hex()).as_bytes())?;
        file.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&staged, path));
    let _ = std::fs::remove_file(&staged);
    match linked {
        Ok(()) => Ok(key),
        // Another process created it first: its key is the one.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_key_file(path)?
            .ok_or_else(|| StoreError::Config(format!("审计密钥文件 {shown} 刚被删除"))),
        Err(e) => Err(failed(e)),
    }
}

/// Why a write is refused on a chain whose keying record is gone.
pub(crate) fn keying_missing() -> StoreError {
    StoreError::Corrupt(
        "审计链的签名记录缺失（audit_chain.keyed_from 为空），数据库可能被人改动：\
         请运行 zhaoshang audit verify"
            .into(),
    )
}

impl Store {
    /// The fingerprint of the key this store appends with (never the key).
    pub fn audit_key_fingerprint(&self) -> String {
        self.audit_key.key.fingerprint()
    }

    /// This store's key, to open a copy of the database with (a backup being checked).
    pub fn audit_key(&self) -> AuditKey {
        AuditKey::Given(self.audit_key.key.clone())
    }

    /// Refuses a chain keyed with another key than this store's.
    fn check_fingerprint(&self, recorded: Option<&str>) -> Result<()> {
        let ours = self.audit_key.key.fingerprint();
        match recorded {
            Some(theirs) if theirs != ours => Err(StoreError::Config(format!(
                "审计密钥与数据库不符：数据库的审计链用指纹为 {theirs} 的密钥签名，\
                 {} 的密钥指纹是 {ours}。请用 --audit-key（或 {AUDIT_KEY_ENV}）\
                 指向原来的密钥文件（见 README「审计密钥」）",
                self.audit_key.origin
            ))),
            _ => Ok(()),
        }
    }

    /// How a write transaction keys what it appends, from the head's row as
    /// [`crate::Backend::chain_head_for_write`] reads it: `None` while the chain is not keyed.
    pub(crate) fn keying_for_write(
        &self,
        row: &sqlx::any::AnyRow,
        head_seq: i64,
    ) -> Result<Option<Keying>> {
        let fingerprint: Option<String> = row.try_get("key_fingerprint")?;
        self.check_fingerprint(fingerprint.as_deref())?;
        let from: Option<i64> = row.try_get("keyed_from")?;
        match from {
            None => Ok(None),
            Some(from) if (1..=head_seq + 1).contains(&from) => Ok(Some(Keying {
                key: self.audit_key.key.clone(),
                from,
            })),
            Some(from) => Err(StoreError::Corrupt(format!(
                "审计链的签名起点（第 {from} 条）不在链上（链头为第 {head_seq} 条），\
                 数据库可能被人改动：请运行 zhaoshang audit verify"
            ))),
        }
    }

    /// Keys the chain from the next entry on, once: a new database from its first entry, one
    /// written by an earlier version after the entries it holds. Afterwards only checks that
    /// the chain is keyed with this store's key (in [`Store::begin_keyed`]).
    pub(crate) async fn key_chain(&self) -> Result<()> {
        let mut tx = self.begin_keyed("system:audit-key", false).await?;
        if tx.audit_keying().is_some() {
            return tx.rollback().await;
        }
        let keying = Keying {
            key: self.audit_key.key.clone(),
            from: tx.audit_head().seq + 1,
        };
        sqlx::query(
            "UPDATE audit_chain SET keyed_from = $1, key_fingerprint = $2, key_tag = $3 WHERE id = 1",
        )
        .bind(keying.from)
        .bind(keying.key.fingerprint())
        .bind(domain::audit::to_hex(&keying.tag()))
        .execute(tx.conn())
        .await?;
        tx.commit().await
    }

    /// The hash the entry numbered `seq` holds, `None` when there is no such entry.
    pub async fn audit_hash_at(&self, seq: i64) -> Result<Option<String>> {
        let row = sqlx::query("SELECT hash FROM change_log WHERE seq = $1")
            .bind(seq)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| r.try_get::<Option<String>, _>("hash"))
            .transpose()
            .map(Option::flatten)
            .map_err(Into::into)
    }
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
        let keying = tx.audit_keying().cloned();
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
                let (seq, hash) = head.append(e.entry(0), keying.as_ref());
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

    /// Walks the whole audit log in one snapshot: the keying the head records (signed by this
    /// store's key), the entries without a sequence number (never chained, so written around
    /// the application), then the chain in order, then the head the last commit recorded.
    /// Stops at the first breach. A chain keyed with another key is an error, not a breach.
    pub async fn verify_audit(&self) -> Result<Verdict> {
        let begin = self.backend().begin_snapshot();
        let mut tx = self.pool().begin_with(begin).await?;
        let chain = sqlx::query(
            "SELECT seq, hash, keyed_from, key_fingerprint, key_tag FROM audit_chain WHERE id = 1",
        )
        .fetch_one(&mut *tx)
        .await?;
        let recorded = head_of(&chain)?;
        let fingerprint: Option<String> = chain.try_get("key_fingerprint")?;
        self.check_fingerprint(fingerprint.as_deref())?;
        let keyed_from: Option<i64> = chain.try_get("keyed_from")?;
        let tag: Option<String> = chain.try_get("key_tag")?;
        let keying = match Keying::recorded(
            self.audit_key.key.clone(),
            keyed_from,
            tag.as_deref(),
            recorded.seq,
        ) {
            Ok(keying) => keying,
            Err(breach) => {
                tx.rollback().await?;
                return Ok(Verdict {
                    checked: 0,
                    head: Head::EMPTY,
                    breach: Some(breach),
                    keyed_from,
                });
            }
        };
        let mut verifier = Verifier::new(Some(keying));
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
