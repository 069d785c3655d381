//! 对接记录 and 敲门计划 (issue 6): a year's visits counted by unit and by leader, the visits
//! themselves, knock-door plans against the visits made, and the forms to record both. A unit's
//! staff see and record their own unit's; readers of the whole city see all.

use crate::kit::form::Form;
use crate::kit::request::Query;
use crate::kit::scope::allow;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Datelike;
use domain::error::keep;
use domain::records::Visit;
use domain::records::VisitInput;
use domain::text::optional;
use domain::visits::{PlanStatus, VisitPlan};
use domain::{CreditCode, FieldError};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::render::render;
use crate::kit::view::Layout;

pub struct PlanRow {
    pub plan: VisitPlan,
    pub status: String,
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "visits.html")]
struct VisitsPage {
    layout: Layout,
    year: i32,
    years: Vec<i32>,
    total: usize,
    by_unit: Vec<(String, usize)>,
    by_leader: Vec<(String, usize)>,
    /// Names written as 带队领导 that are not on the leaders' list.
    by_other: Vec<(String, usize)>,
    /// The leaders' names, offered in the forms' 带队领导 (a datalist: no script).
    leader_names: Vec<String>,
    visits: Vec<Visit>,
    plans: Vec<PlanRow>,
    plans_done: usize,
    plans_overdue: usize,
    can_record: bool,
    units: Vec<String>,
    own_unit: Option<String>,
    modes: Vec<String>,
    /// The enterprise picker above the visit form.
    picker: crate::enterprises::Picker,
    saved: Option<&'static str>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
    /// For the export: xlsx or csv.
    #[serde(default)]
    format: String,
    /// The picker: a firm searched for, and the firm chosen.
    #[serde(default)]
    find: String,
    enterprise: Option<i64>,
    /// What was just saved.
    #[serde(default)]
    saved: String,
}

/// `/visits/export?year=Y&format=xlsx|csv`: every visit of the year in the actor's scope (the
/// page lists the latest 200), newest first.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<YearQuery>,
) -> Result<Response, WebError> {
    allow(user.actor().reads_projects())?;
    let actor = user.actor();
    let today = state.store.follow_up_date().await?;
    let year = crate::kit::request::year(query.year)?.unwrap_or(today.year());
    let mut visits: Vec<Visit> = state
        .store
        .visits_of(actor.unit.as_deref())
        .await?
        .into_iter()
        .filter(|v| v.date.year() == year)
        .collect();
    visits.sort_by_key(|v| std::cmp::Reverse(v.date));
    let mut listing = exchange::Listing::new(
        format!("{year}年对接记录"),
        &[
            "日期",
            "单位",
            "企业",
            "统一社会信用代码",
            "带队领导",
            "方式",
            "地点",
            "内容",
            "成果",
            "项目编号",
        ],
    );
    for v in visits {
        listing.push(vec![
            v.date.into(),
            v.unit.unwrap_or_else(|| "市本级".to_owned()).into(),
            v.enterprise.into(),
            v.enterprise_code.map(|c| c.as_str().to_owned()).into(),
            v.leaders.into(),
            v.mode.into(),
            v.place.into(),
            v.content.into(),
            v.outcome.into(),
            v.project_code.into(),
        ]);
    }
    crate::kit::render::listing_download(
        &user,
        listing,
        crate::kit::render::file_format(&query.format),
    )
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    year: Option<i32>,
    picker: crate::enterprises::Picker,
    error: Option<String>,
) -> Result<VisitsPage, WebError> {
    allow(user.actor().reads_projects())?;
    let actor = user.actor();
    let today = state.store.follow_up_date().await?;
    let year = year.unwrap_or(today.year());
    // The scope in SQL: a unit's own visits, as `Actor::covers_unit` says.
    let all: Vec<Visit> = state.store.visits_of(actor.unit.as_deref()).await?;
    let mut years: Vec<i32> = all.iter().map(|v| v.date.year()).collect();
    years.push(today.year());
    years.sort_unstable();
    years.dedup();
    let mut visits: Vec<Visit> = all
        .iter()
        .filter(|v| v.date.year() == year)
        .cloned()
        .collect();
    let (units, modes, leader_names) = visit_choices(state).await?;
    let counted = domain::visits::counts(&visits, |name| leader_names.iter().any(|l| l == name));
    let (by_unit, by_leader, by_other) = (counted.units, counted.leaders, counted.others);
    let total = visits.len();
    visits.sort_by_key(|v| std::cmp::Reverse(v.date));
    visits.truncate(200);
    let plans: Vec<PlanRow> = state
        .store
        .visit_plans(actor.unit.as_deref())
        .await?
        .into_iter()
        .map(|plan| {
            let status = plan.status(&all, today);
            PlanRow {
                class: match status {
                    PlanStatus::Done(_) => "light green",
                    PlanStatus::Due => "tag",
                    PlanStatus::Overdue(_) => "light red",
                },
                status: status.label(),
                plan,
            }
        })
        .collect();
    Ok(VisitsPage {
        layout: Layout::of(user),
        year,
        years,
        total,
        by_unit,
        by_leader,
        by_other,
        leader_names,
        visits,
        plans_done: plans.iter().filter(|p| p.class == "light green").count(),
        plans_overdue: plans.iter().filter(|p| p.class == "light red").count(),
        plans,
        can_record: actor.records_visits(),
        units,
        own_unit: actor.unit.clone(),
        modes,
        picker,
        saved: None,
        error,
    })
}

