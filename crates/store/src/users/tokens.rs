//! Personal API tokens for integrations: a script signs in with `Authorization: Bearer …`
//! instead of a browser session, so it never ends its owner's session and needs no CSRF token.
//! Only the token's SHA-256 is kept; the token itself is shown once, when it is made. A token
//! acts as its owner, with the owner's role and scope as they are at each request.

use serde::Serialize;
use sqlx::Row;

use crate::tx::Tx;
use crate::{Result, Store, StoreError, sha256_hex};

/// What every token starts with, so that one pasted into the wrong place is recognisable.
pub const TOKEN_PREFIX: &str = "zst_";
/// The longest a token may live: a year.
pub const MAX_DAYS: i64 = 366;
const MAX_NAME_CHARS: usize = 60;

/// A token as listed: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<String>,
    pub last_used_at: Option<i64>,
}

impl ApiToken {
    pub fn live_at(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

const TOKEN_SELECT: &str = "SELECT id, username, name, created_at, expires_at, revoked_at, revoked_by, last_used_at FROM api_tokens";

fn token_from_row(row: &sqlx::any::AnyRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
        revoked_by: row.try_get("revoked_by")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

impl Tx {
    /// Makes a token for `username` named `name`, valid for `days`; returns its id and the
    /// token, which is nowhere else from now on.
    pub async fn create_api_token(
        &mut self,
        username: &str,
        name: &str,
        days: i64,
        now: i64,
    ) -> Result<(i64, String)> {
        let name = domain::text::required("名称", name)?;
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(StoreError::invalid(
                "名称",
                format!("不超过{MAX_NAME_CHARS}个字"),
            ));
        }
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(StoreError::invalid(
                "有效天数",
                format!("须为1至{MAX_DAYS}天"),
            ));
        }
        let token = format!("{TOKEN_PREFIX}{}", super::accounts::random_token()?);
        let id: i64 = sqlx::query(
            "INSERT INTO api_tokens (username, name, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(username)
        .bind(&name)
        .bind(sha256_hex(&token))
        .bind(now)
        .bind(now + days * 86_400_000)
        .fetch_one(self.conn())
        .await?
        .try_get("id")?;
        self.log_security(
            "api_token",
            username,
            "create",
            Some(&serde_json::json!({"id": id, "name": name, "days": days})),
        )
        .await?;
        Ok((id, token))
    }

    /// Revokes a token at once; `by` is its owner or the 安全管理员 (the caller decides who may).
    pub async fn revoke_api_token(&mut self, id: i64, by: &str, now: i64) -> Result<ApiToken> {
        let sql = sqlx::AssertSqlSafe(format!("{TOKEN_SELECT} WHERE id = $1"));
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("令牌 {id} 不存在")))?;
        let token = token_from_row(&row)?;
        if token.revoked_at.is_some() {
            return Ok(token);
        }
        sqlx::query("UPDATE api_tokens SET revoked_at = $1, revoked_by = $2 WHERE id = $3")
            .bind(now)
            .bind(by)
            .bind(id)
            .execute(self.conn())
            .await?;
        self.log_security(
            "api_token",
            &token.username,
            "revoke",
            Some(&serde_json::json!({"id": id, "name": token.name})),
        )
        .await?;
        Ok(ApiToken {
            revoked_at: Some(now),
            revoked_by: Some(by.to_owned()),
            ..token
        })
    }
}

impl Store {
    /// The owner of a live token (not revoked, not expired); `None` for any other text.
    pub async fn api_token_user(&self, token: &str, now: i64) -> Result<Option<(i64, String)>> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT id, username FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(sha256_hex(token))
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok((r.try_get("id")?, r.try_get("username")?)))
            .transpose()
    }

    /// Marks a token used, at most once a minute.
    pub async fn touch_api_token(&self, id: i64, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(now)
        .bind(id)
        .bind(now - 60_000)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Tokens, newest first: one account's, or every account's (`None`, for the 安全管理员).
    pub async fn api_tokens(&self, username: Option<&str>) -> Result<Vec<ApiToken>> {
        let rows = match username {
            Some(name) => {
                let sql = sqlx::AssertSqlSafe(format!(
                    "{TOKEN_SELECT} WHERE username = $1 ORDER BY id DESC"
                ));
                sqlx::query(sql).bind(name).fetch_all(self.pool()).await?
            }
            None => {
                let sql = sqlx::AssertSqlSafe(format!("{TOKEN_SELECT} ORDER BY id DESC"));
                sqlx::query(sql).fetch_all(self.pool()).await?
            }
        };
        rows.iter().map(token_from_row).collect()
    }
}
