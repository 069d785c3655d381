//! The 晒单 pages: the city cockpit for a period, the ranking per group, a unit's own page, the
//! drill-down behind every figure, the print view and the xlsx export.
//!
//! Every number here comes from `domain::figures` over the records as they are now; nothing is
//! cached. Each figure links to the drill-down that lists the records it counts and their sum.

pub(crate) mod sheets;
mod targets;

use crate::kit::figures::{
    Computed, PeriodQuery, compute, heading, light_class, own_units, query_string, records_for,
    show_value, unit_of, worst_light,
};
pub use crate::kit::figures::{city_name, title};
use crate::kit::render::xlsx_response;
use crate::kit::scope::allow;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, Response};
use domain::figures::drill::{RecordRef, drill};
use domain::figures::facts::Facts;
use domain::figures::scoreboard::{FUNDS_VERIFIED_KEY, funnel, monthly};
use domain::figures::summary::summary;
use domain::figures::{Figure, Indicator, Light, Measure, Number, Scoreboard};
use domain::money::format_wan;
use domain::{Money, Period};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::charts::{self, ProgressRow};
use crate::kit::error::WebError;
use crate::kit::render::render;
use crate::kit::view::Layout;

/// A link to the drill-down of one figure.
fn drill_href(period: &Period, unit: Option<&str>, key: &str) -> String {
    #[derive(Serialize)]
    struct Q<'a> {
        #[serde(flatten)]
        period: PeriodQuery,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<&'a str>,
        indicator: &'a str,
    }
    format!(
        "/scoreboard/drill?{}",
        query_string(&Q {
            period: PeriodQuery::of(period),
            unit,
            indicator: key,
        })
    )
}

fn unit_href(period: &Period, unit: &str) -> String {
    #[derive(Serialize)]
    struct Q<'a> {
        #[serde(flatten)]
        period: PeriodQuery,
        name: &'a str,
    }
    format!(
        "/scoreboard/unit?{}",
        query_string(&Q {
            period: PeriodQuery::of(period),
            name: unit,
        })
    )
}

fn show_yoy(yoy: Option<f64>) -> String {
    match yoy {
        None => "—".to_owned(),
        Some(p) if p > 0.0 => format!("+{p:.1}%"),
        Some(p) => format!("{p:.1}%"),
    }
}

