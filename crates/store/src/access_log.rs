//! The access log: what the audit records besides changes — refused requests, data leaving the
//! system (exports, print views, API bulk reads) and every request made with an API token.
//! Appended outside any transaction of the request (a refused request has none, and a slow
//! audit must not hold a page back), never changed: the tables' triggers refuse UPDATE and
//! DELETE.

use serde::Serialize;
use sqlx::Row;

use domain::audit::StoredEntry;

use crate::audit::{ENTRY_SELECT, stored_entry};
use crate::{Result, Store};

/// One request as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessEntry {
    pub id: i64,
    /// Epoch milliseconds.
    pub at: i64,
    pub username: Option<String>,
    pub address: Option<String>,
    /// `refused`, `export`, `print`, `bulk_read`, `api_token`, `sign_in_throttled`.
    pub action: String,
    pub method: String,
    pub path: String,
    /// The query string as sent (filters of an export), cut to `MAX_TEXT` characters.
    pub query: Option<String>,
    pub status: i64,
}

/// Longest path or query kept; a longer one is cut (an oversized request is itself refused).
pub const MAX_TEXT: usize = 2_000;

/// Which entries the 审计员 asks for, of either log; every member narrows.
#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    /// From this time (epoch ms), inclusive.
    pub from: Option<i64>,
    /// Before this time (epoch ms).
    pub until: Option<i64>,
    pub username: Option<String>,
    pub action: Option<String>,
    /// The change log: the kind of record (`project`, `user`, `sign_in`…); the access log has none.
    pub entity: Option<String>,
    /// The record: the change log's key exactly (a project's code, a username); in the access
    /// log, part of the path.
    pub path: Option<String>,
}

fn cut(text: &str) -> String {
    text.chars().take(MAX_TEXT).collect()
}

const WHERE: &str = "WHERE at >= $1 AND at < $2 AND ($3 = '' OR username = $3) AND ($4 = '' OR action = $4) \
     AND ($5 = '' OR path LIKE $6)";

impl Store {
    /// Appends entries, as the web layer's background writer hands them over.
    pub async fn append_access(&self, entries: &[AccessEntry]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool().begin().await?;
        for e in entries {
            sqlx::query(
                "INSERT INTO access_log (at, username, address, action, method, path, query, status) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(e.at)
            .bind(e.username.as_deref().map(cut))
            .bind(e.address.as_deref().map(cut))
            .bind(&e.action)
            .bind(&e.method)
            .bind(cut(&e.path))
            .bind(e.query.as_deref().map(cut))
            .bind(e.status)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The entries the filter selects, newest first, `limit` from `offset`, and how many match.
    pub async fn access_entries(
        &self,
        filter: &AccessFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<AccessEntry>, i64)> {
        let path = filter.path.clone().unwrap_or_default();
        let like = format!(
            "%{}%",
            path.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let bind = |sql: sqlx::AssertSqlSafe<String>| {
            sqlx::query(sql)
                .bind(filter.from.unwrap_or(i64::MIN))
                .bind(filter.until.unwrap_or(i64::MAX))
                .bind(filter.username.clone().unwrap_or_default())
                .bind(filter.action.clone().unwrap_or_default())
                .bind(path.clone())
                .bind(like.clone())
        };
        let escaped = WHERE.replace("LIKE $6", "LIKE $6 ESCAPE '\\'");
        let total: i64 = bind(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM access_log {escaped}"
        )))
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        let rows = bind(sqlx::AssertSqlSafe(format!(
            "SELECT id, at, username, address, action, method, path, query, status FROM access_log {escaped} \
             ORDER BY id DESC LIMIT {} OFFSET {}",
            limit.clamp(1, 100_000),
            offset.max(0)
        )))
        .fetch_all(self.pool())
        .await?;
        let entries = rows
            .iter()
            .map(|r| {
                Ok(AccessEntry {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    username: r.try_get("username")?,
                    address: r.try_get("address")?,
                    action: r.try_get("action")?,
                    method: r.try_get("method")?,
                    path: r.try_get("path")?,
                    query: r.try_get("query")?,
                    status: r.try_get("status")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((entries, total))
    }
}

const CHANGE_WHERE: &str = "WHERE seq IS NOT NULL AND at >= $1 AND at < $2 AND ($3 = '' OR actor = $3) \
     AND ($4 = '' OR action = $4) AND ($5 = '' OR entity = $5) AND ($6 = '' OR entity_key = $6)";

impl Store {
    /// The change log's entries the filter selects, newest first, `limit` from `offset`, and
    /// how many match: the 审计员's page and its export.
    pub async fn change_entries(
        &self,
        filter: &AccessFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<StoredEntry>, i64)> {
        let bind = |sql: sqlx::AssertSqlSafe<String>| {
            sqlx::query(sql)
                .bind(filter.from.unwrap_or(i64::MIN))
                .bind(filter.until.unwrap_or(i64::MAX))
                .bind(filter.username.clone().unwrap_or_default())
                .bind(filter.action.clone().unwrap_or_default())
                .bind(filter.entity.clone().unwrap_or_default())
                .bind(filter.path.clone().unwrap_or_default())
        };
        let total: i64 = bind(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM change_log {CHANGE_WHERE}"
        )))
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        let rows = bind(sqlx::AssertSqlSafe(format!(
            "{ENTRY_SELECT} {CHANGE_WHERE} ORDER BY seq DESC LIMIT {} OFFSET {}",
            limit.clamp(1, 100_000),
            offset.max(0)
        )))
        .fetch_all(self.pool())
        .await?;
        let entries = rows.iter().map(stored_entry).collect::<Result<Vec<_>>>()?;
        Ok((entries, total))
    }
}
