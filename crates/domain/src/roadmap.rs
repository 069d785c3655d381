//! The 招商路线图 (issue 23.2): per chain or per unit and year, the four sets — 重点招商项目,
//! 重要客户, 招商政策, 对接计划 — and plan against done, judged from the visit log and the
//! projects: a planned visit held on time, late or missed; a client approached, in talks or
//! signed; a packaged project signed.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::Stage;

/// Whose roadmap: an industrial chain's (its 链长's) or a unit's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum OwnerKind {
    Chain,
    Unit,
}

impl OwnerKind {
    pub fn code(self) -> &'static str {
        match self {
            OwnerKind::Chain => "chain",
            OwnerKind::Unit => "unit",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OwnerKind::Chain => "产业链",
            OwnerKind::Unit => "单位",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [OwnerKind::Chain, OwnerKind::Unit]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// The four sets (四个一套).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SetKind {
    Project,
    Client,
    Policy,
    Visit,
}

impl SetKind {
    pub const ALL: [SetKind; 4] = [
        SetKind::Project,
        SetKind::Client,
        SetKind::Policy,
        SetKind::Visit,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SetKind::Project => "project",
            SetKind::Client => "client",
            SetKind::Policy => "policy",
            SetKind::Visit => "visit",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SetKind::Project => "重点招商项目",
            SetKind::Client => "重要客户",
            SetKind::Policy => "招商政策",
            SetKind::Visit => "对接计划",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.label() == raw || k.code() == raw)
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!(
                        "“{raw}”不是路线图的内容类型（重点招商项目、重要客户、招商政策、对接计划）"
                    ),
                )
            })
    }
}

/// A planned month of a roadmap's year, 1..=12.
pub fn parse_month(field: &str, raw: &str) -> Result<u32, FieldError> {
    let text = raw.trim().trim_end_matches('月');
    match text.parse::<u32>() {
        Ok(m) if (1..=12).contains(&m) => Ok(m),
        _ => Err(FieldError::new(
            field,
            format!("“{}”不是月份，请填写1至12", raw.trim()),
        )),
    }
}

/// How a planned visit came out, judged on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitOutcome {
    /// Held by the end of the planned month (or before it): the first visit of the year.
    OnTime(NaiveDate),
    /// Held, but after the planned month.
    Late(NaiveDate),
    /// Not held, and the month is not over yet.
    Due,
    /// Not held, and the month is over.
    Missed,
}

impl VisitOutcome {
    pub fn label(self) -> String {
        match self {
            VisitOutcome::OnTime(d) => format!("已对接（{d}）"),
            VisitOutcome::Late(d) => format!("逾期对接（{d}）"),
            VisitOutcome::Due => "待对接".to_owned(),
            VisitOutcome::Missed => "逾期未对接".to_owned(),
        }
    }

    pub fn held(self) -> bool {
        matches!(self, VisitOutcome::OnTime(_) | VisitOutcome::Late(_))
    }
}

fn month_end(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
}

/// A visit planned to a firm in `month` of `year`, judged on `today` from the dates the firm was
/// visited (any order): the first visit of that year counts.
pub fn visit_outcome(
    year: i32,
    month: u32,
    visits: &[NaiveDate],
    today: NaiveDate,
) -> VisitOutcome {
    let first = visits
        .iter()
        .filter(|d| d.year() == year && **d <= today)
        .min()
        .copied();
    let end = month_end(year, month);
    match first {
        Some(d) if d <= end => VisitOutcome::OnTime(d),
        Some(d) => VisitOutcome::Late(d),
        None if today > end => VisitOutcome::Missed,
        None => VisitOutcome::Due,
    }
}

/// How far a client of the roadmap has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClientProgress {
    NotApproached,
    Approached,
    InTalks,
    Signed,
}

impl ClientProgress {
    pub fn label(self) -> &'static str {
        match self {
            ClientProgress::NotApproached => "未对接",
            ClientProgress::Approached => "已对接",
            ClientProgress::InTalks => "在谈",
            ClientProgress::Signed => "已签约",
        }
    }

    /// In the roadmap's `year`, judged on `today`: from whether the firm was visited that year
    /// and its projects — (where each stands now, its first 签约). Signed means signed that year
    /// by the day; a signing of an earlier year is not this roadmap's work.
    pub fn of(
        visited: bool,
        projects: &[(Stage, Option<NaiveDate>)],
        year: i32,
        today: NaiveDate,
    ) -> Self {
        let signed = projects
            .iter()
            .any(|(_, on)| on.is_some_and(|d| d.year() == year && d <= today));
        if signed {
            ClientProgress::Signed
        } else if projects.iter().any(|(s, _)| *s == Stage::Negotiating) {
            ClientProgress::InTalks
        } else if visited || projects.iter().any(|(s, _)| *s == Stage::Lead) {
            ClientProgress::Approached
        } else {
            ClientProgress::NotApproached
        }
    }
}
