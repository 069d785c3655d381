//! 督办 messages (issue 22.5): the situations that should reach someone, found from the records
//! as they stand; each posted once to its reader (`dedup`), read in the app, and delivered by
//! e-mail and webhook once.
//!
//! Messages are not the city's records: they are written in a `Tx` without a change-log entry,
//! and marking one read is written outside a transaction, like a session's last use.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::access::{Actor, Role};
use domain::reminders::{MessageKind, month_closing};
use domain::review::ReviewState;
use sqlx::Row;

use crate::{BlockerFilter, Result, ReviewFilter, Store, Tx, now_millis};

/// A message to post: who it is for, why, what it says and where it leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub recipient: String,
    pub kind: MessageKind,
    /// The situation, the same each time it is found (so it is posted once).
    pub dedup: String,
    pub body: String,
    pub link: String,
}

/// A posted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    pub recipient: String,
    pub kind: MessageKind,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read: bool,
}

/// Where messages are delivered besides the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Webhook,
}

impl Channel {
    fn column(self) -> &'static str {
        match self {
            Channel::Email => "emailed_at",
            Channel::Webhook => "webhooked_at",
        }
    }
}

const MESSAGE_COLUMNS: &str =
    "SELECT id, recipient, kind, body, link, created_at, read_at FROM messages";

fn message_from_row(row: &sqlx::any::AnyRow) -> Result<Message> {
    let kind: String = row.try_get("kind")?;
    Ok(Message {
        id: row.try_get("id")?,
        recipient: row.try_get("recipient")?,
        kind: MessageKind::from_code(&kind)
            .ok_or_else(|| crate::rows::corrupt("消息类型", &kind))?,
        body: row.try_get("body")?,
        link: row.try_get("link")?,
        created_at: row.try_get("created_at")?,
        read: row.try_get::<Option<i64>, _>("read_at")?.is_some(),
    })
}

impl Tx {
    /// Posts the messages not posted before (by reader and situation); how many were new.
    pub async fn post_messages(&mut self, messages: &[NewMessage]) -> Result<usize> {
        let now = now_millis();
        let mut posted = 0;
        for m in messages {
            let done = sqlx::query(
                "INSERT INTO messages (recipient, kind, dedup, body, link, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (recipient, dedup) DO NOTHING",
            )
            .bind(&m.recipient)
            .bind(m.kind.code())
            .bind(&m.dedup)
            .bind(&m.body)
            .bind(&m.link)
            .bind(now)
            .execute(self.conn())
            .await?;
            posted += usize::try_from(done.rows_affected()).unwrap_or(0);
        }
        Ok(posted)
    }

    /// Records that these messages went out by `channel`.
    pub async fn mark_delivered(&mut self, channel: Channel, ids: &[i64]) -> Result<()> {
        let now = now_millis();
        let sql = format!(
            "UPDATE messages SET {} = $1 WHERE id = $2",
            channel.column()
        );
        for id in ids {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(now)
                .bind(id)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// Sets (or clears) the address an account's daily digest goes to; logged.
    pub async fn set_email(&mut self, username: &str, email: Option<&str>) -> Result<()> {
        let done = sqlx::query("UPDATE users SET email = $1 WHERE username = $2")
            .bind(email)
            .bind(username)
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::NotFound(format!(
                "账号“{username}”不存在"
            )));
        }
        self.log("user", username, "email", None::<&()>, Some(&email))
            .await
    }
}

