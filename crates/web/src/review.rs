//! 填报审核: what waits for each level of the reporting cycle, the approve / return /
//! resubmit steps, and the city's monthly window.

use crate::kit::form::Form;
use crate::kit::request::Path;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::FieldError;
use domain::review::{Reported, parse_month};
use serde::Deserialize;
use store::{ReportKind, ReportedRecord, ReviewFilter, ReviewStep};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::render::render;
use crate::kit::view::Layout;

pub struct ReviewRow {
    pub record: ReportedRecord,
    pub can_review: bool,
    pub can_resubmit: bool,
    /// What the record says in full, field by field, for the reviewer to read before deciding.
    pub detail: Vec<(&'static str, String)>,
}

impl ReviewRow {
    pub fn path(&self) -> String {
        format!("/review/{}/{}", self.record.kind.code(), self.record.id)
    }
}

pub(crate) fn reported(record: &ReportedRecord) -> Reported<'_> {
    Reported {
        state: record.state,
        unit: &record.unit,
        entered_by: &record.entered_by,
    }
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    layout: Layout,
    heading: &'static str,
    rows: Vec<ReviewRow>,
    closed: Vec<String>,
    manages_window: bool,
    errors: Vec<FieldError>,
    /// How many records a batch just handled, said on the page it returns to.
    done: Option<usize>,
    /// Some row is this account's to review: the batch form is offered.
    can_batch: bool,
    /// Projects placed in a unit by someone else, waiting for it to confirm (with whether this
    /// account may confirm each): a unit's accounts their unit's, city-wide readers all.
    placements: Vec<(store::PendingPlacement, bool)>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    errors: Vec<FieldError>,
) -> Result<ReviewPage, WebError> {
    let actor = user.actor();
    let queue = actor.review_queue().ok_or(WebError::Forbidden)?;
    let heading = queue.heading;
    let filter = ReviewFilter {
        states: queue.states,
        unit: queue.unit,
    };
    let mut rows = Vec::new();
    for record in state.store.review_queue(&filter).await? {
        rows.push(ReviewRow {
            can_review: actor.reviews(&reported(&record)),
            can_resubmit: actor.resubmits(&reported(&record)),
            detail: detail(state, &record).await?,
            record,
        });
    }
    let can_batch = rows.iter().any(|r| r.can_review);
    Ok(ReviewPage {
        layout: Layout::of(user),
        heading,
        rows,
        closed: state.store.closed_months().await?,
        manages_window: actor.manages_city_data(),
        errors,
        done: None,
        can_batch,
        placements: placements(state, &actor).await?,
    })
}

/// `/review/export?format=xlsx|csv`: the queue the page lists.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::kit::request::Query(query): crate::kit::request::Query<crate::kit::render::FormatQuery>,
) -> Result<Response, WebError> {
    let page = page(&state, &user, Vec::new()).await?;
    let mut listing = exchange::Listing::new(
        "填报审核",
        &[
            "类型",
            "日期",
            "项目编号",
            "内容",
            "报送单位",
            "录入人",
            "状态",
            "退回理由",
        ],
    );
    listing.note(page.heading);
    for r in page.rows {
        let r = r.record;
        listing.push(vec![
            r.kind.label().into(),
            r.date.into(),
            r.project_code.into(),
            r.summary.into(),
            r.unit.into(),
            r.entered_by.into(),
            r.state.label().into(),
            r.note.into(),
        ]);
    }
    crate::kit::render::listing_download(&user, listing, query.file_format())
}

/// A reported record's content in full: a visit's firm, people, mode, place, content and
/// outcome; a fund's amount, currency, source and 凭证; an event's own summary (its project's
/// page holds the rest).
async fn detail(
    state: &AppState,
    record: &ReportedRecord,
) -> Result<Vec<(&'static str, String)>, WebError> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok(match record.kind {
        ReportKind::Visit => match state.store.visits_by_id(&[record.id]).await?.pop() {
            Some(v) => vec![
                ("单位", v.unit.clone().unwrap_or_else(|| "市本级".into())),
                ("企业", text(&v.enterprise)),
                ("带队领导", text(&v.leaders)),
                ("方式", text(&v.mode)),
                ("地点", text(&v.place)),
                ("内容", text(&v.content)),
                ("成果", text(&v.outcome)),
            ],
            None => Vec::new(),
        },
        ReportKind::Fund => match state.store.funds_by_id(&[record.id]).await?.pop() {
            Some((_, f)) => vec![
                ("金额（万元）", domain::money::format_wan(f.amount)),
                ("币种", f.currency.label().to_owned()),
                ("来源", text(&f.source)),
                ("凭证", text(&f.evidence)),
            ],
            None => Vec::new(),
        },
        ReportKind::Event => Vec::new(),
    }
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BatchForm {
    csrf: String,
    step: String,
    reason: String,
}

