//! 到位资金核实 (issue 22.2): the funds in place of the viewer's projects as one queue, filtered
//! to 未核实 by default, worked off many at once by 招商局 (批量核实), each verified fund showing
//! who verified it and when; exported as the page shows it.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::money::format_wan;
use serde::Deserialize;
use store::FundLine;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::form::{Choice, Form, choices};
use crate::kit::render::{file_format, listing_download, render};
use crate::kit::request::{Query, page_number, year};
use crate::kit::scope::{allow, scoped_filter};
use crate::kit::view::Layout;

/// Funds a page lists.
const PAGE: usize = 100;

/// The most funds one batch verifies.
const BATCH: usize = 500;

#[derive(Debug, Default, Deserialize)]
pub struct FundsQuery {
    /// `unverified` (the default), `verified` or `all`.
    #[serde(default)]
    status: String,
    #[serde(default)]
    unit: String,
    /// Empty for every year: the filter form sends the field empty.
    #[serde(default)]
    year: String,
    page: Option<i64>,
    #[serde(default)]
    format: String,
    /// How many a batch just verified, said on the page it returns to.
    done: Option<usize>,
}

impl FundsQuery {
    fn year(&self) -> Result<Option<i32>, WebError> {
        match self.year.trim() {
            "" => Ok(None),
            text => {
                let y = text.parse().map_err(|_| {
                    WebError::BadRequest(format!("年度“{text}”应为四位数字，如 2022"))
                })?;
                year(Some(y))
            }
        }
    }

    fn verified(&self) -> Option<bool> {
        match self.status.as_str() {
            "verified" => Some(true),
            "all" => None,
            _ => Some(false),
        }
    }

    fn status_label(&self) -> &'static str {
        match self.verified() {
            Some(true) => "已核实",
            Some(false) => "未核实",
            None => "全部",
        }
    }

    /// The query string of these filters, for links and the export.
    fn filters(&self) -> String {
        serde_urlencoded::to_string([
            ("status", self.status.as_str()),
            ("unit", self.unit.as_str()),
            ("year", self.year.trim()),
        ])
        .unwrap_or_default()
    }
}

pub struct FundRow {
    pub id: i64,
    pub code: String,
    pub project: String,
    pub territory: String,
    pub date: String,
    pub amount: String,
    pub currency: &'static str,
    pub source: String,
    pub verified: bool,
    pub verifier: String,
    pub verified_on: String,
}

fn day_of(ms: Option<i64>) -> Option<chrono::NaiveDate> {
    let china = chrono::FixedOffset::east_opt(8 * 3600)?;
    Some(
        chrono::DateTime::from_timestamp_millis(ms?)?
            .with_timezone(&china)
            .date_naive(),
    )
}

fn row(line: &FundLine) -> FundRow {
    FundRow {
        id: line.id,
        code: line.fund.project_code.clone(),
        project: line.project_name.clone(),
        territory: line.territory.clone(),
        date: line.fund.date.to_string(),
        amount: format_wan(line.fund.amount),
        currency: line.fund.currency.label(),
        source: line.fund.source.clone().unwrap_or_default(),
        verified: line.fund.verified,
        verifier: line.fund.verifier.clone().unwrap_or_default(),
        verified_on: day_of(line.verified_at)
            .map(|d| d.to_string())
            .unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "funds.html")]
struct FundsPage {
    layout: Layout,
    rows: Vec<FundRow>,
    total: usize,
    /// The sum of the listed funds, per currency (万元).
    sums: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, &'static str, bool)>,
    units: Vec<Choice>,
    year: String,
    can_verify: bool,
    page: usize,
    pages: usize,
    filters: String,
    done: Option<usize>,
    status_label: &'static str,
}

/// The funds the query selects in the viewer's scope.
async fn selected(
    state: &AppState,
    user: &CurrentUser,
    query: &FundsQuery,
) -> Result<Vec<FundLine>, WebError> {
    let actor = user.actor();
    allow(actor.reads_projects())?;
    let mut filter = scoped_filter(&actor)?;
    if let Some(unit) = Some(query.unit.trim()).filter(|u| !u.is_empty()) {
        filter.unit = Some(unit.to_owned());
    }
    let year = query.year()?;
    Ok(state
        .store
        .fund_queue(&filter, query.verified(), year)
        .await?)
}

