//! The project pages: the list with its filters, a project's page with its timeline and the
//! next-step box, the new-project form and the form that records a stage event.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::access::Actor;
use domain::period::parse_date;
use domain::records::{CapitalOrigin, Project};
use domain::stage::{Progress, RuleContext, StageEvent, progress_of};
use domain::text::optional;
use domain::{CreditCode, EventKind, FieldError, Money};
use serde::Deserialize;
use store::{ProjectRecord, Store};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::view::{Layout, wan};

fn render(template: &impl Template) -> Result<String, WebError> {
    template
        .render()
        .map_err(|e| WebError::Internal(e.to_string()))
}

/// The projects the actor may see, each with its progress, in 项目编号 order.
pub async fn visible_projects(
    store: &Store,
    actor: &Actor,
) -> Result<Vec<(Project, Progress)>, WebError> {
    if !actor.reads_projects() {
        return Err(WebError::Forbidden);
    }
    let today = store::today_in_china();
    let projects = store.projects().await?;
    let mut events: HashMap<String, Vec<domain::stage::RecordedEvent>> = HashMap::new();
    for (code, event) in store.all_events().await? {
        events.entry(code).or_default().push(event);
    }
    Ok(projects
        .into_iter()
        .filter(|p| actor.can_see(p))
        .map(|p| {
            let ctx = RuleContext {
                today,
                project_signed_amount: p.signed_amount,
            };
            let progress = progress_of(events.get(&p.code).map_or(&[][..], Vec::as_slice), &ctx)
                .unwrap_or_default();
            (p, progress)
        })
        .collect())
}

/// The project with this code if the actor may see it; otherwise the same 404 as for a project
/// that does not exist.
pub async fn project_for(
    store: &Store,
    actor: &Actor,
    code: &str,
) -> Result<ProjectRecord, WebError> {
    match store.project(code).await? {
        Some(record) if actor.can_see(&record.project) => Ok(record),
        _ => Err(WebError::not_found_project(code)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    stage: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    page: Option<usize>,
    #[serde(default)]
    size: Option<usize>,
}

pub struct Row {
    code: String,
    name: String,
    territory: String,
    stage: String,
    signed: String,
    key: bool,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    total: usize,
    page: usize,
    pages: usize,
    size: usize,
    q: String,
    key: String,
    stages: Vec<Choice>,
    units: Vec<Choice>,
    base_query: String,
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn list_projects(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let actor = user.actor();
    let all = visible_projects(&state.store, &actor).await?;
    let mut units: Vec<String> = all.iter().map(|(p, _)| p.territory.clone()).collect();
    units.sort();
    units.dedup();
    let q = query.q.trim().to_owned();
    let rows: Vec<&(Project, Progress)> = all
        .iter()
        .filter(|(p, progress)| {
            (query.stage.is_empty()
                || progress.stage.map(domain::Stage::label) == Some(query.stage.as_str()))
                && (query.unit.is_empty()
                    || p.territory == query.unit
                    || p.credited.contains(&query.unit))
                && (q.is_empty() || p.name.contains(&q) || p.code.contains(&q))
                && (query.key != "是" || p.key_project)
        })
        .collect();
    let size = query
        .size
        .filter(|s| [20, 50, 100].contains(s))
        .unwrap_or(20);
    let pages = rows.len().div_ceil(size).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let shown = rows
        .iter()
        .skip((page - 1) * size)
        .take(size)
        .map(|(p, progress)| Row {
            code: p.code.clone(),
            name: p.name.clone(),
            territory: p.territory.clone(),
            stage: progress.label(),
            signed: wan(progress.signed.map(|(_, m)| m).or(p.signed_amount)),
            key: p.key_project,
        })
        .collect();
    let base_query = format!(
        "stage={}&unit={}&q={}&key={}&size={size}",
        encode(&query.stage),
        encode(&query.unit),
        encode(&q),
        encode(&query.key)
    );
    let page = ListPage {
        layout: Layout::of(&user),
        total: rows.len(),
        rows: shown,
        page,
        pages,
        size,
        q,
        key: query.key.clone(),
        stages: choices(domain::Stage::ALL.iter().map(|s| s.label()), &query.stage),
        units: choices(units.iter().map(String::as_str), &query.unit),
        base_query,
    };
    Ok(Html(render(&page)?))
}

/// What the event form holds, kept as typed when the form comes back with errors.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct EventForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    company: String,
    #[serde(default)]
    parcel: String,
    #[serde(default)]
    note: String,
}

pub struct TimelineItem {
    id: i64,
    kind: &'static str,
    date: String,
    detail: String,
    correction: Option<String>,
}

pub struct FundRow {
    date: String,
    amount: String,
    currency: &'static str,
    source: String,
    verified: bool,
}

pub struct ChangeRow {
    at: String,
    actor: String,
    action: &'static str,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
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
    visits: Vec<(String, String, String)>,
    changes: Vec<ChangeRow>,
    can_edit: bool,
    kinds: Vec<Choice>,
    form: EventForm,
    errors: Vec<FieldError>,
}

impl ProjectPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

async fn project_page(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    form: EventForm,
    errors: Vec<FieldError>,
) -> Result<ProjectPage, WebError> {
    let actor = user.actor();
    let record = project_for(&state.store, &actor, code).await?;
    let status = state
        .store
        .project_status(code, store::today_in_china())
        .await?
        .ok_or_else(|| WebError::not_found_project(code))?;
    let timeline = status
        .events
        .iter()
        .map(|r| TimelineItem {
            id: r.id,
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
                format!("{what}事件#{}：{}", c.corrects, c.reason)
            }),
        })
        .collect();
    let funds = state
        .store
        .funds()
        .await?
        .into_iter()
        .filter(|(_, f)| f.project_code == code)
        .map(|(_, f)| FundRow {
            date: f.date.to_string(),
            amount: domain::money::format_wan(f.amount),
            currency: f.currency.label(),
            source: f.source.unwrap_or_default(),
            verified: f.verified,
        })
        .collect();
    let visits = state
        .store
        .visits()
        .await?
        .into_iter()
        .filter(|v| v.project_code.as_deref() == Some(code))
        .map(|v| {
            (
                v.date.to_string(),
                v.enterprise.unwrap_or_default(),
                v.outcome.unwrap_or_default(),
            )
        })
        .collect();
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
            actor: c.actor,
            action: if c.action == "create" {
                "创建"
            } else {
                "修改"
            },
        })
        .collect();
    let project = record.project;
    Ok(ProjectPage {
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
        kinds: choices(EventKind::ALL.iter().map(|k| k.label()), &form.kind),
        project,
        form,
        errors,
    })
}

