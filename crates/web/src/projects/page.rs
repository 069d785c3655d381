//! A project's page: its record, timeline and next-step box, funds, visits, plan, 要素保障,
//! financing, blockers and change history, with the forms that act on it; and the form that
//! records a stage event.

pub use super::inputs::*;
use super::queues::department_names;
use super::workspace::{People, Saved, Step, Tab, WorkspaceQuery, saved_redirect, steps};
use crate::kit::form::Form;
use crate::kit::form::{Choice, choices};
use crate::kit::render::render;
use crate::kit::request::Path;
use crate::kit::request::Query;
use crate::kit::scope::editable_project;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::records::Project;
use domain::{EventKind, FieldError, Money};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::view::{Layout, wan};

pub struct TimelineItem {
    id: i64,
    original: bool,
    kind: &'static str,
    date: String,
    detail: String,
    correction: Option<String>,
    /// Still in the reporting cycle: not yet counted.
    pending: bool,
}

pub struct FundRow {
    id: i64,
    date: String,
    amount: String,
    currency: &'static str,
    source: String,
    verified: bool,
    /// Still in the reporting cycle: not yet counted.
    pending: bool,
}

pub struct ChangeRow {
    at: String,
    actor: String,
    action: &'static str,
    /// (field, before, after) for each field the change touched.
    fields: Vec<(&'static str, String, String)>,
}

/// The Chinese names of a project record's fields, as the change history shows them.
const PROJECT_FIELDS: [(&str, &str); 16] = [
    ("code", "项目编号"),
    ("name", "项目名称"),
    ("investor", "投资企业"),
    ("investor_code", "统一社会信用代码"),
    ("chain", "产业链"),
    ("territory", "所在县区"),
    ("credited", "责任单位"),
    ("leader", "分管领导"),
    ("team", "工作专班"),
    ("source_mode", "招商方式"),
    ("capital_origin", "资金来源"),
    ("currency", "币种"),
    ("planned_investment", "计划总投资（元）"),
    ("signed_amount", "签约额（元）"),
    ("key_project", "重点项目"),
    ("illustrative", "示例数据"),
];

/// What a logged project change altered, field by field, from its before and after JSON.
fn changed_fields(
    before: Option<&str>,
    after: Option<&str>,
) -> Vec<(&'static str, String, String)> {
    let parse =
        |text: Option<&str>| text.and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok());
    let (before, after) = (parse(before), parse(after));
    let show = |value: Option<&serde_json::Value>| match value {
        None | Some(serde_json::Value::Null) => "（空）".to_owned(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(items)) if items.is_empty() => "（空）".to_owned(),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join("、"),
        Some(serde_json::Value::Bool(b)) => if *b { "是" } else { "否" }.to_owned(),
        Some(other) => other.to_string(),
    };
    PROJECT_FIELDS
        .iter()
        .filter_map(|(key, label)| {
            let old = before.as_ref().and_then(|b| b.get(key));
            let new = after.as_ref().and_then(|a| a.get(key));
            (old != new).then(|| (*label, show(old), show(new)))
        })
        .collect()
}

#[derive(Template)]
#[template(path = "project.html")]
pub(crate) struct ProjectPage {
    layout: Layout,
    project: Project,
    signed: String,
    planned: String,
    origin: &'static str,
    stage: String,
    next: Option<&'static str>,
    missing: Vec<FieldError>,
    timeline: Vec<TimelineItem>,
    funds: Vec<FundRow>,
    /// (id, date, firm, outcome, whether this account may withdraw it).
    visits: Vec<(i64, String, String, String, bool)>,
    /// Funds and visits withdrawn with their reasons.
    withdrawn: Vec<store::Withdrawn>,
    changes: Vec<ChangeRow>,
    can_edit: bool,
    can_verify: bool,
    kinds: Vec<Choice>,
    currencies: Vec<Choice>,
    sources: Vec<Choice>,
    form: EventForm,
    errors: Vec<FieldError>,
    fund: FundForm,
    fund_errors: Vec<FieldError>,
    six_missing: Vec<&'static str>,
    /// Signed or later: the 六个一 are asked of it.
    six_apply: bool,
    plan_lines: Vec<PlanRow>,
    plan: PlanForm,
    plan_errors: Vec<FieldError>,
    elements: Vec<ElementRow>,
    element: ElementForm,
    element_errors: Vec<FieldError>,
    element_items: Vec<Choice>,
    element_statuses: Vec<Choice>,
    departments: Vec<Choice>,
    blockers: Vec<crate::responsibility::blockers::BlockerRow>,
    warnings: Vec<domain::warnings::Warning>,
    light: domain::figures::Light,
    follow_up_on: String,
    financing: Option<domain::financing::FinancingPlan>,
    financing_form: FinancingForm,
    financing_errors: Vec<FieldError>,
    financing_statuses: Vec<Choice>,
    /// 重复研判: the state and the project it resembles.
    duplicate: Option<(domain::duplicates::DuplicateState, String)>,
    /// The units this project still waits to be confirmed by (it counts nowhere until then).
    unconfirmed: Vec<String>,
    /// The part shown under the header, and every tab's (code, label, chosen).
    tab: &'static str,
    tabs: Vec<(&'static str, &'static str, bool)>,
    /// What the save just made says, on the page it returned to.
    saved: Option<&'static str>,
    steps: Vec<Step>,
    /// 到位资金 in 人民币 to date and its verified part, 万元.
    funds_total: String,
    funds_verified: String,
    /// The 委托招商机构 it is attributed to, and the contract: who brought it.
    agency: Option<(String, String)>,
}