/// POST /review/batch: `step` (`approve` or `return`), one `reason` for a return, and an
/// `item` (`visit:12`) per record ticked. Every record is checked to be this account's to
/// review before any is changed; one transaction changes them all.
pub async fn batch(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = BatchForm {
        csrf: field(&pairs, "csrf"),
        step: field(&pairs, "step"),
        reason: field(&pairs, "reason"),
    };
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    let items: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "item")
        .map(|(_, v)| v.as_str())
        .collect();
    let refuse =
        |message: &str| WebError::Invalid(vec![FieldError::new("批量审核", message.to_owned())]);
    if items.is_empty() {
        let page = page(
            &state,
            &user,
            vec![FieldError::new("批量审核", "请先勾选要审核的记录")],
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response());
    }
    if items.len() > 500 {
        return Err(refuse("一次最多审核500条，请分批办理"));
    }
    let missing =
        || WebError::NotFound("有记录不存在或不在您的权限范围内，请刷新页面后重新勾选".into());
    let mut chosen = Vec::with_capacity(items.len());
    for item in items {
        let (kind, id) = item.split_once(':').ok_or_else(missing)?;
        let kind = ReportKind::from_code(kind).ok_or_else(missing)?;
        let id: i64 = id.parse().map_err(|_| missing())?;
        let record = state.store.reported(kind, id).await?.ok_or_else(missing)?;
        if !actor.sees_report(&reported(&record)) {
            return Err(missing());
        }
        if !actor.reviews(&reported(&record)) {
            return Err(WebError::Conflict(format!(
                "{}（{}）已不在待您审核之列，请刷新页面后重新勾选",
                record.kind.label(),
                record.summary
            )));
        }
        chosen.push((kind, id));
    }
    let step = match form.step.as_str() {
        "approve" => ReviewStep::Approve,
        "return" => ReviewStep::Return(form.reason.clone()),
        _ => return Err(WebError::BadRequest("请选择批量通过或批量退回".into())),
    };
    let outcome = {
        let mut tx = crate::kit::begin(&state.store, &actor).await?;
        let mut result = Ok(());
        for (kind, id) in &chosen {
            if let Err(e) = tx.review(*kind, *id, &step).await {
                result = Err(WebError::from(e));
                break;
            }
        }
        match result {
            Ok(()) => tx.commit().await.map_err(WebError::from),
            Err(e) => {
                tx.rollback().await?;
                Err(e)
            }
        }
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/review?done={}", chosen.len())).into_response()),
        Err(WebError::Invalid(errors)) => {
            let page = page(&state, &user, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
        Err(other) => Err(other),
    }
}

fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

async fn placements(
    state: &AppState,
    actor: &domain::access::Actor,
) -> Result<Vec<(store::PendingPlacement, bool)>, WebError> {
    let pending = state
        .store
        .pending_placements(actor.unit.as_deref())
        .await?;
    let mut out = Vec::with_capacity(pending.len());
    for p in pending {
        let kind = state.store.unit_kind(&p.unit).await?;
        let confirms = kind.is_some_and(|k| actor.confirms_placement(&p.unit, k));
        out.push((p, confirms));
    }
    Ok(out)
}

/// POST /placements/{code}/confirm: the account's unit confirms a project placed in it by
/// someone else, which then counts in its figures.
pub async fn confirm_placement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<StepForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    let missing = || WebError::NotFound("没有待本单位确认的该项目归属".into());
    let unit = actor.unit.clone().ok_or_else(missing)?;
    let kind = state.store.unit_kind(&unit).await?.ok_or_else(missing)?;
    if !state.store.placements_of(&code).await?.contains(&unit) {
        return Err(missing());
    }
    if !actor.confirms_placement(&unit, kind) {
        return Err(WebError::Forbidden);
    }
    let mut tx = state.store.begin(&actor.username).await?;
    tx.confirm_placement(&code, &unit).await?;
    tx.commit().await?;
    Ok(Redirect::to("/review").into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    done: Option<usize>,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    crate::kit::request::Query(query): crate::kit::request::Query<ShowQuery>,
) -> Result<Html<String>, WebError> {
    let mut page = page(&state, &user, Vec::new()).await?;
    page.done = query.done;
    Ok(Html(render(&page)?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// Approve, return or resubmit one record: `step` is `approve`, `return` or `resubmit`.
pub async fn step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((kind, id, step)): Path<(String, i64, String)>,
    Form(form): Form<StepForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    let missing = || WebError::NotFound("该记录不存在或不在您的权限范围内".into());
    let kind = ReportKind::from_code(&kind).ok_or_else(missing)?;
    let record = state.store.reported(kind, id).await?.ok_or_else(missing)?;
    if !actor.sees_report(&reported(&record)) {
        return Err(missing());
    }
    let step = match step.as_str() {
        "approve" if actor.reviews(&reported(&record)) => ReviewStep::Approve,
        "return" if actor.reviews(&reported(&record)) => ReviewStep::Return(form.reason),
        "resubmit" if actor.resubmits(&reported(&record)) => ReviewStep::Resubmit,
        "approve" | "return" | "resubmit" => return Err(WebError::Forbidden),
        _ => return Err(missing()),
    };
    let outcome = {
        let mut tx = crate::kit::begin(&state.store, &actor).await?;
        match tx.review(kind, id, &step).await {
            Ok(()) => tx.commit().await.map_err(WebError::from),
            Err(e) => Err(e.into()),
        }
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/review").into_response()),
        Err(WebError::Invalid(errors)) => {
            let page = page(&state, &user, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WindowForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    month: String,
}

/// Closes (`close`) or reopens (`reopen`) a month: the bureau's.
pub async fn window(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(action): Path<String>,
    Form(form): Form<WindowForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    if !actor.manages_city_data() {
        return Err(WebError::Forbidden);
    }
    let month = match parse_month("月份", &form.month) {
        Ok(month) => month,
        Err(e) => {
            let page = page(&state, &user, vec![e]).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response());
        }
    };
    let mut tx = crate::kit::begin(&state.store, &actor).await?;
    match action.as_str() {
        "close" => tx.close_month(&month).await?,
        "reopen" => tx.reopen_month(&month).await?,
        _ => return Err(WebError::NotFound("没有这个操作".into())),
    }
    tx.commit().await?;
    Ok(Redirect::to("/review").into_response())
}

crate::kit::routes! { routes, ROUTES;
        "/review" => get(show);
        "/review/export" => get(export);
        "/review/batch" => post(batch);
        "/review/window/{action}" => post(window);
        "/review/{kind}/{id}/{step}" => post(step);
        "/placements/{code}/confirm" => post(confirm_placement);
}
