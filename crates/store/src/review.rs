//! The reporting cycle in the store: the review state of stage events, funds in place and
//! visits, moved one step at a time and logged; the queue of what waits at each level; the
//! months the city has closed.

use chrono::NaiveDate;
use domain::records::UnitKind;
use domain::review::{ReviewState, month_of};
use sqlx::Row;

use crate::rows::{corrupt, parse_day};
use crate::{Result, Store, StoreError, Tx, now_millis};

/// The three kinds of reported record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportKind {
    Event,
    Fund,
    Visit,
}

impl ReportKind {
    pub const ALL: [ReportKind; 3] = [ReportKind::Event, ReportKind::Fund, ReportKind::Visit];

    pub fn code(self) -> &'static str {
        match self {
            ReportKind::Event => "event",
            ReportKind::Fund => "fund",
            ReportKind::Visit => "visit",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportKind::Event => "阶段事件",
            ReportKind::Fund => "到位资金",
            ReportKind::Visit => "对接记录",
        }
    }

    fn table(self) -> &'static str {
        match self {
            ReportKind::Event => "events",
            ReportKind::Fund => "funds",
            ReportKind::Visit => "visits",
        }
    }

    /// One row per record, the same columns for each kind: id, on_date, what (the event's
    /// kind, the fund's currency, the visited firm), amount, project_code, territory, review,
    /// review_note, created_by, the entering account's unit and its kind. A withdrawn fund or
    /// visit is in no queue.
    fn select(self) -> &'static str {
        match self {
            ReportKind::Event => {
                "SELECT r.id, r.event_date AS on_date, r.kind AS what, r.amount, p.code AS project_code, \
                 tu.name AS territory, r.review, r.review_note, r.created_by, eu.name AS entering_unit, \
                 eu.kind AS unit_kind FROM events r JOIN projects p ON p.id = r.project_id \
                 JOIN units tu ON tu.id = p.territory_unit_id LEFT JOIN users us ON us.username = r.created_by \
                 LEFT JOIN units eu ON eu.id = us.unit_id"
            }
            ReportKind::Fund => {
                "SELECT r.id, r.fund_date AS on_date, r.currency AS what, r.amount, p.code AS project_code, \
                 tu.name AS territory, r.review, r.review_note, r.created_by, eu.name AS entering_unit, \
                 eu.kind AS unit_kind FROM (SELECT * FROM funds WHERE withdrawn_at IS NULL) r JOIN projects p ON p.id = r.project_id \
                 JOIN units tu ON tu.id = p.territory_unit_id LEFT JOIN users us ON us.username = r.created_by \
                 LEFT JOIN units eu ON eu.id = us.unit_id"
            }
            ReportKind::Visit => {
                "SELECT r.id, r.visit_date AS on_date, r.enterprise_name AS what, NULL AS amount, \
                 p.code AS project_code, vu.name AS territory, r.review, r.review_note, r.created_by, \
                 eu.name AS entering_unit, eu.kind AS unit_kind FROM (SELECT * FROM visits WHERE withdrawn_at IS NULL) r LEFT JOIN projects p ON p.id = r.project_id \
                 LEFT JOIN units vu ON vu.id = r.unit_id LEFT JOIN users us ON us.username = r.created_by \
                 LEFT JOIN units eu ON eu.id = us.unit_id"
            }
        }
    }
}

/// A reported record as the review pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedRecord {
    pub kind: ReportKind,
    pub id: i64,
    pub date: NaiveDate,
    /// What it says, in a few words: the event's kind and amount, the fund's amount, the
    /// visited enterprise.
    pub summary: String,
    pub project_code: Option<String>,
    pub state: ReviewState,
    /// The reason it was returned.
    pub note: Option<String>,
    pub entered_by: String,
    /// The unit that reported it: the entering account's unit, else the project's territory
    /// (the visit's unit).
    pub unit: String,
    pub unit_kind: Option<UnitKind>,
}

