//! Work queues over many projects: those lacking part of the 六个一, and a department's open
//! 要素保障 items.

use crate::kit::form::{Choice, choices};
use crate::kit::render::{FormatQuery, file_format, listing_download, render};
use crate::kit::request::Query;
use crate::kit::scope::scoped_filter;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use exchange::{Listing, Value};
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

/// `/six-ones/export?format=xlsx|csv`: the same projects as the page.
pub async fn export_six_ones(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<FormatQuery>,
) -> Result<Response, WebError> {
    let filter = scoped_filter(&user.actor())?;
    let gaps = state.store.six_ones_gaps(&filter).await?;
    let mut listing = Listing::new(
        "六个一缺项",
        &["项目编号", "项目名称", "所在县区", "阶段", "缺少"],
    );
    for g in gaps {
        listing.push(vec![
            g.code.into(),
            g.name.into(),
            g.territory.into(),
            g.state.into(),
            g.missing.join("、").into(),
        ]);
    }
    listing_download(&user, listing, query.file_format())
}

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    unit: String,
    /// For the export: xlsx or csv.
    #[serde(default)]
    format: String,
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

/// The department whose queue the actor sees (unit staff their own; readers the one chosen) and
/// its open items.
async fn queue_of(
    state: &AppState,
    user: &CurrentUser,
    query: &QueueQuery,
) -> Result<(String, Vec<store::QueuedElement>), WebError> {
    let actor = user.actor();
    if !actor.reads_projects() {
        return Err(WebError::Forbidden);
    }
    let department = match &actor.unit {
        Some(own) => own.clone(),
        None => query.unit.trim().to_owned(),
    };
    let rows = if department.is_empty() {
        Vec::new()
    } else {
        state.store.element_queue(&department).await?
    };
    Ok((department, rows))
}

/// `/elements/export?unit=…&format=xlsx|csv`: the queue the page shows.
pub async fn export_element_queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let (department, rows) = queue_of(&state, &user, &query).await?;
    let today = state.store.follow_up_date().await?;
    let mut listing = Listing::new(
        "要素保障待办",
        &[
            "项目编号",
            "项目名称",
            "事项",
            "责任部门",
            "状态",
            "应完成",
            "是否逾期",
        ],
    );
    listing.note(if department.is_empty() {
        String::new()
    } else {
        format!("责任部门：{department}")
    });
    listing.note(format!("逾期按 {today} 判断"));
    for r in rows {
        let overdue = if r.element.is_overdue(today) {
            "已逾期"
        } else {
            ""
        };
        listing.push(vec![
            r.project_code.into(),
            r.project_name.into(),
            r.element.item.label().into(),
            department.as_str().into(),
            r.element.status.label().into(),
            Value::from(r.element.due),
            overdue.into(),
        ]);
    }
    listing_download(&user, listing, file_format(&query.format))
}

/// A department's queue of open 要素保障 items: unit staff see their own unit's; readers choose.
pub async fn element_queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<QueueQuery>,
) -> Result<Html<String>, WebError> {
    let (department, rows) = queue_of(&state, &user, &query).await?;
    let departments = department_names(&state.store).await?;
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
