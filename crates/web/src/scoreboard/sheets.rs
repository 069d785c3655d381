//! Published scoreboards (晒单): the bureau publishes a period's figures; the sheet is stored as
//! it was, with its hash, and its page shows what has changed in the records since.

use crate::kit::form::Form;
use crate::kit::request::{Path, Query};
use crate::kit::scope::allow;
use crate::kit::view::when;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::Period;
use domain::figures::diff::changes;
use domain::figures::scoreboard::FUNDS_VERIFIED_KEY;
use domain::figures::summary::summary;
use domain::figures::{Indicator, Number, RankWeights, Scoreboard, scoreboard};
use serde::Deserialize;
use store::SheetInfo;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::figures::{PeriodQuery, city_name, compute, show_value, title};
use crate::kit::render::render;
use crate::kit::render::xlsx_response;
use crate::kit::view::Layout;
use crate::scoreboard::{BoardTables, board_tables, print_html};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublishForm {
    csrf: String,
    /// `1` once the bureau has seen what publishing means and confirmed it.
    confirm: String,
}

#[derive(Template)]
#[template(path = "publish_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    title: String,
    summary: String,
    query: String,
}

/// POST /scoreboard/publish: first a page that says what publishing does (the figures fixed
/// for good under a hash, a number given) and asks to confirm; with `confirm=1`, published.
pub async fn publish(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<PeriodQuery>,
    Form(form): Form<PublishForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if !user.actor().manages_city_data() {
        return Err(WebError::Forbidden);
    }
    let c = compute(&state, &query).await?;
    if form.confirm != "1" {
        let city = city_name(&c.facts);
        let page = ConfirmPage {
            layout: Layout::of(&user),
            title: title(&city, &c.period),
            summary: summary(&c.board, &c.period, &city),
            query: crate::kit::figures::query_string(&PeriodQuery::of(&c.period)),
        };
        return Ok(Html(render(&page)?).into_response());
    }
    let content = serde_json::to_string(&c.board).map_err(|e| WebError::Internal(e.to_string()))?;
    let as_of = match c.period.kind() {
        domain::PeriodKind::YearToDate => Some(c.period.end().to_string()),
        _ => None,
    };
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    let (id, _) = tx
        .publish_sheet(
            c.period.year(),
            &c.period.code(),
            as_of.as_deref(),
            &content,
        )
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/sheets/{id}")).into_response())
}

pub struct SheetLine {
    pub id: i64,
    pub label: String,
    pub published_at: String,
    pub published_by: String,
    pub sha256: String,
}

fn period_of(info: &SheetInfo) -> Result<Period, WebError> {
    let as_of = info
        .as_of
        .as_deref()
        .map(|d| domain::period::parse_date("截至日期", d))
        .transpose()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Period::parse(info.year, &info.period, as_of).map_err(|e| WebError::Internal(e.to_string()))
}

fn line(info: &SheetInfo) -> Result<SheetLine, WebError> {
    Ok(SheetLine {
        id: info.id,
        label: period_of(info)?.label(),
        published_at: when(info.published_at),
        published_by: info.published_by.clone(),
        sha256: info.sha256.clone(),
    })
}

#[derive(Template)]
#[template(path = "sheets.html")]
struct SheetsPage {
    layout: Layout,
    sheets: Vec<SheetLine>,
    /// The issuer printouts name, and whether this account may change it.
    office: String,
    can_set_office: bool,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    allow(user.actor().reads_projects())?;
    let sheets = state
        .store
        .published_sheets()
        .await?
        .iter()
        .map(line)
        .collect::<Result<Vec<_>, _>>()?;
    let city = city_name(&*state.store.figure_facts().await?);
    Ok(Html(render(&SheetsPage {
        layout: Layout::of(&user),
        sheets,
        office: super::issuing_office(&state.store, &city).await?,
        can_set_office: user.actor().manages_city_data(),
    })?))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct OfficeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    office: String,
}

/// Longest issuer a printout's head holds on one line.
const OFFICE_CHARS: usize = 40;

/// POST /sheets/office: the issuer printouts name (empty: the default).
pub async fn set_office(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::kit::form::Form(form): crate::kit::form::Form<OfficeForm>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    user.check_csrf(&form.csrf)?;
    allow(user.actor().manages_city_data())?;
    let office = form.office.trim();
    if office.chars().count() > OFFICE_CHARS {
        return Err(WebError::Invalid(vec![domain::FieldError::new(
            "发文单位",
            format!("不能超过{OFFICE_CHARS}个字"),
        )]));
    }
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    tx.set_issuing_office(office).await?;
    tx.commit().await?;
    Ok(axum::response::Redirect::to("/sheets").into_response())
}