impl Store {
    /// An account's messages, unread first, then newest first; at most `limit`.
    pub async fn messages_for(&self, username: &str, limit: i64) -> Result<Vec<Message>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{MESSAGE_COLUMNS} WHERE recipient = $1 \
             ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT $2"
        ));
        let rows = sqlx::query(sql)
            .bind(username)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(message_from_row).collect()
    }

    pub async fn unread_count(&self, username: &str) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM messages WHERE recipient = $1 AND read_at IS NULL",
        )
        .bind(username)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("n")?)
    }

    /// Marks one of the account's messages read (`None`: all of them) and returns its link;
    /// `None` when the account has no such message.
    pub async fn mark_read(&self, username: &str, id: Option<i64>) -> Result<Option<String>> {
        let now = now_millis();
        match id {
            None => {
                sqlx::query(
                    "UPDATE messages SET read_at = $1 WHERE recipient = $2 AND read_at IS NULL",
                )
                .bind(now)
                .bind(username)
                .execute(self.pool())
                .await?;
                Ok(Some("/messages".to_owned()))
            }
            Some(id) => {
                let link =
                    sqlx::query("SELECT link FROM messages WHERE id = $1 AND recipient = $2")
                        .bind(id)
                        .bind(username)
                        .fetch_optional(self.pool())
                        .await?;
                let Some(row) = link else { return Ok(None) };
                sqlx::query("UPDATE messages SET read_at = $1 WHERE id = $2 AND read_at IS NULL")
                    .bind(now)
                    .bind(id)
                    .execute(self.pool())
                    .await?;
                Ok(Some(row.try_get("link")?))
            }
        }
    }

    /// The messages not yet delivered by `channel`, oldest first.
    pub async fn undelivered(&self, channel: Channel) -> Result<Vec<Message>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{MESSAGE_COLUMNS} WHERE {} IS NULL ORDER BY recipient, id",
            channel.column()
        ));
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter().map(message_from_row).collect()
    }

    /// Every account's e-mail address, where one is set.
    pub async fn emails(&self) -> Result<HashMap<String, String>> {
        let rows = sqlx::query("SELECT username, email FROM users WHERE email IS NOT NULL")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("username")?, r.try_get("email")?)))
            .collect()
    }

    /// Every situation that should reach someone as of `today`, addressed to the enabled
    /// accounts it concerns: overdue blockers to the leaders they reached and to the unit that
    /// owns them; returned records to who entered them; open 要素保障 items to their
    /// department's staff (assigned, and again when overdue); records waiting to each
    /// reviewer, once a day; the month's closing to every unit's staff.
    pub async fn due_messages(&self, today: NaiveDate) -> Result<Vec<NewMessage>> {
        let users: Vec<_> = self
            .users()
            .await?
            .into_iter()
            .filter(|u| !u.disabled)
            .collect();
        let mut out = Vec::new();
        let mut to =
            |recipient: &str, kind: MessageKind, dedup: String, body: String, link: String| {
                out.push(NewMessage {
                    recipient: recipient.to_owned(),
                    kind,
                    dedup,
                    body,
                    link,
                });
            };
        let overdue = self
            .blockers(&BlockerFilter {
                open_only: true,
                overdue_on: Some(today),
                ..BlockerFilter::default()
            })
            .await?;
        for view in &overdue {
            let b = &view.blocker;
            let days = (today - b.raised.deadline).num_days();
            let what = format!(
                "项目“{}”的堵点问题“{}”逾期{days}天未解决（时限{}）",
                view.project_name, b.raised.description, b.raised.deadline
            );
            let link = format!("/blockers/{}", b.id);
            for leader in view.escalated_to(today) {
                for u in users
                    .iter()
                    .filter(|u| u.leader.as_deref() == Some(&leader))
                {
                    to(
                        &u.username,
                        MessageKind::Escalated,
                        format!("escalated:{}:{leader}", b.id),
                        format!("{what}，已升级至您协调"),
                        link.clone(),
                    );
                }
            }
            for u in users
                .iter()
                .filter(|u| u.unit.as_deref() == Some(&b.raised.owner_unit))
            {
                to(
                    &u.username,
                    MessageKind::Overdue,
                    format!("overdue-blocker:{}", b.id),
                    format!("{what}，由本单位负责"),
                    link.clone(),
                );
            }
        }
        let returned = self
            .review_queue(&ReviewFilter {
                states: vec![ReviewState::Returned],
                unit: None,
            })
            .await?;
        for r in &returned {
            if !users.iter().any(|u| u.username == r.entered_by) {
                continue;
            }
            let project = r
                .project_code
                .as_deref()
                .map(|c| format!("项目{c}的"))
                .unwrap_or_default();
            let reason = r.note.clone().unwrap_or_default();
            to(
                &r.entered_by,
                MessageKind::Returned,
                format!("returned:{}:{}:{reason}", r.kind.code(), r.id),
                format!(
                    "{project}{}（{}，{}）被退回：{reason}",
                    r.kind.label(),
                    r.date,
                    r.summary
                ),
                "/review".to_owned(),
            );
        }
        let mut departments: Vec<&str> = users.iter().filter_map(|u| u.unit.as_deref()).collect();
        departments.sort_unstable();
        departments.dedup();
        for department in departments {
            let staff: Vec<_> = users
                .iter()
                .filter(|u| u.unit.as_deref() == Some(department) && u.role == Role::UnitStaff)
                .collect();
            if staff.is_empty() {
                continue;
            }
            for item in self.element_queue(department).await? {
                let label = item.element.item.label();
                let link = "/elements".to_owned();
                let due = item.element.due;
                for u in &staff {
                    to(
                        &u.username,
                        MessageKind::Assigned,
                        format!("assigned:{}:{label}", item.project_code),
                        format!(
                            "项目“{}”的要素保障“{label}”由本单位办理{}",
                            item.project_name,
                            due.map(|d| format!("，应于{d}完成")).unwrap_or_default()
                        ),
                        link.clone(),
                    );
                    if let Some(due) = due.filter(|d| *d < today) {
                        to(
                            &u.username,
                            MessageKind::Overdue,
                            format!("overdue-element:{}:{label}:{due}", item.project_code),
                            format!(
                                "项目“{}”的要素保障“{label}”已逾期{}天（应于{due}完成）",
                                item.project_name,
                                (today - due).num_days()
                            ),
                            link.clone(),
                        );
                    }
                }
            }
        }
        for u in &users {
            let actor = Actor {
                username: u.username.clone(),
                role: u.role,
                unit: u.unit.clone(),
            };
            let Some(queue) = actor.review_todo() else {
                continue;
            };
            if queue.states.contains(&ReviewState::Returned) {
                continue;
            }
            let waiting = self
                .review_queue(&ReviewFilter {
                    states: queue.states,
                    unit: queue.unit,
                })
                .await?
                .len();
            if waiting > 0 {
                to(
                    &u.username,
                    MessageKind::Review,
                    format!("review:{today}"),
                    format!("{today}：{}共{waiting}条", queue.heading),
                    "/review".to_owned(),
                );
            }
        }
        if let Some(month) = month_closing(today) {
            for u in users.iter().filter(|u| u.role == Role::UnitStaff) {
                to(
                    &u.username,
                    MessageKind::Closing,
                    format!("closing:{month}"),
                    format!("{month}的月度填报即将截止，请在月底前报送本月的项目、资金和对接记录"),
                    "/projects".to_owned(),
                );
            }
        }
        Ok(out)
    }
}
