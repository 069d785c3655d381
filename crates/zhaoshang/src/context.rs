//! What every command is given: the database and index the global options name, and who is
//! recorded in the change log.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use store::Store;

/// The global options, resolved once.
pub struct Context {
    /// `--db` (or `ZHAOSHANG_DB`); `None` takes the default SQLite file.
    pub db: Option<String>,
    /// `--index` (or `ZHAOSHANG_INDEX`); `None` takes the default beside the database.
    pub index: Option<PathBuf>,
}

impl Context {
    /// The database URL the command works on.
    pub fn url(&self) -> String {
        self.db.clone().unwrap_or_else(store::default_url)
    }

    /// Opens (and migrates) the database.
    pub async fn open(&self) -> Result<Store> {
        open_url(&self.url()).await
    }

    /// The directory of the enterprise search index for this database.
    pub fn index_dir(&self) -> Option<PathBuf> {
        crate::find::index_dir(self.index.as_deref(), &self.url())
    }
}

/// Opens (and migrates) the database at `url`; the error names it without its password.
pub async fn open_url(url: &str) -> Result<Store> {
    Store::open(url)
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