impl ProjectPage {
    fn light_class(&self) -> &'static str {
        crate::kit::figures::light_class(Some(self.light))
    }

    fn warning_class(&self, warning: &domain::warnings::Warning) -> &'static str {
        crate::kit::figures::light_class(Some(warning.light))
    }
}

/// The forms of a project page, as they stand: empty, or sent back with errors.
#[derive(Default)]
pub struct Forms {
    pub event: EventForm,
    pub event_errors: Vec<FieldError>,
    pub fund: FundForm,
    pub fund_errors: Vec<FieldError>,
    /// The plan form as typed, when it comes back with errors.
    pub plan: Option<PlanForm>,
    pub plan_errors: Vec<FieldError>,
    pub element: ElementForm,
    pub element_errors: Vec<FieldError>,
    /// The financing form as typed, when it comes back with errors.
    pub financing: Option<FinancingForm>,
    pub financing_errors: Vec<FieldError>,
    /// The tab to show: the one a query asks for, or the one whose form has errors.
    pub tab: Option<Tab>,
    pub saved: Option<&'static str>,
}

impl Forms {
    /// The tab whose form came back with errors.
    fn tab_with_errors(&self) -> Option<Tab> {
        if !self.event_errors.is_empty() {
            Some(Tab::Records)
        } else if !self.fund_errors.is_empty() || !self.financing_errors.is_empty() {
            Some(Tab::Funds)
        } else if !self.plan_errors.is_empty() {
            Some(Tab::Plan)
        } else if !self.element_errors.is_empty() {
            Some(Tab::Elements)
        } else {
            None
        }
    }
}

