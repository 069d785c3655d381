//! A project's life as dated events, and the rules every event must obey (SPEC §2).
//!
//! Events are never edited. A project's progress is always recomputed by replaying its
//! effective events (originals as amended by their latest correction) in date order, so no stored
//! stage can drift from the record.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{CreditCode, FieldError, Money};

pub use crate::inputs::EventInput;

/// The forward stages of a project, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Stage {
    Lead,
    Negotiating,
    Signed,
    Landed,
    Started,
    Production,
    Capacity,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Lead,
        Stage::Negotiating,
        Stage::Signed,
        Stage::Landed,
        Stage::Started,
        Stage::Production,
        Stage::Capacity,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Stage::Lead => "线索",
            Stage::Negotiating => "在谈",
            Stage::Signed => "签约",
            Stage::Landed => "落地",
            Stage::Started => "开工",
            Stage::Production => "投产",
            Stage::Capacity => "达效",
        }
    }

    pub fn next(self) -> Option<Stage> {
        Self::ALL.into_iter().find(|s| *s > self)
    }
}

/// What an event records: a forward stage, or one of the states a project can fall into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    Stage(Stage),
    /// 停工: construction suspended, e.g. for winter.
    Suspend,
    /// 复工: construction resumed.
    Resume,
    /// 停滞: progress stalled, with a reason.
    Stall,
    /// 终止: the project was dropped, with a reason. Nothing follows it.
    Terminate,
}

impl EventKind {
    pub const ALL: [EventKind; 11] = [
        EventKind::Stage(Stage::Lead),
        EventKind::Stage(Stage::Negotiating),
        EventKind::Stage(Stage::Signed),
        EventKind::Stage(Stage::Landed),
        EventKind::Stage(Stage::Started),
        EventKind::Suspend,
        EventKind::Resume,
        EventKind::Stage(Stage::Production),
        EventKind::Stage(Stage::Capacity),
        EventKind::Stall,
        EventKind::Terminate,
    ];

    pub fn label(self) -> &'static str {
        match self {
            EventKind::Stage(stage) => stage.label(),
            EventKind::Suspend => "停工",
            EventKind::Resume => "复工",
            EventKind::Stall => "停滞",
            EventKind::Terminate => "终止",
        }
    }

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            EventKind::Stage(Stage::Lead) => "lead",
            EventKind::Stage(Stage::Negotiating) => "negotiating",
            EventKind::Stage(Stage::Signed) => "signed",
            EventKind::Stage(Stage::Landed) => "landed",
            EventKind::Stage(Stage::Started) => "started",
            EventKind::Stage(Stage::Production) => "production",
            EventKind::Stage(Stage::Capacity) => "capacity",
            EventKind::Suspend => "suspended",
            EventKind::Resume => "resumed",
            EventKind::Stall => "stalled",
            EventKind::Terminate => "terminated",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        Self::ALL.into_iter().find(|k| k.label() == value).ok_or_else(|| {
            FieldError::new(
                field,
                format!("“{value}”不是可用的阶段（线索、在谈、签约、落地、开工、停工、复工、投产、达效、停滞、终止）"),
            )
        })
    }
}

/// One dated event, already checked for what it must carry on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageEvent {
    pub kind: EventKind,
    pub date: NaiveDate,
    /// The signed amount, on a 签约 event only.
    pub amount: Option<Money>,
    /// The registered company, on a 落地 event.
    pub company: Option<CreditCode>,
    /// The land parcel, on a 落地 event.
    pub parcel: Option<String>,
    /// The reason for 停滞 and 终止; a remark on other events.
    pub note: Option<String>,
    /// An uploaded file's hash or a document reference.
    pub evidence: Option<String>,
}

pub const FIELD_KIND: &str = "阶段";
pub const FIELD_DATE: &str = "日期";
pub const FIELD_AMOUNT: &str = "金额";
pub const FIELD_COMPANY: &str = "落地企业信用代码";
pub const FIELD_PARCEL: &str = "地块编号";
pub const FIELD_NOTE: &str = "说明";
pub const FIELD_REASON: &str = "更正原因";

impl StageEvent {
    /// Checks what an event must carry whatever the project's state: 落地 a company or a parcel,
    /// 停滞 and 终止 a reason, and an amount only where it means something (签约).
    pub fn new(
        kind: EventKind,
        date: NaiveDate,
        amount: Option<Money>,
        company: Option<CreditCode>,
        parcel: Option<String>,
        note: Option<String>,
    ) -> Result<Self, FieldError> {
        if amount.is_some() && kind != EventKind::Stage(Stage::Signed) {
            return Err(FieldError::new(FIELD_AMOUNT, "只有签约事件填写金额"));
        }
        if kind == EventKind::Stage(Stage::Landed) && company.is_none() && parcel.is_none() {
            return Err(FieldError::new(
                FIELD_COMPANY,
                "落地须填写落地企业信用代码或地块编号",
            ));
        }
        if (company.is_some() || parcel.is_some()) && kind != EventKind::Stage(Stage::Landed) {
            let field = if company.is_some() {
                FIELD_COMPANY
            } else {
                FIELD_PARCEL
            };
            return Err(FieldError::new(field, "只有落地事件填写落地企业或地块"));
        }
        if matches!(kind, EventKind::Stall | EventKind::Terminate) && note.is_none() {
            return Err(FieldError::new(
                FIELD_NOTE,
                format!("{}须说明原因", kind.label()),
            ));
        }
        Ok(StageEvent {
            kind,
            date,
            amount,
            company,
            parcel,
            note,
            evidence: None,
        })
    }

