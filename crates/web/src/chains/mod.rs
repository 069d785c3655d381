//! A chain's map (产业链图谱, issue 6): its segments by position drawn as an SVG picture in which
//! missing and thin links stand out by colour, border and words; the 补链/延链/强链 views; the
//! bureau's forms to set segments, place firms and projects; and the target firms recommended
//! for a segment with the reasons for their order.

use crate::kit::form::Form;
use crate::kit::request::{Path, Query};
use crate::kit::scope::allow;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::chains::{
    Action, ChainMap, HOME_PROVINCE, Position, Recommendation, Segment, Strength,
};
use domain::enterprise::IndustryCode;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::charts::escape;
use crate::kit::error::WebError;
use crate::kit::render::{encode, render};
use crate::kit::view::Layout;

mod export;
use export::{export, export_targets};

const COLUMN: u32 = 230;
const BOX_H: u32 = 78;
const GAP: u32 = 14;
const TOP: u32 = 40;

/// The chain as a picture: one column per position, a box per segment; a missing link has a
/// red dashed border and says 缺失, a thin one an amber border and says 薄弱.
pub fn chain_svg(map: &ChainMap) -> String {
    let rows = Position::ALL
        .iter()
        .map(|p| map.segments.iter().filter(|s| s.position == *p).count())
        .max()
        .unwrap_or(0)
        .max(1) as u32;
    let width = COLUMN * 4 + GAP * 5;
    let height = TOP + rows * (BOX_H + GAP) + GAP;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" \
         role=\"img\" aria-labelledby=\"chain-title\" class=\"chain-map\"><title id=\"chain-title\">{}图谱：{}个环节，缺失{}个</title>\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#8c8c8c\"/></marker></defs>",
        escape(&map.chain),
        map.segments.len(),
        map.gaps().len()
    );
    for (col, position) in Position::ALL.iter().enumerate() {
        let x = GAP + col as u32 * (COLUMN + GAP);
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{}</text>",
            x + COLUMN / 2,
            position.label()
        ));
        if col < 2 {
            let y = TOP + BOX_H / 2;
            svg.push_str(&format!(
                "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#8c8c8c\" stroke-width=\"2\" marker-end=\"url(#arrow)\"/>",
                x + COLUMN,
                x + COLUMN + GAP
            ));
        }
        for (row, segment) in map
            .segments
            .iter()
            .filter(|s| s.position == *position)
            .enumerate()
        {
            let y = TOP + row as u32 * (BOX_H + GAP);
            svg.push_str(&segment_box(segment, x, y));
        }
    }
    svg.push_str("</svg>");
    svg
}

fn segment_box(segment: &Segment, x: u32, y: u32) -> String {
    let strength = segment.strength();
    let (fill, stroke, dash, class) = match strength {
        Strength::Gap => ("#fff1f0", "#cf1322", " stroke-dasharray=\"6 4\"", "gap"),
        Strength::Thin => ("#fffbe6", "#d48806", "", "thin"),
        Strength::Strong => ("#f6ffed", "#389e0d", "", "strong"),
    };
    let verdict = verdict(segment);
    let leader = segment
        .chain_leaders()
        .next()
        .map(|f| format!("链主：{}", f.name))
        .unwrap_or_else(|| format!("填补项目{}个", segment.projects.len()));
    format!(
        "<a href=\"#segment-{id}\"><g class=\"segment {class}\" data-segment=\"{name}\">\
         <rect x=\"{x}\" y=\"{y}\" width=\"{COLUMN}\" height=\"{BOX_H}\" rx=\"6\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\"{dash}/>\
         <text x=\"{tx}\" y=\"{y1}\" font-size=\"14\" font-weight=\"bold\">{name}</text>\
         <text x=\"{tx}\" y=\"{y2}\" font-size=\"12\">本地{local}家 · 目标{targets}家 · <tspan fill=\"{stroke}\" font-weight=\"bold\">{verdict}</tspan></text>\
         <text x=\"{tx}\" y=\"{y3}\" font-size=\"12\" fill=\"#595959\">{leader}</text></g></a>",
        id = segment.id,
        name = escape(&clip(&segment.name, 14)),
        tx = x + 10,
        y1 = y + 22,
        y2 = y + 44,
        y3 = y + 64,
        local = segment.local.len(),
        targets = segment.targets.len(),
        leader = escape(&clip(&leader, 17)),
    )
}

