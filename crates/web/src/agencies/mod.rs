//! 委托招商机构 in the browser (issue 23.4): the agencies with their results and what is owed
//! them; an agency's page with each contract's rule, scope, term (warned ahead of its end), the
//! projects attributed to it with each fee worked out from the rule and the records, and the
//! fees paid. The bureau keeps them; leaders and the auditor read.

mod forms;

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use chrono::NaiveDate;
use domain::Money;
use domain::agencies::{Agency, ContractFees, FeeBasis, FeeTrigger, fees};
use domain::money::format_wan;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::render::render;
use crate::kit::request::{Path, Query};
use crate::kit::scope::allow;
use crate::kit::view::Layout;

fn saved_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "agency" => "已保存机构。",
        "contract" => "已保存合同。",
        "attributed" => "已将项目归属该合同，应付费用已按合同规则重新计算。",
        "paid" => "已登记支付。",
        _ => return None,
    })
}

fn wan(m: Money) -> String {
    format_wan(m)
}

/// The day fees are reckoned on and expiry judged by: `as_of` when given, else the day the
/// records are followed up on (today, or the demo's day).
pub(crate) async fn reckoning_day(state: &AppState, as_of: &str) -> Result<NaiveDate, WebError> {
    match as_of.trim() {
        "" => Ok(state.store.follow_up_date().await?),
        text => domain::period::parse_date("计算日期", text)
            .map_err(|e| WebError::BadRequest(e.to_string())),
    }
}

/// One contract's projects and fees on `day`, with what was paid under it.
pub struct ContractView {
    pub number: String,
    pub rule: String,
    pub term: String,
    pub scope: String,
    pub expiry: String,
    pub warns: bool,
    pub lines: Vec<FeeLine>,
    pub due: String,
    pub paid: String,
    pub outstanding: String,
    /// Paid beyond what is due, 万元; empty when not.
    pub overpaid: String,
    pub capped: bool,
    pub sum: String,
    pub payments: Vec<PaymentLine>,
    pub signed_projects: usize,
    pub signed_amount: Money,
    /// What is due and paid in 元, for the agency's totals.
    pub due_units: i64,
    pub paid_units: i64,
}

pub struct FeeLine {
    pub code: String,
    pub name: String,
    pub territory: String,
    pub source_mode: String,
    pub working: String,
    pub due: String,
    pub paid: String,
}

pub struct PaymentLine {
    pub paid_on: String,
    pub project: String,
    pub amount: String,
    pub note: String,
}

