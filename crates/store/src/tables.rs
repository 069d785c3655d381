//! Queries that read records back as domain values. The row-level helpers take a connection, so that a [`Tx`]
//! reads its own writes through the same code as the [`Store`] reads committed data.
//!
//! [`Tx`]: crate::Tx

use sqlx::Row;

use crate::{Result, Store};

impl Store {
    /// How many rows a table holds; for tests, benchmarks and the CLI's summaries.
    pub async fn count(&self, table: Table) -> Result<i64> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS count FROM {}", table.name()));
        Ok(sqlx::query(sql)
            .fetch_one(self.pool())
            .await?
            .try_get("count")?)
    }
}

/// The tables whose rows [`Store::count`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Units,
    Leaders,
    Chains,
    Teams,
    Enterprises,
    Projects,
    Events,
    Funds,
    Visits,
    Targets,
    ChangeLog,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Units => "units",
            Table::Leaders => "leaders",
            Table::Chains => "chains",
            Table::Teams => "teams",
            Table::Enterprises => "enterprises",
            Table::Projects => "projects",
            Table::Events => "events",
            Table::Funds => "funds",
            Table::Visits => "visits",
            Table::Targets => "targets",
            Table::ChangeLog => "change_log",
        }
    }
}