pub struct ChangeLine {
    pub unit: String,
    pub indicator: String,
    pub published: String,
    pub now: String,
    pub delta: String,
    pub up: bool,
}

#[derive(Template)]
#[template(path = "sheet.html")]
struct SheetPage {
    layout: Layout,
    title: String,
    sheet: SheetLine,
    summary: String,
    tables: BoardTables,
    changes: Vec<ChangeLine>,
    current: String,
}

async fn load(state: &AppState, id: i64) -> Result<(SheetInfo, Scoreboard, Period), WebError> {
    let (info, content) = state
        .store
        .published_sheet(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("已发布晒单{id}不存在")))?;
    let board: Scoreboard =
        serde_json::from_str(&content).map_err(|e| WebError::Internal(e.to_string()))?;
    let period = period_of(&info)?;
    Ok((info, board, period))
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    allow(user.actor().reads_projects())?;
    let (info, published, period) = load(&state, id).await?;
    let facts = state.store.figure_facts().await?;
    let now = scoreboard(&facts, &period, &RankWeights::default());
    let city = city_name(&facts);
    let changes = changes(&published, &now)
        .into_iter()
        .map(|c| {
            let indicator = Indicator::from_id(&c.key);
            let label = match indicator {
                Some(i) => i.label().to_owned(),
                None if c.key == FUNDS_VERIFIED_KEY => "已核实到位资金".to_owned(),
                None => c.key.clone(),
            };
            let measure = indicator.unwrap_or(Indicator::FundsInPlace);
            let show = |v: Option<Number>| show_value(measure, v);
            let delta = c.delta();
            ChangeLine {
                unit: c.unit.clone().unwrap_or_else(|| city.clone()),
                indicator: label,
                published: show(c.published),
                now: show(c.now),
                delta: match (delta, c.published, c.now) {
                    (Some(d), ..) if d > 0 => format!("+{}", show(Some(Number::Int(d)))),
                    (Some(d), ..) => format!("−{}", show(Some(Number::Int(-d)))),
                    // Rates change by percentage points.
                    (None, Some(a), Some(b)) => rate_change((b.as_f64() - a.as_f64()) * 100.0),
                    _ => String::new(),
                },
                up: match (c.published, c.now) {
                    (Some(a), Some(b)) => b.as_f64() > a.as_f64(),
                    _ => false,
                },
            }
        })
        .collect();
    let page = SheetPage {
        title: format!("{}（已发布）", title(&city, &period)),
        sheet: line(&info)?,
        summary: summary(&published, &period, &city),
        tables: board_tables(&published, None),
        changes,
        current: format!(
            "/scoreboard?{}",
            serde_urlencoded::to_string(PeriodQuery {
                year: period.year().to_string(),
                period: period.code(),
                as_of: info.as_of.clone().unwrap_or_default(),
                pending: String::new(),
            })
            .unwrap_or_default()
        ),
        layout: Layout::of(&user),
    };
    Ok(Html(render(&page)?))
}

pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    allow(user.actor().reads_projects())?;
    let (_, board, period) = load(&state, id).await?;
    let city = city_name(&*state.store.figure_facts().await?);
    let title = format!("{}（已发布）", title(&city, &period));
    let bytes =
        exchange::scoreboard_xlsx(&board, &title).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(xlsx_response(bytes, &title))
}

pub async fn print(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    allow(user.actor().reads_projects())?;
    let (info, board, period) = load(&state, id).await?;
    let city = city_name(&*state.store.figure_facts().await?);
    let issue = super::Issue {
        office: super::issuing_office(&state.store, &city).await?,
        published: Some((info.id, when(info.published_at), info.sha256.clone())),
    };
    Ok(Html(print_html(&board, &period, &city, &issue, false)?))
}

/// A rate's change in percentage points, signed by its direction: one too small to show at one
/// decimal says so instead of "−0.0".
fn rate_change(points: f64) -> String {
    let sign = if points >= 0.0 { "+" } else { "−" };
    if points.abs() < 0.05 {
        format!("{sign}不足0.1个百分点")
    } else {
        format!("{sign}{:.1}个百分点", points.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::rate_change;

    #[test]
    fn a_rate_change_reads_with_its_direction_and_never_as_minus_zero() {
        assert_eq!(rate_change(50.0), "+50.0个百分点");
        assert_eq!(rate_change(-2.26), "−2.3个百分点");
        assert_eq!(rate_change(-0.01), "−不足0.1个百分点");
        assert_eq!(rate_change(0.0001), "+不足0.1个百分点");
    }
}
