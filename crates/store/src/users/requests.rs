//! 三员分立 with two people: a change that would let one administrator act as someone else —
//! a new account, a role, an account enabled again, a second factor reset — is a request until
//! a second administrator approves it (`domain::access::Actor::approves_account_change` says
//! who); nobody decides their own. A new account's temporary password, and a reset one, is
//! made when the request is approved and shown to the approver alone: the administrator who
//! asked never knows it, so no one person can sign in as the account.

use domain::access::Role;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::accounts;
use crate::tx::Tx;
use crate::{Result, Store, StoreError};

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccountChange {
    /// A new account; its temporary password is made on approval.
    Create {
        display_name: String,
        role: String,
        unit: Option<String>,
    },
    /// A new temporary password, made on approval; the account's sessions end.
    ResetPassword,
    /// Another role (and the unit it needs).
    Role { role: String, unit: Option<String> },
    /// A disabled account enabled again.
    Enable,
    /// The second factor removed: the next sign-in enrols a new one.
    ResetSecondFactor,
}

impl AccountChange {
    pub fn kind(&self) -> &'static str {
        match self {
            AccountChange::Create { .. } => "create",
            AccountChange::Role { .. } => "role",
            AccountChange::Enable => "enable",
            AccountChange::ResetPassword => "reset_password",
            AccountChange::ResetSecondFactor => "reset_totp",
        }
    }

    /// What the request asks for, in a sentence of the approver's page.
    pub fn describe(&self) -> String {
        let role_label =
            |code: &str| Role::from_code(code).map_or(code.to_owned(), |r| r.label().to_owned());
        match self {
            AccountChange::Create {
                display_name,
                role,
                unit,
                ..
            } => format!(
                "新建账号（{display_name}，{}{}）",
                role_label(role),
                unit.as_deref()
                    .map(|u| format!("，{u}"))
                    .unwrap_or_default()
            ),
            AccountChange::Role { role, unit } => format!(
                "角色改为{}{}",
                role_label(role),
                unit.as_deref()
                    .map(|u| format!("（{u}）"))
                    .unwrap_or_default()
            ),
            AccountChange::Enable => "重新启用账号".into(),
            AccountChange::ResetPassword => "重置密码（批准时生成临时密码，下次登录须修改）".into(),
            AccountChange::ResetSecondFactor => "重置动态口令（下次登录重新绑定）".into(),
        }
    }
}

/// A request as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRequest {
    pub id: i64,
    pub username: String,
    pub change: AccountChange,
    pub requested_by: String,
    pub requested_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    /// `approved` or `rejected`.
    pub decision: Option<String>,
}

const REQUEST_SELECT: &str = "SELECT id, username, payload, requested_by, requested_at, decided_by, decided_at, decision \
     FROM account_requests";

fn request_from_row(row: &sqlx::any::AnyRow) -> Result<AccountRequest> {
    let payload: String = row.try_get("payload")?;
    Ok(AccountRequest {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        change: serde_json::from_str(&payload)
            .map_err(|e| StoreError::Corrupt(format!("账号变更申请: {e}")))?,
        requested_by: row.try_get("requested_by")?,
        requested_at: row.try_get("requested_at")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        decision: row.try_get("decision")?,
    })
}

fn role_of(field: &str, code: &str) -> Result<Role> {
    Role::from_code(code).ok_or_else(|| StoreError::invalid(field, format!("没有角色“{code}”")))
}

