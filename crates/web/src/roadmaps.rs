//! The 招商路线图 in the browser (issue 23.2): per chain or unit and year, the four sets and plan
//! against done — planned visits held on time, late or missed, clients approached, in talks or
//! signed, packaged projects signed — as a table and a timeline by month; the sets exported.
//! A chain's roadmap is read by those who read the whole city and kept by the bureau; a unit's
//! also read and kept by its own staff.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use domain::roadmap::{
    ClientProgress, OwnerKind, SetKind, VisitOutcome, parse_month, visit_outcome,
};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::form::Form;
use crate::kit::render::render;
use crate::kit::request::{Path, Query};
use crate::kit::scope::allow;
use crate::kit::view::Layout;

/// One item as the page and the export show it.
pub struct ItemRow {
    pub id: i64,
    pub kind: SetKind,
    pub what: String,
    pub link: String,
    pub credit_code: String,
    pub month: String,
    pub leader: String,
    /// Its progress in words.
    pub progress: String,
    /// Whether the progress is a shortfall (逾期, 未对接 after the year).
    pub behind: bool,
}

/// Plan against done, in counts.
#[derive(Default)]
pub struct Tally {
    pub visits_planned: usize,
    pub visits_held: usize,
    pub visits_on_time: usize,
    pub visits_late: usize,
    pub visits_missed: usize,
    pub clients: usize,
    pub clients_approached: usize,
    pub clients_in_talks: usize,
    pub clients_signed: usize,
    pub projects: usize,
    pub projects_signed: usize,
    /// Planned visits by planned month, and held ones by the month they were held.
    pub planned_by_month: [f64; 12],
    pub held_by_month: [f64; 12],
}

fn judged(
    record: &store::RoadmapRecord,
    activity: &store::FirmActivity,
    today: NaiveDate,
) -> (Vec<ItemRow>, Tally) {
    let mut tally = Tally::default();
    let mut rows = Vec::new();
    for item in &record.items {
        let mut row = ItemRow {
            id: item.id,
            kind: item.kind,
            what: String::new(),
            link: String::new(),
            credit_code: String::new(),
            month: item.month.map(|m| format!("{m}月")).unwrap_or_default(),
            leader: item.leader.clone().unwrap_or_default(),
            progress: String::new(),
            behind: false,
        };
        if let Some((code, name, status, project)) = &item.packaged {
            tally.projects += 1;
            row.what = format!("{code} {name}");
            row.link = format!("/packaged/{code}");
            row.progress = match project {
                Some(p) => {
                    tally.projects_signed += 1;
                    format!("{status}（项目{p}）")
                }
                None => status.clone(),
            };
        }
        if let Some((id, name, code)) = &item.firm {
            row.what = name.clone();
            row.link = format!("/enterprises/{id}");
            row.credit_code = code.clone().unwrap_or_default();
            let visits = activity.visits.get(id).map_or(&[][..], Vec::as_slice);
            match (item.kind, item.month) {
                (SetKind::Visit, Some(month)) => {
                    tally.visits_planned += 1;
                    tally.planned_by_month[(month as usize - 1).min(11)] += 1.0;
                    let outcome = visit_outcome(record.year, month, visits, today);
                    if let VisitOutcome::OnTime(d) | VisitOutcome::Late(d) = outcome {
                        tally.visits_held += 1;
                        tally.held_by_month[d.month0() as usize] += 1.0;
                    }
                    tally.visits_on_time += usize::from(matches!(outcome, VisitOutcome::OnTime(_)));
                    tally.visits_late += usize::from(matches!(outcome, VisitOutcome::Late(_)));
                    tally.visits_missed += usize::from(outcome == VisitOutcome::Missed);
                    row.behind = matches!(outcome, VisitOutcome::Missed | VisitOutcome::Late(_));
                    row.progress = outcome.label();
                }
                _ => {
                    tally.clients += 1;
                    let in_year = visits
                        .iter()
                        .any(|d| d.year() == record.year && *d <= today);
                    let projects = activity.projects.get(id).map_or(&[][..], Vec::as_slice);
                    let progress = ClientProgress::of(in_year, projects, record.year, today);
                    tally.clients_approached += usize::from(progress >= ClientProgress::Approached);
                    tally.clients_in_talks += usize::from(progress == ClientProgress::InTalks);
                    tally.clients_signed += usize::from(progress == ClientProgress::Signed);
                    row.progress = progress.label().to_owned();
                }
            }
        }
        if let Some(text) = &item.text {
            row.what = text.clone();
        }
        rows.push(row);
    }
    (rows, tally)
}

