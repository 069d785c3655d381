//! The 晒单 pages: the city cockpit for a period, the ranking per group, a unit's own page, the
//! drill-down behind every figure, the print view and the xlsx export.
//!
//! Every number here comes from `domain::figures` over the records as they are now; nothing is
//! cached. Each figure links to the drill-down that lists the records it counts and their sum.

mod drill;
mod screen;
pub(crate) mod sheets;
mod svg;
mod tables;
mod targets;

use svg::*;
pub use tables::*;

use crate::kit::figures::{
    Computed, PeriodQuery, compute, own_units, query_string, show_value, unit_of,
};
pub use crate::kit::figures::{city_name, title};
use crate::kit::render::xlsx_response;
use crate::kit::request::Query;
use crate::kit::scope::allow;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use domain::Period;
use domain::figures::scoreboard::FUNDS_VERIFIED_KEY;
use domain::figures::summary::summary;
use domain::figures::{Indicator, Measure, Number, Scoreboard};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::render::render;
use crate::kit::view::Layout;

pub struct Card {
    pub label: &'static str,
    pub value: String,
    pub unit: &'static str,
    pub yoy: String,
    pub record: bool,
    pub href: String,
    pub note: String,
    /// 任务进度 against 时间进度 where a target is, with its light's class.
    pub progress: String,
    pub light: &'static str,
    pub light_label: &'static str,
}

/// One figure as a card: its value, 同比 and, when `with_progress` and a target is set, its
/// 任务进度 and light.
pub(crate) fn figure_card(
    figures: &std::collections::BTreeMap<String, domain::figures::Figure>,
    i: Indicator,
    label: &'static str,
    href: String,
    with_progress: bool,
) -> Card {
    let f = figures.get(i.id());
    let progress = f
        .filter(|_| with_progress)
        .and_then(|f| f.task_progress.zip(f.time_progress).map(|p| (p, f.light)));
    Card {
        label,
        value: show_value(i, f.and_then(|f| f.value)),
        unit: match i.measure() {
            Measure::Count if i == Indicator::Visits => "次",
            Measure::Count => "项",
            _ => unit_of(i),
        },
        yoy: f.map(|f| show_yoy(f.yoy_pct)).unwrap_or_default(),
        record: f.is_some_and(|f| f.record),
        href,
        note: String::new(),
        progress: progress
            .map(|((task, time), _)| {
                format!(
                    "任务进度 {:.1}% · 时间进度 {:.1}%",
                    task * 100.0,
                    time * 100.0
                )
            })
            .unwrap_or_default(),
        light: progress.map_or("", |(_, light)| crate::kit::figures::light_class(light)),
        light_label: progress
            .and_then(|(_, light)| light)
            .map_or("", domain::figures::Light::label),
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn period_choices(period: &Period) -> Vec<Choice> {
    let mut codes: Vec<(String, String)> = vec![
        ("Y".into(), "全年".into()),
        ("H1".into(), "上半年".into()),
        ("H2".into(), "下半年".into()),
    ];
    for (q, name) in ["一", "二", "三", "四"].iter().enumerate() {
        codes.push((format!("Q{}", q + 1), format!("第{name}季度")));
    }
    for m in 1..=12 {
        codes.push((format!("M{m:02}"), format!("{m}月")));
    }
    codes.push(("YTD".into(), "年初至截至日期".into()));
    codes
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == period.code(),
            value,
            label,
        })
        .collect()
}

/// The city's headline figures as cards, each leading to its records.
pub(crate) fn city_cards(board: &Scoreboard, period: &Period) -> Vec<Card> {
    let card = |i: Indicator, label: &'static str| {
        figure_card(
            &board.city.indicators,
            i,
            label,
            drill_href(period, None, i.id()),
            false,
        )
    };
    let mut cards = vec![
        card(Indicator::SignedProjects, "签约项目"),
        card(Indicator::SignedAmount, "签约额"),
        card(Indicator::FundsInPlace, "到位资金"),
        card(Indicator::StartedOrResumedProjects, "开复工项目"),
        card(Indicator::Visits, "对接企业"),
        card(Indicator::ForeignFundsUsd, "实际利用外资"),
    ];
    if let Some(verified) = board.city.get(FUNDS_VERIFIED_KEY).and_then(|f| f.int()) {
        cards[2].note = format!(
            "其中已核实 {} 亿元",
            show_value(Indicator::FundsInPlace, Some(Number::Int(verified)))
        );
    }
    cards
}

