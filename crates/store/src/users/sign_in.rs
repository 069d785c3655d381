//! Signing in as the store keeps it: failures counted and locks set, sessions opened (one per
//! account), moved through their steps and ended — each logged in the audit chain.

use domain::security::{Policy, SignInStep};
use sqlx::Row;

use super::User;
use crate::Result;
use crate::tx::Tx;

/// What a failed sign-in led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Counted; the account is not locked.
    Counted,
    /// This failure locked the account until then.
    Locked(i64),
}

impl Tx {
    /// Logs a sign-in refused for `username` (who may not exist) from the client `address`:
    /// counts it against the account and locks it when the policy says so.
    pub async fn sign_in_failed(
        &mut self,
        username: &str,
        reason: &str,
        address: Option<&str>,
        policy: &Policy,
        now: i64,
    ) -> Result<Failure> {
        let key: String = username.chars().take(64).collect();
        let row = sqlx::query(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE username = $1 RETURNING failed_logins",
        )
        .bind(&key)
        .fetch_optional(self.conn())
        .await?;
        let mut outcome = Failure::Counted;
        if let Some(row) = row {
            let failures: i64 = row.try_get(0)?;
            if let Some(until) =
                policy.lock_after_failure(u32::try_from(failures).unwrap_or(u32::MAX), now)
            {
                sqlx::query(
                    "UPDATE users SET locked_until = $1, failed_logins = 0 WHERE username = $2",
                )
                .bind(until)
                .bind(&key)
                .execute(self.conn())
                .await?;
                outcome = Failure::Locked(until);
            }
        }
        self.log_security(
            "sign_in",
            &key,
            "failure",
            Some(&serde_json::json!({"reason": reason, "address": address})),
        )
        .await?;
        if let Failure::Locked(until) = outcome {
            self.log_security("sign_in", &key, "locked", Some(&until))
                .await?;
        }
        Ok(outcome)
    }

    /// Logs a sign-in refused without counting it (the account is already locked, or the
    /// client's address is throttled).
    pub async fn log_sign_in_refused(
        &mut self,
        username: &str,
        reason: &str,
        address: Option<&str>,
    ) -> Result<()> {
        let key: String = username.chars().take(64).collect();
        self.log_security(
            "sign_in",
            &key,
            "failure",
            Some(&serde_json::json!({"reason": reason, "address": address})),
        )
        .await
    }

    /// Opens a session for a user whose password was right, at `step` of the sign-in, and
    /// ends every other session of the account (one session per account; the other browser
    /// is told). `address` is the client's, for the log. Returns how many were ended.
    #[allow(clippy::too_many_arguments)] // One sign-in's facts; a struct would only rename them.
    pub async fn sign_in(
        &mut self,
        user: &User,
        token: &str,
        csrf_token: &str,
        step: SignInStep,
        address: Option<&str>,
        now: i64,
        expires_at: i64,
    ) -> Result<u64> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user.id)
            .execute(self.conn())
            .await?;
        let ended = sqlx::query(
            "UPDATE sessions SET ended = 'replaced' WHERE user_id = $1 AND ended IS NULL AND expires_at > $2",
        )
        .bind(user.id)
        .bind(now)
        .execute(self.conn())
        .await?
        .rows_affected();
        sqlx::query(
            "INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, step, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $4)",
        )
        .bind(token)
        .bind(user.id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .bind(step.code())
        .execute(self.conn())
        .await?;
        self.log_security(
            "sign_in",
            &user.username,
            "success",
            Some(&serde_json::json!({"step": step.code(), "ended_sessions": ended, "address": address})),
        )
        .await?;
        Ok(ended)
    }

    /// Moves a session on to the next step of its sign-in, logged.
    pub async fn advance_session(
        &mut self,
        token: &str,
        username: &str,
        step: SignInStep,
    ) -> Result<()> {
        sqlx::query("UPDATE sessions SET step = $1 WHERE id = $2 AND ended IS NULL")
            .bind(step.code())
            .bind(token)
            .execute(self.conn())
            .await?;
        self.log_security("sign_in", username, "step", Some(&step.code()))
            .await
    }

    /// Ends a session, saying why (signed_out, idle, expired), logged.
    pub async fn end_session(
        &mut self,
        token: &str,
        username: &str,
        reason: &'static str,
    ) -> Result<()> {
        let ended = sqlx::query("UPDATE sessions SET ended = $1 WHERE id = $2 AND ended IS NULL")
            .bind(reason)
            .bind(token)
            .execute(self.conn())
            .await?
            .rows_affected();
        if ended > 0 {
            self.log_security("session", username, "end", Some(&reason))
                .await?;
        }
        Ok(())
    }

    /// Ends every live session of an account, as an administrator does; returns how many.
    pub(super) async fn end_live_sessions(&mut self, username: &str) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE sessions SET ended = 'ended_by_admin' WHERE ended IS NULL \
             AND user_id = (SELECT id FROM users WHERE username = $1)",
        )
        .bind(username)
        .execute(self.conn())
        .await?
        .rows_affected())
    }

    /// The 安全管理员 ends every session of an account; returns how many.
    pub async fn end_sessions_of(&mut self, username: &str) -> Result<u64> {
        let ended = self.end_live_sessions(username).await?;
        self.log_security("session", username, "end_all", Some(&ended))
            .await?;
        Ok(ended)
    }
}
