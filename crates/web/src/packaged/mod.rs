//! The 谋划包装项目库 in the browser (issue 23.1): the library by chain, unit, status and
//! maturity; a packaged project's page with its maturity and what is missing; its form; its
//! status moved by hand; signing it into a project; its printable 项目推介书. Unit staff work on
//! their own unit's, the bureau on all; leaders and the auditor read.

mod form;

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::packaged::{Maturity, PackagedProject, PackagedStatus};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::form::Form;
use crate::kit::render::{encode, render};
use crate::kit::request::{Path, Query};
use crate::kit::scope::allow;
use crate::kit::view::Layout;

pub struct Row {
    pub code: String,
    pub name: String,
    pub chain: String,
    pub unit: String,
    pub status: &'static str,
    pub score: u32,
    pub level: &'static str,
    pub estimate: String,
    pub project: String,
}

#[derive(Template)]
#[template(path = "packaged_list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    units: Vec<String>,
    chains: Vec<String>,
    statuses: Vec<&'static str>,
    unit: String,
    chain: String,
    status: String,
    /// Lowest maturity shown.
    min_score: u32,
    can_create: bool,
    signed: store::PackagedSigned,
    signed_wan: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    unit: String,
    chain: String,
    status: String,
    min_score: u32,
}

fn wan(m: Option<domain::Money>) -> String {
    m.map(|m| format!("{}万元", domain::money::format_wan(m)))
        .unwrap_or_default()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExportQuery {
    unit: String,
    chain: String,
    status: String,
    min_score: u32,
    /// xlsx or csv.
    format: String,
}

/// The packaged projects the reader may see that the filters let through, with their maturity.
async fn filtered(
    state: &AppState,
    user: &CurrentUser,
    unit: &str,
    chain: &str,
    status: &str,
    min_score: u32,
) -> Result<Vec<(store::PackagedRecord, Maturity)>, WebError> {
    let actor = user.actor();
    allow(actor.reads_projects())?;
    let status = match status {
        "" => None,
        label => Some(PackagedStatus::parse("状态", label)?),
    };
    let filter = store::PackagedFilter {
        unit: actor.unit.clone().or_else(|| domain::text::optional(unit)),
        chain: domain::text::optional(chain),
        status,
    };
    Ok(state
        .store
        .packaged_projects(&filter)
        .await?
        .into_iter()
        .filter(|r| actor.sees_packaged(&r.packaged.unit))
        .map(|r| {
            let m = r.packaged.maturity();
            (r, m)
        })
        .filter(|(_, m)| m.score() >= min_score)
        .collect())
}

/// GET /packaged: the library, filtered; a unit's staff see their unit's.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let actor = user.actor();
    let rows = filtered(
        &state,
        &user,
        &query.unit,
        &query.chain,
        &query.status,
        query.min_score,
    )
    .await?
    .into_iter()
    .map(|(r, m)| Row {
        score: m.score(),
        level: m.level(),
        estimate: wan(r.packaged.estimate),
        status: r.packaged.status.label(),
        chain: r.packaged.chain.clone().unwrap_or_default(),
        project: r.project.unwrap_or_default(),
        code: r.packaged.code,
        name: r.packaged.name,
        unit: r.packaged.unit,
    })
    .collect();
    let signed = state.store.packaged_signed(actor.unit.as_deref()).await?;
    let page = ListPage {
        layout: Layout::of(&user),
        rows,
        units: state
            .store
            .units()
            .await?
            .into_iter()
            .map(|u| u.name)
            .collect(),
        chains: state
            .store
            .chains()
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect(),
        statuses: PackagedStatus::ALL.iter().map(|s| s.label()).collect(),
        unit: query.unit,
        chain: query.chain,
        status: query.status,
        min_score: query.min_score.min(100),
        can_create: actor.creates_projects(),
        signed_wan: wan(domain::Money::from_units("签约额", signed.signed_amount).ok()),
        signed,
    };
    Ok(Html(render(&page)?))
}