/// GET /visits?year=Y
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<YearQuery>,
) -> Result<Html<String>, WebError> {
    let picker =
        crate::enterprises::Picker::of(&state, "/visits", &query.find, query.enterprise).await?;
    let year = crate::kit::request::year(query.year)?;
    let mut page = page(&state, &user, year, picker, None).await?;
    page.saved = saved_message(&query.saved);
    Ok(Html(render(&page)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VisitForm {
    csrf: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    enterprise: String,
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    leaders: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    project: String,
    #[serde(default)]
    purpose: String,
    /// 接待联系人: one of the firm's contacts.
    #[serde(default)]
    contact: String,
}

/// The unit a form names: a unit's staff always record for their own unit.
fn unit_of(user: &CurrentUser, form: &VisitForm) -> Option<String> {
    user.actor().unit.clone().or_else(|| optional(&form.unit))
}

fn credit_code(raw: &str) -> Result<Option<CreditCode>, FieldError> {
    optional(raw)
        .map(|c| CreditCode::parse("统一社会信用代码", &c))
        .transpose()
}

/// What the page says after a save: `kind` added, or nothing added as it repeats a record.
fn saved_as(added: &store::Added, kind: &'static str) -> &'static str {
    match added {
        store::Added::Duplicate => "duplicate",
        _ => kind,
    }
}

fn saved_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "visit" => "已登记对接记录。",
        "plan" => "已登记敲门计划。",
        "duplicate" => "与已有记录完全相同，未重复登记。",
        _ => return None,
    })
}

/// Writes one record through `apply` (which says what the page should say after it); a
/// refused input shows the page again with the reason.
async fn record(
    state: &AppState,
    user: &CurrentUser,
    form: &VisitForm,
    apply: impl AsyncFnOnce(&mut store::Tx) -> Result<&'static str, store::StoreError>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    if !actor.records_visits() {
        return Err(WebError::Forbidden);
    }
    let mut tx = crate::kit::begin(&state.store, &actor).await?;
    let refused = match apply(&mut tx).await {
        Ok(saved) => {
            tx.commit().await?;
            return Ok(Redirect::to(&format!("/visits?saved={saved}#new")).into_response());
        }
        Err(e) => crate::kit::error::refusal(e)?,
    };
    tx.rollback().await?;
    let picker = crate::enterprises::Picker {
        action: "/visits".to_owned(),
        ..Default::default()
    };
    let page = page(state, user, None, picker, Some(refused)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
}

/// The visit a form describes, or every bad field; a project it names must be one the person
/// may see (404 otherwise, as for any project out of scope).
async fn visit_of(
    state: &AppState,
    user: &CurrentUser,
    form: &VisitForm,
) -> Result<Result<Visit, Vec<FieldError>>, WebError> {
    let project = optional(&form.project);
    if let Some(code) = &project {
        let actor = user.actor();
        let record = state.store.project(code).await?;
        if !record.is_some_and(|r| actor.can_see(&r.project)) {
            return Err(WebError::not_found_project(code));
        }
    }
    let unit = unit_of(user, form).unwrap_or_default();
    Ok(VisitInput {
        date: &form.date,
        unit: &unit,
        enterprise: &form.enterprise,
        enterprise_code: &form.credit_code,
        leaders: &form.leaders,
        mode: &form.mode,
        place: &form.place,
        content: &form.content,
        outcome: &form.outcome,
        project_code: project.as_deref().unwrap_or_default(),
    }
    .parse()
    .map(|mut visit| {
        visit.contact = optional(&form.contact);
        visit
    }))
}

/// The units, visit modes and leaders' names a visit form offers.
async fn visit_choices(
    state: &AppState,
) -> Result<(Vec<String>, Vec<String>, Vec<String>), WebError> {
    let units = state
        .store
        .units()
        .await?
        .into_iter()
        .map(|u| u.name)
        .collect();
    let modes = state
        .store
        .value_list(domain::records::value_lists::VISIT_MODE)
        .await?;
    let leaders = state
        .store
        .leaders()
        .await?
        .into_iter()
        .map(|l| l.name)
        .collect();
    Ok((units, modes, leaders))
}

/// POST /visits: records a visit.
pub async fn add_visit(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<VisitForm>,
) -> Result<Response, WebError> {
    let visit = visit_of(&state, &user, &form).await?;
    record(&state, &user, &form, async |tx| match visit {
        Ok(visit) => tx
            .add_visit(&visit)
            .await
            .map(|added| saved_as(&added, "visit")),
        Err(errors) => Err(store::StoreError::InvalidFields(errors)),
    })
    .await
}

/// POST /visits/plans: adds a knock-door plan.
pub async fn add_plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<VisitForm>,
) -> Result<Response, WebError> {
    let unit = unit_of(&user, &form);
    // Every bad field at once: the firm, the date and the code are each checked.
    let mut errors = Vec::new();
    let planned = keep(
        &mut errors,
        domain::period::parse_date("计划日期", &form.date),
    );
    let firm = keep(
        &mut errors,
        domain::text::required("目标企业", &form.enterprise),
    );
    let code = keep(&mut errors, credit_code(&form.credit_code));
    let plan = match (planned, firm, code) {
        (Some(planned), Some(firm), Some(code)) if errors.is_empty() => {
            VisitPlan::new(&firm, planned)
                .map(|mut plan| {
                    plan.credit_code = code;
                    plan.unit = unit;
                    plan.leader = optional(&form.leaders);
                    plan.purpose = optional(&form.purpose);
                    plan
                })
                .map_err(|e| vec![e])
        }
        _ => Err(errors),
    };
    record(&state, &user, &form, async |tx| match plan {
        Ok(plan) => tx
            .add_visit_plan(&plan)
            .await
            .map(|added| saved_as(&added, "plan")),
        Err(errors) => Err(store::StoreError::InvalidFields(errors)),
    })
    .await
}

