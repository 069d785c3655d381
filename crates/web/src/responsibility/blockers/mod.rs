//! 堵点问题 pages: the list in the actor's scope, raising one on a project, and a blocker's page
//! with its history, the leaders' 批示 and the changes of status. Escalation is shown, not
//! stored: an unresolved blocker past its deadline names the leader it has gone up to.

use crate::kit::form::Form;
use crate::kit::request::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::FieldError;
use domain::blockers::{BlockerStatus, NewBlocker};
use domain::period::parse_date;
use domain::records::value_lists;
use serde::Deserialize;
use store::{BlockerFilter, BlockerView};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::form::{Choice, choices};
use crate::kit::render::render;
use crate::kit::scope::editable_project;
use crate::kit::view::Layout;
use domain::error::keep;

mod export;
pub use export::export;

/// A blocker as lists show it.
pub struct BlockerRow {
    pub id: i64,
    pub project_code: String,
    pub project_name: String,
    pub territory: String,
    pub category: String,
    pub description: String,
    pub owner_unit: String,
    pub leader: String,
    pub deadline: String,
    pub deadline_day: NaiveDate,
    pub status: &'static str,
    pub overdue_days: i64,
    /// The leaders an overdue blocker has gone up to, joined; empty while in time.
    pub escalated: String,
}

impl BlockerRow {
    pub fn of(view: &BlockerView, today: NaiveDate) -> Self {
        let b = &view.blocker;
        BlockerRow {
            id: b.id,
            project_code: b.raised.project_code.clone(),
            project_name: view.project_name.clone(),
            territory: view.territory.clone(),
            category: b.raised.category.clone(),
            description: b.raised.description.clone(),
            owner_unit: b.raised.owner_unit.clone(),
            leader: b.raised.leader.clone().unwrap_or_default(),
            deadline: b.raised.deadline.to_string(),
            deadline_day: b.raised.deadline,
            status: b.status.label(),
            overdue_days: b.days_overdue(today),
            escalated: view.escalated_to(today).join("、"),
        }
    }
}

#[derive(Template)]
#[template(path = "blockers.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<BlockerRow>,
    all: bool,
    overdue: usize,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// `all` to include resolved ones.
    #[serde(default)]
    show: String,
    /// For the export: xlsx or csv.
    #[serde(default)]
    format: String,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let (rows, _) = listed(&state, &user, &query).await?;
    let all = query.show == "all";
    let overdue = rows.iter().filter(|r| r.overdue_days > 0).count();
    Ok(Html(render(&ListPage {
        layout: Layout::of(&user),
        rows,
        all,
        overdue,
    })?))
}

/// The blockers in the actor's scope the list's query selects, and the day they are judged on.
async fn listed(
    state: &AppState,
    user: &CurrentUser,
    query: &ListQuery,
) -> Result<(Vec<BlockerRow>, NaiveDate), WebError> {
    let actor = user.actor();
    if !actor.reads_projects() {
        return Err(WebError::Forbidden);
    }
    let today = state.store.follow_up_date().await?;
    let views = state
        .store
        .blockers(&BlockerFilter {
            open_only: query.show != "all",
            ..crate::kit::scope::scoped_blockers(&actor)
        })
        .await?;
    Ok((
        views.iter().map(|v| BlockerRow::of(v, today)).collect(),
        today,
    ))
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct RaiseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    raised_on: String,
    #[serde(default)]
    owner_unit: String,
    #[serde(default)]
    leader: String,
    #[serde(default)]
    deadline: String,
}

impl RaiseForm {
    fn parse(&self, code: &str, today: NaiveDate) -> Result<NewBlocker, Vec<FieldError>> {
        let mut errors = Vec::new();
        let raised_on = if self.raised_on.trim().is_empty() {
            Some(today)
        } else {
            keep(&mut errors, parse_date("提出日期", &self.raised_on))
        };
        let deadline = keep(&mut errors, parse_date("办结时限", &self.deadline));
        let (Some(raised_on), Some(deadline)) = (raised_on, deadline) else {
            // A bad date still leaves the other fields to name: the rules run with dates that
            // break none of them (today for both), so only the text fields can fail.
            let rest = NewBlocker::new(
                code,
                &self.description,
                &self.category,
                today,
                &self.owner_unit,
                None,
                today,
                today,
            );
            errors.extend(rest.err().unwrap_or_default());
            return Err(errors);
        };
        let leader = Some(self.leader.trim().to_owned()).filter(|l| !l.is_empty());
        NewBlocker::new(
            code,
            &self.description,
            &self.category,
            raised_on,
            &self.owner_unit,
            leader,
            deadline,
            today,
        )
        .map_err(|mut more| {
            errors.append(&mut more);
            errors
        })
    }
}