/// GET /packaged/export?format=xlsx|csv: the list as filtered, with each project's fields.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ExportQuery>,
) -> Result<Response, WebError> {
    let records = filtered(
        &state,
        &user,
        &query.unit,
        &query.chain,
        &query.status,
        query.min_score,
    )
    .await?;
    let mut listing = exchange::Listing::new(
        "谋划包装项目库".to_owned(),
        &[
            "项目库编号",
            "项目名称",
            "产业链",
            "环节",
            "责任单位",
            "链长",
            "建设内容",
            "建设规模",
            "建设年限",
            "投资概算(万元)",
            "选址",
            "用地面积(亩)",
            "成熟度",
            "成熟度等级",
            "状态",
            "签约项目",
        ],
    );
    for (r, m) in records {
        let p = r.packaged;
        let site = [p.park.clone(), p.parcel.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        listing.push(vec![
            p.code.into(),
            p.name.into(),
            p.chain.into(),
            p.segment.into(),
            p.unit.into(),
            p.chain_leader.into(),
            p.content.into(),
            p.scale.into(),
            p.years
                .map(i64::from)
                .map_or(exchange::Value::Empty, Into::into),
            p.estimate.into(),
            site.into(),
            p.area.map(|a| a.to_string()).into(),
            i64::from(m.score()).into(),
            m.level().into(),
            p.status.label().into(),
            r.project.into(),
        ]);
    }
    crate::kit::render::listing_download(
        &user,
        listing,
        crate::kit::render::file_format(&query.format),
    )
}

/// The packaged project `code` if the reader may see it; 404 alike when it does not exist.
pub(crate) async fn visible(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
) -> Result<store::PackagedRecord, WebError> {
    let actor = user.actor();
    allow(actor.reads_projects())?;
    state
        .store
        .packaged(code)
        .await?
        .filter(|r| actor.sees_packaged(&r.packaged.unit))
        .ok_or_else(|| WebError::NotFound(format!("项目库中没有“{code}”，或不在您的权限范围内")))
}

/// The packaged project `code` if the reader may change it (403 if only read).
pub(crate) async fn editable(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
) -> Result<store::PackagedRecord, WebError> {
    let record = visible(state, user, code).await?;
    if user.actor().edits_packaged(&record.packaged.unit) {
        Ok(record)
    } else {
        Err(WebError::Forbidden)
    }
}

#[derive(Template)]
#[template(path = "packaged.html")]
struct DetailPage {
    layout: Layout,
    p: PackagedProject,
    maturity: Maturity,
    project: Option<String>,
    path: String,
    editable: bool,
    statuses: Vec<(&'static str, bool)>,
    saved: Option<&'static str>,
    error: Option<String>,
    /// The 要素表's factors: (要素编号, 类别 and name, chosen for the 推介书).
    factors: Vec<(String, String, bool)>,
}

impl DetailPage {
    fn estimate(&self) -> String {
        wan(self.p.estimate)
    }

    fn amount(&self, m: &domain::Money) -> String {
        domain::money::format_wan(*m)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetailQuery {
    saved: String,
}

fn saved_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "saved" => "已保存。",
        "status" => "已更新状态。",
        "signed" => "已签约：已生成正式项目，并保留与项目库的关联。",
        "factors" => "已保存推介书引用的要素。",
        _ => return None,
    })
}

async fn detail(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    saved: Option<&'static str>,
    error: Option<String>,
) -> Result<DetailPage, WebError> {
    let record = visible(state, user, code).await?;
    let p = record.packaged;
    let chosen = state.store.packaged_factors(&p.code).await?;
    let factors = state
        .store
        .factors()
        .await?
        .into_iter()
        .map(|r| {
            let label = format!("{}·{}", r.factor.category.label(), r.factor.item);
            let on = chosen.contains(&r.factor.code);
            (r.factor.code, label, on)
        })
        .collect();
    Ok(DetailPage {
        factors,
        layout: Layout::of(user),
        maturity: p.maturity(),
        path: format!("/packaged/{}", encode(&p.code)),
        editable: user.actor().edits_packaged(&p.unit) && p.status != PackagedStatus::Signed,
        statuses: PackagedStatus::ALL[..4]
            .iter()
            .map(|s| (s.label(), *s == p.status))
            .collect(),
        project: record.project,
        p,
        saved,
        error,
    })
}

/// GET /packaged/{code}
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(query): Query<DetailQuery>,
) -> Result<Html<String>, WebError> {
    let page = detail(&state, &user, &code, saved_message(&query.saved), None).await?;
    Ok(Html(render(&page)?))
}

