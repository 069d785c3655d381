//! People who sign in and their sessions. Password hashes are made and checked by the web
//! layer; the store only keeps them, and never writes one to the change log.

use domain::FieldError;
use domain::access::Role;
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
}

/// A signed-in session: its user and the token its forms must carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: i64,
}

const USER_SELECT: &str = "SELECT u.id, u.username, u.display_name, u.role, n.name, u.password_hash, u.disabled, \
     l.name FROM users u LEFT JOIN units n ON n.id = u.unit_id LEFT JOIN leaders l ON l.id = u.leader_id";

fn user_from_row(row: &AnyRow, offset: usize) -> Result<User> {
    let role: String = row.try_get(offset + 3)?;
    Ok(User {
        id: row.try_get(offset)?,
        username: row.try_get(offset + 1)?,
        display_name: row.try_get(offset + 2)?,
        role: Role::from_code(&role).ok_or_else(|| StoreError::Corrupt(format!("角色: {role}")))?,
        unit: row.try_get(offset + 4)?,
        password_hash: row.try_get(offset + 5)?,
        disabled: row.try_get::<i64, _>(offset + 6)? != 0,
        leader: row.try_get(offset + 7)?,
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
        let username = domain::text::required("用户名", username)?;
        if !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err(StoreError::invalid("用户名", "只能使用字母、数字和 _ - ."));
        }
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
            "INSERT INTO users (username, display_name, role, unit_id, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&username)
        .bind(display_name.trim())
        .bind(role.code())
        .bind(unit_id)
        .bind(password_hash)
        .bind(now_millis())
        .fetch_one(self.conn())
        .await?
        .try_get(0)?;
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
        let role: String = row.try_get(0)?;
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
        row.map(|r| user_from_row(&r, 0)).transpose()
    }

    /// Opens a session for `user_id` under the random `token`, valid until `expires_at`
    /// (epoch ms).
    pub async fn create_session(
        &self,
        token: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token)
            .bind(user_id)
            .bind(csrf_token)
            .bind(now_millis())
            .bind(expires_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The live session with this token, if any; an expired one is removed.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT s.csrf_token, s.expires_at, x.* FROM sessions s JOIN ({USER_SELECT}) x ON x.id = s.user_id \
             WHERE s.id = $1"
        ));
        let Some(row) = sqlx::query(sql)
            .bind(token)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let expires_at: i64 = row.try_get(1)?;
        if expires_at <= now_millis() {
            self.delete_session(token).await?;
            return Ok(None);
        }
        let user = user_from_row(&row, 2)?;
        if user.disabled {
            return Ok(None);
        }
        Ok(Some(Session {
            user,
            csrf_token: row.try_get(0)?,
            expires_at,
        }))
    }

    pub async fn delete_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(token)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
