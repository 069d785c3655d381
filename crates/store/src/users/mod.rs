//! People who sign in and their sessions. Password hashes are made and checked in `accounts`;
//! the store keeps them and never writes one to the change log.

pub mod accounts;
pub mod requests;
mod sign_in;
pub mod tokens;

pub use sign_in::Failure;

use domain::FieldError;
use domain::access::Role;
use domain::security::{Policy, SignInStep};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::tx::Tx;
use crate::{Result, Store, StoreError, now_millis};

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The unit's name, for unit staff.
    pub unit: Option<String>,
    #[serde(skip)]
    pub password_hash: String,
    pub disabled: bool,
    /// For a 市领导 account, the leader it speaks for: their 包保 scope and escalated blockers.
    pub leader: Option<String>,
    /// When the password was last set (epoch ms).
    pub password_changed_at: i64,
    /// The next sign-in must set a new password (an administrator set this one).
    pub must_change_password: bool,
    /// Failed sign-ins in a row.
    pub failed_logins: i64,
    /// Locked against sign-in until then (epoch ms).
    pub locked_until: Option<i64>,
    /// The TOTP secret, hex; `None` until the account enrols.
    #[serde(skip)]
    pub totp_secret: Option<String>,
}

impl User {
    pub fn locked_at(&self, now: i64) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }
}

/// A session: its user, the token its forms must carry, the sign-in step it has reached, and
/// why it ended, once it has.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: i64,
    pub step: SignInStep,
    pub last_seen_at: i64,
    /// 'replaced', 'idle', 'expired', 'signed_out' or 'ended_by_admin'.
    pub ended: Option<String>,
}

const USER_SELECT: &str = "SELECT u.id, u.username, u.display_name, u.role, n.name AS unit_name, u.password_hash, u.disabled, \
     l.name AS leader_name, u.password_changed_at, u.must_change_password, u.failed_logins, u.locked_until, u.totp_secret \
     FROM users u LEFT JOIN units n ON n.id = u.unit_id LEFT JOIN leaders l ON l.id = u.leader_id";

fn user_from_row(row: &AnyRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: Role::from_code(&role).ok_or_else(|| StoreError::Corrupt(format!("角色: {role}")))?,
        unit: row.try_get("unit_name")?,
        password_hash: row.try_get("password_hash")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        leader: row.try_get("leader_name")?,
        password_changed_at: row.try_get("password_changed_at")?,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        failed_logins: row.try_get("failed_logins")?,
        locked_until: row.try_get("locked_until")?,
        totp_secret: row.try_get("totp_secret")?,
    })
}

impl Tx {
    /// Adds a user. The username must be new; unit staff must name an existing unit and
    /// nobody else may.
    pub async fn add_user(
        &mut self,
        username: &str,
        display_name: &str,
        role: Role,
        unit: Option<&str>,
        password_hash: &str,
    ) -> Result<i64> {
        let username = check_username(username)?;
        let unit_id = match (role.needs_unit(), unit) {
            (true, Some(unit)) => Some(self.unit_id("单位", unit).await?),
            (true, None) => {
                return Err(StoreError::invalid(
                    "单位",
                    "单位填报员和县区审核员须属于一个单位",
                ));
            }
            (false, Some(_)) => {
                return Err(StoreError::invalid(
                    "单位",
                    "只有单位填报员和县区审核员属于单位",
                ));
            }
            (false, None) => None,
        };
        let taken = sqlx::query("SELECT id FROM users WHERE username = $1")
            .bind(&username)
            .fetch_optional(self.conn())
            .await?;
        if taken.is_some() {
            return Err(StoreError::Invalid(FieldError::new(
                "用户名",
                format!("“{username}”已被使用"),
            )));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO users (username, display_name, role, unit_id, password_hash, created_at, password_changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(&username)
        .bind(display_name.trim())
        .bind(role.code())
        .bind(unit_id)
        .bind(password_hash)
        .bind(now_millis())
        .fetch_one(self.conn())
        .await?
        .try_get("id")?;
        let logged = (&username, display_name.trim(), role.code(), unit);
        self.log::<(), _>("user", &username, "create", None, Some(&logged))
            .await?;
        Ok(id)
    }
}

impl Tx {
    /// Links a 市领导 account to the leader it speaks for (or unlinks it), logged.
    pub async fn link_leader(&mut self, username: &str, leader: Option<&str>) -> Result<()> {
        let row = sqlx::query("SELECT role FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::invalid("用户名", format!("用户“{username}”不存在")))?;
        let role: String = row.try_get("role")?;
        if leader.is_some() && Role::from_code(&role) != Some(Role::CityLeader) {
            return Err(StoreError::invalid("领导", "只有市领导账号对应一位领导"));
        }
        let leader_id = match leader {
            Some(name) => Some(self.leader_id("领导", name).await?),
            None => None,
        };
        sqlx::query("UPDATE users SET leader_id = $1 WHERE username = $2")
            .bind(leader_id)
            .bind(username)
            .execute(self.conn())
            .await?;
        self.log::<(), _>("user", username, "leader", None, Some(&leader))
            .await
    }
}

impl Store {
    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        let sql = sqlx::AssertSqlSafe(format!("{USER_SELECT} WHERE u.username = $1"));
        let row = sqlx::query(sql)
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    /// The session with this token, live or ended (the caller tells the browser why);
    /// `None` for a token never issued or a disabled account.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT s.csrf_token, s.expires_at, s.step, s.last_seen_at, s.ended, x.* FROM sessions s \
             JOIN ({USER_SELECT}) x ON x.id = s.user_id WHERE s.id = $1"
        ));
        let Some(row) = sqlx::query(sql)
            .bind(token)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let user = user_from_row(&row)?;
        if user.disabled {
            return Ok(None);
        }
        let step: String = row.try_get("step")?;
        Ok(Some(Session {
            user,
            csrf_token: row.try_get("csrf_token")?,
            expires_at: row.try_get("expires_at")?,
            step: SignInStep::from_code(&step)
                .ok_or_else(|| StoreError::Corrupt(format!("会话步骤: {step}")))?,
            last_seen_at: row.try_get("last_seen_at")?,
            ended: row.try_get("ended")?,
        }))
    }

