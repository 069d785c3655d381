//! Stage events: appended after checking against the project's history, corrected but
//! never edited.

use std::collections::HashMap;

use domain::EventKind;
use domain::stage::{self, Correction, RecordedEvent, RuleContext, StageEvent};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::batch::Value;
use crate::rows::{corrupt, credit_code, money, parse_day};
use crate::tx::{Added, History, Named, Tx};
use crate::{Result, Store, StoreError, now_millis};

impl Tx {
    pub(crate) async fn project_id(&mut self, code: &str) -> Result<i64> {
        self.resolve(Named::Project, "项目编号", code).await
    }

    pub(super) async fn history(&mut self, project_id: i64) -> Result<&mut History> {
        if !self.histories.contains_key(&project_id) {
            self.flush().await?;
            let history = self.load_history(project_id).await?;
            self.histories.insert(project_id, history);
        }
        Ok(self.histories.entry(project_id).or_default())
    }

    /// Reads a project's stored events and signed amount; queued events must be flushed first.
    async fn load_history(&mut self, project_id: i64) -> Result<History> {
        let events = events_of_project(&mut self.tx, project_id).await?;
        let signed: Option<i64> = sqlx::query("SELECT signed_amount FROM projects WHERE id = $1")
            .bind(project_id)
            .fetch_one(&mut *self.tx)
            .await?
            .try_get("signed_amount")?;
        let signed_amount = signed
            .map(|v| domain::Money::from_units("签约额", v))
            .transpose()?;
        Ok(History {
            signed_amount,
            events,
        })
    }

