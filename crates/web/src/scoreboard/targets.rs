//! 目标任务: the year's targets per unit and for the city, entered by the bureau (here or by
//! `import targets`), and where the units' targets do not add up to the city's.

use std::collections::BTreeMap;

use crate::kit::form::Form;
use crate::kit::request::Query;
use crate::kit::scope::allow;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Datelike;
use domain::figures::{Indicator, Measure, Number};
use domain::records::{CITY_TARGET_NAME, ScoreGroup, Target};
use domain::{FieldError, Money};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::figures::{heading, show_value};
use crate::kit::render::render;
use crate::kit::view::Layout;

#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

pub struct TargetRow {
    pub unit: String,
    pub group: String,
    pub cells: Vec<String>,
}

pub struct Mismatch {
    pub indicator: String,
    pub city: String,
    pub territorial: String,
    pub difference: String,
    pub departments: String,
    pub adds_up: bool,
}

#[derive(Template)]
#[template(path = "targets.html")]
struct TargetsPage {
    layout: Layout,
    year: i32,
    heads: Vec<String>,
    rows: Vec<TargetRow>,
    mismatches: Vec<Mismatch>,
    can_edit: bool,
    units: Vec<String>,
    indicators: Vec<(&'static str, String)>,
}

fn show(indicator: Indicator, value: i64) -> String {
    show_value(indicator, Some(Number::Int(value)))
}

pub async fn show_targets(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<YearQuery>,
) -> Result<Html<String>, WebError> {
    allow(user.actor().reads_projects())?;
    let targets = state.store.targets().await?;
    let year = crate::kit::request::year(query.year)?.unwrap_or_else(|| {
        targets
            .iter()
            .map(|t| t.year)
            .max()
            .unwrap_or(store::today_in_china().year())
    });
    let units = state.store.units().await?;
    let of_year: Vec<&Target> = targets.iter().filter(|t| t.year == year).collect();
    let indicators: Vec<Indicator> = Indicator::ALL
        .into_iter()
        .filter(|i| !i.is_rate())
        .collect();
    let shown: Vec<Indicator> = indicators
        .iter()
        .copied()
        .filter(|i| of_year.iter().any(|t| t.indicator == *i))
        .collect();
    let mut by_key: BTreeMap<(Option<&str>, Indicator), i64> = BTreeMap::new();
    for t in &of_year {
        by_key.insert((t.unit.as_deref(), t.indicator), t.value);
    }
    let cells = |unit: Option<&str>| {
        shown
            .iter()
            .map(|i| {
                by_key
                    .get(&(unit, *i))
                    .map(|v| show(*i, *v))
                    .unwrap_or_default()
            })
            .collect()
    };
    let mut rows = vec![TargetRow {
        unit: CITY_TARGET_NAME.to_owned(),
        group: String::new(),
        cells: cells(None),
    }];
    for unit in units.iter().filter(|u| u.group.is_some()) {
        rows.push(TargetRow {
            unit: unit.name.clone(),
            group: unit.group.map(|g| g.label().to_owned()).unwrap_or_default(),
            cells: cells(Some(unit.name.as_str())),
        });
    }
    let group_sum = |indicator: Indicator, group: ScoreGroup| -> i64 {
        units
            .iter()
            .filter(|u| u.group == Some(group))
            .filter_map(|u| by_key.get(&(Some(u.name.as_str()), indicator)))
            .sum()
    };
    let mismatches = shown
        .iter()
        .filter_map(|i| {
            let city = *by_key.get(&(None, *i))?;
            let territorial = group_sum(*i, ScoreGroup::Territory);
            let difference = territorial - city;
            Some(Mismatch {
                indicator: heading(*i),
                city: show(*i, city),
                territorial: show(*i, territorial),
                difference: match difference {
                    0 => "0".to_owned(),
                    d if d > 0 => format!("+{}", show(*i, d)),
                    d => format!("−{}", show(*i, -d)),
                },
                departments: show(*i, group_sum(*i, ScoreGroup::Department)),
                adds_up: difference == 0,
            })
        })
        .collect();
    let page = TargetsPage {
        layout: Layout::of(&user),
        year,
        heads: shown.iter().map(|i| heading(*i)).collect(),
        rows,
        mismatches,
        can_edit: user.actor().manages_city_data(),
        units: std::iter::once(CITY_TARGET_NAME.to_owned())
            .chain(
                units
                    .iter()
                    .filter(|u| u.group.is_some())
                    .map(|u| u.name.clone()),
            )
            .collect(),
        indicators: indicators
            .iter()
            .map(|i| {
                let unit = match i.measure() {
                    Measure::Yuan => "（万元）",
                    Measure::Dollars => "（万美元）",
                    _ => "",
                };
                (i.id(), format!("{}{unit}", i.label()))
            })
            .collect(),
    };
    Ok(Html(render(&page)?))
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct TargetForm {
    csrf: String,
    year: String,
    unit: String,
    indicator: String,
    value: String,
}

/// The target a form describes; amounts are entered in 万, as offices write them.
fn target_of(form: &TargetForm) -> Result<Target, FieldError> {
    let year: i32 = form
        .year
        .trim()
        .parse()
        .map_err(|_| FieldError::new("年度", format!("“{}”不是年份", form.year.trim())))?;
    let indicator = Indicator::parse("指标", &form.indicator)?;
    let value = if indicator.is_amount() {
        Money::parse_wan("目标值", &form.value)?.units()
    } else {
        form.value
            .trim()
            .parse::<i64>()
            .map_err(|_| FieldError::new("目标值", format!("“{}”应为整数", form.value.trim())))?
    };
    let unit = match form.unit.trim() {
        "" | CITY_TARGET_NAME => None,
        name => Some(name.to_owned()),
    };
    Target::new(year, unit, indicator, value)
}

pub async fn set_target(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<TargetForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if !user.actor().manages_city_data() {
        return Err(WebError::Forbidden);
    }
    let target = target_of(&form).map_err(|e| WebError::Invalid(vec![e]))?;
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    tx.upsert_target(&target).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/targets?year={}", target.year)).into_response())
}

/// Every target, with the import columns, as xlsx.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::kit::request::Query(query): crate::kit::request::Query<crate::kit::render::FormatQuery>,
) -> Result<Response, WebError> {
    allow(user.actor().reads_projects())?;
    let format = query.file_format();
    let bytes = exchange::export_bytes(&state.store, exchange::Kind::Targets, format)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(crate::kit::render::attachment(
        bytes,
        format,
        exchange::Kind::Targets.label(),
    ))
}