/// GET /funds
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<FundsQuery>,
) -> Result<Html<String>, WebError> {
    let lines = selected(&state, &user, &query).await?;
    let page = usize::try_from(page_number(query.page)?).unwrap_or(1);
    let pages = lines.len().div_ceil(PAGE).max(1);
    let mut sums: Vec<(&'static str, i64)> = Vec::new();
    for line in &lines {
        let label = line.fund.currency.label();
        match sums.iter_mut().find(|(c, _)| *c == label) {
            Some((_, sum)) => *sum = sum.saturating_add(line.fund.amount.units()),
            None => sums.push((label, line.fund.amount.units())),
        }
    }
    let units: Vec<String> = match &user.user.unit {
        Some(_) => Vec::new(),
        None => state
            .store
            .units()
            .await?
            .into_iter()
            .map(|u| u.name)
            .collect(),
    };
    let chosen = query.status.as_str();
    let rendered = FundsPage {
        layout: Layout::of(&user),
        total: lines.len(),
        rows: lines
            .iter()
            .skip((page - 1) * PAGE)
            .take(PAGE)
            .map(row)
            .collect(),
        sums: sums
            .into_iter()
            .map(|(c, units)| {
                (
                    c,
                    format_wan(domain::Money::from_units("金额", units).unwrap_or_default()),
                )
            })
            .collect(),
        statuses: vec![
            (
                "unverified",
                "未核实",
                chosen != "verified" && chosen != "all",
            ),
            ("verified", "已核实", chosen == "verified"),
            ("all", "全部", chosen == "all"),
        ],
        units: choices(
            std::iter::once("").chain(units.iter().map(String::as_str)),
            query.unit.trim(),
        ),
        year: query.year.trim().to_owned(),
        can_verify: user.actor().verifies_funds(),
        page,
        pages,
        filters: query.filters(),
        done: query.done,
        status_label: query.status_label(),
    };
    Ok(Html(render(&rendered)?))
}

/// GET /funds/export?…&format=xlsx|csv: every fund the filters select (not only a page).
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<FundsQuery>,
) -> Result<Response, WebError> {
    let lines = selected(&state, &user, &query).await?;
    let mut listing = exchange::Listing::new(
        "到位资金核实",
        &[
            "项目编号",
            "项目名称",
            "所在县区",
            "到位日期",
            "金额(万元)",
            "币种",
            "来源",
            "核实",
            "核实人",
            "核实日期",
        ],
    );
    listing.note(format!("状态：{}", query.status_label()));
    if !query.unit.trim().is_empty() {
        listing.note(format!("单位：{}", query.unit.trim()));
    }
    if let Some(y) = query.year()? {
        listing.note(format!("年度：{y}"));
    }
    for line in lines {
        listing.push(vec![
            line.fund.project_code.clone().into(),
            line.project_name.clone().into(),
            line.territory.clone().into(),
            line.fund.date.into(),
            line.fund.amount.into(),
            line.fund.currency.label().into(),
            line.fund.source.clone().into(),
            if line.fund.verified {
                "已核实"
            } else {
                "未核实"
            }
            .into(),
            line.fund.verifier.clone().into(),
            day_of(line.verified_at).into(),
        ]);
    }
    listing_download(&user, listing, file_format(&query.format))
}

/// POST /funds/verify: `csrf`, the filters to return to, and an `id` per fund checked. Every
/// fund is checked to be in the viewer's scope and unverified before any is verified; one
/// transaction verifies them all.
pub async fn verify(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    user.check_csrf(get("csrf"))?;
    let actor = user.actor();
    if !actor.verifies_funds() {
        return Err(WebError::Forbidden);
    }
    let mut ids = Vec::new();
    for (_, value) in pairs.iter().filter(|(k, _)| k == "id") {
        let id: i64 = value
            .trim()
            .parse()
            .map_err(|_| WebError::BadRequest(format!("“{value}”不是到位资金记录的编号")))?;
        ids.push(id);
    }
    if ids.is_empty() {
        return Err(WebError::Invalid(vec![domain::FieldError::new(
            "核实",
            "请先勾选要核实的到位资金",
        )]));
    }
    if ids.len() > BATCH {
        return Err(WebError::BadRequest(format!(
            "一次最多核实{BATCH}笔，请分批核实"
        )));
    }
    // Only funds this account sees, still unverified.
    let open: std::collections::HashSet<i64> = state
        .store
        .fund_queue(&scoped_filter(&actor)?, Some(false), None)
        .await?
        .into_iter()
        .map(|l| l.id)
        .collect();
    if let Some(id) = ids.iter().find(|id| !open.contains(id)) {
        return Err(WebError::Conflict(format!(
            "到位资金记录{id}不存在或已核实，请刷新页面后重新勾选"
        )));
    }
    let mut tx = crate::kit::begin(&state.store, &actor).await?;
    for id in &ids {
        tx.verify_fund(*id).await?;
    }
    tx.commit().await?;
    let back = FundsQuery {
        status: get("status").to_owned(),
        unit: get("unit").to_owned(),
        year: get("year").to_owned(),
        ..FundsQuery::default()
    };
    Ok(Redirect::to(&format!("/funds?{}&done={}", back.filters(), ids.len())).into_response())
}
