//! Fresh databases for tests, one per test: a SQLite file in its own temporary folder, or a
//! schema of its own on the PostgreSQL server named by `ZHAOSHANG_TEST_PG`.
//!
//! Tests of the PostgreSQL suite are named `pg_…`; `scripts/test` runs them only when that
//! variable is set, and they fail loudly (never pass vacuously) when run without it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{ConnectOptions, Executor};

use crate::{Result, Store};

pub const PG_ENV: &str = "ZHAOSHANG_TEST_PG";

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDb {
    /// The URL to pass to [`Store::open`] or to the CLI's `--db`.
    pub url: String,
    dir: Option<PathBuf>,
    schema: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(unique("zhaoshang_test"));
        let url = format!("sqlite:{}", dir.join("test.db").display());
        TestDb {
            url,
            dir: Some(dir),
            schema: None,
        }
    }

    /// A new schema on the server in `ZHAOSHANG_TEST_PG`.
    ///
    /// # Panics
    /// When the variable is not set: a PostgreSQL test that cannot reach PostgreSQL fails.
    pub async fn postgres() -> Self {
        let Ok(base) = std::env::var(PG_ENV) else {
            panic!("{PG_ENV} is not set: the PostgreSQL suite needs a server (see README.md)");
        };
        let schema = unique("zt");
        sqlx::any::install_default_drivers();
        let mut conn = match sqlx::any::AnyConnectOptions::from_url(
            &base.parse().expect("ZHAOSHANG_TEST_PG is a URL"),
        ) {
            Ok(options) => options
                .connect()
                .await
                .expect("connect to ZHAOSHANG_TEST_PG"),
            Err(e) => panic!("bad {PG_ENV}: {e}"),
        };
        conn.execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .await
            .expect("create test schema");
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options[search_path]={schema}");
        TestDb {
            url,
            dir: None,
            schema: Some((base, schema)),
        }
    }

    /// The store on this database, its audit chain keyed with the default key
    /// ([`crate::AuditKey::default_for`]): the one the binary takes when a test runs it on the
    /// same database without `--audit-key`, so that both append to one chain.
    pub async fn open(&self) -> Result<Store> {
        Store::open(&self.url).await
    }

    /// The store on this database, its audit chain keyed with `key`.
    pub async fn open_with_key(&self, key: crate::AuditKey) -> Result<Store> {
        Store::open_with_key(&self.url, key).await
    }

    /// Runs SQL on the database behind the store's back, as a tamperer with database access
    /// would; returns the error text when the database refuses it.
    pub async fn execute_behind_the_store(&self, sql: &str) -> std::result::Result<(), String> {
        sqlx::any::install_default_drivers();
        let url = self.url.parse().map_err(|e| format!("{e}"))?;
        let mut conn = sqlx::any::AnyConnectOptions::from_url(&url)
            .map_err(|e| e.to_string())?
            .connect()
            .await
            .map_err(|e| e.to_string())?;
        conn.execute(sqlx::AssertSqlSafe(sql.to_owned()))
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Removes the database; call at the end of a test that passed.
    pub async fn cleanup(self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((base, schema)) = &self.schema
            && let Ok(url) = base.parse()
            && let Ok(options) = sqlx::any::AnyConnectOptions::from_url(&url)
            && let Ok(mut conn) = options.connect().await
        {
            let _ = conn
                .execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .await;
        }
    }
}

/// Runs each named test twice, as `NAME::on_sqlite` on a fresh SQLite file and as
/// `NAME::on_postgres` in a fresh PostgreSQL schema. Each `NAME` is an ordinary function of the
/// calling module, `async fn NAME(db: &TestDb)`, so that rustfmt formats its body; the database
/// is removed after it returns (and kept, for a look, when it panics).
///
/// ```text
/// async fn a_project_is_kept(db: &TestDb) { … }
/// async fn a_unit_is_kept(db: &TestDb) { … }
///
/// both_databases!(a_project_is_kept, a_unit_is_kept);
/// ```
#[macro_export]
macro_rules! both_databases {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn on_sqlite() {
                    let db = $crate::testing::TestDb::sqlite();
                    super::$name(&db).await;
                    db.cleanup().await;
                }

                #[tokio::test]
                async fn on_postgres() {
                    let db = $crate::testing::TestDb::postgres().await;
                    super::$name(&db).await;
                    db.cleanup().await;
                }
            }
        )+
    };
}
