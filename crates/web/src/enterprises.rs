//! The 招商大数据库 in the browser (issue 6): search with filters, and a firm's profile (画像) —
//! its data, contacts, the visits and projects the reader may see, and its places in chains.
//! Any account that reads business data may search; what a profile shows of visits and
//! projects follows the same scope as everywhere else.

use crate::kit::form::Form;
use crate::kit::request::Path;
use crate::kit::request::page_number;
use crate::kit::scope::allow;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::enterprise::{EnterpriseSize, FLAGS, IndustryCode};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::render::render;
use crate::kit::view::Layout;

const PAGE_SIZE: usize = 20;

#[derive(Debug, Default)]
pub struct SearchQuery {
    q: String,
    industry: String,
    province: String,
    city: String,
    size: String,
    flag: Vec<String>,
    page: Option<i64>,
    /// For the export: xlsx or csv.
    format: String,
}

pub struct FirmRow {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub industry: String,
    pub region: String,
    pub size: String,
    pub tags: String,
}

#[derive(Template)]
#[template(path = "enterprises.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    industry: String,
    province: String,
    city: String,
    size: String,
    flags: Vec<(&'static str, bool)>,
    sizes: Vec<&'static str>,
    error: Option<String>,
    rows: Vec<FirmRow>,
    total: usize,
    page: usize,
    pages: usize,
    held: u64,
    previous: Option<String>,
    next: Option<String>,
    /// The same search as a file.
    export: String,
}