fn record_from_row(kind: ReportKind, row: &sqlx::any::AnyRow) -> Result<ReportedRecord> {
    let date: String = row.try_get("on_date")?;
    let what: Option<String> = row.try_get("what")?;
    let amount: Option<i64> = row.try_get("amount")?;
    let state: String = row.try_get("review")?;
    let territory: Option<String> = row.try_get("territory")?;
    let entering_unit: Option<String> = row.try_get("entering_unit")?;
    let unit_kind: Option<String> = row.try_get("unit_kind")?;
    let wan = |v: i64| {
        domain::Money::from_units("金额", v)
            .map(domain::money::format_wan)
            .unwrap_or_default()
    };
    let summary = match kind {
        ReportKind::Event => {
            let label = what
                .as_deref()
                .and_then(domain::EventKind::from_code)
                .map_or("", domain::EventKind::label)
                .to_owned();
            match amount {
                Some(v) => format!("{label} {} 万元", wan(v)),
                None => label,
            }
        }
        ReportKind::Fund => format!(
            "{} 万元（{}）",
            amount.map(wan).unwrap_or_default(),
            what.as_deref()
                .and_then(domain::Currency::from_code)
                .map_or("", domain::Currency::label)
        ),
        ReportKind::Visit => what.unwrap_or_default(),
    };
    Ok(ReportedRecord {
        kind,
        id: row.try_get("id")?,
        date: parse_day(&date)?,
        summary,
        project_code: row.try_get("project_code")?,
        state: ReviewState::from_code(&state).ok_or_else(|| corrupt("审核状态", &state))?,
        note: row.try_get("review_note")?,
        entered_by: row.try_get("created_by")?,
        unit: entering_unit.or(territory).unwrap_or_default(),
        unit_kind: unit_kind
            .map(|k| UnitKind::from_code(&k).ok_or_else(|| corrupt("单位类型", &k)))
            .transpose()?,
    })
}

/// Which reported records a queue shows.
#[derive(Debug, Clone, Default)]
pub struct ReviewFilter {
    pub states: Vec<ReviewState>,
    /// Only the records this unit reported.
    pub unit: Option<String>,
}

impl Store {
    /// One reported record; `None` when there is none of this kind with this id.
    pub async fn reported(&self, kind: ReportKind, id: i64) -> Result<Option<ReportedRecord>> {
        let sql = sqlx::AssertSqlSafe(format!("{} WHERE r.id = $1", kind.select()));
        match sqlx::query(sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
        {
            Some(row) => Ok(Some(record_from_row(kind, &row)?)),
            None => Ok(None),
        }
    }

    /// The reported records `filter` selects, oldest first, events before funds before visits
    /// on the same day.
    pub async fn review_queue(&self, filter: &ReviewFilter) -> Result<Vec<ReportedRecord>> {
        let mut out = Vec::new();
        for kind in ReportKind::ALL {
            let mut params: Vec<String> =
                filter.states.iter().map(|s| s.code().to_owned()).collect();
            let states = (1..=params.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut clause = format!("WHERE r.review IN ({states})");
            if let Some(unit) = &filter.unit {
                params.push(unit.clone());
                let territory = match kind {
                    ReportKind::Visit => "vu.name",
                    ReportKind::Event | ReportKind::Fund => "tu.name",
                };
                clause.push_str(&format!(
                    " AND COALESCE(eu.name, {territory}) = ${}",
                    params.len()
                ));
            }
            if filter.states.is_empty() {
                continue;
            }
            let sql = sqlx::AssertSqlSafe(format!("{} {clause} ORDER BY r.id", kind.select()));
            let mut query = sqlx::query(sql);
            for value in &params {
                query = query.bind(value.clone());
            }
            for row in query.fetch_all(self.pool()).await? {
                out.push(record_from_row(kind, &row)?);
            }
        }
        out.sort_by_key(|r| r.date);
        Ok(out)
    }

    /// The ids of a project's funds (or events) still in the reporting cycle: not yet counted.
    pub async fn unapproved_of(&self, kind: ReportKind, project_code: &str) -> Result<Vec<i64>> {
        let table = kind.table();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT r.id FROM {table} r JOIN projects p ON p.id = r.project_id \
             WHERE p.code = $1 AND r.review <> 'approved' ORDER BY r.id"
        ));
        let rows = sqlx::query(sql)
            .bind(project_code)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    /// The months the city has closed, latest first.
    pub async fn closed_months(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT month FROM closed_months ORDER BY month DESC")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok(r.try_get("month")?)).collect()
    }
}

/// What a review step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewStep {
    Approve,
    Return(String),
    Resubmit,
}