fn contract_view(record: &store::ContractRecord, day: NaiveDate) -> ContractView {
    let c = &record.contract;
    let inputs: Vec<_> = record.projects.iter().map(|p| p.inputs.clone()).collect();
    let ContractFees {
        projects,
        sum,
        due,
        capped,
    } = fees(c, &inputs, day);
    // What was paid by the day reckoned on: a later payment is not yet made on that day.
    let paid_for = |code: Option<&str>| {
        record
            .payments
            .iter()
            .filter(|p| p.paid_on <= day)
            .filter(|p| code.is_none() || p.project.as_deref() == code)
            .fold(0i64, |t, p| t.saturating_add(p.amount.units()))
    };
    let paid = paid_for(None);
    let expiry = c.expiry(day);
    let signed: Vec<_> = record
        .projects
        .iter()
        .filter_map(|p| p.inputs.signed.filter(|(d, _)| *d <= day))
        .collect();
    let money = |n: i64| Money::from_units("金额", n).unwrap_or(Money::ZERO);
    ContractView {
        number: c.number.clone(),
        rule: c.rule.describe(),
        term: format!("{} 至 {}", c.starts_on, c.ends_on),
        scope: match (c.units.is_empty(), c.chains.is_empty()) {
            (true, true) => "全市、各产业链".to_owned(),
            _ => format!(
                "{}；{}",
                if c.units.is_empty() {
                    "全市".to_owned()
                } else {
                    c.units.join("、")
                },
                if c.chains.is_empty() {
                    "各产业链".to_owned()
                } else {
                    c.chains.join("、")
                }
            ),
        },
        expiry: expiry.label(),
        warns: expiry.warns(),
        lines: projects
            .iter()
            .zip(&record.projects)
            .map(|(fee, p)| FeeLine {
                code: fee.code.clone(),
                name: fee.name.clone(),
                territory: p.territory.clone(),
                source_mode: p.source_mode.clone().unwrap_or_else(|| "未填".into()),
                working: fee.working.clone(),
                due: wan(fee.due),
                paid: wan(money(paid_for(Some(&fee.code)))),
            })
            .collect(),
        due: wan(due),
        paid: wan(money(paid)),
        outstanding: wan(money(due.units().saturating_sub(paid).max(0))),
        overpaid: if paid > due.units() {
            wan(money(paid.saturating_sub(due.units())))
        } else {
            String::new()
        },
        capped,
        sum: wan(sum),
        payments: record
            .payments
            .iter()
            .map(|p| PaymentLine {
                paid_on: p.paid_on.to_string(),
                project: p.project.clone().unwrap_or_default(),
                amount: wan(p.amount),
                note: p.note.clone().unwrap_or_default(),
            })
            .collect(),
        due_units: due.units(),
        paid_units: paid,
        signed_projects: signed.len(),
        signed_amount: money(
            signed
                .iter()
                .fold(0i64, |t, (_, m)| t.saturating_add(m.units())),
        ),
    }
}

/// An agency's line in the list: its results and what is owed, over all its contracts.
pub struct AgencyRow {
    pub id: i64,
    pub name: String,
    pub contracts: usize,
    pub projects: usize,
    pub signed_projects: usize,
    pub signed_amount: String,
    pub due: String,
    pub paid: String,
    pub outstanding: String,
    /// Contracts ending soon or ended: 合同编号 and state.
    pub warnings: Vec<String>,
}