    pub fn with_evidence(mut self, evidence: Option<String>) -> Self {
        self.evidence = evidence;
        self
    }
}

/// What the rules need to know beyond the events themselves.
#[derive(Debug, Clone, Copy)]
pub struct RuleContext {
    pub today: NaiveDate,
    /// The project's own 签约额, used when a 签约 event carries no amount.
    pub project_signed_amount: Option<Money>,
}

/// Where a project stands, derived from its events and never stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub stage: Option<Stage>,
    pub suspended: bool,
    pub stalled: bool,
    pub terminated: bool,
    pub last_date: Option<NaiveDate>,
    /// Date and amount of the first 签约.
    pub signed: Option<(NaiveDate, Money)>,
}

impl Progress {
    /// The project's state after `event`, or the rule it breaks.
    pub fn apply(&self, event: &StageEvent, ctx: &RuleContext) -> Result<Progress, FieldError> {
        if event.date > ctx.today {
            return Err(FieldError::new(
                FIELD_DATE,
                format!("不能晚于今天（{}）", ctx.today),
            ));
        }
        if let Some(last) = self.last_date
            && event.date < last
        {
            return Err(FieldError::new(
                FIELD_DATE,
                format!("不能早于该项目上一事件的日期（{last}）"),
            ));
        }
        if self.terminated {
            return Err(FieldError::new(FIELD_KIND, "项目已终止，不能再记录事件"));
        }
        let mut next = self.clone();
        next.last_date = Some(event.date);
        match event.kind {
            EventKind::Stage(stage) => {
                if let Some(current) = self.stage
                    && stage <= current
                {
                    return Err(FieldError::new(
                        FIELD_KIND,
                        format!(
                            "项目已处于“{}”，只能向后推进，不能再记“{}”",
                            current.label(),
                            stage.label()
                        ),
                    ));
                }
                if self.suspended {
                    return Err(FieldError::new(FIELD_KIND, "项目停工中，须先记录复工"));
                }
                if stage == Stage::Signed && next.signed.is_none() {
                    let amount = event.amount.or(ctx.project_signed_amount);
                    match amount {
                        Some(amount) if amount.is_positive() => {
                            next.signed = Some((event.date, amount));
                        }
                        _ => {
                            return Err(FieldError::new(FIELD_AMOUNT, "签约须有大于0的签约额"));
                        }
                    }
                }
                next.stage = Some(stage);
                next.stalled = false;
            }
            EventKind::Suspend => {
                if self.stage != Some(Stage::Started) {
                    return Err(FieldError::new(
                        FIELD_KIND,
                        "只有已开工、未投产的项目可以停工",
                    ));
                }
                if self.suspended {
                    return Err(FieldError::new(FIELD_KIND, "项目已在停工中"));
                }
                next.suspended = true;
            }
            EventKind::Resume => {
                if !self.suspended {
                    return Err(FieldError::new(FIELD_KIND, "只有停工中的项目可以复工"));
                }
                next.suspended = false;
                next.stalled = false;
            }
            EventKind::Stall => next.stalled = true,
            EventKind::Terminate => next.terminated = true,
        }
        Ok(next)
    }

    /// Replays events in the order given; on a broken rule, the index of the event and the rule.
    pub fn replay<'a>(
        events: impl IntoIterator<Item = &'a StageEvent>,
        ctx: &RuleContext,
    ) -> Result<Progress, (usize, FieldError)> {
        let mut progress = Progress::default();
        for (i, event) in events.into_iter().enumerate() {
            progress = progress.apply(event, ctx).map_err(|e| (i, e))?;
        }
        Ok(progress)
    }

    /// A short Chinese description of the state, as lists show it.
    pub fn label(&self) -> String {
        let stage = self.stage.map_or("未开始", Stage::label);
        if self.terminated {
            format!("已终止（{stage}）")
        } else if self.suspended {
            SUSPENDED_LABEL.to_owned()
        } else if self.stalled {
            format!("{stage}（停滞）")
        } else {
            stage.to_owned()
        }
    }
}

/// The state of a project whose construction is suspended, as lists show it.
pub const SUSPENDED_LABEL: &str = "停工中";

/// Whether a state as [`Progress::label`] writes it is 已终止 or 停滞: lists keep the label, and
/// the warnings read these two facts back from it.
pub fn label_flags(label: &str) -> (bool, bool) {
    (label.starts_with("已终止"), label.ends_with("（停滞）"))
}