#[derive(Template)]
#[template(path = "scoreboard.html")]
struct CockpitPage {
    layout: Layout,
    title: String,
    year: i32,
    as_of: String,
    periods: Vec<Choice>,
    query: String,
    /// Counting the records still in review.
    pending: bool,
    cards: Vec<Card>,
    progress_svg: String,
    trend_svg: String,
    funnel_svg: String,
    summary: String,
    tables: BoardTables,
    can_publish: bool,
}

pub async fn cockpit(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<PeriodQuery>,
) -> Result<Html<String>, WebError> {
    allow(user.actor().reads_projects())?;
    let Computed {
        facts,
        period,
        board,
        city,
    } = compute(&state, &query).await?;
    let own_units = own_units(&state, &user).await?;
    let cards = city_cards(&board, &period);
    let page = CockpitPage {
        title: title(&city, &period),
        year: period.year(),
        as_of: match period.kind() {
            domain::PeriodKind::YearToDate => period.end().to_string(),
            _ => String::new(),
        },
        periods: period_choices(&period),
        query: query_string(&PeriodQuery::of(&period)),
        cards,
        progress_svg: progress_svg(CITY_PROGRESS, &board.city.indicators, Some((&period, None))),
        trend_svg: trend_svg(&facts, period.year(), None, ""),
        funnel_svg: funnel_svg(&facts, &period, None),
        summary: summary(&board, &period, &city),
        tables: mark_own_units(board_tables(&board, Some(&period)), &own_units),
        can_publish: user.actor().manages_city_data() && query.pending != "1",
        pending: query.pending == "1",
        layout: Layout::of(&user),
    };
    Ok(Html(render(&page)?))
}

#[derive(Debug, Deserialize)]
pub struct UnitQuery {
    #[serde(flatten)]
    period: PeriodQuery,
    #[serde(default)]
    name: String,
}

#[derive(Template)]
#[template(path = "scoreboard_unit.html")]
struct UnitPage {
    layout: Layout,
    title: String,
    unit: String,
    group: String,
    rank: String,
    mean: String,
    back: String,
    rows: Vec<FigureRow>,
    sources: Vec<tables::SourceRow>,
    progress_svg: String,
    trend_svg: String,
    funnel_svg: String,
}

pub async fn unit_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<UnitQuery>,
) -> Result<Html<String>, WebError> {
    allow(user.actor().reads_projects())?;
    let Computed {
        facts,
        period,
        board,
        ..
    } = compute(&state, &query.period).await?;
    let score = board
        .unit(&query.name)
        .ok_or_else(|| WebError::NotFound(format!("单位“{}”不在晒单中", query.name)))?;
    let index = facts.unit_index(&score.unit);
    let group_size = board
        .units
        .iter()
        .filter(|u| u.group == score.group)
        .count();
    let page = UnitPage {
        title: format!("{}{}招商引资成绩", score.unit, period.label()),
        group: score.group.label().to_owned(),
        rank: format!("{} / {group_size}", score.rank),
        mean: show_rate(score.mean_task_progress),
        back: format!("/scoreboard?{}", query_string(&PeriodQuery::of(&period))),
        rows: figure_rows(&score.indicators, Some((&period, Some(&score.unit)))),
        sources: tables::source_rows(&score.by_source, Some((&period, Some(&score.unit)))),
        progress_svg: progress_svg(
            &format!("{}目标任务：时间进度与任务进度", score.unit),
            &score.indicators,
            Some((&period, Some(&score.unit))),
        ),
        trend_svg: trend_svg(&facts, period.year(), index, &score.unit),
        funnel_svg: funnel_svg(&facts, &period, index),
        unit: score.unit.clone(),
        layout: Layout::of(&user),
    };

    Ok(Html(render(&page)?))
}

