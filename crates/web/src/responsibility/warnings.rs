//! 红黄绿灯预警 pages: the lit projects and units in the actor's scope with why each is lit, and
//! the thresholds, which 招商局 may change.

use crate::kit::form::Form;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use domain::FieldError;
use domain::figures::Light;
use domain::warnings::{Warning, WarningRules, project_warnings, unit_warnings, worst};
use serde::Deserialize;
use store::{ProjectFilter, ProjectSummary};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::figures::{PeriodQuery, compute, light_class};
use crate::kit::render::{FormatQuery, listing_download, render};
use crate::kit::request::Query;
use crate::kit::scope::scoped_filter;
use crate::kit::view::Layout;
use exchange::{Listing, Value};

/// How many lit projects the page lists.
const SHOWN: usize = 300;

/// A project or unit with its light and reasons.
pub struct LitRow {
    pub code: String,
    pub name: String,
    pub territory: String,
    pub state: String,
    pub light: Light,
    pub warnings: Vec<Warning>,
}

impl LitRow {
    pub fn class(&self) -> &'static str {
        light_class(Some(self.light))
    }
}

/// Every project `filter` selects with its warnings as of `on`, red first, then yellow, then
/// by 项目编号; green ones are left out.
pub(crate) async fn lit_projects(
    state: &AppState,
    filter: &ProjectFilter,
    on: NaiveDate,
) -> Result<Vec<LitRow>, WebError> {
    let rules = state.store.warning_rules().await?;
    let mut rows: Vec<LitRow> = state
        .store
        .project_situations(filter, on)
        .await?
        .into_iter()
        .filter_map(|(summary, situation)| {
            let warnings = project_warnings(&situation, &rules, on);
            let light = worst(&warnings);
            (light != Light::Green).then(|| lit(summary, light, warnings))
        })
        .collect();
    rows.sort_by(|a, b| b.light.cmp(&a.light).then_with(|| a.code.cmp(&b.code)));
    Ok(rows)
}

fn lit(summary: ProjectSummary, light: Light, warnings: Vec<Warning>) -> LitRow {
    LitRow {
        code: summary.code,
        name: summary.name,
        territory: summary.territory,
        state: summary.state,
        light,
        warnings,
    }
}

/// One project's warnings as of `on` (empty for a green one).
pub(crate) async fn of_project(
    state: &AppState,
    code: &str,
    on: NaiveDate,
) -> Result<Vec<Warning>, WebError> {
    let rules = state.store.warning_rules().await?;
    let filter = ProjectFilter {
        code: Some(code.to_owned()),
        ..ProjectFilter::default()
    };
    Ok(state
        .store
        .project_situations(&filter, on)
        .await?
        .into_iter()
        .next()
        .map(|(_, situation)| project_warnings(&situation, &rules, on))
        .unwrap_or_default())
}

pub struct UnitRow {
    pub unit: String,
    pub light: Light,
    pub warnings: Vec<Warning>,
}

impl UnitRow {
    pub fn class(&self) -> &'static str {
        light_class(Some(self.light))
    }
}

#[derive(Template)]
#[template(path = "warnings.html")]
struct WarningsPage {
    layout: Layout,
    on: String,
    period: String,
    units: Vec<UnitRow>,
    projects: Vec<LitRow>,
    red: usize,
    yellow: usize,
    shown: usize,
}

/// What the page and its export show: the day, the period units are judged on, the lit units
/// and every lit project, red first.
struct Lit {
    on: NaiveDate,
    period: String,
    units: Vec<UnitRow>,
    projects: Vec<LitRow>,
}