impl Tx {
    /// Moves a reported record one step through the cycle, logged with its state before and
    /// after. The caller has checked that the actor may take this step.
    pub async fn review(&mut self, kind: ReportKind, id: i64, step: &ReviewStep) -> Result<()> {
        let sql = sqlx::AssertSqlSafe(format!("{} WHERE r.id = $1", kind.select()));
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("{}#{id}不存在", kind.label())))?;
        let record = record_from_row(kind, &row)?;
        let (after, note) = match step {
            ReviewStep::Approve => (record.state.approve()?, None),
            ReviewStep::Return(reason) => {
                let (state, reason) = record.state.send_back(reason)?;
                (state, Some(reason))
            }
            ReviewStep::Resubmit => {
                self.check_window(record.date).await?;
                let kind = record.unit_kind.unwrap_or(UnitKind::County);
                (record.state.resubmit(kind)?, None)
            }
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE {} SET review = $1, review_note = $2 WHERE id = $3",
            kind.table()
        ));
        sqlx::query(sql)
            .bind(after.code())
            .bind(note.as_deref())
            .bind(id)
            .execute(self.conn())
            .await?;
        if kind == ReportKind::Event {
            // The approved milestones of its project follow.
            let project: i64 = sqlx::query("SELECT project_id FROM events WHERE id = $1")
                .bind(id)
                .fetch_one(self.conn())
                .await?
                .try_get("project_id")?;
            self.forget_history(project);
        }
        self.log(
            kind.code(),
            &id.to_string(),
            "review",
            Some(&record.state.code()),
            Some(&(after.code(), note)),
        )
        .await
    }

    /// Refuses a record of a unit's staff dated in a month the city has closed.
    pub(crate) async fn check_window(&mut self, date: NaiveDate) -> Result<()> {
        if self.entry_review() == ReviewState::Approved {
            return Ok(());
        }
        let month = month_of(date);
        let closed = sqlx::query("SELECT 1 FROM closed_months WHERE month = $1")
            .bind(&month)
            .fetch_optional(self.conn())
            .await?;
        if closed.is_some() {
            return Err(StoreError::Closed(format!(
                "{month}的填报窗口已关闭，如需补报或修改请联系市经合局"
            )));
        }
        Ok(())
    }

    /// Closes a month: units no longer enter or change records dated in it.
    pub async fn close_month(&mut self, month: &str) -> Result<()> {
        let exists = sqlx::query("SELECT 1 FROM closed_months WHERE month = $1")
            .bind(month)
            .fetch_optional(self.conn())
            .await?;
        if exists.is_some() {
            return Ok(());
        }
        let actor = self.actor_name().to_owned();
        sqlx::query("INSERT INTO closed_months (month, closed_by, closed_at) VALUES ($1, $2, $3)")
            .bind(month)
            .bind(actor)
            .bind(now_millis())
            .execute(self.conn())
            .await?;
        self.log("window", month, "close", None::<&()>, Some(&month))
            .await
    }

    /// Opens a closed month again.
    pub async fn reopen_month(&mut self, month: &str) -> Result<()> {
        let done = sqlx::query("DELETE FROM closed_months WHERE month = $1")
            .bind(month)
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Ok(());
        }
        self.log("window", month, "reopen", Some(&month), None::<&()>)
            .await
    }
}
