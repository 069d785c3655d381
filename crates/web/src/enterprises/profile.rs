//! A firm's profile (画像): its data, its group (集团 → 子公司) with the group's projects, its
//! contacts, the visits and projects the reader may see, its places in chains, and for the
//! bureau the records merged into it. What a profile shows of visits and projects follows the
//! reader's scope, as everywhere else.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::form::Form;
use crate::kit::render::render;
use crate::kit::request::{Path, Query};
use crate::kit::scope::allow;
use crate::kit::view::Layout;

/// The group's projects listed on a 画像 at most.
const PROJECTS_SHOWN: i64 = 200;

pub struct VisitRow {
    pub date: String,
    pub unit: String,
    pub leaders: String,
    pub contact: String,
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
    /// The group member that invests, when it is not this firm.
    pub investor: String,
}

#[derive(Template)]
#[template(path = "enterprise.html")]
struct ProfilePage {
    layout: Layout,
    id: i64,
    firm: domain::enterprise::Enterprise,
    industry: String,
    capital: String,
    contacts: Vec<(i64, store::Contact)>,
    visits: Vec<VisitRow>,
    hidden_visits: usize,
    projects: Vec<ProjectRow>,
    group_projects: Vec<ProjectRow>,
    /// The group's projects beyond the page listed.
    unlisted: usize,
    group: store::Group,
    positions: Vec<store::ChainPosition>,
    /// The record this one was merged into: (id, name).
    merged_into: Option<(i64, String)>,
    merges: Vec<super::records::MergeRow>,
    can_add_contact: bool,
    /// The bureau: merges records and sets the group.
    keeps_records: bool,
    saved: Option<&'static str>,
    error: Option<String>,
}

/// What a save on the profile says on the page it returns to.
pub(super) fn saved_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "contact" => "已添加联系人。",
        "parent" => "已保存上级企业。",
        "merged" => {
            "已合并：另一条记录的项目、对接记录、联系人和产业链位置已移到本企业，可在下方撤销。"
        }
        "unmerged" => "已撤销合并：移过来的记录已移回原记录。",
        _ => return None,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfileQuery {
    saved: String,
}

async fn profile(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    saved: Option<&'static str>,
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
            contact: v.contact.unwrap_or_default(),
            mode: v.mode.unwrap_or_default(),
            content: v.content.unwrap_or_default(),
            outcome: v.outcome.unwrap_or_default(),
            project: v.project_code.unwrap_or_default(),
        })
        .collect();
    let group = state.store.group(id).await?;
    let names: std::collections::HashMap<i64, &str> = group
        .parents
        .iter()
        .chain(&group.members)
        .map(|f| (f.id, f.name.as_str()))
        .collect();
    // One page of the group's projects (the firm's own among them) in the reader's scope.
    let filter = store::ProjectFilter {
        investors: group.ids(id),
        limit: PROJECTS_SHOWN,
        ..crate::kit::scope::scoped_filter(&actor)?
    };
    let (total, listed) = state.store.list_projects(&filter).await?;
    let (mut projects, mut group_projects) = (Vec::new(), Vec::new());
    for p in listed {
        let investor = p.investor_id.unwrap_or_default();
        let row = ProjectRow {
            state: p.state,
            code: p.code,
            name: p.name,
            territory: p.territory,
            investor: names.get(&investor).copied().unwrap_or_default().to_owned(),
        };
        if investor == id {
            projects.push(row);
        } else {
            group_projects.push(row);
        }
    }
    let unlisted = usize::try_from(total)
        .unwrap_or_default()
        .saturating_sub(projects.len() + group_projects.len());
    let merged_into = match state.store.merged_into(id).await? {
        Some(kept) => {
            let name = state.store.enterprise(kept).await?.map(|f| f.name);
            Some((kept, name.unwrap_or_default()))
        }
        None => None,
    };
    let keeps_records = actor.manages_city_data();
    let merges = if keeps_records {
        super::records::merge_rows(state.store.merges_of(id).await?)
    } else {
        Vec::new()
    };
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
        group_projects,
        unlisted,
        group,
        positions: state.store.chain_positions(id).await?,
        merged_into,
        merges,
        can_add_contact: actor.adds_contacts(),
        keeps_records,
        firm,
        saved,
        error,
    })
}

/// The profile page answered with a refusal shown on it (422).
pub(super) async fn refused(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    message: String,
) -> Result<Response, WebError> {
    let page = profile(state, user, id, None, Some(message)).await?;
    Ok((
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        Html(render(&page)?),
    )
        .into_response())
}

/// GET /enterprises/{id}: the firm's profile.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<ProfileQuery>,
) -> Result<Html<String>, WebError> {
    let saved = saved_message(&query.saved);
    Ok(Html(render(
        &profile(&state, &user, id, saved, None).await?,
    )?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ContactForm {
    csrf: String,
    name: String,
    title: String,
    phone: String,
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
            Ok(Redirect::to(&format!("/enterprises/{id}?saved=contact")).into_response())
        }
        Err(e) => {
            let refused_with = crate::kit::error::refusal(e)?;
            tx.rollback().await?;
            refused(&state, &user, id, refused_with).await
        }
    }
}