fn show_rate(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// One line of a figures table.
pub struct FigureRow {
    pub label: String,
    pub unit: &'static str,
    pub value: String,
    pub last_year: String,
    pub yoy: String,
    pub record: bool,
    pub target: String,
    pub cumulative: String,
    pub task: String,
    pub time: String,
    pub state: String,
    pub light: &'static str,
    pub href: String,
    pub last_href: String,
    pub cumulative_href: String,
}

fn figure_row(
    label: String,
    indicator: Indicator,
    figure: &Figure,
    links: Option<(&Period, Option<&str>, &str)>,
) -> FigureRow {
    let amount = |n: Option<i64>| show_value(indicator, n.map(Number::Int));
    let (href, last_href, cumulative_href) = match links {
        Some((period, unit, key)) => (
            drill_href(period, unit, key),
            period
                .in_year(period.year() - 1)
                .map(|p| drill_href(&p, unit, key))
                .unwrap_or_default(),
            drill_href(&year_to_end(period), unit, key),
        ),
        None => (String::new(), String::new(), String::new()),
    };
    FigureRow {
        label,
        unit: unit_of(indicator),
        value: show_value(indicator, figure.value),
        last_year: show_value(indicator, figure.last_year),
        yoy: show_yoy(figure.yoy_pct),
        record: figure.record,
        target: figure.target.map(|t| amount(Some(t))).unwrap_or_default(),
        cumulative: figure
            .cumulative
            .map(|c| amount(Some(c)))
            .unwrap_or_default(),
        task: figure
            .task_progress
            .map(|t| show_rate(Some(t)))
            .unwrap_or_default(),
        time: figure
            .time_progress
            .map(|t| show_rate(Some(t)))
            .unwrap_or_default(),
        state: match (figure.behind, figure.light) {
            (Some(true), Some(light)) => format!("落后·{}", light.label()),
            (Some(false), _) => "达到序时".to_owned(),
            _ => String::new(),
        },
        light: light_class(figure.light),
        href,
        last_href,
        cumulative_href,
    }
}

/// Every indicator of one unit (or the city) as table rows; links when `period` is given.
pub fn figure_rows(
    figures: &std::collections::BTreeMap<String, Figure>,
    links: Option<(&Period, Option<&str>)>,
) -> Vec<FigureRow> {
    let mut rows = Vec::new();
    for indicator in Indicator::ALL {
        if let Some(figure) = figures.get(indicator.id()) {
            rows.push(figure_row(
                indicator.label().to_owned(),
                indicator,
                figure,
                links.map(|(p, u)| (p, u, indicator.id())),
            ));
            if indicator == Indicator::FundsInPlace
                && let Some(verified) = figures.get(FUNDS_VERIFIED_KEY)
            {
                let mut row = figure_row("其中：已核实".to_owned(), indicator, verified, None);
                row.label = "　其中：已核实".to_owned();
                rows.push(row);
            }
        }
    }
    rows
}

/// The indicators the ranking table shows beside the mean 任务进度.
const RANKING_COLUMNS: [Indicator; 5] = [
    Indicator::SignedProjects,
    Indicator::SignedAmount,
    Indicator::FundsInPlace,
    Indicator::StartedOrResumedProjects,
    Indicator::Visits,
];

pub struct RankCell {
    pub text: String,
    pub href: String,
}

pub struct RankRow {
    pub rank: u32,
    pub unit: String,
    pub unit_href: String,
    pub mean: String,
    pub light: &'static str,
    pub light_label: &'static str,
    pub cells: Vec<RankCell>,
    /// In the signed-in leader's 包保县区.
    pub mine: bool,
}

pub struct GroupTable {
    pub name: &'static str,
    pub rows: Vec<RankRow>,
}

/// The ranking tables and the city's figures, shared by the cockpit, the print view and the
/// published sheet.
pub struct BoardTables {
    pub city_rows: Vec<FigureRow>,
    pub rank_heads: Vec<String>,
    pub groups: Vec<GroupTable>,
}

fn mark_own_units(mut tables: BoardTables, own: &[String]) -> BoardTables {
    for row in tables.groups.iter_mut().flat_map(|g| g.rows.iter_mut()) {
        row.mine = own.contains(&row.unit);
    }
    tables
}

pub fn board_tables(board: &Scoreboard, links: Option<&Period>) -> BoardTables {
    let city_rows = figure_rows(&board.city, links.map(|p| (p, None)));
    let mut groups: Vec<GroupTable> = Vec::new();
    for unit in &board.units {
        let name = unit.group.label();
        if groups.last().is_none_or(|g| g.name != name) {
            groups.push(GroupTable {
                name,
                rows: Vec::new(),
            });
        }
        let light = worst_light(&unit.indicators);
        let cells = RANKING_COLUMNS
            .iter()
            .map(|i| RankCell {
                text: show_value(*i, unit.indicators.get(i.id()).and_then(|f| f.value)),
                href: links
                    .map(|p| drill_href(p, Some(&unit.unit), i.id()))
                    .unwrap_or_default(),
            })
            .collect();
        if let Some(group) = groups.last_mut() {
            group.rows.push(RankRow {
                rank: unit.rank,
                unit: unit.unit.clone(),
                unit_href: links.map(|p| unit_href(p, &unit.unit)).unwrap_or_default(),
                mean: show_rate(unit.mean_task_progress),
                light: light_class(light),
                light_label: light.map_or("", Light::label),
                cells,
                mine: false,
            });
        }
    }
    let rank_heads = RANKING_COLUMNS.iter().map(|i| heading(*i)).collect();
    BoardTables {
        city_rows,
        rank_heads,
        groups,
    }
}

pub struct Card {
    pub label: &'static str,
    pub value: String,
    pub unit: &'static str,
    pub yoy: String,
    pub record: bool,
    pub href: String,
    pub note: String,
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

/// The time-against-task chart of the indicators with targets, empty when none has one; bars
/// link to their year-to-date drill-down when `links` names the period and unit.
fn progress_svg(
    title: &str,
    figures: &std::collections::BTreeMap<String, Figure>,
    links: Option<(&Period, Option<&str>)>,
) -> String {
    let rows: Vec<ProgressRow> = Indicator::ALL
        .into_iter()
        .filter_map(|i| {
            let f = figures.get(i.id())?;
            Some(ProgressRow {
                label: i.label().to_owned(),
                task: f.task_progress?,
                time: f.time_progress?,
                light: f.light,
                href: links.map(|(period, unit)| drill_href(&year_to_end(period), unit, i.id())),
            })
        })
        .collect();
    if rows.is_empty() {
        String::new()
    } else {
        charts::progress_bars(title, &rows)
    }
}

const CITY_PROGRESS: &str = "全市目标任务：时间进度与任务进度";

/// From 1 January to the period's end: what 累计完成 and 任务进度 count.
fn year_to_end(period: &Period) -> Period {
    Period::parse(period.year(), "YTD", Some(period.end())).unwrap_or(*period)
}

fn trend_svg(facts: &Facts, year: i32, unit: Option<usize>, who: &str) -> String {
    let months = monthly(facts, year, unit, Indicator::SignedAmount);
    let yi = |v: Option<Number>| v.map_or(0.0, |n| n.as_f64() / 1e8);
    let mut this = [0.0; 12];
    let mut last = [0.0; 12];
    for (m, (t, l)) in months.into_iter().enumerate() {
        this[m] = yi(t);
        last[m] = yi(l);
    }
    charts::monthly_columns(
        &format!("{who}{year}年各月签约额与上年同期"),
        "亿元",
        &this,
        &last,
    )
}

fn funnel_svg(facts: &Facts, period: &Period, unit: Option<usize>) -> String {
    let steps = funnel(facts, period, unit);
    let labelled: Vec<(&str, i64)> = steps.iter().map(|(s, n)| (s.label(), *n)).collect();
    charts::funnel(
        &format!(
            "{}年新增项目推进漏斗（截至{}）",
            period.year(),
            period.end()
        ),
        &labelled,
    )
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
    let figure = |i: Indicator| board.city_figure(i);
    let card = |i: Indicator, label: &'static str| {
        let f = figure(i);
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
            href: drill_href(&period, None, i.id()),
            note: String::new(),
        }
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
        progress_svg: progress_svg(CITY_PROGRESS, &board.city, Some((&period, None))),
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

#[derive(Debug, Deserialize)]
pub struct DrillQuery {
    #[serde(flatten)]
    period: PeriodQuery,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    indicator: String,
}

pub struct DrillRow {
    pub part: &'static str,
    pub link: String,
    pub code: String,
    pub name: String,
    pub territory: String,
    pub date: String,
    pub detail: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "drill.html")]
struct DrillPage {
    layout: Layout,
    title: String,
    back: String,
    rows: Vec<DrillRow>,
    total: String,
    denominator: String,
    value: String,
    count: usize,
}

/// The records behind one figure, with their sum: for unit staff only their own unit's.
pub async fn drill_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<DrillQuery>,
) -> Result<Html<String>, WebError> {
    allow(user.actor().reads_projects())?;
    let actor = user.actor();
    let unit_name = Some(query.unit.trim()).filter(|u| !u.is_empty());
    if !actor.reads_unit_figures(unit_name) {
        return Err(WebError::Forbidden);
    }
    let indicator = Indicator::from_id(&query.indicator)
        .ok_or_else(|| WebError::BadRequest(format!("“{}”不是指标", query.indicator)))?;
    let (facts, period) = records_for(&state, &query.period).await?;
    let city = city_name(&facts);
    let unit = match unit_name {
        None => None,
        Some(name) => Some(
            facts
                .unit_index(name)
                .ok_or_else(|| WebError::NotFound(format!("单位“{name}”不存在")))?,
        ),
    };
    let d = drill(&facts, &period, unit, indicator);
    let mut project_ids = Vec::new();
    let mut fund_ids = Vec::new();
    let mut visit_ids = Vec::new();
    for item in &d.items {
        match item.record {
            RecordRef::Project(i) => project_ids.push(facts.projects[i].id),
            RecordRef::Fund(i) => fund_ids.push(facts.funds[i].id),
            RecordRef::Visit(i) => visit_ids.push(facts.visits[i].id),
        }
    }
    let projects: std::collections::HashMap<i64, store::ProjectSummary> = project_ids
        .iter()
        .copied()
        .zip(state.store.project_summaries(&project_ids).await?)
        .collect();
    let funds: std::collections::HashMap<i64, domain::records::Fund> = state
        .store
        .funds_by_id(&fund_ids)
        .await?
        .into_iter()
        .collect();
    let visits: std::collections::HashMap<i64, domain::records::Visit> = visit_ids
        .iter()
        .copied()
        .zip(state.store.visits_by_id(&visit_ids).await?)
        .collect();
    let amount_text = |n: i64| match indicator.measure() {
        Measure::Count | Measure::Rate if !matches!(indicator, Indicator::FundsInPlaceRate) => {
            n.to_string()
        }
        _ => format_wan(Money::from_units("金额", n).unwrap_or(Money::ZERO)),
    };
    let mut rows = Vec::new();
    for item in &d.items {
        let part = match (d.denominator.is_some(), item.numerator) {
            (false, _) => "",
            (true, true) => "分子",
            (true, false) => "分母",
        };
        let row = match item.record {
            RecordRef::Project(i) => {
                let p = projects.get(&facts.projects[i].id);
                DrillRow {
                    part,
                    link: p
                        .map(|p| format!("/projects/{}", p.code))
                        .unwrap_or_default(),
                    code: p.map(|p| p.code.clone()).unwrap_or_default(),
                    name: p.map(|p| p.name.clone()).unwrap_or_default(),
                    territory: p.map(|p| p.territory.clone()).unwrap_or_default(),
                    date: p
                        .and_then(|p| p.signed_on)
                        .map(|d| format!("签约 {d}"))
                        .unwrap_or_default(),
                    detail: p.map(|p| p.state.clone()).unwrap_or_default(),
                    amount: amount_text(item.amount),
                }
            }
            RecordRef::Fund(i) => {
                let f = funds.get(&facts.funds[i].id);
                let project = &facts.projects[facts.funds[i].project as usize];
                DrillRow {
                    part,
                    link: f
                        .map(|f| format!("/projects/{}", f.project_code))
                        .unwrap_or_default(),
                    code: f.map(|f| f.project_code.clone()).unwrap_or_default(),
                    name: "到位资金".to_owned(),
                    territory: facts.units[project.territory as usize].name.clone(),
                    date: f.map(|f| f.date.to_string()).unwrap_or_default(),
                    detail: f
                        .map(|f| {
                            format!(
                                "{}{}",
                                f.currency.label(),
                                if f.verified {
                                    " · 已核实"
                                } else {
                                    " · 未核实"
                                }
                            )
                        })
                        .unwrap_or_default(),
                    amount: amount_text(item.amount),
                }
            }
            RecordRef::Visit(i) => {
                let v = visits.get(&facts.visits[i].id);
                DrillRow {
                    part,
                    link: String::new(),
                    code: String::new(),
                    name: v.and_then(|v| v.enterprise.clone()).unwrap_or_default(),
                    territory: v.and_then(|v| v.unit.clone()).unwrap_or_default(),
                    date: v.map(|v| v.date.to_string()).unwrap_or_default(),
                    detail: v.and_then(|v| v.mode.clone()).unwrap_or_default(),
                    amount: amount_text(item.amount),
                }
            }
        };
        rows.push(row);
    }
    let who = unit_name.map_or(city, str::to_owned);
    let value = match d.denominator {
        None => show_value(indicator, Some(Number::Int(d.numerator))),
        Some(0) => "—（分母为0）".to_owned(),
        Some(den) => show_value(
            indicator,
            Some(Number::Frac(d.numerator as f64 / den as f64)),
        ),
    };
    let page = DrillPage {
        title: format!("{who}{} · {}", period.label(), indicator.label()),
        back: format!("/scoreboard?{}", query_string(&PeriodQuery::of(&period))),
        count: rows.len(),
        rows,
        total: amount_text(d.numerator),
        denominator: d.denominator.map(amount_text).unwrap_or_default(),
        value: match unit_of(indicator) {
            "" => value,
            u => format!("{value} {u}"),
        },
        layout: Layout::of(&user),
    };
    Ok(Html(render(&page)?))
}

