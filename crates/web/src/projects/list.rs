//! The project list with its filters, sorts and pages, and its export with the import columns.

use crate::kit::error::exchange_error;
use crate::kit::form::{Choice, choices};
use crate::kit::render::{attachment, encode, render};
use crate::kit::request::{Query, page_number};
use crate::kit::scope::scoped_filter;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use domain::access::Actor;
use domain::text::optional;
use serde::Deserialize;
use store::{ProjectFilter, ProjectSort};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::view::{Layout, wan};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    stage: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    chain: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    size: Option<i64>,
    /// For exports: xlsx or csv.
    #[serde(default)]
    format: String,
}

impl ListQuery {
    pub fn format(&self) -> &str {
        &self.format
    }
}

/// The filter a list's query asks for, within what the actor may see; paging is the caller's.
pub fn list_filter(actor: &Actor, query: &ListQuery) -> Result<ProjectFilter, WebError> {
    Ok(ProjectFilter {
        stage: domain::Stage::ALL
            .into_iter()
            .find(|s| s.label() == query.stage),
        unit: nonempty(&query.unit),
        chain: nonempty(&query.chain),
        key_only: query.key == "是",
        text: nonempty(&query.q),
        sort: ProjectSort::from_code(&query.sort),
        ..scoped_filter(actor)?
    })
}

pub struct Row {
    code: String,
    name: String,
    territory: String,
    chain: String,
    stage: String,
    signed: String,
    signed_on: String,
    key: bool,
    /// In the signed-in leader's 包保 scope.
    mine: bool,
    /// Held or judged a duplicate in 重复研判: a badge, since it counts in no figure.
    duplicate: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    q: String,
    key: String,
    stages: Vec<Choice>,
    units: Vec<Choice>,
    chains: Vec<Choice>,
    sorts: Vec<(&'static str, &'static str, bool)>,
    sizes: Vec<Choice>,
    base_query: String,
}

fn nonempty(value: &str) -> Option<String> {
    optional(value)
}

pub async fn list_projects(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let actor = user.actor();
    let size = query
        .size
        .filter(|s| [20, 50, 100].contains(s))
        .unwrap_or(20);
    let page = page_number(query.page)?;
    let sort = ProjectSort::from_code(&query.sort);
    let filter = ProjectFilter {
        offset: (page - 1) * size,
        limit: size,
        ..list_filter(&actor, &query)?
    };
    let (total, summaries) = state.store.list_projects(&filter).await?;
    let pages = ((total.max(0) + size - 1) / size).max(1);
    let own: std::collections::HashSet<String> = match &user.user.leader {
        Some(leader) => state
            .store
            .leader_scope(leader, actor.unit.as_deref())
            .await?
            .map(|scope| scope.projects.into_iter().map(|p| p.code).collect())
            .unwrap_or_default(),
        None => Default::default(),
    };
    let rows = summaries
        .into_iter()
        .map(|p| Row {
            mine: own.contains(&p.code),
            duplicate: p.duplicate.filter(|d| !d.counts()).map(|d| match d {
                domain::duplicates::DuplicateState::Confirmed => "重复·不计入",
                _ => "疑似重复·待研判",
            }),
            signed: wan(p.signed_amount),
            signed_on: p.signed_on.map(|d| d.to_string()).unwrap_or_default(),
            code: p.code,
            name: p.name,
            territory: p.territory,
            chain: p.chain.unwrap_or_default(),
            stage: p.state,
            key: p.key_project,
        })
        .collect();
    let names = crate::kit::scope::filter_names(&state, &actor).await?;
    let (units, chains) = (names.units, names.chains);
    let with_all = |values: Vec<String>| {
        let mut all = vec![String::new()];
        all.extend(values);
        all
    };
    let stages = with_all(
        domain::Stage::ALL
            .iter()
            .map(|s| s.label().to_owned())
            .collect(),
    );
    let sort_code = ProjectSort::ALL
        .iter()
        .find(|(s, _, _)| *s == sort)
        .map_or("code", |(_, c, _)| *c);
    let base_query = format!(
        "stage={}&unit={}&chain={}&q={}&key={}&sort={sort_code}&size={size}",
        encode(&query.stage),
        encode(&query.unit),
        encode(&query.chain),
        encode(query.q.trim()),
        encode(&query.key)
    );
    let page = ListPage {
        layout: Layout::of(&user),
        total,
        rows,
        page: page.min(pages),
        pages,
        q: query.q.trim().to_owned(),
        key: query.key.clone(),
        stages: choices(stages.iter().map(String::as_str), &query.stage),
        units: choices(units.iter().map(String::as_str), &query.unit),
        chains: choices(chains.iter().map(String::as_str), &query.chain),
        sorts: ProjectSort::ALL
            .iter()
            .map(|(s, code, label)| (*code, *label, *s == sort))
            .collect(),
        sizes: choices(["20", "50", "100"], &size.to_string()),
        base_query,
    };
    Ok(Html(render(&page)?))
}

/// `/projects/export?format=xlsx|csv&…`: the projects the same filters list, with the import
/// columns, so that the file can be edited and imported back.
pub async fn export_projects(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let format = crate::kit::render::file_format(query.format());
    let filter = list_filter(&user.actor(), &query)?;
    let codes = state
        .store
        .list_project_codes(&filter)
        .await?
        .into_iter()
        .collect();
    let bytes = exchange::export_projects(
        &state.store,
        &codes,
        format,
        &crate::kit::render::whose(&user),
    )
    .await
    .map_err(exchange_error)?;
    Ok(attachment(bytes, format, "项目"))
}