pub async fn show_project(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Html<String>, WebError> {
    let page = project_page(&state, &user, &code, EventForm::default(), Vec::new()).await?;
    Ok(Html(render(&page)?))
}

/// Keeps a parsed value, or records why the field was rejected.
fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// A choice in a `<select>`, and whether it is the one chosen.
pub struct Choice {
    value: String,
    selected: bool,
}

fn choices<'a>(values: impl IntoIterator<Item = &'a str>, chosen: &str) -> Vec<Choice> {
    values
        .into_iter()
        .map(|v| Choice {
            value: v.to_owned(),
            selected: v == chosen,
        })
        .collect()
}

/// Parses the event form, collecting every bad field.
fn parse_event(form: &EventForm) -> Result<StageEvent, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = keep(&mut errors, EventKind::parse("阶段", &form.kind));
    let date = keep(&mut errors, parse_date("日期", &form.date));
    let amount = keep(
        &mut errors,
        optional(&form.amount)
            .map(|a| Money::parse_wan("金额", &a))
            .transpose(),
    );
    let company = keep(
        &mut errors,
        optional(&form.company)
            .map(|c| CreditCode::parse("落地企业信用代码", &c))
            .transpose(),
    );
    if let (Some(kind), Some(date), Some(amount), Some(company), true) =
        (kind, date, amount, company, errors.is_empty())
    {
        StageEvent::new(
            kind,
            date,
            amount,
            company,
            optional(&form.parcel),
            optional(&form.note),
        )
        .map_err(|e| vec![e])
    } else {
        Err(errors)
    }
}

