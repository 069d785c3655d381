//! Work queues over many projects: those lacking part of the 六个一, and a department's open
//! 要素保障 items.

use crate::kit::form::{Choice, choices};
use crate::kit::render::render;
use crate::kit::request::Query;
use crate::kit::scope::scoped_filter;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use serde::Deserialize;
use store::Store;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::view::Layout;

#[derive(Template)]
#[template(path = "six_ones.html")]
struct SixOnesPage {
    layout: Layout,
    gaps: Vec<store::SixOnesGap>,
}

/// The projects the actor sees that lack part of the 六个一: leader, unit, team or plan.
pub async fn six_ones(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    let filter = scoped_filter(&user.actor())?;
    let gaps = state.store.six_ones_gaps(&filter).await?;
    Ok(Html(render(&SixOnesPage {
        layout: Layout::of(&user),
        gaps,
    })?))
}

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    unit: String,
}

#[derive(Template)]
#[template(path = "elements.html")]
struct QueuePage {
    layout: Layout,
    department: String,
    departments: Vec<Choice>,
    rows: Vec<store::QueuedElement>,
    today: chrono::NaiveDate,
    statuses: Vec<&'static str>,
}

/// A department's queue of open 要素保障 items: unit staff see their own unit's; readers choose.
pub async fn element_queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<QueueQuery>,
) -> Result<Html<String>, WebError> {
    let actor = user.actor();
    if !actor.reads_projects() {
        return Err(WebError::Forbidden);
    }
    let department = match &actor.unit {
        Some(own) => own.clone(),
        None => query.unit.trim().to_owned(),
    };
    let departments = department_names(&state.store).await?;
    let rows = if department.is_empty() {
        Vec::new()
    } else {
        state.store.element_queue(&department).await?
    };
    Ok(Html(render(&QueuePage {
        layout: Layout::of(&user),
        departments: choices(departments.iter().map(String::as_str), &department),
        department,
        rows,
        today: state.store.follow_up_date().await?,
        statuses: domain::responsibility::ElementStatus::ALL
            .iter()
            .map(|s| s.label())
            .collect(),
    })?))
}

/// The departments (扛标部门) that handle 要素保障 items, by name.
pub(super) async fn department_names(store: &Store) -> Result<Vec<String>, WebError> {
    Ok(store
        .unit_names_of_kind(domain::records::UnitKind::Department)
        .await?)
}
