//! Storage of zhaoshang's records on SQLite (the embedded default) or PostgreSQL.
//!
//! One set of SQL runs on both through sqlx's `Any` driver; see docs/decisions.md for why. The
//! store owns every query and the change log: each write goes through a [`Tx`], which records
//! who changed what (before and after) in the same transaction as the change. It checks records
//! with the domain's rules before writing them and never computes a figure itself.

mod access_log;
mod activity;
mod agencies;
mod amend;
mod audit;
mod batch;
mod blockers;
mod chains;
mod dialect;
mod elements;
mod enterprises;
mod error;
mod events;
mod factors;
pub(crate) mod figures;
mod financing;
mod mappings;
mod messages;
mod organisation;
mod packaged;
mod plans;
mod projects;
mod review;
mod roadmaps;
mod rows;
mod sheets;
mod tables;
#[cfg(feature = "testing")]
pub mod testing;
mod tx;
mod users;
mod visit_plans;
mod warnings;

use std::path::Path;

use chrono::{FixedOffset, NaiveDate, Utc};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor, Row};

pub use access_log::{AccessEntry, AccessFilter};
pub use activity::{FundLine, Withdrawn};
pub use agencies::{AgencyRecord, AttributedProject, ContractRecord};
pub use audit::{AUDIT_KEY_ENV, AuditFilter, AuditKey, ChangeEntry, sqlite_file};
pub use blockers::{BlockerFilter, BlockerNote, BlockerView};
pub use chains::{ChainPosition, Contact, SegmentRole};
pub use dialect::Backend;
pub use elements::QueuedElement;
pub use enterprises::{Group, GroupFirm, IndexedFirm, Merge, Moves, Written};
pub use error::StoreError;
pub use factors::FactorRecord;
pub use figures::Counted;
pub use mappings::SavedMapping;
pub use messages::{Channel, Message, NewMessage};
pub use organisation::{LeaderScope, TeamDetail};
pub use packaged::{PackagedFilter, PackagedRecord, PackagedSigned};
pub use plans::SixOnesGap;
pub use projects::duplicates::SuspectedDuplicate;
pub use projects::listing::{ProjectFilter, ProjectSort, ProjectSummary};
pub use projects::placements::PendingPlacement;
pub use projects::{ProjectRecord, ProjectStatus};
pub use review::{ReportKind, ReportedRecord, ReviewFilter, ReviewStep};
pub use roadmaps::{FirmActivity, ItemInput, RoadmapItem, RoadmapRecord};
pub use sheets::{SheetInfo, sha256_hex};
pub use tables::Table;
pub use tx::{Added, Named, Tx, Upserted};
pub use users::accounts;
pub use users::requests::{self, AccountChange, AccountRequest};
pub use users::tokens::{self, ApiToken};
pub use users::{Failure, Session, User};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How long a write waits for the one before it (an import may hold the turn for a minute).
const WRITE_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// The database used when no `--db` is given.
pub const DEFAULT_SQLITE_PATH: &str = "data/zhaoshang.db";

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The records the figures were last computed from, with the `data_version` they were
    /// read at (see `figures.rs`).
    facts: std::sync::Arc<std::sync::Mutex<Option<figures::CachedFacts>>>,
    /// One write transaction at a time in this process. Writers append to one audit chain, so
    /// the database orders them anyway (SQLite's write lock, the chain's row lock on
    /// PostgreSQL); waiting here keeps a waiting writer from holding a pooled connection that
    /// the running one may need for a read.
    writers: std::sync::Arc<tokio::sync::Semaphore>,
    /// The key the audit chain is keyed with (see `audit.rs`): every transaction of this store
    /// appends with it.
    audit_key: std::sync::Arc<audit::HeldKey>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the database at `url` (`sqlite:PATH` or `postgres://…`), creating a SQLite file and
    /// its folder if missing, and applies pending migrations. A PostgreSQL URL may choose a
    /// schema with `?options[search_path]=NAME`. The audit chain is keyed with the default key
    /// ([`AuditKey::default_for`]), the one the command line takes without `--audit-key`.
    pub async fn open(url: &str) -> Result<Self> {
        Self::open_with_key(url, AuditKey::default_for(url)?).await
    }

    /// As [`Store::open`], the audit chain keyed with `key`. A key file that does not exist is
    /// created only for a database whose chain is not keyed yet; a key other than the one the
    /// chain is keyed with is refused.
    pub async fn open_with_key(url: &str, key: AuditKey) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalise_url(url)?;
        if backend.is_sqlite()
            && let Some(parent) =
                sqlite_path(&url).and_then(|p| Path::new(p).parent().map(Path::to_path_buf))
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(&parent).map_err(|e| {
                StoreError::Config(format!("无法创建数据目录 {}: {e}", parent.display()))
            })?;
        }
        let options = AnyPoolOptions::new()
            .max_connections(backend.max_connections())
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend.is_sqlite() {
                        // WAL lets readers work while one writer writes; NORMAL sync is safe
                        // under WAL (a power cut may lose the last commits, never corrupt). A
                        // 32 MiB page cache keeps a large import's pages out of the WAL file,
                        // whose frame lookups otherwise dominate it.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -32768;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            });
        let pool = options.connect(&url).await?;
        let audit_key = audit::resolve_key(&pool, key).await?;
        let store = Store {
            pool,
            backend,
            facts: Default::default(),
            writers: std::sync::Arc::new(tokio::sync::Semaphore::new(1)),
            audit_key: std::sync::Arc::new(audit_key),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the migrations not yet applied; a no-op when the schema is current.
    pub async fn migrate(&self) -> Result<()> {
        // Absent on a new database, where every migration is new.
        let applied: Vec<i64> = sqlx::query("SELECT version FROM _sqlx_migrations")
            .fetch_all(&self.pool)
            .await
            .map(|rows| {
                rows.iter()
                    .filter_map(|r| r.try_get("version").ok())
                    .collect()
            })
            .unwrap_or_default();
        self.backend.migrator().run(&self.pool).await?;
        // Keyed before anything else is appended, so that a new database is keyed from its
        // first entry.
        self.key_chain().await?;
        // Migrations 3 and 4 add each project's derived state, which only the domain can
        // compute.
        if !applied.contains(&3) || !applied.contains(&4) {
            let mut tx = self.begin("system:migrate").await?;
            tx.refresh_project_states().await?;
            tx.commit().await?;
        }
        self.chain_legacy_entries().await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Starts a write transaction on behalf of `actor` (a user name, or `cli:NAME`).
    pub async fn begin(&self, actor: &str) -> Result<Tx> {
        self.begin_keyed(actor, true).await
    }

    /// As [`Store::begin`]; `keyed` false only for the transaction that keys the chain, the
    /// one write that may find it not keyed yet.
    pub(crate) async fn begin_keyed(&self, actor: &str, keyed: bool) -> Result<Tx> {
        let statement = self.backend.begin_write();
        let turn = tokio::time::timeout(WRITE_WAIT, self.writers.clone().acquire_owned())
            .await
            .map_err(|_| StoreError::Busy("其他写入正在进行，请稍后重试".into()))?
            .map_err(|_| StoreError::Busy("数据库已关闭".into()))?;
        let mut tx = self.pool.begin_with(statement).await?;
        // On PostgreSQL the row lock orders the writers of every server process; it is taken
        // first, before any other row, so that two writers never wait on each other's rows.
        let head = self.backend.chain_head_for_write();
        let row = sqlx::query(head).fetch_one(&mut *tx).await?;
        let hash: String = row.try_get("hash")?;
        let chain = domain::audit::Head {
            seq: row.try_get("seq")?,
            hash: domain::audit::from_hex(&hash)
                .ok_or_else(|| StoreError::Corrupt(format!("审计链头: {hash}")))?,
        };
        let keying = self.keying_for_write(&row, chain.seq)?;
        if keyed && keying.is_none() {
            return Err(audit::keying_missing());
        }
        Ok(Tx::new(
            tx,
            self.backend,
            actor,
            today_in_china(),
            chain,
            keying,
            turn,
        ))
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// Today's date where the city is: China keeps one time zone, UTC+8, with no summer time.
pub fn today_in_china() -> NaiveDate {
    match FixedOffset::east_opt(8 * 3600) {
        Some(offset) => Utc::now().with_timezone(&offset).date_naive(),
        None => Utc::now().date_naive(),
    }
}

fn normalise_url(url: &str) -> Result<(String, Backend)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((url.to_owned(), Backend::Postgres));
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| {
            StoreError::Config(format!(
                "不支持的数据库地址: {url}（应为 sqlite:路径 或 postgres://…）"
            ))
        })?;
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok((format!("sqlite://{path}?{query}"), Backend::Sqlite))
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://")?;
    Some(rest.split_once('?').map_or(rest, |(p, _)| p))
}

/// The URL of the default embedded database.
pub fn default_url() -> String {
    format!("sqlite:{DEFAULT_SQLITE_PATH}")
}

/// Milliseconds since the epoch, as instants are stored.
pub(crate) fn now_millis() -> i64 {
    Utc::now().timestamp_millis()
}