#[derive(Template)]
#[template(path = "visit_edit.html")]
struct EditPage {
    layout: Layout,
    id: i64,
    form: VisitForm,
    returned_because: String,
    own_unit: Option<String>,
    units: Vec<String>,
    modes: Vec<String>,
    /// The leaders' names, offered in 带队领导.
    leader_names: Vec<String>,
    errors: Vec<FieldError>,
}

/// The returned visit `id` as its reporter may mend it: 404 unless the account sees it, 403
/// unless it is returned and this account's to resubmit.
async fn returned_visit(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(store::ReportedRecord, Visit), WebError> {
    let actor = user.actor();
    let missing = || WebError::NotFound("该对接记录不存在或不在您的权限范围内".into());
    let record = state
        .store
        .reported(store::ReportKind::Visit, id)
        .await?
        .ok_or_else(missing)?;
    if !actor.sees_report(&crate::review::reported(&record)) {
        return Err(missing());
    }
    if !actor.resubmits(&crate::review::reported(&record)) {
        return Err(WebError::Forbidden);
    }
    let visit = state
        .store
        .visits_by_id(&[id])
        .await?
        .pop()
        .ok_or_else(missing)?;
    Ok((record, visit))
}

async fn edit_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    record: &store::ReportedRecord,
    form: VisitForm,
    errors: Vec<FieldError>,
) -> Result<EditPage, WebError> {
    let (units, modes, leader_names) = visit_choices(state).await?;
    Ok(EditPage {
        leader_names,
        layout: Layout::of(user),
        id,
        form,
        returned_because: record.note.clone().unwrap_or_default(),
        own_unit: user.actor().unit.clone(),
        units,
        modes,
        errors,
    })
}

/// GET /visits/{id}/edit: a returned visit, its fields as recorded, to mend and resubmit.
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::kit::request::Path(id): crate::kit::request::Path<i64>,
) -> Result<Html<String>, WebError> {
    let (record, v) = returned_visit(&state, &user, id).await?;
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    let form = VisitForm {
        date: v.date.to_string(),
        unit: text(&v.unit),
        enterprise: text(&v.enterprise),
        credit_code: v
            .enterprise_code
            .as_ref()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        leaders: text(&v.leaders),
        mode: text(&v.mode),
        place: text(&v.place),
        content: text(&v.content),
        outcome: text(&v.outcome),
        project: text(&v.project_code),
        contact: text(&v.contact),
        ..VisitForm::default()
    };
    Ok(Html(render(
        &edit_page(&state, &user, id, &record, form, Vec::new()).await?,
    )?))
}

/// POST /visits/{id}/edit: saves the mended visit and resubmits it, in one transaction.
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::kit::request::Path(id): crate::kit::request::Path<i64>,
    Form(form): Form<VisitForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let (record, _) = returned_visit(&state, &user, id).await?;
    let actor = user.actor();
    let parsed = visit_of(&state, &user, &form).await?;
    let outcome = match parsed {
        Ok(visit) => {
            let kind = store::ReportKind::Visit;
            crate::kit::resubmit_amended(&state.store, &actor, kind, id, async |tx| {
                tx.amend_visit(id, &visit).await
            })
            .await
        }
        Err(errors) => Err(WebError::Invalid(errors)),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/review?done=1").into_response()),
        Err(WebError::Invalid(errors)) => {
            let page = edit_page(&state, &user, id, &record, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
        Err(other) => Err(other),
    }
}