#[derive(Template)]
#[template(path = "scoreboard_print.html")]
pub struct PrintPage {
    pub title: String,
    pub subtitle: String,
    pub summary: String,
    pub tables: BoardTables,
    pub progress_svg: String,
    /// The stylesheet inlined, for a file opened outside the server.
    pub inline_css: Option<&'static str>,
}

/// The print view of a scoreboard as a whole HTML document.
pub fn print_html(
    board: &Scoreboard,
    period: &Period,
    city: &str,
    standalone: bool,
) -> Result<String, WebError> {
    render(&PrintPage {
        title: title(city, period),
        subtitle: format!("统计期间：{} 至 {}", board.start, board.end),
        summary: summary(board, period, city),
        tables: board_tables(board, None),
        progress_svg: progress_svg(CITY_PROGRESS, &board.city, None),
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
    Ok(Html(print_html(&c.board, &c.period, &c.city, false)?))
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
        "/scoreboard/drill" => get(drill_page);
        "/scoreboard/print" => get(print_view);
        "/scoreboard/export" => get(export);
        "/scoreboard/publish" => post(sheets::publish);
        "/sheets" => get(sheets::list);
        "/sheets/{id}" => get(sheets::show);
        "/sheets/{id}/export" => get(sheets::export);
        "/sheets/{id}/print" => get(sheets::print);
        "/targets" => get(targets::show_targets).post(targets::set_target);
        "/targets/export" => get(targets::export);
}
