//! The 招商大数据库 in the browser (issue 6): search with filters and its export here; a firm's
//! profile (画像) in `profile`; the bureau's merges and groups in `records`. Any account that
//! reads business data may search.

mod profile;
mod records;

use crate::kit::request::page_number;
use crate::kit::scope::allow;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use domain::enterprise::{EnterpriseSize, FLAGS, IndustryCode};

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

/// Firms offered by the enterprise picker of a form at once.
const PICKER_SIZE: usize = 10;

/// A firm chosen in a form through the picker: the form is filled from it.
pub struct Picked {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    /// Its contacts' names, offered as the visit's 接待联系人.
    pub contacts: Vec<String>,
}

/// A form page's query while its picker is used: the text searched, the firm chosen.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PickerQuery {
    pub find: String,
    pub enterprise: Option<i64>,
}

/// The enterprise picker above a form (templates/picker.html): a search box that lists firms
/// of the 招商大数据库, each a link back to the form with the firm chosen (`?enterprise=ID`).
/// No script: the form is reloaded with the firm filled in.
#[derive(Default)]
pub struct Picker {
    /// The form's own page, which the links lead back to.
    pub action: String,
    pub find: String,
    pub found: Vec<FirmRow>,
    /// How many firms match, of which `found` are the first.
    pub total: usize,
    pub picked: Option<Picked>,
}

impl Picker {
    /// The picker of the form at `action`, searching `find` and with firm `picked` chosen.
    pub async fn of(
        state: &AppState,
        action: &str,
        find: &str,
        picked: Option<i64>,
    ) -> Result<Picker, WebError> {
        // A search box's text, bounded before it costs anything.
        let find: String = find.chars().take(100).collect();
        let found = if find.trim().is_empty() {
            (Vec::new(), 0)
        } else {
            let query = SearchQuery {
                q: find.clone(),
                ..SearchQuery::default()
            };
            hits(state, &query, &search::Filters::default(), 0, PICKER_SIZE).await?
        };
        let (found, total) = found;
        // A record merged into another stands for the record kept.
        let picked = match picked {
            Some(id) => Some(state.store.merged_into(id).await?.unwrap_or(id)),
            None => None,
        };
        let picked = match picked {
            Some(id) => match state.store.enterprise(id).await? {
                Some(firm) => Some(Picked {
                    id,
                    credit_code: firm
                        .credit_code
                        .map(|c| c.as_str().to_owned())
                        .unwrap_or_default(),
                    name: firm.name,
                    contacts: state
                        .store
                        .contacts(id)
                        .await?
                        .into_iter()
                        .map(|(_, c)| c.name)
                        .collect(),
                }),
                None => return Err(WebError::NotFound(format!("企业库中没有编号为{id}的企业"))),
            },
            None => None,
        };
        Ok(Picker {
            action: action.to_owned(),
            find,
            found,
            total,
            picked,
        })
    }
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

crate::kit::routes! { routes, ROUTES;
        "/enterprises" => get(search_page);
        "/enterprises/export" => get(export);
        "/enterprises/merges" => get(records::merges);
        "/enterprises/merges/{id}/undo" => post(records::undo);
        "/enterprises/{id}" => get(profile::show);
        "/enterprises/{id}/contacts" => post(profile::add_contact);
        "/enterprises/{id}/merge" => get(records::merge_preview).post(records::merge);
        "/enterprises/{id}/parent" => post(records::set_parent);
}