    /// Marks a live session used at `now`, at most once a minute (a write per request would
    /// be the busiest statement of the system).
    pub async fn touch_session(&self, token: &str, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND ended IS NULL AND last_seen_at < $3",
        )
        .bind(now)
        .bind(token)
        .bind(now - 60_000)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The sign-in rules the 安全管理员 set, or the defaults.
    pub async fn security_policy(&self) -> Result<Policy> {
        read_policy(&mut *self.pool().acquire().await?).await
    }

    /// Every account with its state, for the 安全管理员 and the 系统管理员.
    pub async fn users(&self) -> Result<Vec<User>> {
        let sql = sqlx::AssertSqlSafe(format!("{USER_SELECT} ORDER BY u.username"));
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Live sessions per account (username, count, last used).
    pub async fn live_sessions(&self, now: i64) -> Result<Vec<(String, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT u.username, COUNT(*) AS count, MAX(s.last_seen_at) AS max FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.ended IS NULL AND s.expires_at > $1 GROUP BY u.username ORDER BY u.username",
        )
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("username")?,
                    r.try_get("count")?,
                    r.try_get("max")?,
                ))
            })
            .collect()
    }
}

const POLICY_KEY: &str = "security_policy";

/// How many of an account's latest passwords (the present one included) a new one may not repeat.
pub const PASSWORD_HISTORY: usize = 5;

impl Tx {
    /// The 系统管理员 disables an account (its sessions end) or enables it again, logged.
    pub async fn set_disabled(&mut self, username: &str, disabled: bool) -> Result<()> {
        if disabled {
            self.keep_one_besides(username, None).await?;
        }
        let changed = sqlx::query("UPDATE users SET disabled = $1 WHERE username = $2")
            .bind(i64::from(disabled))
            .bind(username)
            .execute(self.conn())
            .await?
            .rows_affected();
        found(changed, username)?;
        if disabled {
            self.end_live_sessions(username).await?;
        }
        let action = if disabled { "disable" } else { "enable" };
        self.log_security("user", username, action, None::<&()>)
            .await
    }

    /// The 安全管理员 lifts a lock before it runs out, logged.
    pub async fn unlock(&mut self, username: &str) -> Result<()> {
        let changed = sqlx::query(
            "UPDATE users SET locked_until = NULL, failed_logins = 0 WHERE username = $1",
        )
        .bind(username)
        .execute(self.conn())
        .await?
        .rows_affected();
        found(changed, username)?;
        self.log_security("user", username, "unlock", None::<&()>)
            .await
    }