    /// Rewrites the derived state (stage, label, signing) of every project marked dirty,
    /// recomputed from its history, many projects to a statement. Queued rows must be flushed
    /// first.
    pub(super) async fn write_states(&mut self) -> Result<()> {
        if self.dirty.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<i64> = self.dirty.drain().collect();
        ids.sort_unstable();
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            if !self.histories.contains_key(&id) {
                let history = self.load_history(id).await?;
                self.histories.insert(id, history);
            }
            let history = self.histories.entry(id).or_default();
            let ctx = RuleContext {
                today: self.today,
                project_signed_amount: history.signed_amount,
            };
            let progress = stage::progress_of(&history.events, &ctx)
                .map_err(|e| StoreError::Corrupt(format!("项目{id}的事件不符合规则: {e}")))?;
            let mut row = vec![Value::from(id)];
            row.extend(derived_state(
                &progress,
                &history.events,
                history.signed_amount,
            ));
            rows.push(row);
        }
        for chunk in rows.chunks(200) {
            let mut sql = String::from(
                "UPDATE projects SET stage = v.column2, state_label = v.column3, signed_on = v.column4, \
                 signed_value = v.column5, first_on = v.column6, landed_on = v.column7, \
                 started_on = v.column8, production_on = v.column9, capacity_on = v.column10, \
                 resumed_on = v.column11, approved_signed_on = v.column12, \
                 approved_signed_value = v.column13, approved_first_on = v.column14, \
                 approved_landed_on = v.column15, approved_started_on = v.column16, \
                 approved_production_on = v.column17, approved_capacity_on = v.column18, \
                 approved_resumed_on = v.column19 FROM (VALUES ",
            );
            sql.push_str(&self.backend.placeholders(chunk.len(), 19));
            sql.push_str(") AS v WHERE projects.id = v.column1");
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for value in chunk.iter().flatten() {
                query = match value {
                    Value::Int(v) => query.bind(*v),
                    Value::Text(v) => query.bind(v.clone()),
                };
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Recomputes every project's derived state from its events.
    pub async fn refresh_project_states(&mut self) -> Result<()> {
        self.preload_histories().await?;
        self.dirty.extend(self.histories.keys().copied());
        self.write_states().await
    }

    /// Reads the histories of all projects in two queries, for imports that add events to many
    /// projects; without it each project's history is read when first needed.
    pub async fn preload_histories(&mut self) -> Result<()> {
        self.flush().await?;
        let projects = sqlx::query("SELECT id, signed_amount FROM projects")
            .fetch_all(&mut *self.tx)
            .await?;
        let mut histories: HashMap<i64, History> = HashMap::with_capacity(projects.len());
        for row in &projects {
            let signed: Option<i64> = row.try_get("signed_amount")?;
            let signed_amount = signed
                .map(|v| domain::Money::from_units("签约额", v))
                .transpose()?;
            histories.insert(
                row.try_get("id")?,
                History {
                    signed_amount,
                    events: Vec::new(),
                },
            );
        }
        for (project_id, event) in all_events_by_project(&mut self.tx).await? {
            histories.entry(project_id).or_default().events.push(event);
        }
        self.histories = histories;
        Ok(())
    }

    /// Appends an event to a project after checking it against the project's history. An
    /// event identical to one the project already has is reported as a duplicate.
    pub async fn add_event(&mut self, project_code: &str, event: &StageEvent) -> Result<Added> {
        self.add_event_marked(project_code, event, false).await
    }

    /// The project's id and what the stage rules need to judge its next event.
    async fn rule_context(&mut self, project_code: &str) -> Result<(i64, RuleContext)> {
        let project_id = self.project_id(project_code).await?;
        let today = self.today;
        let project_signed_amount = self.history(project_id).await?.signed_amount;
        Ok((
            project_id,
            RuleContext {
                today,
                project_signed_amount,
            },
        ))
    }

    /// As [`Tx::add_event`], marking the event as illustrative (generated demo data).
    pub async fn add_event_marked(
        &mut self,
        project_code: &str,
        event: &StageEvent,
        illustrative: bool,
    ) -> Result<Added> {
        let (project_id, ctx) = self.rule_context(project_code).await?;
        let history = self.history(project_id).await?;
        if history
            .events
            .iter()
            .any(|r| r.correction.is_none() && &r.event == event)
        {
            return Ok(Added::Duplicate);
        }
        let progress = stage::progress_of(&history.events, &ctx).map_err(|e| {
            StoreError::Corrupt(format!("项目“{project_code}”的已有事件不符合规则: {e}"))
        })?;
        progress.apply(event, &ctx)?;
        self.check_window(event.date).await?;
        let id = self
            .insert_event(project_id, event, None, illustrative)
            .await?;
        let approved = self.entry_review() == domain::review::ReviewState::Approved;
        self.history(project_id).await?.events.push(RecordedEvent {
            id,
            event: event.clone(),
            correction: None,
            approved,
        });
        self.dirty.insert(project_id);
        self.log::<(), _>(
            "event",
            &id.to_string(),
            "create",
            None,
            Some(&(project_code, event)),
        )
        .await?;
        Ok(Added::Added(id))
    }

    /// Queues an event for writing under a reserved id, which it returns at once.
    async fn insert_event(
        &mut self,
        project_id: i64,
        event: &StageEvent,
        correction: Option<&Correction>,
        illustrative: bool,
    ) -> Result<i64> {
        let id = self.reserve_id("events").await?;
        self.events.push(vec![
            Value::from(id),
            Value::from(project_id),
            Value::from(event.kind.code()),
            Value::from(event.date.format("%Y-%m-%d").to_string()),
            Value::from(event.amount.map(|m| m.units())),
            Value::from(event.company.as_ref().map(|c| c.as_str().to_owned())),
            Value::from(event.parcel.clone()),
            Value::from(event.note.clone()),
            Value::from(event.evidence.clone()),
            Value::from(correction.map(|c| c.corrects)),
            Value::from(correction.map(|c| c.reason.clone())),
            Value::from(i64::from(correction.is_some_and(|c| c.withdrawn))),
            Value::from(i64::from(illustrative)),
            Value::from(now_millis()),
            Value::from(self.actor.as_str()),
            Value::from(self.entry_review().code()),
        ]);
        if self.events.is_full() {
            self.flush().await?;
        }
        Ok(id)
    }

    /// Corrects event `event_id` of a project: `replacement` is what it should have been, or
    /// `None` to withdraw it. The original stays; the correction is a new event with its reason.
    pub async fn correct_event(
        &mut self,
        project_code: &str,
        event_id: i64,
        replacement: Option<&StageEvent>,
        reason: &str,
    ) -> Result<i64> {
        let (project_id, ctx) = self.rule_context(project_code).await?;
        let history = self.history(project_id).await?;
        stage::check_correction(&history.events, event_id, replacement, reason, &ctx)?;
        let original_date = history
            .events
            .iter()
            .find(|r| r.id == event_id)
            .map(|r| r.event.date);
        let before = history
            .events
            .iter()
            .rev()
            .find(|r| {
                r.id == event_id
                    || r.correction
                        .as_ref()
                        .is_some_and(|c| c.corrects == event_id)
            })
            .map(|r| r.event.clone());
        for date in original_date.into_iter().chain(replacement.map(|e| e.date)) {
            self.check_window(date).await?;
        }
        let correction = Correction {
            corrects: event_id,
            reason: reason.trim().to_owned(),
            withdrawn: replacement.is_none(),
        };
        let stored = match replacement {
            Some(event) => event.clone(),
            // A withdrawal repeats the original so that the row stays readable on its own.
            None => before
                .clone()
                .ok_or_else(|| StoreError::invalid(stage::FIELD_KIND, "要更正的事件不存在"))?,
        };
        let id = self
            .insert_event(project_id, &stored, Some(&correction), false)
            .await?;
        self.dirty.insert(project_id);
        let approved = self.entry_review() == domain::review::ReviewState::Approved;
        self.history(project_id).await?.events.push(RecordedEvent {
            id,
            event: stored,
            correction: Some(correction.clone()),
            approved,
        });
        self.log(
            "event",
            &event_id.to_string(),
            "correct",
            before.as_ref(),
            Some(&(replacement, &correction.reason)),
        )
        .await?;
        Ok(id)
    }
}

/// The derived columns of a project (migrations 3 and 4), in table order from `stage`.
pub(crate) fn derived_state(
    progress: &domain::stage::Progress,
    events: &[RecordedEvent],
    signed_amount: Option<domain::Money>,
) -> Vec<Value> {
    let day =
        |d: Option<chrono::NaiveDate>| Value::from(d.map(|d| d.format("%Y-%m-%d").to_string()));
    let effective = stage::effective_events(events);
    let milestones = domain::figures::Milestones::of(
        effective.iter().map(|(_, e)| *e),
        signed_amount.map(|m| m.units()),
    );
    vec![
        Value::from(
            progress
                .stage
                .map(|s| domain::EventKind::Stage(s).code().to_owned()),
        ),
        Value::from(progress.label()),
        day(progress.signed.map(|(d, _)| d)),
        Value::from(progress.signed.map(|(_, m)| m.units())),
        day(milestones.first_on),
        day(milestones.landed_on),
        day(milestones.started_on),
        day(milestones.production_on),
        day(milestones.capacity_on),
        Value::from(milestones.resumed_text()),
    ]
    .into_iter()
    .chain(approved_milestones(events, signed_amount))
    .collect()
}

/// The milestones of the approved events only (migration 11): what the figures count.
fn approved_milestones(
    events: &[RecordedEvent],
    signed_amount: Option<domain::Money>,
) -> Vec<Value> {
    let day =
        |d: Option<chrono::NaiveDate>| Value::from(d.map(|d| d.format("%Y-%m-%d").to_string()));
    let approved: Vec<RecordedEvent> = events.iter().filter(|e| e.approved).cloned().collect();
    let effective = stage::effective_events(&approved);
    let m = domain::figures::Milestones::of(
        effective.iter().map(|(_, e)| *e),
        signed_amount.map(|m| m.units()),
    );
    vec![
        day(m.signed.map(|(d, _)| d)),
        Value::from(m.signed.map(|(_, v)| v)),
        day(m.first_on),
        day(m.landed_on),
        day(m.started_on),
        day(m.production_on),
        day(m.capacity_on),
        Value::from(m.resumed_text()),
    ]
}

fn event_from_row(row: &AnyRow) -> Result<RecordedEvent> {
    let kind_code: String = row.try_get("kind")?;
    let date: String = row.try_get("event_date")?;
    let corrects: Option<i64> = row.try_get("corrects_id")?;
    let event = StageEvent {
        kind: EventKind::from_code(&kind_code).ok_or_else(|| corrupt("阶段", &kind_code))?,
        date: parse_day(&date)?,
        amount: money(row.try_get("amount")?)?,
        company: credit_code(row.try_get("company_code")?)?,
        parcel: row.try_get("parcel")?,
        note: row.try_get("note")?,
        evidence: row.try_get("evidence")?,
    };
    let correction = match corrects {
        Some(corrects) => Some(Correction {
            corrects,
            reason: row.try_get::<Option<String>, _>(8)?.unwrap_or_default(),
            withdrawn: row.try_get::<i64, _>("withdrawn")? != 0,
        }),
        None => None,
    };
    Ok(RecordedEvent {
        id: row.try_get("id")?,
        event,
        correction,
        approved: row.try_get::<i64, _>("approved")? != 0,
    })
}

const EVENT_COLUMNS: &str = "e.id, e.kind, e.event_date, e.amount, e.company_code, e.parcel, e.note, e.evidence, \
     e.correction_reason, e.corrects_id, e.withdrawn, CASE WHEN e.review = 'approved' THEN 1 ELSE 0 END AS approved";

pub(crate) async fn events_of_project(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<Vec<RecordedEvent>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} FROM events e WHERE e.project_id = $1 ORDER BY e.id"
    ));
    let rows = sqlx::query(sql)
        .bind(project_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(event_from_row).collect()
}

/// Every stored event with its project's id, ordered by project and then as recorded.
pub(crate) async fn all_events_by_project(
    conn: &mut AnyConnection,
) -> Result<Vec<(i64, RecordedEvent)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS}, e.project_id FROM events e ORDER BY e.project_id, e.id"
    ));
    let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| Ok((row.try_get("project_id")?, event_from_row(row)?)))
        .collect()
}

impl Store {
    /// The stored events of one project, corrections included, in the order recorded.
    pub async fn events_of(&self, code: &str) -> Result<Vec<RecordedEvent>> {
        let project = self
            .project(code)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("项目“{code}”不存在")))?;
        let mut conn = self.pool().acquire().await?;
        events_of_project(&mut conn, project.id).await
    }

    /// Every stored event with its project's 项目编号, ordered by project and then as recorded.
    pub async fn all_events(&self) -> Result<Vec<(String, RecordedEvent)>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS}, p.code AS project_code FROM events e JOIN projects p ON p.id = e.project_id ORDER BY p.code, e.id"
        ));
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| Ok((row.try_get("project_code")?, event_from_row(row)?)))
            .collect()
    }
}