#[derive(Template)]
#[template(path = "blocker_new.html")]
struct RaisePage {
    layout: Layout,
    code: String,
    project_name: String,
    form: RaiseForm,
    errors: Vec<FieldError>,
    categories: Vec<Choice>,
    units: Vec<Choice>,
    leaders: Vec<Choice>,
    /// The day an empty 提出日期 means.
    today: String,
}

impl RaisePage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

async fn raise_page(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    form: RaiseForm,
    errors: Vec<FieldError>,
) -> Result<RaisePage, WebError> {
    let record = editable_project(&state.store, &user.actor(), code).await?;
    let categories = state
        .store
        .value_list(value_lists::BLOCKER_CATEGORY)
        .await?;
    let units: Vec<String> = state
        .store
        .units()
        .await?
        .into_iter()
        .map(|u| u.name)
        .collect();
    let leaders: Vec<String> = state
        .store
        .leaders()
        .await?
        .into_iter()
        .map(|l| l.name)
        .collect();
    // A fresh form names the project's own leader in charge.
    let leader = if form.csrf.is_empty() && form.leader.is_empty() {
        record.project.leader.clone().unwrap_or_default()
    } else {
        form.leader.clone()
    };
    Ok(RaisePage {
        layout: Layout::of(user),
        code: code.to_owned(),
        project_name: record.project.name,
        categories: choices(categories.iter().map(String::as_str), &form.category),
        units: choices(
            std::iter::once("").chain(units.iter().map(String::as_str)),
            &form.owner_unit,
        ),
        leaders: choices(
            std::iter::once("").chain(leaders.iter().map(String::as_str)),
            &leader,
        ),
        form,
        errors,
        today: state.store.follow_up_date().await?.to_string(),
    })
}

pub async fn raise_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Html<String>, WebError> {
    let page = raise_page(&state, &user, &code, RaiseForm::default(), Vec::new()).await?;
    Ok(Html(render(&page)?))
}