pub async fn add_event(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<EventForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    let record = project_for(&state.store, &actor, &code).await?;
    if !actor.can_edit(&record.project) {
        return Err(WebError::Forbidden);
    }
    let outcome = match parse_event(&form) {
        Ok(event) => {
            let mut tx = state.store.begin(&actor.username).await?;
            match tx.add_event(&code, &event).await {
                Ok(_) => tx.commit().await.map_err(WebError::from),
                Err(e) => Err(WebError::from(e)),
            }
        }
        Err(errors) => Err(WebError::Invalid(errors)),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/projects/{}", encode(&code))).into_response()),
        Err(WebError::Invalid(errors)) => {
            let page = project_page(&state, &user, &code, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Default, Deserialize, Clone)]
pub struct ProjectForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    territory: String,
    #[serde(default)]
    credited: String,
    #[serde(default)]
    investor: String,
    #[serde(default)]
    investor_code: String,
    #[serde(default)]
    signed_amount: String,
    #[serde(default)]
    planned_investment: String,
    #[serde(default)]
    key_project: Option<String>,
}

#[derive(Template)]
#[template(path = "project_new.html")]
struct NewProjectPage {
    layout: Layout,
    form: ProjectForm,
    errors: Vec<FieldError>,
    territories: Vec<Choice>,
}

impl NewProjectPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

async fn territories(store: &Store, actor: &Actor, chosen: &str) -> Result<Vec<Choice>, WebError> {
    let units = store.units().await?;
    let names: Vec<String> = units
        .into_iter()
        .filter(|u| u.kind != domain::records::UnitKind::City)
        .map(|u| u.name)
        .filter(|name| actor.unit.is_none() || actor.unit.as_deref() == Some(name.as_str()))
        .collect();
    Ok(choices(names.iter().map(String::as_str), chosen))
}

pub async fn new_project_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    let actor = user.actor();
    if !actor.creates_projects() {
        return Err(WebError::Forbidden);
    }
    let form = ProjectForm {
        territory: actor.unit.clone().unwrap_or_default(),
        ..ProjectForm::default()
    };
    let territories = territories(&state.store, &actor, &form.territory).await?;
    let page = NewProjectPage {
        layout: Layout::of(&user),
        form,
        errors: Vec::new(),
        territories,
    };
    Ok(Html(render(&page)?))
}

fn parse_project(form: &ProjectForm) -> Result<Project, Vec<FieldError>> {
    let mut errors = Vec::new();
    let base = keep(
        &mut errors,
        Project::new(&form.code, &form.name, &form.territory),
    );
    let investor_code = keep(
        &mut errors,
        optional(&form.investor_code)
            .map(|c| CreditCode::parse("统一社会信用代码", &c))
            .transpose(),
    );
    let signed = keep(
        &mut errors,
        optional(&form.signed_amount)
            .map(|a| Money::parse_wan("签约额", &a))
            .transpose(),
    );
    let planned = keep(
        &mut errors,
        optional(&form.planned_investment)
            .map(|a| Money::parse_wan("计划总投资", &a))
            .transpose(),
    );
    let (Some(mut project), Some(investor_code), Some(signed), Some(planned), true) =
        (base, investor_code, signed, planned, errors.is_empty())
    else {
        return Err(errors);
    };
    project.investor = optional(&form.investor);
    project.investor_code = investor_code;
    project.signed_amount = signed;
    project.planned_investment = planned;
    project.credited = Project::split_units(&form.credited);
    project.capital_origin = CapitalOrigin::Domestic;
    project.key_project = form.key_project.is_some();
    project.check().map_err(|e| vec![e])?;
    Ok(project)
}

pub async fn create_project(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ProjectForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    if !actor.creates_projects() {
        return Err(WebError::Forbidden);
    }
    let outcome = match parse_project(&form) {
        Ok(project) if !actor.can_edit(&project) => Err(WebError::Invalid(vec![FieldError::new(
            "所在县区",
            "只能为本单位所在或承担的项目建档",
        )])),
        Ok(project) => create(&state.store, &actor, &project).await,
        Err(errors) => Err(WebError::Invalid(errors)),
    };
    match outcome {
        Ok(()) => {
            Ok(Redirect::to(&format!("/projects/{}", encode(form.code.trim()))).into_response())
        }
        Err(WebError::Invalid(errors)) => {
            let territories = territories(&state.store, &actor, &form.territory).await?;
            let page = NewProjectPage {
                layout: Layout::of(&user),
                form,
                errors,
                territories,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
        Err(other) => Err(other),
    }
}

/// Creates a new project; a 项目编号 already in use is an error on that field, never an update.
pub async fn create(store: &Store, actor: &Actor, project: &Project) -> Result<(), WebError> {
    if store.project(&project.code).await?.is_some() {
        return Err(WebError::Invalid(vec![FieldError::new(
            "项目编号",
            format!("“{}”已被使用", project.code),
        )]));
    }
    let mut tx = store.begin(&actor.username).await?;
    tx.upsert_project(project).await?;
    tx.commit().await?;
    Ok(())
}
