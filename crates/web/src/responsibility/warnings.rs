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
use domain::warnings::{
    Warning, WarningKind, WarningRules, project_warnings, unit_warnings, worst,
};
use serde::Deserialize;
use store::{ProjectFilter, ProjectSummary};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::figures::{PeriodQuery, compute, light_class};
use crate::kit::form::{Choice, choices};
use crate::kit::render::{encode, listing_download, render};
use crate::kit::request::{Query, page_number};
use crate::kit::scope::scoped_filter;
use crate::kit::view::Layout;
use exchange::{Listing, Value};

/// A project or unit with its light and reasons.
#[derive(Clone)]
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

/// How many lit projects a page lists.
const PAGE_SIZE: usize = 50;

/// The filters and order of the warnings page and its export.
#[derive(Debug, Default, Deserialize)]
pub struct WarningsQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    chain: String,
    #[serde(default)]
    leader: String,
    /// 红灯 or 黄灯.
    #[serde(default)]
    light: String,
    /// A project reason's label ([`WarningKind::label`]).
    #[serde(default)]
    reason: String,
    /// light (default), code, unit or reasons.
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    format: String,
}

const SORTS: [(&str, &str); 4] = [
    ("light", "红灯在前"),
    ("reasons", "原因多的在前"),
    ("unit", "按所在地"),
    ("code", "按项目编号"),
];