pub async fn raise(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<RaiseForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    editable_project(&state.store, &actor, &code).await?;
    // "Today" is the day the records describe (the demo's 2022-12-31), as deadlines are judged.
    let today = state.store.follow_up_date().await?;
    let outcome = match form.parse(&code, today) {
        Ok(blocker) => {
            let mut tx = crate::kit::begin(&state.store, &actor).await?;
            match tx.raise_blocker(&blocker).await {
                Ok(id) => tx.commit().await.map(|()| id).map_err(WebError::from),
                Err(e) => Err(e.into()),
            }
        }
        Err(errors) => Err(WebError::Invalid(errors)),
    };
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/blockers/{id}")).into_response()),
        Err(WebError::Invalid(errors)) => {
            let page = raise_page(&state, &user, &code, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
        Err(other) => Err(other),
    }
}

pub struct NoteRow {
    pub at: String,
    pub actor: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub body: String,
}

#[derive(Template)]
#[template(path = "blocker.html")]
struct BlockerPage {
    layout: Layout,
    row: BlockerRow,
    raised_on: String,
    resolution: String,
    resolved_on: String,
    project_leader: String,
    notes: Vec<NoteRow>,
    can_instruct: bool,
    can_work: bool,
    statuses: Vec<Choice>,
    errors: Vec<FieldError>,
    instruction: String,
    resolution_typed: String,
}

/// The blocker if the actor may see it, with whether they may work it; 404 otherwise, as for
/// one that does not exist.
async fn visible_blocker(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(BlockerView, bool), WebError> {
    let actor = user.actor();
    let missing = || WebError::NotFound(format!("堵点问题#{id}不存在或不在您的权限范围内"));
    let view = state.store.blocker(id).await?.ok_or_else(missing)?;
    let record = state
        .store
        .project(&view.blocker.raised.project_code)
        .await?
        .ok_or_else(missing)?;
    let owner = view.blocker.raised.owner_unit.as_str();
    if !actor.can_see_blocker(&record.project, owner) {
        return Err(missing());
    }
    let can_work = actor.can_work_blocker(&record.project, owner);
    Ok((view, can_work))
}

fn china_time(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| {
            (t + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

async fn blocker_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    errors: Vec<FieldError>,
    typed: (String, String),
) -> Result<BlockerPage, WebError> {
    let (view, can_work) = visible_blocker(state, user, id).await?;
    let today = state.store.follow_up_date().await?;
    let notes = state
        .store
        .blocker_notes(id)
        .await?
        .into_iter()
        .map(|n| NoteRow {
            at: china_time(n.at),
            actor: n.actor,
            kind: n.kind.label(),
            status: n.status.map(BlockerStatus::label).unwrap_or_default(),
            body: n.body.unwrap_or_default(),
        })
        .collect();
    let b = &view.blocker;
    let open = b.status != BlockerStatus::Resolved;
    Ok(BlockerPage {
        layout: Layout::of(user),
        raised_on: b.raised.raised_on.to_string(),
        resolution: b.resolution.clone().unwrap_or_default(),
        resolved_on: b.resolved_on.map(|d| d.to_string()).unwrap_or_default(),
        project_leader: view.project_leader.clone().unwrap_or_default(),
        notes,
        can_instruct: user.actor().instructs(),
        can_work: can_work && open,
        statuses: choices(
            BlockerStatus::ALL
                .iter()
                .filter(|s| **s != b.status)
                .map(|s| s.label()),
            "",
        ),
        row: BlockerRow::of(&view, today),
        errors,
        instruction: typed.0,
        resolution_typed: typed.1,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let page = blocker_page(&state, &user, id, Vec::new(), Default::default()).await?;
    Ok(Html(render(&page)?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InstructionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
}

pub async fn instruct(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<InstructionForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    visible_blocker(&state, &user, id).await?;
    let actor = user.actor();
    if !actor.instructs() {
        return Err(WebError::Forbidden);
    }
    let outcome = {
        let mut tx = crate::kit::begin(&state.store, &actor).await?;
        match tx.instruct_blocker(id, &form.text).await {
            Ok(()) => tx.commit().await.map_err(WebError::from),
            Err(e) => Err(e.into()),
        }
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/blockers/{id}")).into_response()),
        Err(WebError::Invalid(errors)) => {
            let page = blocker_page(&state, &user, id, errors, (form.text, String::new())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    resolution: String,
}

pub async fn change_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<StatusForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let (_, can_work) = visible_blocker(&state, &user, id).await?;
    if !can_work {
        return Err(WebError::Forbidden);
    }
    let outcome = match BlockerStatus::parse("状态", &form.status) {
        Ok(to) => {
            let today = state.store.follow_up_date().await?;
            let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
            match tx
                .change_blocker_status(id, to, &form.resolution, today)
                .await
            {
                Ok(_) => tx.commit().await.map_err(WebError::from),
                Err(e) => Err(e.into()),
            }
        }
        Err(e) => Err(WebError::Invalid(vec![e])),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/blockers/{id}")).into_response()),
        Err(WebError::Invalid(errors)) => {
            let page =
                blocker_page(&state, &user, id, errors, (String::new(), form.resolution)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
        Err(other) => Err(other),
    }
}

/// The blockers of one project for its page (which has checked that the actor sees it), as of
/// the follow-up date `today`.
pub async fn of_project(
    state: &AppState,
    code: &str,
    today: NaiveDate,
) -> Result<Vec<BlockerRow>, WebError> {
    Ok(state
        .store
        .blockers(&BlockerFilter {
            project: Some(code.to_owned()),
            ..BlockerFilter::default()
        })
        .await?
        .iter()
        .map(|v| BlockerRow::of(v, today))
        .collect())
}

/// The open blockers a leader is to act on as of `on`: those naming them as responsible, and
/// those escalated to them; each with whether it came by escalation.
pub(crate) async fn for_leader(
    state: &AppState,
    actor: &domain::access::Actor,
    leader: &str,
    on: NaiveDate,
) -> Result<Vec<(BlockerRow, bool)>, WebError> {
    Ok(state
        .store
        .blockers(&BlockerFilter {
            open_only: true,
            leader: Some(leader.to_owned()),
            ..crate::kit::scope::scoped_blockers(actor)
        })
        .await?
        .iter()
        .filter_map(|v| {
            // Those on projects in their charge come once overdue; those they own, always.
            let escalated = v.escalated_to(on).iter().any(|l| l == leader);
            let owned = v.blocker.raised.leader.as_deref() == Some(leader);
            (owned || escalated).then(|| (BlockerRow::of(v, on), escalated))
        })
        .collect())
}
