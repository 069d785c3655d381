//! A leader's page (issue 5): what the leader answers for — 包保县区, chains led as 链长, teams —
//! the projects this reaches by stage, and the figures of the leader's units in the current
//! scoreboard. 招商局 sets the 包保县区.

use crate::kit::form::Form;
use crate::kit::request::Path;
use crate::kit::scope::{allow, scoped_blockers, scoped_filter};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::figures::{Indicator, Light};
use domain::records::Project;
use serde::Deserialize;
use store::ProjectSummary;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::figures::{PeriodQuery, compute, show_value};
use crate::kit::render::render;
use crate::kit::view::Layout;

pub struct UnitFigures {
    pub unit: String,
    pub rank: String,
    pub cells: Vec<String>,
    pub mean: String,
    pub light: &'static str,
}

#[derive(Template)]
#[template(path = "leader.html")]
struct LeaderPage {
    layout: Layout,
    name: String,
    units: Vec<String>,
    chains: Vec<String>,
    teams: Vec<String>,
    stages: Vec<(String, usize)>,
    projects: Vec<ProjectSummary>,
    period: String,
    figures: Vec<UnitFigures>,
    can_assign: bool,
    units_text: String,
    error: Option<String>,
    /// Open blockers this leader owns or that have been escalated to them (and whether by
    /// escalation).
    blockers: Vec<(crate::responsibility::blockers::BlockerRow, bool)>,
    escalated: usize,
    /// The lit projects in the leader's scope, red first.
    lit: Vec<crate::responsibility::warnings::LitRow>,
    follow_up_on: String,
    /// Per chain led as 链长: its figures in the period.
    chain_figures: Vec<(String, Vec<String>)>,
    /// The 招商路线图 of the chains led: (id, title).
    roadmaps: Vec<(i64, String)>,
}

const COLUMNS: [Indicator; 4] = [
    Indicator::SignedProjects,
    Indicator::SignedAmount,
    Indicator::FundsInPlace,
    Indicator::StartedOrResumedProjects,
];