fn visible(user: &CurrentUser, record: &store::RoadmapRecord) -> bool {
    user.actor().sees_roadmap(record.owner_kind, &record.owner)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    year: String,
}

pub struct ListRow {
    pub id: i64,
    pub year: i32,
    pub kind: &'static str,
    pub owner: String,
    pub counts: String,
}

#[derive(Template)]
#[template(path = "roadmaps.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<ListRow>,
    year: String,
    /// (kind label, name) of what the reader may make a roadmap for.
    owners: Vec<(&'static str, String)>,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    year: &str,
    error: Option<String>,
) -> Result<ListPage, WebError> {
    let actor = user.actor();
    allow(actor.reads_projects())?;
    let year_filter = match year.trim() {
        "" => None,
        text => Some(
            text.parse::<i32>()
                .map_err(|_| WebError::BadRequest(format!("“{text}”不是年度")))?,
        ),
    };
    let rows = state
        .store
        .roadmaps()
        .await?
        .into_iter()
        .filter(|r| visible(user, r) && year_filter.is_none_or(|y| r.year == y))
        .map(|r| {
            let count = |k: SetKind| r.items.iter().filter(|i| i.kind == k).count();
            ListRow {
                id: r.id,
                year: r.year,
                kind: r.owner_kind.label(),
                counts: SetKind::ALL
                    .iter()
                    .map(|k| format!("{}{}项", k.label(), count(*k)))
                    .collect::<Vec<_>>()
                    .join("，"),
                owner: r.owner,
            }
        })
        .collect();
    let mut owners = Vec::new();
    for chain in state.store.chains().await? {
        if actor.edits_roadmap(OwnerKind::Chain, &chain.name) {
            owners.push((OwnerKind::Chain.label(), chain.name));
        }
    }
    for unit in state.store.units().await? {
        if unit.group.is_some() && actor.edits_roadmap(OwnerKind::Unit, &unit.name) {
            owners.push((OwnerKind::Unit.label(), unit.name));
        }
    }
    Ok(ListPage {
        layout: Layout::of(user),
        rows,
        year: year.trim().to_owned(),
        owners,
        error,
    })
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    Ok(Html(render(
        &list_page(&state, &user, &query.year, None).await?,
    )?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateForm {
    csrf: String,
    year: String,
    /// 产业链:名称 or 单位:名称.
    owner: String,
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<CreateForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    // Only those who keep some roadmap (the bureau, a unit's staff) get as far as the form.
    allow(user.actor().creates_projects())?;
    let (kind, name) = match form.owner.split_once(':') {
        Some(("产业链", name)) => (OwnerKind::Chain, name),
        Some(("单位", name)) => (OwnerKind::Unit, name),
        _ => return Err(WebError::BadRequest("请选择产业链或单位".into())),
    };
    if !user.actor().edits_roadmap(kind, name) {
        return Err(WebError::Forbidden);
    }
    let year = form.year.trim().parse::<i32>();
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    let made = match year {
        Ok(year) => tx.roadmap_for(year, kind, name).await,
        Err(_) => Err(store::StoreError::invalid(
            "年度",
            "请填写四位年份，如 2022",
        )),
    };
    match made {
        Ok(id) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/roadmaps/{id}")).into_response())
        }
        Err(e) => {
            let message = crate::kit::error::refusal(e)?;
            tx.rollback().await?;
            let page = list_page(&state, &user, "", Some(message)).await?;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                Html(render(&page)?),
            )
                .into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "roadmap.html")]
struct RoadmapPage {
    layout: Layout,
    id: i64,
    title: String,
    today: String,
    sets: Vec<(&'static str, &'static str, Vec<ItemRow>)>,
    tally: Tally,
    timeline_svg: String,
    editable: bool,
    error: Option<String>,
}

async fn roadmap_of(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<store::RoadmapRecord, WebError> {
    allow(user.actor().reads_projects())?;
    state
        .store
        .roadmap(id)
        .await?
        .filter(|r| visible(user, r))
        .ok_or_else(|| WebError::NotFound("路线图不存在，或不在您的权限范围内".into()))
}

async fn roadmap_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    error: Option<String>,
) -> Result<RoadmapPage, WebError> {
    let record = roadmap_of(state, user, id).await?;
    let today = state.store.follow_up_date().await?;
    let activity = state.store.firm_activity(&record).await?;
    let (rows, tally) = judged(&record, &activity, today);
    let title = format!("{}{}年招商路线图", record.owner, record.year);
    let timeline_svg = crate::kit::charts::monthly_pairs(
        &format!("{title}：对接计划与完成"),
        "次",
        ("已对接", &tally.held_by_month),
        ("计划对接", &tally.planned_by_month),
    );
    let mut sets: Vec<(&'static str, &'static str, Vec<ItemRow>)> = SetKind::ALL
        .iter()
        .map(|k| (k.label(), k.code(), Vec::new()))
        .collect();
    for row in rows {
        if let Some(set) = sets.iter_mut().find(|s| s.1 == row.kind.code()) {
            set.2.push(row);
        }
    }
    Ok(RoadmapPage {
        layout: Layout::of(user),
        id,
        editable: user.actor().edits_roadmap(record.owner_kind, &record.owner),
        title,
        today: today.to_string(),
        sets,
        tally,
        timeline_svg,
        error,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    Ok(Html(render(&roadmap_page(&state, &user, id, None).await?)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ItemForm {
    csrf: String,
    kind: String,
    reference: String,
    month: String,
    leader: String,
}

/// A change to roadmap `id` by one who may make it: committed and back to the page, or the page
/// again with the refusal (422).
async fn change(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    apply: impl AsyncFnOnce(&mut store::Tx) -> Result<(), store::StoreError>,
) -> Result<Response, WebError> {
    let record = roadmap_of(state, user, id).await?;
    allow(user.actor().edits_roadmap(record.owner_kind, &record.owner))?;
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    match apply(&mut tx).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/roadmaps/{id}")).into_response())
        }
        Err(e) => {
            let message = crate::kit::error::refusal(e)?;
            tx.rollback().await?;
            let page = roadmap_page(state, user, id, Some(message)).await?;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                Html(render(&page)?),
            )
                .into_response())
        }
    }
}

pub async fn add_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ItemForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let kind = SetKind::parse("类型", &form.kind);
    let month = match form.month.trim() {
        "" => Ok(None),
        text => parse_month("计划月份", text).map(Some),
    };
    change(&state, &user, id, async |tx| {
        let kind = kind?;
        let month = month?;
        let input = store::ItemInput {
            reference: &form.reference,
            month,
            leader: Some(form.leader.as_str()),
        };
        tx.add_roadmap_item(id, kind, &input).await.map(|_| ())
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RemoveForm {
    csrf: String,
}

pub async fn remove_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, item)): Path<(i64, i64)>,
    Form(form): Form<RemoveForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    change(&state, &user, id, async |tx| {
        tx.remove_roadmap_item(id, item).await
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExportQuery {
    format: String,
}

/// `/roadmaps/{id}/export`: the four sets, one row an item, with its progress on the day.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, WebError> {
    let page = roadmap_page(&state, &user, id, None).await?;
    let mut listing = exchange::Listing::new(
        "招商路线图",
        &[
            "类型",
            "内容",
            "统一社会信用代码",
            "计划月份",
            "带队领导",
            "进展",
        ],
    );
    listing.note(format!("{}；进展截至 {}", page.title, page.today));
    for (_, _, rows) in page.sets {
        for r in rows {
            listing.push(vec![
                r.kind.label().into(),
                r.what.into(),
                r.credit_code.into(),
                r.month.into(),
                r.leader.into(),
                r.progress.into(),
            ]);
        }
    }
    crate::kit::render::listing_download(
        &user,
        listing,
        crate::kit::render::file_format(&query.format),
    )
}

/// The roadmaps of these chains that the reader may see: (id, title), for a 链长's page.
pub async fn of_chains(
    state: &AppState,
    user: &CurrentUser,
    chains: &[String],
) -> Result<Vec<(i64, String)>, WebError> {
    Ok(state
        .store
        .roadmaps()
        .await?
        .into_iter()
        .filter(|r| r.owner_kind == OwnerKind::Chain && chains.contains(&r.owner))
        .filter(|r| visible(user, r))
        .map(|r| (r.id, format!("{}{}年招商路线图", r.owner, r.year)))
        .collect())
}

crate::kit::routes! { routes, ROUTES;
        "/roadmaps" => get(list).post(create);
        "/roadmaps/{id}" => get(show);
        "/roadmaps/{id}/items" => post(add_item);
        "/roadmaps/{id}/items/{item}/remove" => post(remove_item);
        "/roadmaps/{id}/export" => get(export);
}