    /// Sets a password (its hash; the hash is never logged). `temporary` when an
    /// administrator sets it: the next sign-in must change it.
    pub async fn set_password(
        &mut self,
        username: &str,
        password_hash: &str,
        temporary: bool,
        now: i64,
    ) -> Result<()> {
        // The hash being replaced joins the history, so that it cannot come back soon.
        sqlx::query(
            "INSERT INTO password_history (username, hash, set_at) \
             SELECT username, password_hash, password_changed_at FROM users WHERE username = $1",
        )
        .bind(username)
        .execute(self.conn())
        .await?;
        let changed = sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2, password_changed_at = $3 \
             WHERE username = $4",
        )
        .bind(password_hash)
        .bind(i64::from(temporary))
        .bind(now)
        .bind(username)
        .execute(self.conn())
        .await?
        .rows_affected();
        found(changed, username)?;
        let action = if temporary {
            "password_reset"
        } else {
            "password_change"
        };
        self.log_security("user", username, action, None::<&()>)
            .await
    }

    /// The account changes its own password to `password` (already checked against the
    /// policy): refused, naming 新密码, when it is the present one or one of the
    /// [`PASSWORD_HISTORY`] before it; hashed at the cost of the present hash.
    pub async fn change_password(
        &mut self,
        username: &str,
        password: &str,
        now: i64,
    ) -> Result<()> {
        let present: String = sqlx::query("SELECT password_hash FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("用户“{username}”不存在")))?
            .try_get("password_hash")?;
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT hash FROM password_history WHERE username = $1 ORDER BY set_at DESC LIMIT {}",
            PASSWORD_HISTORY - 1
        ));
        let earlier = sqlx::query(sql)
            .bind(username)
            .fetch_all(self.conn())
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("hash"))
            .collect::<Result<Vec<_>, _>>()?;
        let reused = std::iter::once(&present)
            .chain(&earlier)
            .any(|hash| accounts::verify_password(password, hash));
        if reused {
            return Err(StoreError::invalid(
                "新密码",
                format!("不能与最近 {PASSWORD_HISTORY} 次使用过的密码相同"),
            ));
        }
        let hash = accounts::rehash_like(password, &present)?;
        self.set_password(username, &hash, false, now).await
    }

    /// Enrols a TOTP secret (hex) for an account, after it proved it holds it with a code of
    /// `step`; logged without the secret.
    pub async fn enrol_totp(&mut self, username: &str, secret_hex: &str, step: i64) -> Result<()> {
        sqlx::query("UPDATE users SET totp_secret = $1, totp_last_step = $2 WHERE username = $3")
            .bind(secret_hex)
            .bind(step)
            .bind(username)
            .execute(self.conn())
            .await?;
        self.log_security("user", username, "totp_enrol", None::<&()>)
            .await
    }

    /// Takes the TOTP step a code matched: false when that step (or a later one) was already
    /// used, so that one code signs in once.
    pub async fn use_totp_step(&mut self, username: &str, step: i64) -> Result<bool> {
        let taken = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE username = $2 \
             AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(username)
        .execute(self.conn())
        .await?
        .rows_affected();
        Ok(taken == 1)
    }

    /// The 安全管理员 sets the sign-in rules, logged with what they were.
    pub async fn set_security_policy(&mut self, policy: &Policy) -> Result<()> {
        let before = read_policy(self.conn()).await?;
        if before == *policy {
            return Ok(());
        }
        sqlx::query("DELETE FROM settings WHERE key = $1")
            .bind(POLICY_KEY)
            .execute(self.conn())
            .await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
            .bind(POLICY_KEY)
            .bind(serde_json::to_string(policy).unwrap_or_default())
            .execute(self.conn())
            .await?;
        self.log("settings", POLICY_KEY, "set", Some(&before), Some(policy))
            .await
    }

    /// The last TOTP step an account used.
    pub async fn totp_last_step(&mut self, username: &str) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT totp_last_step FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(self.conn())
            .await?;
        Ok(row
            .map(|r| r.try_get("totp_last_step"))
            .transpose()?
            .flatten())
    }
}

/// A username as typed, trimmed: letters, digits and `_ - .`, at most 64 characters.
pub(crate) fn check_username(username: &str) -> Result<String> {
    let username = domain::text::required("用户名", username)?;
    if username.chars().count() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(StoreError::invalid(
            "用户名",
            "只能使用字母、数字和 _ - .，不超过64个字符",
        ));
    }
    Ok(username)
}

/// An update of `username`'s row that changed nothing found no such account.
fn found(changed: u64, username: &str) -> Result<()> {
    if changed == 0 {
        return Err(StoreError::NotFound(format!("用户“{username}”不存在")));
    }
    Ok(())
}

async fn read_policy(conn: &mut sqlx::AnyConnection) -> Result<Policy> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(POLICY_KEY)
        .fetch_optional(conn)
        .await?;
    match row {
        None => Ok(Policy::default()),
        Some(row) => {
            let text: String = row.try_get("value")?;
            serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("安全策略: {e}")))
        }
    }
}