async fn page(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
    typed: Option<(String, String)>,
) -> Result<LeaderPage, WebError> {
    let actor = user.actor();
    allow(actor.reads_projects())?;
    let scope = state
        .store
        .leader_scope(name, actor.unit.as_deref())
        .await?
        .ok_or_else(|| WebError::NotFound(format!("领导“{name}”不存在")))?;
    let stages = by_stage(&scope.projects);
    let c = compute(state, &PeriodQuery::default()).await?;
    let figures = scope
        .units
        .iter()
        .filter_map(|u| c.board.unit(u))
        .map(|u| {
            let light = c.board.unit_light(u);
            UnitFigures {
                unit: u.unit.clone(),
                rank: format!("{}（{}）", u.rank, u.group.label()),
                cells: COLUMNS
                    .iter()
                    .map(|i| show_value(*i, u.indicators.get(i.id()).and_then(|f| f.value)))
                    .collect(),
                mean: u
                    .mean_task_progress
                    .map(|m| format!("{:.1}%", m * 100.0))
                    .unwrap_or_else(|| "—".into()),
                light: light.map_or("", Light::label),
            }
        })
        .collect();
    let on = state.store.follow_up_date().await?;
    let blockers = crate::responsibility::blockers::for_leader(state, &actor, name, on).await?;
    let escalated = blockers.iter().filter(|(_, up)| *up).count();
    let scope_filter = store::ProjectFilter {
        leader_scope: Some(name.to_owned()),
        ..scoped_filter(&actor)?
    };
    let lit = crate::responsibility::warnings::lit_projects(state, &scope_filter, on).await?;
    // Each chain led, figured over its own projects by the 晒单's definitions.
    let mut chain_figures = Vec::new();
    for chain in &scope.chains {
        let ids = state.store.chain_project_ids(chain).await?;
        let facts = c.facts.restricted_to(&ids.into_iter().collect());
        let board = domain::figures::scoreboard(&facts, &c.period, &Default::default());
        chain_figures.push((
            chain.clone(),
            COLUMNS
                .iter()
                .map(|i| {
                    let f = board.city_figure(*i);
                    let value = show_value(*i, f.and_then(|f| f.value));
                    match f.and_then(|f| f.yoy_pct) {
                        Some(p) => format!("{value}（同比{p:+.1}%）"),
                        None => value,
                    }
                })
                .collect::<Vec<_>>(),
        ));
    }
    let (units_text, error) =
        typed.map_or_else(|| (scope.units.join("、"), None), |(t, e)| (t, Some(e)));
    Ok(LeaderPage {
        roadmaps: crate::roadmaps::of_chains(state, user, &scope.chains).await?,
        layout: Layout::of(user),
        name: name.to_owned(),
        units: scope.units,
        chains: scope.chains,
        teams: scope.teams,
        stages,
        projects: scope.projects,
        period: c.period.label(),
        figures,
        can_assign: user.actor().manages_city_data(),
        units_text,
        error,
        blockers,
        escalated,
        lit,
        follow_up_on: on.to_string(),
        chain_figures,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
) -> Result<Html<String>, WebError> {
    Ok(Html(render(&page(&state, &user, &name, None).await?)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UnitsForm {
    csrf: String,
    #[serde(default)]
    units: String,
}

/// Sets the leader's 包保县区 from a list of unit names (、 or commas between them).
pub async fn set_units(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    Form(form): Form<UnitsForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if !user.actor().manages_city_data() {
        return Err(WebError::Forbidden);
    }
    let units = Project::split_units(&form.units);
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    match tx.set_leader_units(&name, &units).await {
        Ok(_) => {
            tx.commit().await?;
            let path = serde_urlencoded::to_string([("", name.as_str())]).unwrap_or_default();
            let segment = path.trim_start_matches('=').replace('+', "%20");
            Ok(Redirect::to(&format!("/leader/{segment}")).into_response())
        }
        Err(store::StoreError::Invalid(e)) => {
            tx.rollback().await?;
            let page = page(&state, &user, &name, Some((form.units, e.to_string()))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    layout: Layout,
    team: store::TeamDetail,
    stages: Vec<(String, usize)>,
    blockers: Vec<crate::responsibility::blockers::BlockerRow>,
    lit: Vec<crate::responsibility::warnings::LitRow>,
    can_assign: bool,
    members_text: String,
    error: Option<String>,
}

/// Projects counted by their state, in the order first met.
fn by_stage(projects: &[ProjectSummary]) -> Vec<(String, usize)> {
    let mut stages: Vec<(String, usize)> = Vec::new();
    for p in projects {
        match stages.iter_mut().find(|(s, _)| *s == p.state) {
            Some((_, n)) => *n += 1,
            None => stages.push((p.state.clone(), 1)),
        }
    }
    stages
}

async fn team_page(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
    typed: Option<(String, String)>,
) -> Result<TeamPage, WebError> {
    let actor = user.actor();
    let team_filter = store::ProjectFilter {
        team: Some(name.to_owned()),
        ..scoped_filter(&actor)?
    };
    let team = state
        .store
        .team_detail(name, actor.unit.as_deref())
        .await?
        .ok_or_else(|| WebError::NotFound(format!("工作专班“{name}”不存在")))?;
    let on = state.store.follow_up_date().await?;
    let blockers = state
        .store
        .blockers(&store::BlockerFilter {
            open_only: true,
            team: Some(name.to_owned()),
            ..scoped_blockers(&actor)
        })
        .await?
        .iter()
        .map(|view| crate::responsibility::blockers::BlockerRow::of(view, on))
        .collect();
    let lit = crate::responsibility::warnings::lit_projects(state, &team_filter, on).await?;
    let (members_text, error) = typed.map_or_else(
        || {
            (
                team.members
                    .iter()
                    .map(domain::responsibility::TeamMember::line)
                    .collect::<Vec<_>>()
                    .join("\n"),
                None,
            )
        },
        |(t, e)| (t, Some(e)),
    );
    Ok(TeamPage {
        layout: Layout::of(user),
        stages: by_stage(&team.projects),
        team,
        blockers,
        lit,
        can_assign: user.actor().manages_city_data(),
        members_text,
        error,
    })
}

/// The projects a leader's or a team's page lists, with each one's light and reasons, as a
/// file: what the page counts by stage, one row a project.
fn projects_listing(
    title: String,
    projects: &[ProjectSummary],
    lit: &[crate::responsibility::warnings::LitRow],
    on: &str,
) -> exchange::Listing {
    let mut listing = exchange::Listing::new(
        title,
        &[
            "项目编号",
            "项目名称",
            "所在县区",
            "产业链",
            "阶段",
            "签约额(万元)",
            "签约日期",
            "重点项目",
            "预警",
            "预警原因",
        ],
    );
    listing.note(format!("预警基准日 {on}"));
    for p in projects {
        let light = lit.iter().find(|l| l.code == p.code);
        listing.push(vec![
            p.code.as_str().into(),
            p.name.as_str().into(),
            p.territory.as_str().into(),
            p.chain.clone().into(),
            p.state.as_str().into(),
            p.signed_amount.into(),
            p.signed_on.into(),
            if p.key_project { "是" } else { "" }.into(),
            light.map_or("", |l| l.light.label()).into(),
            light
                .map(|l| {
                    l.warnings
                        .iter()
                        .map(|w| w.reason.clone())
                        .collect::<Vec<_>>()
                        .join("；")
                })
                .unwrap_or_default()
                .into(),
        ]);
    }
    listing
}

/// `/leader/{name}/export?format=xlsx|csv`: the projects the leader's page counts, in the
/// viewer's scope.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    crate::kit::request::Query(query): crate::kit::request::Query<crate::kit::render::FormatQuery>,
) -> Result<Response, WebError> {
    let page = page(&state, &user, &name, None).await?;
    let listing = projects_listing(
        format!("{name}包保项目"),
        &page.projects,
        &page.lit,
        &page.follow_up_on,
    );
    crate::kit::render::listing_download(&user, listing, query.file_format())
}

/// `/team/{name}/export?format=xlsx|csv`: the team's projects, in the viewer's scope.
pub async fn export_team(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    crate::kit::request::Query(query): crate::kit::request::Query<crate::kit::render::FormatQuery>,
) -> Result<Response, WebError> {
    let page = team_page(&state, &user, &name, None).await?;
    let on = state.store.follow_up_date().await?.to_string();
    let listing = projects_listing(format!("{name}项目"), &page.team.projects, &page.lit, &on);
    crate::kit::render::listing_download(&user, listing, query.file_format())
}

pub async fn show_team(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
) -> Result<Html<String>, WebError> {
    Ok(Html(render(&team_page(&state, &user, &name, None).await?)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MembersForm {
    csrf: String,
    #[serde(default)]
    members: String,
}

/// Sets a team's members from one line each (`姓名，单位，职责`): 招商局's.
pub async fn set_members(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    Form(form): Form<MembersForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    if !actor.manages_city_data() {
        return Err(WebError::Forbidden);
    }
    let outcome = match domain::responsibility::TeamMember::parse_lines(&form.members) {
        Ok(members) => {
            let mut tx = crate::kit::begin(&state.store, &actor).await?;
            match tx.set_team_members(&name, &members).await {
                Ok(()) => tx.commit().await.map_err(WebError::from),
                Err(e) => Err(e.into()),
            }
        }
        Err(e) => Err(WebError::Invalid(vec![e])),
    };
    match outcome {
        Ok(()) => Ok(
            Redirect::to(&format!("/team/{}", crate::kit::render::encode(&name))).into_response(),
        ),
        Err(WebError::Invalid(errors)) => {
            let message = errors
                .iter()
                .map(|e| format!("{}：{}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("；");
            let page = team_page(&state, &user, &name, Some((form.members, message))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
        Err(other) => Err(other),
    }
}