fn link(query: &SearchQuery, page: usize) -> String {
    let mut pairs: Vec<(&str, String)> = vec![
        ("q", query.q.clone()),
        ("industry", query.industry.clone()),
        ("province", query.province.clone()),
        ("city", query.city.clone()),
        ("size", query.size.clone()),
    ];
    pairs.extend(query.flag.iter().map(|f| ("flag", f.clone())));
    pairs.push(("page", page.to_string()));
    format!(
        "/enterprises?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

/// The search as the query string asks for it (`flag=` may repeat, as the form sends it).
fn search_query(raw: Option<String>) -> Result<SearchQuery, WebError> {
    let raw = raw.unwrap_or_default();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&raw).unwrap_or_default();
    let mut query = SearchQuery::default();
    for (k, v) in pairs {
        match k.as_str() {
            "q" => query.q = v,
            "industry" => query.industry = v,
            "province" => query.province = v,
            "city" => query.city = v,
            "size" => query.size = v,
            "flag" => query.flag.push(v),
            "format" => query.format = v,
            "page" => {
                let page = v
                    .trim()
                    .parse()
                    .map_err(|_| WebError::BadRequest("页码应为1至10000之间的整数".into()))?;
                query.page = Some(page_number(Some(page))?);
            }
            _ => {}
        }
    }
    Ok(query)
}

/// The index's filters for `query`, and what is wrong with a filter it could not take.
fn filters_of(query: &SearchQuery) -> (search::Filters, Option<String>) {
    let mut error = None;
    let industry = match query.industry.trim() {
        "" => None,
        code => match IndustryCode::parse("行业代码", code) {
            Ok(c) => Some(c.as_str().to_owned()),
            Err(e) => {
                error = Some(e.to_string());
                None
            }
        },
    };
    let filters = search::Filters {
        industry,
        province: Some(query.province.trim().to_owned()).filter(|s| !s.is_empty()),
        city: Some(query.city.trim().to_owned()).filter(|s| !s.is_empty()),
        size: Some(query.size.trim().to_owned()).filter(|s| !s.is_empty()),
        flags: query.flag.clone(),
    };
    (filters, error)
}

/// The firms `skip`..`skip + take` of the search, best first, and how many match in all.
async fn hits(
    state: &AppState,
    query: &SearchQuery,
    filters: &search::Filters,
    skip: usize,
    take: usize,
) -> Result<(Vec<FirmRow>, usize), WebError> {
    state
        .search
        .catch_up(&state.store)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let hits = state
        .search
        .search(&query.q, filters, skip, take)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let ids: Vec<i64> = hits.hits.iter().map(|h| h.id).collect();
    let firms = state.store.enterprises_by_id(&ids).await?;
    let rows = hits
        .hits
        .iter()
        .zip(firms)
        .map(|(_, f)| FirmRow {
            id: f.id,
            credit_code: f
                .firm
                .credit_code
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            industry: f
                .firm
                .industry
                .as_ref()
                .map(|c| format!("{} {}", c.as_str(), c.section_name()))
                .unwrap_or_default(),
            region: [f.firm.province.clone(), f.firm.city.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            size: f
                .firm
                .size
                .map(|s| s.label().to_owned())
                .unwrap_or_default(),
            tags: f.firm.tags.join("、"),
            name: f.firm.name,
        })
        .collect();
    Ok((rows, hits.total))
}

/// GET /enterprises: the search box, the filters and a page of hits, best first.
pub async fn search_page(
    State(state): State<AppState>,
    user: CurrentUser,
    raw: axum::extract::RawQuery,
) -> Result<Html<String>, WebError> {
    allow(user.actor().reads_projects())?;
    let query = search_query(raw.0)?;
    let (filters, error) = filters_of(&query);
    let page = usize::try_from(page_number(query.page)?).unwrap_or(1);
    let (rows, total) = hits(&state, &query, &filters, (page - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    Ok(Html(render(&SearchPage {
        layout: Layout::of(&user),
        flags: FLAGS
            .iter()
            .map(|f| (*f, query.flag.iter().any(|q| q == f)))
            .collect(),
        sizes: EnterpriseSize::ALL.iter().map(|s| s.label()).collect(),
        error,
        rows,
        total,
        page,
        pages,
        held: state.search.len(),
        previous: (page > 1).then(|| link(&query, page - 1)),
        next: (page < pages).then(|| link(&query, page + 1)),
        export: link(&query, 1).replacen("/enterprises?", "/enterprises/export?", 1),
        q: query.q,
        industry: query.industry,
        province: query.province,
        city: query.city,
        size: query.size,
    })?))
}

/// The most firms one export holds: a search export is a shortlist to work through, not a copy
/// of the database (that is `/export/enterprises`).
const EXPORTED: usize = 5_000;

/// GET /enterprises/export?…&format=xlsx|csv: the hits of the same search, best first, up to
/// [`EXPORTED`].
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    raw: axum::extract::RawQuery,
) -> Result<Response, WebError> {
    allow(user.actor().reads_projects())?;
    let query = search_query(raw.0)?;
    let (filters, error) = filters_of(&query);
    if let Some(error) = error {
        return Err(WebError::BadRequest(error));
    }
    let (rows, total) = hits(&state, &query, &filters, 0, EXPORTED).await?;
    let mut listing = exchange::Listing::new(
        "企业检索结果",
        &[
            "企业名称",
            "统一社会信用代码",
            "行业",
            "地区",
            "规模",
            "标签",
        ],
    );
    listing.note("范围：招商大数据库（全库）");
    let mut said: Vec<String> = Vec::new();
    for (label, value) in [
        ("检索词", &query.q),
        ("行业", &query.industry),
        ("省份", &query.province),
        ("城市", &query.city),
        ("规模", &query.size),
    ] {
        if !value.trim().is_empty() {
            said.push(format!("{label}：{}", value.trim()));
        }
    }
    if !query.flag.is_empty() {
        said.push(format!("标签：{}", query.flag.join("、")));
    }
    listing.note(said.join("，"));
    if !query.q.trim().is_empty() {
        listing.note("按相关度排序：名称、简称、信用代码相符的在前，其次标签、行业和经营范围");
    }
    if total > EXPORTED {
        listing.note(format!("共{total}家，按相关度取前{EXPORTED}家"));
    }
    for r in rows {
        listing.push(vec![
            r.name.into(),
            r.credit_code.into(),
            r.industry.into(),
            r.region.into(),
            r.size.into(),
            r.tags.into(),
        ]);
    }
    crate::kit::render::listing_download(
        &user,
        listing,
        crate::kit::render::file_format(&query.format),
    )
}

pub struct VisitRow {
    pub date: String,
    pub unit: String,
    pub leaders: String,
    pub mode: String,
    pub content: String,
    pub outcome: String,
    pub project: String,
}

pub struct ProjectRow {
    pub code: String,
    pub name: String,
    pub territory: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "enterprise.html")]
struct ProfilePage {
    layout: Layout,
    id: i64,
    firm: domain::enterprise::Enterprise,
    industry: String,
    capital: String,
    contacts: Vec<store::Contact>,
    visits: Vec<VisitRow>,
    hidden_visits: usize,
    projects: Vec<ProjectRow>,
    positions: Vec<store::ChainPosition>,
    can_add_contact: bool,
    error: Option<String>,
}

async fn profile(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    error: Option<String>,
) -> Result<ProfilePage, WebError> {
    allow(user.actor().reads_projects())?;
    let actor = user.actor();
    let firm = state
        .store
        .enterprise(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("企业库中没有编号为{id}的企业")))?;
    let all_visits = state
        .store
        .visits_to(&firm.name, firm.credit_code.as_ref().map(|c| c.as_str()))
        .await?;
    let total_visits = all_visits.len();
    let visits: Vec<VisitRow> = all_visits
        .into_iter()
        .filter(|v| actor.covers_unit(v.unit.as_deref()))
        .map(|v| VisitRow {
            date: v.date.to_string(),
            unit: v.unit.unwrap_or_else(|| "市本级".into()),
            leaders: v.leaders.unwrap_or_default(),
            mode: v.mode.unwrap_or_default(),
            content: v.content.unwrap_or_default(),
            outcome: v.outcome.unwrap_or_default(),
            project: v.project_code.unwrap_or_default(),
        })
        .collect();
    let mut projects = Vec::new();
    let scope = crate::kit::scope::scoped_filter(&actor)?;
    for code in state.store.projects_of_firm(id).await? {
        let filter = store::ProjectFilter {
            code: Some(code),
            ..scope.clone()
        };
        for p in state.store.summaries(&filter).await? {
            projects.push(ProjectRow {
                state: p.state,
                code: p.code,
                name: p.name,
                territory: p.territory,
            });
        }
    }
    Ok(ProfilePage {
        layout: Layout::of(user),
        id,
        industry: firm
            .industry
            .as_ref()
            .map(|c| format!("{}（{}）", c.as_str(), c.section_name()))
            .unwrap_or_default(),
        capital: firm
            .registered_capital
            .map(|m| format!("{}万元", domain::money::format_wan(m)))
            .unwrap_or_default(),
        contacts: state.store.contacts(id).await?,
        hidden_visits: total_visits - visits.len(),
        visits,
        projects,
        positions: state.store.chain_positions(id).await?,
        can_add_contact: actor.adds_contacts(),
        firm,
        error,
    })
}

/// GET /enterprises/{id}: the firm's profile.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    Ok(Html(render(&profile(&state, &user, id, None).await?)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ContactForm {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    note: String,
}

/// POST /enterprises/{id}/contacts: 招商局 and units' staff add a contact person.
pub async fn add_contact(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ContactForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    if !actor.adds_contacts() {
        return Err(WebError::Forbidden);
    }
    let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let contact = store::Contact {
        name: form.name.trim().to_owned(),
        title: optional(&form.title),
        phone: optional(&form.phone),
        note: optional(&form.note),
    };
    let mut tx = crate::kit::begin(&state.store, &actor).await?;
    match tx.add_contact(id, &contact).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/enterprises/{id}")).into_response())
        }
        Err(e) => {
            let refused = crate::kit::error::refusal(e)?;
            tx.rollback().await?;
            let page = profile(&state, &user, id, Some(refused)).await?;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                Html(render(&page)?),
            )
                .into_response())
        }
    }
}

crate::kit::routes! { routes, ROUTES;
        "/enterprises" => get(search_page);
        "/enterprises/export" => get(export);
        "/enterprises/{id}" => get(show);
        "/enterprises/{id}/contacts" => post(add_contact);
}