/// An event as stored: an original, or a correction of one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedEvent {
    pub id: i64,
    pub event: StageEvent,
    pub correction: Option<Correction>,
    /// Approved in the reporting cycle, so counted in the figures; the stage rules look at
    /// every event whatever its review.
    pub approved: bool,
}

/// A correction of an original event: what it should have been (or nothing, to withdraw it),
/// and why. The original is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    pub corrects: i64,
    pub reason: String,
    pub withdrawn: bool,
}

/// The events that count: each original as amended by its latest correction, withdrawn ones
/// left out, in date order (ties in the order they were recorded). Returns (original id, event).
pub fn effective_events(recorded: &[RecordedEvent]) -> Vec<(i64, &StageEvent)> {
    let mut current: BTreeMap<i64, Option<&StageEvent>> = BTreeMap::new();
    for r in recorded {
        match &r.correction {
            None => {
                current.entry(r.id).or_insert(Some(&r.event));
            }
            Some(c) => {
                current.insert(c.corrects, (!c.withdrawn).then_some(&r.event));
            }
        }
    }
    let mut list: Vec<(i64, &StageEvent)> = current
        .into_iter()
        .filter_map(|(id, e)| e.map(|e| (id, e)))
        .collect();
    list.sort_by_key(|(id, e)| (e.date, *id));
    list
}

/// The project's progress from its stored events.
pub fn progress_of(recorded: &[RecordedEvent], ctx: &RuleContext) -> Result<Progress, FieldError> {
    let effective = effective_events(recorded);
    Progress::replay(effective.iter().map(|(_, e)| *e), ctx).map_err(|(_, e)| e)
}

/// Checks a correction of event `target` against the project's other events: the reason is
/// required, the target must be an original of this project, and the project's history with
/// the correction applied must still obey every rule.
pub fn check_correction(
    recorded: &[RecordedEvent],
    target: i64,
    replacement: Option<&StageEvent>,
    reason: &str,
    ctx: &RuleContext,
) -> Result<(), FieldError> {
    if reason.trim().is_empty() {
        return Err(FieldError::new(FIELD_REASON, "更正须说明原因"));
    }
    if !recorded
        .iter()
        .any(|r| r.id == target && r.correction.is_none())
    {
        return Err(FieldError::new(FIELD_KIND, "要更正的事件不存在"));
    }
    let mut amended: Vec<(i64, &StageEvent)> = effective_events(recorded)
        .into_iter()
        .filter(|(id, _)| *id != target)
        .collect();
    if let Some(replacement) = replacement {
        amended.push((target, replacement));
    }
    amended.sort_by_key(|(id, e)| (e.date, *id));
    Progress::replay(amended.iter().map(|(_, e)| *e), ctx)
        .map(|_| ())
        .map_err(|(_, e)| e)
}

/// What stands between a project and its next step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextStep {
    /// The event that would move the project on; none once it is 达效 or 终止.
    pub next: Option<EventKind>,
    /// Each gap names the field to fill in.
    pub missing: Vec<FieldError>,
}

/// The parts of a project record the next-step check reads.
#[derive(Debug, Clone, Default)]
pub struct ProjectFacts {
    pub has_investor: bool,
    pub signed_amount: Option<Money>,
    pub has_leader: bool,
    pub has_team: bool,
}

/// The list of what is missing before the project may take its next step. The rules that an
/// event itself must satisfy (an amount for 签约, a company or parcel for 落地) are listed too,
/// so that the person preparing the step knows what to bring.
pub fn next_step(progress: &Progress, facts: &ProjectFacts) -> NextStep {
    let mut missing = Vec::new();
    if progress.terminated {
        return NextStep {
            next: None,
            missing,
        };
    }
    let next = if progress.suspended {
        Some(EventKind::Resume)
    } else {
        match progress.stage {
            None => Some(EventKind::Stage(Stage::Lead)),
            Some(stage) => stage.next().map(EventKind::Stage),
        }
    };
    if !facts.has_leader {
        missing.push(FieldError::new("分管领导", "未明确分管领导（六个一）"));
    }
    if !facts.has_team {
        missing.push(FieldError::new("工作专班", "未明确工作专班（六个一）"));
    }
    match next {
        Some(EventKind::Stage(Stage::Signed)) => {
            if !facts.has_investor {
                missing.push(FieldError::new("投资企业", "签约前须明确投资企业"));
            }
            if !facts.signed_amount.is_some_and(Money::is_positive) {
                missing.push(FieldError::new(FIELD_AMOUNT, "签约须有大于0的签约额"));
            }
        }
        Some(EventKind::Stage(Stage::Landed)) => {
            missing.push(FieldError::new(
                FIELD_COMPANY,
                "落地须有注册企业信用代码或地块编号",
            ));
        }
        _ => {}
    }
    NextStep { next, missing }
}