async fn gather(state: &AppState, user: &CurrentUser) -> Result<Lit, WebError> {
    let actor = user.actor();
    let filter = scoped_filter(&actor)?;
    let on = state.store.follow_up_date().await?;
    let projects = lit_projects(state, &filter, on).await?;
    let rules = state.store.warning_rules().await?;
    // Units are judged on the year to the same day.
    let computed = compute(
        state,
        &PeriodQuery {
            year: on.year().to_string(),
            period: "YTD".into(),
            as_of: on.to_string(),
            pending: String::new(),
        },
    )
    .await?;
    let units = computed
        .board
        .units
        .iter()
        .filter(|u| actor.covers_unit(Some(&u.unit)))
        .filter_map(|u| {
            let red = projects
                .iter()
                .filter(|p| p.light == Light::Red && p.territory == u.unit)
                .count();
            let warnings = unit_warnings(&u.indicators, computed.board.end, red, &rules);
            let light = worst(&warnings);
            (light != Light::Green).then(|| UnitRow {
                unit: u.unit.clone(),
                light,
                warnings,
            })
        })
        .collect();
    Ok(Lit {
        on,
        period: computed.period.label(),
        units,
        projects,
    })
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    let Lit {
        on,
        period,
        units,
        mut projects,
    } = gather(&state, &user).await?;
    let red = projects.iter().filter(|p| p.light == Light::Red).count();
    let yellow = projects.len() - red;
    // Red first: the page lists the most urgent; the counts above it cover them all.
    projects.truncate(SHOWN);
    Ok(Html(render(&WarningsPage {
        layout: Layout::of(&user),
        on: on.to_string(),
        period,
        units,
        projects,
        red,
        yellow,
        shown: SHOWN,
    })?))
}

/// `/warnings/export?format=xlsx|csv`: the lit units, then every lit project (not only the
/// first the page lists), each with its reasons.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<FormatQuery>,
) -> Result<Response, WebError> {
    let lit = gather(&state, &user).await?;
    let mut listing = Listing::new(
        "红黄绿灯预警",
        &["类别", "项目编号", "名称", "所在地", "状态", "灯", "原因"],
    );
    listing.note(format!("预警基准日 {}；单位按{}判断", lit.on, lit.period));
    let reasons = |warnings: &[Warning]| {
        warnings
            .iter()
            .map(|w| format!("{}：{}", w.light.label(), w.reason))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for u in &lit.units {
        listing.push(vec![
            "单位".into(),
            Value::Empty,
            u.unit.as_str().into(),
            u.unit.as_str().into(),
            Value::Empty,
            u.light.label().into(),
            reasons(&u.warnings).into(),
        ]);
    }
    for p in &lit.projects {
        listing.push(vec![
            "项目".into(),
            p.code.as_str().into(),
            p.name.as_str().into(),
            p.territory.as_str().into(),
            p.state.as_str().into(),
            p.light.label().into(),
            reasons(&p.warnings).into(),
        ]);
    }
    listing_download(&user, listing, query.file_format())
}

#[derive(Template)]
#[template(path = "warning_rules.html")]
struct RulesPage {
    layout: Layout,
    fields: Vec<(usize, &'static str, String)>,
    can_edit: bool,
    errors: Vec<FieldError>,
}

fn rules_page(user: &CurrentUser, typed: Vec<String>, errors: Vec<FieldError>) -> RulesPage {
    let labels = WarningRules::default().fields();
    RulesPage {
        layout: Layout::of(user),
        fields: labels
            .iter()
            .zip(typed)
            .enumerate()
            .map(|(i, ((label, _), value))| (i, *label, value))
            .collect(),
        can_edit: user.actor().manages_city_data(),
        errors,
    }
}

pub async fn show_rules(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    if !user.actor().reads_projects() {
        return Err(WebError::Forbidden);
    }
    let rules = state.store.warning_rules().await?;
    let typed = rules.fields().iter().map(|(_, v)| v.to_string()).collect();
    Ok(Html(render(&rules_page(&user, typed, Vec::new()))?))
}

/// The eight thresholds as typed, in [`WarningRules::fields`] order (`r0` … `r7`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RulesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    r0: String,
    #[serde(default)]
    r1: String,
    #[serde(default)]
    r2: String,
    #[serde(default)]
    r3: String,
    #[serde(default)]
    r4: String,
    #[serde(default)]
    r5: String,
    #[serde(default)]
    r6: String,
    #[serde(default)]
    r7: String,
}

pub async fn set_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<RulesForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if !user.actor().manages_city_data() {
        return Err(WebError::Forbidden);
    }
    let typed = [
        &form.r0, &form.r1, &form.r2, &form.r3, &form.r4, &form.r5, &form.r6, &form.r7,
    ];
    let values: Vec<&str> = typed.iter().map(|s| s.as_str()).collect();
    match WarningRules::from_values(&values) {
        Ok(rules) => {
            let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
            tx.set_warning_rules(&rules).await?;
            tx.commit().await?;
            Ok(Redirect::to("/warnings/rules").into_response())
        }
        Err(errors) => {
            let typed = typed.iter().map(|s| (*s).clone()).collect();
            let page = rules_page(&user, typed, errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
    }
}
