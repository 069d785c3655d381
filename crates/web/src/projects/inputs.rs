//! The forms of a project's page — a stage event, financing, 要素保障, the schedule plan, a
//! fund — as typed, and what they parse into.

use domain::error::keep;
use domain::period::parse_date;
use domain::stage::{EventInput, StageEvent};
use domain::text::optional;
use domain::{FieldError, Money};
use serde::Deserialize;

/// The financing-plan form, as typed.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct FinancingForm {
    #[serde(default)]
    pub csrf: String,
    /// 万元.
    #[serde(default)]
    pub need: String,
    #[serde(default)]
    pub sources: String,
    #[serde(default)]
    pub bank: String,
    #[serde(default)]
    pub status: String,
}

impl FinancingForm {
    pub(super) fn of(plan: &domain::financing::FinancingPlan) -> Self {
        FinancingForm {
            csrf: String::new(),
            need: domain::money::format_wan(plan.need).replace(',', ""),
            sources: plan.sources.clone(),
            bank: plan.bank.clone().unwrap_or_default(),
            status: plan.status.label().to_owned(),
        }
    }

    pub fn parse(&self) -> Result<domain::financing::FinancingPlan, Vec<FieldError>> {
        let mut errors = Vec::new();
        let need = keep(&mut errors, Money::parse_wan("融资需求", &self.need));
        let status = keep(
            &mut errors,
            domain::financing::FinancingStatus::parse("状态", &self.status),
        );
        let (Some(need), Some(status)) = (need, status) else {
            return Err(errors);
        };
        domain::financing::FinancingPlan::new(need, &self.sources, optional(&self.bank), status)
            .map_err(|mut more| {
                errors.append(&mut more);
                errors
            })
    }
}

/// One of the thirteen 要素保障 items as the project page lists it.
pub struct ElementRow {
    pub item: &'static str,
    pub status: &'static str,
    pub department: String,
    pub due: String,
    pub done: String,
    pub overdue: bool,
}

/// The form that sets one 要素保障 item, as typed.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct ElementForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub due: String,
    #[serde(default)]
    pub done: String,
}

impl ElementForm {
    /// The item the form describes, or every bad field.
    pub fn parse(&self) -> Result<domain::responsibility::ElementSupport, Vec<FieldError>> {
        use domain::responsibility::{ElementItem, ElementStatus, ElementSupport};
        let mut errors = Vec::new();
        let item = keep(&mut errors, ElementItem::parse("要素", &self.item));
        let status = keep(&mut errors, ElementStatus::parse("状态", &self.status));
        let date = |field: &str, text: &str, errors: &mut Vec<FieldError>| match text.trim() {
            "" => None,
            t => keep(errors, parse_date(field, t)),
        };
        let due = date("应完成日期", &self.due, &mut errors);
        let done = date("完成日期", &self.done, &mut errors);
        let (Some(item), Some(status)) = (item, status) else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        ElementSupport::new(item, status, optional(&self.department), due, done)
            .map_err(|e| vec![e])
    }
}

/// A milestone of the schedule plan beside what happened.
pub struct PlanRow {
    pub stage: &'static str,
    pub planned: String,
    pub actual: String,
    pub status: String,
    pub late: bool,
}

/// The schedule-plan form: a planned date per milestone, as typed.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct PlanForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub signed: String,
    #[serde(default)]
    pub landed: String,
    #[serde(default)]
    pub started: String,
    #[serde(default)]
    pub production: String,
    #[serde(default)]
    pub capacity: String,
}

impl PlanForm {
    fn fields(&self) -> [(domain::Stage, &str); 5] {
        use domain::Stage;
        [
            (Stage::Signed, &self.signed),
            (Stage::Landed, &self.landed),
            (Stage::Started, &self.started),
            (Stage::Production, &self.production),
            (Stage::Capacity, &self.capacity),
        ]
    }

    pub(super) fn of(plan: &domain::responsibility::SchedulePlan) -> Self {
        let on = |stage| {
            plan.planned(stage)
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        use domain::Stage;
        PlanForm {
            csrf: String::new(),
            signed: on(Stage::Signed),
            landed: on(Stage::Landed),
            started: on(Stage::Started),
            production: on(Stage::Production),
            capacity: on(Stage::Capacity),
        }
    }

    /// The plan the form describes, or every bad field.
    pub fn parse(&self) -> Result<domain::responsibility::SchedulePlan, Vec<FieldError>> {
        use domain::responsibility::{SchedulePlan, plan_field};
        let mut errors = Vec::new();
        let mut entries = Vec::new();
        for (stage, text) in self.fields() {
            if text.trim().is_empty() {
                continue;
            }
            if let Some(date) = keep(&mut errors, parse_date(&plan_field(stage), text)) {
                entries.push((stage, date));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        SchedulePlan::new(entries).map_err(|e| vec![e])
    }
}

/// What the funds form holds, kept as typed when it comes back with errors.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct FundForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub source: String,
}

/// What the event form holds, kept as typed when the form comes back with errors.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct EventForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub parcel: String,
    #[serde(default)]
    pub note: String,
}

impl EventForm {
    /// The form filled in with an event, to correct it.
    pub fn of(event: &StageEvent) -> Self {
        EventForm {
            csrf: String::new(),
            kind: event.kind.label().to_owned(),
            date: event.date.to_string(),
            amount: event.amount.map(Money::to_wan_exact).unwrap_or_default(),
            company: event
                .company
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            parcel: event.parcel.clone().unwrap_or_default(),
            note: event.note.clone().unwrap_or_default(),
        }
    }

    pub fn kind(&self) -> &str {
        &self.kind
    }

    pub fn parse(&self) -> Result<StageEvent, Vec<FieldError>> {
        EventInput {
            kind: &self.kind,
            date: &self.date,
            amount_wan: &self.amount,
            company_code: &self.company,
            parcel: &self.parcel,
            note: &self.note,
        }
        .parse()
    }
}