fn agency_row(record: &store::AgencyRecord, views: &[ContractView]) -> AgencyRow {
    let sum = |f: fn(&ContractView) -> i64| views.iter().fold(0i64, |t, v| t.saturating_add(f(v)));
    let money = |n: i64| wan(Money::from_units("金额", n.max(0)).unwrap_or(Money::ZERO));
    let due = sum(|v| v.due_units);
    let paid = sum(|v| v.paid_units);
    // Each contract's own balance: one paid beyond its due does not settle another's.
    let owed = sum(|v| v.due_units.saturating_sub(v.paid_units).max(0));
    AgencyRow {
        id: record.id,
        name: record.agency.name.clone(),
        contracts: views.len(),
        projects: views.iter().map(|v| v.lines.len()).sum(),
        signed_projects: views.iter().map(|v| v.signed_projects).sum(),
        signed_amount: money(sum(|v| v.signed_amount.units())),
        due: money(due),
        paid: money(paid),
        outstanding: money(owed),
        warnings: views
            .iter()
            .filter(|v| v.warns)
            .map(|v| format!("{} {}", v.number, v.expiry))
            .collect(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    as_of: String,
    /// What was just saved, for the message after a redirect.
    saved: String,
    /// For the export: xlsx or csv.
    format: String,
}

#[derive(Template)]
#[template(path = "agencies.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<AgencyRow>,
    as_of: String,
    editable: bool,
    error: Option<String>,
    saved: Option<&'static str>,
    agency_names: Vec<String>,
    bases: Vec<&'static str>,
    triggers: Vec<&'static str>,
    warn_days: i64,
}

async fn rows(
    state: &AppState,
    user: &CurrentUser,
    day: NaiveDate,
) -> Result<Vec<(store::AgencyRecord, Vec<ContractView>)>, WebError> {
    allow(user.actor().reads_agencies())?;
    Ok(state
        .store
        .agencies(None)
        .await?
        .into_iter()
        .map(|a| {
            let views = a.contracts.iter().map(|c| contract_view(c, day)).collect();
            (a, views)
        })
        .collect())
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    as_of: &str,
    error: Option<String>,
) -> Result<ListPage, WebError> {
    let day = reckoning_day(state, as_of).await?;
    let agencies = rows(state, user, day).await?;
    Ok(ListPage {
        layout: Layout::of(user),
        agency_names: agencies
            .iter()
            .map(|(a, _)| a.agency.name.clone())
            .collect(),
        rows: agencies.iter().map(|(a, v)| agency_row(a, v)).collect(),
        as_of: day.to_string(),
        editable: user.actor().manages_city_data(),
        error,
        saved: None,
        bases: FeeBasis::ALL.iter().map(|b| b.label()).collect(),
        triggers: FeeTrigger::ALL.iter().map(|t| t.label()).collect(),
        warn_days: domain::agencies::Contract::WARN_DAYS,
    })
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let mut page = list_page(&state, &user, &query.as_of, None).await?;
    page.saved = saved_message(&query.saved);
    Ok(Html(render(&page)?))
}

/// `/agencies/export`: every contract's projects and fees on the day, one row a project.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let day = reckoning_day(&state, &query.as_of).await?;
    let mut listing = exchange::Listing::new(
        "委托招商费用",
        &[
            "机构名称",
            "合同编号",
            "计费规则",
            "合同期",
            "项目编号",
            "项目名称",
            "所在县区",
            "招商方式",
            "计算过程",
            "应付(万元)",
            "已付(万元)",
        ],
    );
    listing.note(format!("计算日期 {day}；金额单位：万元"));
    for (agency, views) in rows(&state, &user, day).await? {
        for v in views {
            for line in v.lines {
                listing.push(vec![
                    agency.agency.name.clone().into(),
                    v.number.clone().into(),
                    v.rule.clone().into(),
                    v.term.clone().into(),
                    line.code.into(),
                    line.name.into(),
                    line.territory.into(),
                    line.source_mode.into(),
                    line.working.into(),
                    line.due.into(),
                    line.paid.into(),
                ]);
            }
        }
    }
    crate::kit::render::listing_download(
        &user,
        listing,
        crate::kit::render::file_format(&query.format),
    )
}

#[derive(Template)]
#[template(path = "agency.html")]
pub(super) struct AgencyPage {
    layout: Layout,
    id: i64,
    agency: Agency,
    row: AgencyRow,
    pub(super) contracts: Vec<ContractView>,
    as_of: String,
    editable: bool,
    error: Option<String>,
    saved: Option<&'static str>,
}

async fn agency_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    as_of: &str,
    error: Option<String>,
) -> Result<AgencyPage, WebError> {
    allow(user.actor().reads_agencies())?;
    let day = reckoning_day(state, as_of).await?;
    let record = state
        .store
        .agencies(Some(id))
        .await?
        .pop()
        .ok_or_else(|| WebError::NotFound("委托招商机构不存在".into()))?;
    let contracts: Vec<ContractView> = record
        .contracts
        .iter()
        .map(|c| contract_view(c, day))
        .collect();
    Ok(AgencyPage {
        layout: Layout::of(user),
        id,
        row: agency_row(&record, &contracts),
        agency: record.agency,
        contracts,
        as_of: day.to_string(),
        editable: user.actor().manages_city_data(),
        error,
        saved: None,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let mut page = agency_page(&state, &user, id, &query.as_of, None).await?;
    page.saved = saved_message(&query.saved);
    Ok(Html(render(&page)?))
}

crate::kit::routes! { routes, ROUTES;
        "/agencies" => get(list).post(forms::save_agency);
        "/agencies/export" => get(export);
        "/agencies/contracts" => post(forms::save_contract);
        "/agencies/{id}" => get(show);
        "/agencies/{id}/attribute" => post(forms::attribute);
        "/agencies/{id}/payments" => post(forms::pay);
}