impl WarningsQuery {
    fn query_string(&self) -> String {
        format!(
            "unit={}&chain={}&leader={}&light={}&reason={}&sort={}",
            encode(&self.unit),
            encode(&self.chain),
            encode(&self.leader),
            encode(&self.light),
            encode(&self.reason),
            encode(&self.sort)
        )
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
    /// Lit projects by reason within the filters but the reason's: (label, count, chosen).
    reasons: Vec<(&'static str, usize, bool)>,
    unit_choices: Vec<Choice>,
    chain_choices: Vec<Choice>,
    leader_choices: Vec<Choice>,
    light_choices: Vec<Choice>,
    sorts: Vec<(&'static str, &'static str, bool)>,
    page: usize,
    pages: usize,
    base_query: String,
}

/// What the page and its export show: the day, the period units are judged on, the lit units
/// and every lit project the filters keep, in the order asked.
struct Lit {
    on: NaiveDate,
    period: String,
    units: Vec<UnitRow>,
    projects: Vec<LitRow>,
    /// Every lit project within the filters but light and reason, for the counts by reason.
    before_reason: Vec<LitRow>,
}

fn chosen(value: &str) -> Option<String> {
    domain::text::optional(value)
}

async fn gather(
    state: &AppState,
    user: &CurrentUser,
    query: &WarningsQuery,
) -> Result<Lit, WebError> {
    let actor = user.actor();
    let filter = ProjectFilter {
        unit: chosen(&query.unit),
        chain: chosen(&query.chain),
        leader_scope: chosen(&query.leader),
        ..scoped_filter(&actor)?
    };
    let on = state.store.follow_up_date().await?;
    let before_reason = lit_projects(state, &filter, on).await?;
    let reason = WarningKind::from_label(&query.reason);
    let light = [Light::Red, Light::Yellow]
        .into_iter()
        .find(|l| l.label() == query.light);
    let mut projects: Vec<LitRow> = before_reason
        .iter()
        .filter(|p| light.is_none_or(|l| p.light == l))
        .filter(|p| reason.is_none_or(|r| p.warnings.iter().any(|w| w.kind == r)))
        .cloned()
        .collect();
    match query.sort.as_str() {
        "code" => projects.sort_by(|a, b| a.code.cmp(&b.code)),
        "unit" => projects.sort_by(|a, b| {
            (&a.territory, std::cmp::Reverse(a.light), &a.code).cmp(&(
                &b.territory,
                std::cmp::Reverse(b.light),
                &b.code,
            ))
        }),
        "reasons" => projects.sort_by(|a, b| {
            (std::cmp::Reverse(a.warnings.len()), &a.code)
                .cmp(&(std::cmp::Reverse(b.warnings.len()), &b.code))
        }),
        // lit_projects gives red first, then by 项目编号.
        _ => {}
    }
    let rules = state.store.warning_rules().await?;
    // Units are judged on the year to the same day, as the scoreboard judges them.
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
        .filter(|u| query.unit.is_empty() || u.unit == query.unit)
        .filter_map(|u| {
            let red = before_reason
                .iter()
                .filter(|p| p.light == Light::Red && p.territory == u.unit)
                .count();
            let lit = unit_warnings(u, computed.board.end, red, &rules);
            (lit.light != Light::Green).then(|| UnitRow {
                unit: u.unit.clone(),
                light: lit.light,
                warnings: lit.reasons,
            })
        })
        .collect();
    Ok(Lit {
        on,
        period: computed.period.label(),
        units,
        projects,
        before_reason,
    })
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<WarningsQuery>,
) -> Result<Html<String>, WebError> {
    let page = usize::try_from(page_number(query.page)?).unwrap_or(1);
    let Lit {
        on,
        period,
        units,
        projects,
        before_reason,
    } = gather(&state, &user, &query).await?;
    let red = projects.iter().filter(|p| p.light == Light::Red).count();
    let yellow = projects.len() - red;
    let light = [Light::Red, Light::Yellow]
        .into_iter()
        .find(|l| l.label() == query.light);
    let reasons = WarningKind::PROJECT
        .into_iter()
        .map(|kind| {
            let n = before_reason
                .iter()
                .filter(|p| light.is_none_or(|l| p.light == l))
                .filter(|p| p.warnings.iter().any(|w| w.kind == kind))
                .count();
            (kind.label(), n, kind.label() == query.reason)
        })
        .collect();
    let pages = projects.len().div_ceil(PAGE_SIZE).max(1);
    let page = page.min(pages);
    let projects = projects
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    let actor = user.actor();
    let names = crate::kit::scope::filter_names(&state, &actor).await?;
    let lights = ["", "红灯", "黄灯"];
    let sort = SORTS
        .iter()
        .find(|(code, _)| *code == query.sort)
        .map_or("light", |(code, _)| *code);
    Ok(Html(render(&WarningsPage {
        layout: Layout::of(&user),
        on: on.to_string(),
        period,
        units,
        projects,
        red,
        yellow,
        reasons,
        unit_choices: choices(names.units.iter().map(String::as_str), &query.unit),
        chain_choices: choices(names.chains.iter().map(String::as_str), &query.chain),
        leader_choices: choices(names.leaders.iter().map(String::as_str), &query.leader),
        light_choices: choices(lights, &query.light),
        sorts: SORTS
            .iter()
            .map(|(code, label)| (*code, *label, *code == sort))
            .collect(),
        page,
        pages,
        base_query: query.query_string(),
    })?))
}

/// `/warnings/export?format=xlsx|csv&…`: the lit units, then every lit project the filters keep
/// (not only one page), each with its reasons.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<WarningsQuery>,
) -> Result<Response, WebError> {
    let lit = gather(&state, &user, &query).await?;
    let mut listing = Listing::new(
        "红黄绿灯预警",
        &["类别", "项目编号", "名称", "所在地", "状态", "灯", "原因"],
    );
    listing.note(format!("预警基准日 {}；单位按{}判断", lit.on, lit.period));
    let filters: Vec<String> = [
        ("单位", &query.unit),
        ("产业链", &query.chain),
        ("包保领导", &query.leader),
        ("灯", &query.light),
        ("原因", &query.reason),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}：{v}"))
    .collect();
    if !filters.is_empty() {
        listing.note(format!("筛选 {}", filters.join("；")));
    }
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
    let format = crate::kit::render::file_format(&query.format);
    listing_download(&user, listing, format)
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

/// The thresholds as typed, in [`WarningRules::fields`] order (`r0` … `r8`).
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
    #[serde(default)]
    r8: String,
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
        &form.r0, &form.r1, &form.r2, &form.r3, &form.r4, &form.r5, &form.r6, &form.r7, &form.r8,
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