#[derive(Template)]
#[template(path = "scoreboard_print.html")]
pub struct PrintPage {
    pub title: String,
    /// 《…全市招商引资工作晒单》, as a filed report is headed.
    pub heading: String,
    pub office: String,
    pub printed_on: String,
    /// 已发布 第N号 with its hash, or what a live printout is.
    pub stamp: String,
    pub subtitle: String,
    pub summary: String,
    pub tables: BoardTables,
    pub progress_svg: String,
    /// The stylesheet inlined, for a file opened outside the server.
    pub inline_css: Option<&'static str>,
}

/// Who issues a printout, and whether it is a published sheet.
pub struct Issue {
    pub office: String,
    /// The published sheet's number, time and hash; `None` for live figures.
    pub published: Option<(i64, String, String)>,
}

/// The office printouts name: the bureau's setting, else the city's 招商 leading group's office.
pub async fn issuing_office(store: &store::Store, city: &str) -> Result<String, WebError> {
    Ok(store
        .issuing_office()
        .await?
        .unwrap_or_else(|| format!("{city}招商引资工作领导小组办公室")))
}

/// The print view of a scoreboard as a whole HTML document.
pub fn print_html(
    board: &Scoreboard,
    period: &Period,
    city: &str,
    issue: &Issue,
    standalone: bool,
) -> Result<String, WebError> {
    let stamp = match &issue.published {
        Some((id, at, sha256)) => {
            format!("已发布 第{id}号 · 发布于{at} · 内容哈希（SHA-256）{sha256}")
        }
        None => "实时数据，未发布：数字随补录、更正而变化，正式文本以已发布晒单为准".to_owned(),
    };
    render(&PrintPage {
        title: title(city, period),
        heading: format!("《{}全市招商引资工作晒单》", period.label()),
        office: issue.office.clone(),
        printed_on: store::today_in_china().format("%Y年%m月%d日").to_string(),
        stamp,
        subtitle: format!("统计期间：{} 至 {}", board.start, board.end),
        summary: summary(board, period, city),
        tables: board_tables(board, None),
        progress_svg: progress_svg(CITY_PROGRESS, &board.city.indicators, None),
        inline_css: standalone.then_some(crate::CSS),
    })
}

pub async fn print_view(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<PeriodQuery>,
) -> Result<Html<String>, WebError> {
    allow(user.actor().reads_projects())?;
    let c = compute(&state, &query).await?;
    let issue = Issue {
        office: issuing_office(&state.store, &c.city).await?,
        published: None,
    };
    Ok(Html(print_html(
        &c.board, &c.period, &c.city, &issue, false,
    )?))
}

pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, WebError> {
    allow(user.actor().reads_projects())?;
    let c = compute(&state, &query).await?;
    let title = title(&c.city, &c.period);
    let bytes = exchange::scoreboard_xlsx(&c.board, &title)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(xlsx_response(bytes, &title))
}

crate::kit::routes! { routes, ROUTES;
        "/scoreboard" => get(cockpit);
        "/scoreboard/unit" => get(unit_page);
        "/scoreboard/drill" => get(drill::drill_page);
        "/scoreboard/drill/export" => get(drill::export);
        "/scoreboard/print" => get(print_view);
        "/scoreboard/screen" => get(screen::show);
        "/scoreboard/export" => get(export);
        "/scoreboard/publish" => post(sheets::publish);
        "/sheets" => get(sheets::list);
        "/sheets/office" => post(sheets::set_office);
        "/sheets/{id}" => get(sheets::show);
        "/sheets/{id}/export" => get(sheets::export);
        "/sheets/{id}/print" => get(sheets::print);
        "/targets" => get(targets::show_targets).post(targets::set_target);
        "/targets/export" => get(targets::export);
}