/// A refusal shown on the packaged project's page (422).
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    message: String,
) -> Result<Response, WebError> {
    let page = detail(state, user, code, None, Some(message)).await?;
    Ok((
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        Html(render(&page)?),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    csrf: String,
    status: String,
}

/// POST /packaged/{code}/status: moved by hand among the statuses before signing.
pub async fn set_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let record = editable(&state, &user, &code).await?;
    let mut p = record.packaged;
    p.status = match PackagedStatus::parse("状态", &form.status) {
        Ok(s) => s,
        Err(e) => return refused(&state, &user, &code, e.to_string()).await,
    };
    write(&state, &user, &code, "status", async |tx| {
        tx.upsert_packaged(&p).await.map(|_| ())
    })
    .await
}

/// Writes through `apply` in one transaction: back to the page with `saved`'s message, or the
/// page with the refusal (422).
async fn write(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    saved: &str,
    apply: impl AsyncFnOnce(&mut store::Tx) -> Result<(), store::StoreError>,
) -> Result<Response, WebError> {
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    match apply(&mut tx).await {
        Ok(()) => {
            tx.commit().await?;
            let to = format!("/packaged/{}?saved={saved}", encode(code));
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let message = crate::kit::error::refusal(e)?;
            tx.rollback().await?;
            refused(state, user, code, message).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignForm {
    csrf: String,
    project_code: String,
    project_name: String,
    investor: String,
    investor_code: String,
    date: String,
    /// 万元; empty: the project starts in 在谈.
    amount: String,
}

/// POST /packaged/{code}/sign: the packaged project becomes a project (在谈, or 签约 with the
/// amount), in its owning unit, keeping the link.
pub async fn sign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<SignForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let record = editable(&state, &user, &code).await?;
    let p = record.packaged;
    let mut errors = Vec::new();
    let name = domain::text::optional(&form.project_name).unwrap_or_else(|| p.name.clone());
    let project = domain::records::ProjectInput {
        code: &form.project_code,
        name: &name,
        territory: &p.unit,
        investor: &form.investor,
        investor_code: &form.investor_code,
        chain: p.chain.as_deref().unwrap_or_default(),
        ..Default::default()
    }
    .parse()
    .map_err(|e| errors.extend(e))
    .ok();
    let date = domain::error::keep(&mut errors, domain::period::parse_date("日期", &form.date));
    let amount = domain::error::keep(
        &mut errors,
        domain::text::optional(&form.amount)
            .map(|a| domain::Money::parse_wan("签约额", &a))
            .transpose(),
    );
    let (Some(project), Some(date), Some(amount), true) =
        (project, date, amount, errors.is_empty())
    else {
        let message = errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("；");
        return refused(&state, &user, &code, message).await;
    };
    write(&state, &user, &code, "signed", async |tx| {
        tx.sign_packaged(&code, &project, date, amount).await
    })
    .await
}

#[derive(Template)]
#[template(path = "packaged_print.html")]
struct PrintPage {
    p: PackagedProject,
    maturity: Maturity,
    estimate: String,
    office: String,
    printed: String,
    /// The 要素表's values on the printing day of the factors chosen for this project.
    factors: Vec<crate::factors::FactorRow>,
}

impl PrintPage {
    fn amount(&self, m: &domain::Money) -> String {
        domain::money::format_wan(*m)
    }
}

/// GET /packaged/{code}/print: the one-page 项目推介书.
pub async fn print(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Html<String>, WebError> {
    let record = visible(&state, &user, &code).await?;
    let p = record.packaged;
    let city = crate::kit::figures::city_name_of(&state.store).await?;
    let printed = state.store.follow_up_date().await?;
    let chosen = state.store.packaged_factors(&p.code).await?;
    let factors = state
        .store
        .factors()
        .await?
        .into_iter()
        .filter(|r| chosen.contains(&r.factor.code))
        .collect::<Vec<_>>();
    let page = PrintPage {
        // A factor without a value on the day is not quoted to an investor.
        factors: crate::factors::rows(&factors, printed)
            .into_iter()
            .filter(|r| !r.validity.is_empty())
            .collect(),
        maturity: p.maturity(),
        estimate: wan(p.estimate),
        office: crate::scoreboard::issuing_office(&state.store, &city).await?,
        printed: printed.to_string(),
        p,
    };
    Ok(Html(render(&page)?))
}

crate::kit::routes! { routes, ROUTES;
        "/packaged" => get(list);
        "/packaged/export" => get(export);
        "/packaged/new" => get(form::new_form).post(form::create);
        "/packaged/{code}" => get(show);
        "/packaged/{code}/edit" => get(form::edit_form).post(form::update);
        "/packaged/{code}/status" => post(set_status);
        "/packaged/{code}/sign" => post(sign);
        "/packaged/{code}/print" => get(print);
        "/packaged/{code}/factors" => post(form::set_factors);
}
