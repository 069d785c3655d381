//! What every command is given: the database, index and audit key the global options name,
//! and who is recorded in the change log.

use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::{Context as _, Result};
use store::{AuditKey, Store};

/// The global `--audit-key`, for [`open_url`], which opens a database other than `--db`'s
/// (`serve --demo`'s) where no [`Context`] is at hand: every store the process opens appends
/// with the same key.
static AUDIT_KEY: OnceLock<Option<PathBuf>> = OnceLock::new();

/// The global options, resolved once.
pub struct Context {
    /// `--db` (or `ZHAOSHANG_DB`); `None` takes the default SQLite file.
    pub db: Option<String>,
    /// `--index` (or `ZHAOSHANG_INDEX`); `None` takes the default beside the database.
    pub index: Option<PathBuf>,
    /// `--audit-key` (or `ZHAOSHANG_AUDIT_KEY`); `None` takes the store's default
    /// ([`AuditKey::default_for`]).
    pub audit_key: Option<PathBuf>,
}

impl Context {
    /// The options of this process; the first call decides the audit key for [`open_url`].
    pub fn new(db: Option<String>, index: Option<PathBuf>, audit_key: Option<PathBuf>) -> Self {
        let _ = AUDIT_KEY.set(audit_key.clone());
        Context {
            db,
            index,
            audit_key,
        }
    }

    /// The database URL the command works on.
    pub fn url(&self) -> String {
        self.db.clone().unwrap_or_else(store::default_url)
    }

    /// Where the audit key of the database at `url` comes from.
    pub fn audit_key(&self, url: &str) -> Result<AuditKey> {
        key_for(self.audit_key.as_ref(), url)
    }

    /// Opens (and migrates) the database.
    pub async fn open(&self) -> Result<Store> {
        let url = self.url();
        open_with(&url, self.audit_key(&url)?).await
    }

    /// The directory of the enterprise search index for this database.
    pub fn index_dir(&self) -> Option<PathBuf> {
        crate::find::index_dir(self.index.as_deref(), &self.url())
    }
}

/// Opens (and migrates) the database at `url` with the process's audit key; the error names
/// it without its password.
pub async fn open_url(url: &str) -> Result<Store> {
    let explicit = AUDIT_KEY.get().and_then(Option::as_ref);
    open_with(url, key_for(explicit, url)?).await
}

fn key_for(explicit: Option<&PathBuf>, url: &str) -> Result<AuditKey> {
    Ok(match explicit {
        Some(path) => AuditKey::File(path.clone()),
        None => AuditKey::default_for(url)?,
    })
}

async fn open_with(url: &str, key: AuditKey) -> Result<Store> {
    Store::open_with_key(url, key)
        .await
        .with_context(|| format!("无法打开数据库 {}", redact(url)))
}

/// A URL fit to print: any password replaced.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if url[scheme + 3..at].contains(':') => {
            let user_end = scheme + 3 + url[scheme + 3..at].find(':').unwrap_or(0);
            format!("{}:***{}", &url[..user_end], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Who a command's writes are logged as: `--actor` where a command takes it, else `cli:$USER`.
pub fn actor(explicit: Option<String>) -> String {
    explicit.unwrap_or_else(|| {
        format!(
            "cli:{}",
            std::env::var("USER").unwrap_or_else(|_| "unknown".into())
        )
    })
}