/// 缺失·补链, 薄弱·强链, 较强: how the map and the print view name a link's state.
fn verdict(segment: &Segment) -> String {
    let strength = segment.strength().label();
    match segment.action() {
        Some(action) => format!("{strength}·{}", action.label()),
        None => strength.to_owned(),
    }
}

fn clip(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(chars - 1).collect();
        out.push('…');
        out
    }
}

pub struct SegmentRow {
    pub segment: Segment,
    pub strength: &'static str,
    pub action: Option<&'static str>,
    pub class: &'static str,
    pub industries: String,
}

#[derive(Template)]
#[template(path = "chain.html")]
struct ChainPage {
    layout: Layout,
    chain: String,
    encoded: String,
    industry: Option<String>,
    svg: String,
    rows: Vec<SegmentRow>,
    view: Option<(&'static str, &'static str, &'static str)>,
    views: Vec<(&'static str, &'static str, usize)>,
    positions: Vec<&'static str>,
    can_edit: bool,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ViewQuery {
    view: Option<String>,
    /// For the export: xlsx or csv.
    #[serde(default)]
    format: String,
}

/// The view a query names: every segment, or those calling for one action.
fn view_of(query: &ViewQuery) -> Result<Option<Action>, WebError> {
    match query.view.as_deref() {
        None | Some("") => Ok(None),
        Some(code) => Action::from_code(code)
            .map(Some)
            .ok_or_else(|| WebError::BadRequest(format!("没有“{code}”视图"))),
    }
}

fn row(segment: &Segment) -> SegmentRow {
    SegmentRow {
        strength: segment.strength().label(),
        action: segment.action().map(Action::label),
        class: match segment.strength() {
            Strength::Gap => "light red",
            Strength::Thin => "light yellow",
            Strength::Strong => "light green",
        },
        industries: segment
            .industries
            .iter()
            .map(IndustryCode::as_str)
            .collect::<Vec<_>>()
            .join("、"),
        segment: segment.clone(),
    }
}

/// The chain's map as `user` may see it: projects outside a unit account's scope left out.
async fn load(state: &AppState, user: &CurrentUser, chain: &str) -> Result<ChainMap, WebError> {
    state
        .store
        .chain_map(chain, user.actor().unit.as_deref())
        .await?
        .ok_or_else(|| WebError::NotFound(format!("产业链“{chain}”不存在")))
}

async fn chain_page(
    state: &AppState,
    user: &CurrentUser,
    chain: &str,
    view: Option<Action>,
    error: Option<String>,
) -> Result<ChainPage, WebError> {
    allow(user.actor().reads_projects())?;
    let map = load(state, user, chain).await?;
    let rows = match view {
        Some(action) => map.calling_for(action).into_iter().map(row).collect(),
        None => map.segments.iter().map(row).collect(),
    };
    let describe = |a: Action| match a {
        Action::Fill => "中游、配套环节本地尚无企业：引进企业或项目补齐缺失环节。",
        Action::Extend => "上游、下游环节本地尚无企业：向链条两端延伸。",
        Action::Strengthen => "本地企业不足3家的薄弱环节：引进同类企业做大做强。",
    };
    Ok(ChainPage {
        layout: Layout::of(user),
        encoded: encode(chain),
        chain: map.chain.clone(),
        industry: map.industry.clone(),
        svg: chain_svg(&map),
        rows,
        view: view.map(|a| (a.label(), a.code(), describe(a))),
        views: [Action::Fill, Action::Extend, Action::Strengthen]
            .into_iter()
            .map(|a| (a.label(), a.code(), map.calling_for(a).len()))
            .collect(),
        positions: Position::ALL.iter().map(|p| p.label()).collect(),
        can_edit: user.actor().manages_city_data(),
        error,
    })
}

/// GET /chain-maps/{name}[?view=fill|extend|strengthen]
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(chain): Path<String>,
    Query(query): Query<ViewQuery>,
) -> Result<Html<String>, WebError> {
    let view = view_of(&query)?;
    Ok(Html(render(
        &chain_page(&state, &user, &chain, view, None).await?,
    )?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SegmentForm {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    industries: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FirmForm {
    csrf: String,
    #[serde(default)]
    segment: String,
    #[serde(default)]
    firm: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    chain_leader: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProjectForm {
    csrf: String,
    #[serde(default)]
    segment: String,
    #[serde(default)]
    project: String,
}

/// Runs one change of the bureau's to a chain: the page again with the error (422) if the
/// input is refused, else back to the map.
async fn change(
    state: &AppState,
    user: &CurrentUser,
    chain: &str,
    csrf: &str,
    apply: impl AsyncFnOnce(&mut store::Tx) -> Result<(), store::StoreError>,
) -> Result<Response, WebError> {
    user.check_csrf(csrf)?;
    let actor = user.actor();
    if !actor.manages_city_data() {
        return Err(WebError::Forbidden);
    }
    let mut tx = crate::kit::begin(&state.store, &actor).await?;
    let refused = match apply(&mut tx).await {
        Ok(()) => {
            tx.commit().await?;
            return Ok(Redirect::to(&format!("/chain-maps/{}", encode(chain))).into_response());
        }
        Err(e) => crate::kit::error::refusal(e)?,
    };
    tx.rollback().await?;
    let page = chain_page(state, user, chain, None, Some(refused)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
}

/// POST /chain-maps/{name}/segments
pub async fn set_segment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(chain): Path<String>,
    Form(form): Form<SegmentForm>,
) -> Result<Response, WebError> {
    let parsed = Position::parse("位置", &form.position)
        .and_then(|p| Ok((p, IndustryCode::parse_list("行业代码", &form.industries)?)));
    change(&state, &user, &chain, &form.csrf, async |tx| {
        let (position, codes) = parsed?;
        tx.upsert_segment(&chain, &form.name, position, &codes)
            .await
            .map(|_| ())
    })
    .await
}

/// POST /chain-maps/{name}/firms
pub async fn place_firm(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(chain): Path<String>,
    Form(form): Form<FirmForm>,
) -> Result<Response, WebError> {
    let role = store::SegmentRole::parse("类别", &form.role);
    change(&state, &user, &chain, &form.csrf, async |tx| {
        tx.place_firm(
            &chain,
            &form.segment,
            &form.firm,
            role?,
            form.chain_leader.is_some(),
        )
        .await
        .map(|_| ())
    })
    .await
}

/// POST /chain-maps/{name}/projects
pub async fn place_project(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(chain): Path<String>,
    Form(form): Form<ProjectForm>,
) -> Result<Response, WebError> {
    change(&state, &user, &chain, &form.csrf, async |tx| {
        tx.place_project(form.project.trim(), &chain, &form.segment)
            .await
            .map(|_| ())
    })
    .await
}

/// How many firms the print view names for each segment that calls for action.
const TARGETS_PRINTED: usize = 5;

/// A segment's best targets in the print view.
struct PrintedShortlist {
    segment: String,
    position: &'static str,
    verdict: String,
    matching: usize,
    ranked: Vec<Recommendation>,
}

#[derive(Template)]
#[template(path = "chain_print.html")]
struct ChainPrint {
    chain: String,
    industry: Option<String>,
    printed: chrono::NaiveDate,
    summary: String,
    svg: String,
    rows: Vec<SegmentRow>,
    listed: usize,
    shortlists: Vec<PrintedShortlist>,
}

/// The chain in one sentence, as a briefing opens: how many links, how many missing or thin
/// and what each calls for, the chain leaders, the projects filling links.
pub fn summary(map: &ChainMap) -> String {
    let count = |s: Strength| map.segments.iter().filter(|x| x.strength() == s).count();
    let calling = |a: Action| map.calling_for(a).len();
    let leaders: Vec<&str> = map
        .segments
        .iter()
        .flat_map(Segment::chain_leaders)
        .map(|f| f.name.as_str())
        .collect();
    let projects: usize = map.segments.iter().map(|s| s.projects.len()).sum();
    format!(
        "共{}个环节：较强{}个，薄弱{}个（强链），缺失{}个（补链{}个、延链{}个）；链主企业{}；归入环节的项目{}个。",
        map.segments.len(),
        count(Strength::Strong),
        count(Strength::Thin),
        count(Strength::Gap),
        calling(Action::Fill),
        calling(Action::Extend),
        if leaders.is_empty() {
            "尚无".to_owned()
        } else {
            leaders.join("、")
        },
        projects,
    )
}

/// GET /chain-maps/{name}/print: the map, its links and, for each missing or thin link, the
/// firms to approach, as one document for a briefing (no menus, no forms, no links).
pub async fn print(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(chain): Path<String>,
) -> Result<Html<String>, WebError> {
    allow(user.actor().reads_projects())?;
    let map = load(&state, &user, &chain).await?;
    let mut shortlists = Vec::new();
    for segment in map.segments.iter().filter(|s| s.action().is_some()) {
        let (matching, ranked) = state
            .store
            .shortlist(segment, HOME_PROVINCE, TARGETS_PRINTED)
            .await?;
        shortlists.push(PrintedShortlist {
            segment: segment.name.clone(),
            position: segment.position.label(),
            verdict: verdict(segment),
            matching,
            ranked,
        });
    }
    Ok(Html(render(&ChainPrint {
        summary: summary(&map),
        svg: chain_svg(&map),
        rows: map.segments.iter().map(row).collect(),
        printed: store::today_in_china(),
        listed: TARGETS_PRINTED,
        shortlists,
        industry: map.industry.clone(),
        chain: map.chain,
    })?))
}

#[derive(Template)]
#[template(path = "chain_targets.html")]
struct TargetsPage {
    layout: Layout,
    chain: String,
    segment: Segment,
    strength: &'static str,
    industries: String,
    recommendations: Vec<Recommendation>,
    matching: usize,
}

/// How many firms a segment's target list names.
const TARGETS_LISTED: usize = 30;

/// GET /chain-maps/{name}/segments/{id}/targets: the firms to approach for a segment, ranked.
pub async fn targets(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((chain, id)): Path<(String, i64)>,
) -> Result<Html<String>, WebError> {
    Ok(Html(render(
        &targets_page(&state, &user, chain, id).await?,
    )?))
}

async fn targets_page(
    state: &AppState,
    user: &CurrentUser,
    chain: String,
    id: i64,
) -> Result<TargetsPage, WebError> {
    allow(user.actor().reads_projects())?;
    let map = load(state, user, &chain).await?;
    let segment = map
        .segments
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| WebError::NotFound(format!("{chain}没有这个环节")))?;
    let (matching, recommendations) = state
        .store
        .shortlist(&segment, HOME_PROVINCE, TARGETS_LISTED)
        .await?;
    Ok(TargetsPage {
        layout: Layout::of(user),
        strength: segment.strength().label(),
        industries: segment
            .industries
            .iter()
            .map(IndustryCode::as_str)
            .collect::<Vec<_>>()
            .join("、"),
        matching,
        recommendations,
        chain,
        segment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::chains::FirmRef;

    fn segment(id: i64, name: &str, position: Position, local: usize) -> Segment {
        Segment {
            id,
            name: name.into(),
            position,
            industries: Vec::new(),
            local: (0..local as i64)
                .map(|i| FirmRef {
                    id: i,
                    name: format!("企业{i}"),
                    chain_leader: i == 0,
                })
                .collect(),
            targets: Vec::new(),
            projects: Vec::new(),
        }
    }

    #[test]
    fn the_map_marks_a_segment_without_local_firms_as_a_gap() {
        let map = ChainMap {
            chain: "石墨产业链".into(),
            industry: None,
            segments: vec![
                segment(1, "石墨采选", Position::Upstream, 4),
                segment(2, "负极材料", Position::Midstream, 0),
                segment(3, "储能电池", Position::Downstream, 1),
            ],
        };
        let svg = chain_svg(&map);
        let box_of = |name: &str| {
            let start = svg.find(&format!("data-segment=\"{name}\"")).unwrap();
            let end = start + svg[start..].find("</g>").unwrap();
            svg[start..end].to_owned()
        };
        let gap = box_of("负极材料");
        assert!(gap.contains("stroke=\"#cf1322\""), "red border: {gap}");
        assert!(gap.contains("stroke-dasharray"), "dashed");
        assert!(gap.contains("缺失·补链"), "says so in words: {gap}");
        assert!(box_of("储能电池").contains("薄弱·强链"));
        let strong = box_of("石墨采选");
        assert!(!strong.contains("缺失") && !strong.contains("stroke-dasharray"));
        assert!(strong.contains("链主：企业0"));
        assert!(svg.contains("缺失1个"), "the title counts the gaps");
    }
}

crate::kit::routes! { routes, ROUTES;
        "/chain-maps/{name}" => get(show);
        "/chain-maps/{name}/print" => get(print);
        "/chain-maps/{name}/export" => get(export);
        "/chain-maps/{name}/segments" => post(set_segment);
        "/chain-maps/{name}/firms" => post(place_firm);
        "/chain-maps/{name}/projects" => post(place_project);
        "/chain-maps/{name}/segments/{id}/targets" => get(targets);
        "/chain-maps/{name}/segments/{id}/targets/export" => get(export_targets);
}
