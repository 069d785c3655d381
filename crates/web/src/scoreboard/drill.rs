//! The drill-down behind a figure: the records it counts and their sum.

use crate::kit::figures::city_name;
use crate::kit::figures::{PeriodQuery, query_string, records_for, show_value, unit_of};
use crate::kit::request::Query;
use crate::kit::scope::allow;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use domain::Money;
use domain::figures::drill::{RecordRef, drill};
use domain::figures::{Indicator, Measure, Number};
use domain::money::format_wan;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::render::render;
use crate::kit::view::Layout;

#[derive(Debug, Deserialize)]
pub struct DrillQuery {
    #[serde(flatten)]
    period: PeriodQuery,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    indicator: String,
    /// 招商方式: only its projects (未填: those without one).
    #[serde(default)]
    source: String,
    /// For the export: xlsx or csv.
    #[serde(default)]
    format: String,
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
    /// The amount as a file writes it: a count, or an amount in 万元.
    pub figure: exchange::Value,
    /// The day `date` names, for a file's date cell.
    pub day: Option<chrono::NaiveDate>,
}

#[derive(Template)]
#[template(path = "drill.html")]
struct DrillPage {
    layout: Layout,
    title: String,
    back: String,
    rows: Vec<DrillRow>,
    total: String,
    figure_total: exchange::Value,
    /// The same records as a file (without `&format=`).
    export: String,
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
    Ok(Html(render(&drilled(&state, &user, &query).await?)?))
}

/// `/scoreboard/drill/export?…&format=xlsx|csv`: the same records, and their sum as a last row.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<DrillQuery>,
) -> Result<Response, WebError> {
    let page = drilled(&state, &user, &query).await?;
    // 计入 (分子/分母) only for a rate; a project's 日期 is its signing day.
    let rate = !page.denominator.is_empty();
    let mut headers = vec!["项目编号", "名称", "单位", "日期", "说明", "计入数值"];
    if rate {
        headers.insert(0, "计入");
    }
    let mut listing = exchange::Listing::new("晒单明细", &headers);
    listing.note(page.title.clone());
    listing.note(format!("指标值 {}", page.value));
    listing.note("金额单位：万元（外资为万美元）；项目的日期为签约日期，说明为其当前阶段");
    let total = page.figure_total.clone();
    for r in page.rows {
        let mut row = vec![
            r.code.into(),
            r.name.into(),
            r.territory.into(),
            r.day.into(),
            r.detail.into(),
            r.figure,
        ];
        if rate {
            row.insert(0, r.part.into());
        }
        listing.push(row);
    }
    let mut last = vec![exchange::Value::Empty; headers.len()];
    last[0] = "合计".into();
    if let Some(cell) = last.last_mut() {
        *cell = total;
    }
    listing.push(last);
    crate::kit::render::listing_download(
        &user,
        listing,
        crate::kit::render::file_format(&query.format),
    )
}

async fn drilled(
    state: &AppState,
    user: &CurrentUser,
    query: &DrillQuery,
) -> Result<DrillPage, WebError> {
    allow(user.actor().reads_projects())?;
    let actor = user.actor();
    let unit_name = Some(query.unit.trim()).filter(|u| !u.is_empty());
    if !actor.reads_unit_figures(unit_name) {
        return Err(WebError::Forbidden);
    }
    let indicator = Indicator::from_id(&query.indicator)
        .ok_or_else(|| WebError::BadRequest(format!("“{}”不是指标", query.indicator)))?;
    let (facts, period) = records_for(state, &query.period).await?;
    let city = city_name(&facts);
    let unit = match unit_name {
        None => None,
        Some(name) => Some(
            facts
                .unit_index(name)
                .ok_or_else(|| WebError::NotFound(format!("单位“{name}”不存在")))?,
        ),
    };
    let source = Some(query.source.trim()).filter(|s| !s.is_empty());
    if source.is_some_and(|s| s.chars().count() > 50) {
        return Err(WebError::BadRequest("招商方式过长（至多50字）".into()));
    }
    let d = drill(&facts, &period, unit, indicator, source);
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
    let figure = |n: i64| match indicator.measure() {
        Measure::Count | Measure::Rate if !matches!(indicator, Indicator::FundsInPlaceRate) => {
            exchange::Value::Count(n)
        }
        _ => exchange::Value::Wan(Money::from_units("金额", n).unwrap_or(Money::ZERO)),
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
                    day: p.and_then(|p| p.signed_on),
                    detail: p.map(|p| p.state.clone()).unwrap_or_default(),
                    amount: amount_text(item.amount),
                    figure: figure(item.amount),
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
                    day: f.map(|f| f.date),
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
                    figure: figure(item.amount),
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
                    day: v.map(|v| v.date),
                    detail: v.and_then(|v| v.mode.clone()).unwrap_or_default(),
                    amount: amount_text(item.amount),
                    figure: figure(item.amount),
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
    Ok(DrillPage {
        title: match source {
            None => format!("{who}{} · {}", period.label(), indicator.label()),
            Some(s) => format!(
                "{who}{} · {}（招商方式：{s}）",
                period.label(),
                indicator.label()
            ),
        },
        back: format!("/scoreboard?{}", query_string(&PeriodQuery::of(&period))),
        export: format!(
            "/scoreboard/drill/export?{}&{}",
            query_string(&PeriodQuery::of(&period)),
            query_string(&[
                ("unit", unit_name.unwrap_or_default()),
                ("indicator", indicator.id()),
                ("source", source.unwrap_or_default()),
            ])
        ),
        count: rows.len(),
        rows,
        total: amount_text(d.numerator),
        figure_total: figure(d.numerator),
        denominator: d.denominator.map(amount_text).unwrap_or_default(),
        value: match unit_of(indicator) {
            "" => value,
            u => format!("{value} {u}"),
        },
        layout: Layout::of(user),
    })
}