impl Tx {
    /// Asks for `change` to `username`'s account; checked now as far as it can be (the name
    /// free, the unit known, the account there), applied only when approved.
    pub async fn request_account_change(
        &mut self,
        username: &str,
        change: AccountChange,
        now: i64,
    ) -> Result<i64> {
        let username = super::check_username(username)?;
        let exists = sqlx::query("SELECT disabled, totp_secret FROM users WHERE username = $1")
            .bind(&username)
            .fetch_optional(self.conn())
            .await?;
        match (&change, &exists) {
            (AccountChange::Create { role, unit, .. }, None) => {
                self.check_role_unit(role_of("角色", role)?, unit.as_deref())
                    .await?;
            }
            (AccountChange::Create { .. }, Some(_)) => {
                return Err(StoreError::invalid(
                    "用户名",
                    format!("“{username}”已被使用"),
                ));
            }
            (_, None) => return Err(StoreError::NotFound(format!("用户“{username}”不存在"))),
            (AccountChange::Role { role, unit }, Some(_)) => {
                let asked = role_of("角色", role)?;
                self.check_role_unit(asked, unit.as_deref()).await?;
                let present = sqlx::query(
                    "SELECT u.role, n.name AS unit_name FROM users u LEFT JOIN units n ON n.id = u.unit_id \
                     WHERE u.username = $1",
                )
                .bind(&username)
                .fetch_one(self.conn())
                .await?;
                let same_role = present.try_get::<String, _>("role")? == asked.code();
                let same_unit = present.try_get::<Option<String>, _>("unit_name")? == *unit;
                if same_role && same_unit {
                    return Err(StoreError::invalid(
                        "角色",
                        format!("“{username}”已是{}", asked.label()),
                    ));
                }
                self.keep_one_besides(&username, Some(asked)).await?;
            }
            (AccountChange::ResetPassword, Some(_)) => {}
            (AccountChange::Enable, Some(row)) => {
                if row.try_get::<i64, _>("disabled")? == 0 {
                    return Err(StoreError::Refused(format!("账号“{username}”未被停用")));
                }
            }
            (AccountChange::ResetSecondFactor, Some(row)) => {
                if row.try_get::<Option<String>, _>("totp_secret")?.is_none() {
                    return Err(StoreError::Refused(format!(
                        "账号“{username}”尚未绑定动态口令"
                    )));
                }
            }
        }
        // One open request per account: two at once would be decided without each other.
        let pending = sqlx::query(
            "SELECT id FROM account_requests WHERE username = $1 AND decided_at IS NULL",
        )
        .bind(&username)
        .fetch_optional(self.conn())
        .await?;
        if pending.is_some() {
            return Err(StoreError::invalid(
                "用户名",
                format!("“{username}”已有待批准的申请，请等安全管理员处理后再提"),
            ));
        }
        let payload = serde_json::to_string(&change).unwrap_or_default();
        let id: i64 = sqlx::query(
            "INSERT INTO account_requests (kind, username, payload, requested_by, requested_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(change.kind())
        .bind(&username)
        .bind(&payload)
        .bind(self.actor.clone())
        .bind(now)
        .fetch_one(self.conn())
        .await?
        .try_get("id")?;
        self.log_security(
            "account_request",
            &username,
            "request",
            Some(&serde_json::json!({"id": id, "change": change.describe()})),
        )
        .await?;
        Ok(id)
    }

    async fn check_role_unit(&mut self, role: Role, unit: Option<&str>) -> Result<()> {
        match (role.needs_unit(), unit) {
            (true, Some(unit)) => self.unit_id("单位", unit).await.map(|_| ()),
            (true, None) => Err(StoreError::invalid(
                "单位",
                "单位填报员和县区审核员须属于一个单位",
            )),
            (false, Some(_)) => Err(StoreError::invalid(
                "单位",
                "只有单位填报员和县区审核员属于单位",
            )),
            (false, None) => Ok(()),
        }
    }

    /// The transaction's actor approves or rejects request `id`; approving applies it. The
    /// caller has asked `approves_account_change`; the store refuses the asker's own decision
    /// and a second decision all the same. Returns the request and, for a new account or a
    /// password reset approved, the temporary password — for the approver's eyes only.
    pub async fn decide_account_request(
        &mut self,
        id: i64,
        approve: bool,
        policy: &domain::security::Policy,
        now: i64,
    ) -> Result<(AccountRequest, Option<String>)> {
        let sql = sqlx::AssertSqlSafe(format!("{REQUEST_SELECT} WHERE id = $1"));
        let request = sqlx::query(sql)
            .bind(id)
            .fetch_optional(self.conn())
            .await?
            .map(|r| request_from_row(&r))
            .transpose()?
            .ok_or_else(|| StoreError::NotFound(format!("申请 {id} 不存在")))?;
        if request.decided_at.is_some() {
            return Err(StoreError::Refused(format!("申请 {id} 已处理")));
        }
        if request.requested_by == self.actor {
            return Err(StoreError::Refused("不能批准或驳回自己提出的申请".into()));
        }
        let decision = if approve { "approved" } else { "rejected" };
        let decided = sqlx::query(
            "UPDATE account_requests SET decided_by = $1, decided_at = $2, decision = $3 \
             WHERE id = $4 AND decided_at IS NULL",
        )
        .bind(self.actor.clone())
        .bind(now)
        .bind(decision)
        .bind(id)
        .execute(self.conn())
        .await?
        .rows_affected();
        if decided == 0 {
            return Err(StoreError::Refused(format!("申请 {id} 已处理")));
        }
        let action = if approve { "approve" } else { "reject" };
        self.log_security(
            "account_request",
            &request.username,
            action,
            Some(&serde_json::json!({"id": id, "change": request.change.describe(), "requested_by": request.requested_by})),
        )
        .await?;
        let password = if approve {
            self.apply_account_change(&request.username, &request.change, policy, now)
                .await?
        } else {
            None
        };
        Ok((request, password))
    }

    /// Applies an approved change; returns the temporary password one made.
    async fn apply_account_change(
        &mut self,
        username: &str,
        change: &AccountChange,
        policy: &domain::security::Policy,
        now: i64,
    ) -> Result<Option<String>> {
        match change {
            AccountChange::Create {
                display_name,
                role,
                unit,
            } => {
                let role = role_of("角色", role)?;
                let password = accounts::temporary_password(policy, username)?;
                let hash = accounts::hash_password(&password)?;
                self.add_user(username, display_name, role, unit.as_deref(), &hash)
                    .await?;
                self.set_password(username, &hash, true, now).await?;
                Ok(Some(password))
            }
            AccountChange::ResetPassword => {
                let password = accounts::temporary_password(policy, username)?;
                self.reset_password(username, &password, policy, now)
                    .await?;
                Ok(Some(password))
            }
            AccountChange::Role { role, unit } => {
                let role = role_of("角色", role)?;
                self.check_role_unit(role, unit.as_deref()).await?;
                let unit_id = match unit {
                    Some(unit) => Some(self.unit_id("单位", unit).await?),
                    None => None,
                };
                self.keep_one_besides(username, Some(role)).await?;
                sqlx::query(
                    "UPDATE users SET role = $1, unit_id = $2, leader_id = NULL WHERE username = $3",
                )
                .bind(role.code())
                .bind(unit_id)
                .bind(username)
                .execute(self.conn())
                .await?;
                self.end_sessions_of(username).await?;
                self.log_security(
                    "user",
                    username,
                    "role",
                    Some(&serde_json::json!({"role": role.label(), "unit": unit})),
                )
                .await?;
                Ok(None)
            }
            AccountChange::Enable => self.set_disabled(username, false).await.map(|()| None),
            AccountChange::ResetSecondFactor => {
                sqlx::query(
                    "UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE username = $1",
                )
                .bind(username)
                .execute(self.conn())
                .await?;
                self.end_sessions_of(username).await?;
                self.log_security("user", username, "totp_reset", None::<&()>)
                    .await?;
                Ok(None)
            }
        }
    }

    /// Refuses to take `username` out of a role that must keep one enabled account (disabling
    /// it, `becomes` `None`; or giving it another role) when it is the last.
    pub(crate) async fn keep_one_besides(
        &mut self,
        username: &str,
        becomes: Option<Role>,
    ) -> Result<()> {
        let row = sqlx::query("SELECT role, disabled FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(self.conn())
            .await?;
        let Some(row) = row else { return Ok(()) };
        let code: String = row.try_get("role")?;
        let Some(role) = Role::from_code(&code) else {
            return Ok(());
        };
        if !role.must_keep_one() || becomes == Some(role) || row.try_get::<i64, _>("disabled")? != 0
        {
            return Ok(());
        }
        let others: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM users WHERE role = $1 AND disabled = 0 AND username <> $2",
        )
        .bind(&code)
        .bind(username)
        .fetch_one(self.conn())
        .await?
        .try_get("n")?;
        if others == 0 {
            return Err(StoreError::Refused(format!(
                "“{username}”是最后一个在用的{}账号，不能停用或改变其角色：请先启用或新建另一个",
                role.label()
            )));
        }
        Ok(())
    }
}

impl Store {
    /// Requests not yet decided, oldest first.
    pub async fn open_account_requests(&self) -> Result<Vec<AccountRequest>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{REQUEST_SELECT} WHERE decided_at IS NULL ORDER BY id"
        ));
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter().map(request_from_row).collect()
    }

    /// The latest decided requests, newest first.
    pub async fn decided_account_requests(&self, limit: i64) -> Result<Vec<AccountRequest>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{REQUEST_SELECT} WHERE decided_at IS NOT NULL ORDER BY decided_at DESC, id DESC LIMIT {}",
            limit.clamp(1, 1000)
        ));
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter().map(request_from_row).collect()
    }
}

/// A new account's request.
pub fn create_request(
    display_name: &str,
    role: Role,
    unit: Option<&str>,
    username: &str,
) -> AccountChange {
    AccountChange::Create {
        display_name: if display_name.trim().is_empty() {
            username.trim().to_owned()
        } else {
            display_name.trim().chars().take(60).collect()
        },
        role: role.code().to_owned(),
        unit: unit.map(str::to_owned),
    }
}