impl ProjectPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    fn fund_error_for(&self, field: &str) -> Option<&str> {
        self.fund_errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

pub(crate) async fn project_page(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    forms: Forms,
) -> Result<ProjectPage, WebError> {
    let actor = user.actor();
    let tab = forms
        .tab_with_errors()
        .or(forms.tab)
        .unwrap_or(Tab::Overview);
    let status = state
        .store
        .project_status(code, store::today_in_china())
        .await?
        .filter(|status| actor.can_see(&status.record.project))
        .ok_or_else(|| WebError::not_found_project(code))?;
    // A correction names what it corrects by its date and kind, not by an internal number.
    let described: std::collections::HashMap<i64, String> = status
        .events
        .iter()
        .map(|r| {
            (
                r.id,
                format!("{}的{}事件", r.event.date, r.event.kind.label()),
            )
        })
        .collect();
    let timeline = status
        .events
        .iter()
        .map(|r| TimelineItem {
            pending: !r.approved,
            id: r.id,
            original: r.correction.is_none(),
            kind: r.event.kind.label(),
            date: r.event.date.to_string(),
            detail: [
                r.event
                    .amount
                    .map(|m| format!("{} 万元", domain::money::format_wan(m))),
                r.event.company.as_ref().map(|c| format!("落地企业 {c}")),
                r.event.parcel.as_ref().map(|p| format!("地块 {p}")),
                r.event.note.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("；"),
            correction: r.correction.as_ref().map(|c| {
                let what = if c.withdrawn { "撤销" } else { "更正" };
                let original = described.get(&c.corrects).cloned().unwrap_or_default();
                format!("{what}{original}：{}", c.reason)
            }),
        })
        .collect();
    let unapproved = state
        .store
        .unapproved_of(store::ReportKind::Fund, code)
        .await?;
    let fund_records = state.store.funds_of(code).await?;
    let cny = |verified_only: bool| {
        let units: i64 = fund_records
            .iter()
            .filter(|(_, f)| f.currency == domain::Currency::Cny && (f.verified || !verified_only))
            .map(|(_, f)| f.amount.units())
            .sum();
        domain::Money::from_units("到位资金", units)
            .map(domain::money::format_wan)
            .unwrap_or_default()
    };
    let (funds_total, funds_verified) = (cny(false), cny(true));
    let funds = fund_records
        .into_iter()
        .map(|(id, f)| FundRow {
            pending: unapproved.contains(&id),
            id,
            date: f.date.to_string(),
            amount: domain::money::format_wan(f.amount),
            currency: f.currency.label(),
            source: f.source.unwrap_or_default(),
            verified: f.verified,
        })
        .collect();
    let visits = state
        .store
        .visits_of_project(code)
        .await?
        .into_iter()
        .map(|(id, v)| {
            (
                id,
                v.date.to_string(),
                v.enterprise.unwrap_or_default(),
                v.outcome.unwrap_or_default(),
                actor.records_visit_for(v.unit.as_deref()),
            )
        })
        .collect();
    let people = People::load(&state.store).await?;
    let changes = state
        .store
        .changes_of("project", code)
        .await?
        .into_iter()
        .map(|c| ChangeRow {
            at: chrono::DateTime::from_timestamp_millis(c.at)
                .map(|t| {
                    (t + chrono::Duration::hours(8))
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            actor: people.name(&c.actor),
            fields: if c.action == "create" {
                Vec::new()
            } else {
                changed_fields(c.before.as_deref(), c.after.as_deref())
            },
            action: if c.action == "create" {
                "创建"
            } else {
                "修改"
            },
        })
        .collect();
    // Plans and deadlines are judged on the follow-up date, as the warnings are.
    let today = state.store.follow_up_date().await?;
    let plan = state.store.plan_of(code).await?.unwrap_or_default();
    let milestones = domain::figures::Milestones::of(
        domain::stage::effective_events(&status.events)
            .into_iter()
            .map(|(_, e)| e),
        status.record.project.signed_amount.map(Money::units),
    );
    let plan_lines = domain::responsibility::plan_against_actual(&plan, &milestones, today)
        .into_iter()
        .map(|line| PlanRow {
            stage: line.stage.label(),
            planned: line.planned.map(|d| d.to_string()).unwrap_or_default(),
            actual: line.actual.map(|d| d.to_string()).unwrap_or_default(),
            status: line.status.map(|s| s.label()).unwrap_or_default(),
            late: line.status.is_some_and(|s| s.is_late()),
        })
        .collect();
    let six_apply = domain::responsibility::SixOnes::apply(status.progress.stage);
    let six_missing = domain::responsibility::SixOnes {
        leader: status.record.project.leader.is_some(),
        unit: !status.record.project.territory.is_empty(),
        team: status.record.project.team.is_some(),
        plan: !plan.is_empty()
            || !domain::responsibility::SixOnes::plan_needed(status.progress.stage),
    }
    .missing();
    let set_elements = state.store.elements_of(code).await?;
    let elements = domain::responsibility::ElementItem::ALL
        .into_iter()
        .map(|item| match set_elements.iter().find(|e| e.item == item) {
            Some(e) => ElementRow {
                item: item.label(),
                status: e.status.label(),
                department: e.department.clone().unwrap_or_default(),
                due: e.due.map(|d| d.to_string()).unwrap_or_default(),
                done: e.done.map(|d| d.to_string()).unwrap_or_default(),
                overdue: e.is_overdue(today),
            },
            None => ElementRow {
                item: item.label(),
                status: "",
                department: String::new(),
                due: String::new(),
                done: String::new(),
                overdue: false,
            },
        })
        .collect();
    let departments = department_names(&state.store).await?;
    let follow_up_on = today;
    let warnings = crate::responsibility::warnings::of_project(state, code, follow_up_on).await?;
    let financing = state.store.financing_of(code).await?;
    let financing_form = forms.financing.unwrap_or_else(|| {
        financing
            .as_ref()
            .map(FinancingForm::of)
            .unwrap_or_default()
    });
    let steps = steps(&status.events, status.progress.stage, &plan);
    let project = status.record.project;
    let sources = state
        .store
        .value_list(domain::records::value_lists::FUND_SOURCE)
        .await?;
    let duplicate = state.store.duplicate_status(&project.code).await?;
    Ok(ProjectPage {
        agency: state.store.agency_of(&project.code).await?,
        duplicate,
        unconfirmed: state.store.placements_of(&project.code).await?,
        withdrawn: state.store.withdrawn_of(&project.code).await?,
        layout: Layout::of(user),
        signed: wan(status
            .progress
            .signed
            .map(|(_, m)| m)
            .or(project.signed_amount)),
        planned: wan(project.planned_investment),
        origin: project.capital_origin.label(),
        stage: status.progress.label(),
        next: status.next_step.next.map(EventKind::label),
        missing: status.next_step.missing,
        timeline,
        funds,
        visits,
        changes,
        can_edit: actor.can_edit(&project),
        can_verify: actor.verifies_funds(),
        kinds: choices(EventKind::ALL.iter().map(|k| k.label()), {
            // A fresh form offers the step the project is due to take next.
            let next = status
                .next_step
                .next
                .map(EventKind::label)
                .unwrap_or_default();
            if forms.event.kind.is_empty() {
                next
            } else {
                forms.event.kind.as_str()
            }
        }),
        currencies: choices(["人民币", "美元"], &forms.fund.currency),
        sources: choices(sources.iter().map(String::as_str), &forms.fund.source),
        project,
        form: forms.event,
        errors: forms.event_errors,
        fund: forms.fund,
        fund_errors: forms.fund_errors,
        six_missing,
        six_apply,
        plan_lines,
        plan: forms.plan.unwrap_or_else(|| PlanForm::of(&plan)),
        plan_errors: forms.plan_errors,
        elements,
        element_items: choices(
            domain::responsibility::ElementItem::ALL
                .iter()
                .map(|i| i.label()),
            &forms.element.item,
        ),
        element_statuses: choices(
            domain::responsibility::ElementStatus::ALL
                .iter()
                .map(|s| s.label()),
            &forms.element.status,
        ),
        departments: choices(
            std::iter::once("").chain(departments.iter().map(String::as_str)),
            &forms.element.department,
        ),
        element: forms.element,
        element_errors: forms.element_errors,
        blockers: crate::responsibility::blockers::of_project(state, code, follow_up_on).await?,
        light: domain::warnings::worst(&warnings),
        warnings,
        follow_up_on: follow_up_on.to_string(),
        financing,
        financing_statuses: choices(
            domain::financing::FinancingStatus::ALL
                .iter()
                .map(|s| s.label()),
            &financing_form.status,
        ),
        financing_form,
        financing_errors: forms.financing_errors,
        tab: tab.code(),
        tabs: Tab::ALL
            .into_iter()
            .map(|t| (t.code(), t.label(), t == tab))
            .collect(),
        saved: forms.saved,
        steps,
        funds_total,
        funds_verified,
    })
}

/// The project page again, its forms as typed with what was wrong: 422.
pub(crate) async fn page_with_errors(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    forms: Forms,
) -> Result<Response, WebError> {
    let page = project_page(state, user, code, forms).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
}

pub async fn show_project(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(query): Query<WorkspaceQuery>,
) -> Result<Html<String>, WebError> {
    let forms = Forms {
        tab: Some(query.tab()),
        saved: query.saved(),
        ..Forms::default()
    };
    let page = project_page(&state, &user, &code, forms).await?;
    Ok(Html(render(&page)?))
}

pub async fn add_event(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<EventForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    editable_project(&state.store, &actor, &code).await?;
    let outcome = match form.parse() {
        Ok(event) => {
            let mut tx = crate::kit::begin(&state.store, &actor).await?;
            match tx.add_event(&code, &event).await {
                Ok(_) => tx.commit().await.map_err(WebError::from),
                Err(e) => Err(WebError::from(e)),
            }
        }
        Err(errors) => Err(WebError::Invalid(errors)),
    };
    match outcome {
        Ok(()) => Ok(saved_redirect(&code, Saved::Event)),
        Err(WebError::Invalid(errors)) => {
            let forms = Forms {
                event: form,
                event_errors: errors,
                ..Forms::default()
            };
            page_with_errors(&state, &user, &code, forms).await
        }
        Err(other) => Err(other),
    }
}
