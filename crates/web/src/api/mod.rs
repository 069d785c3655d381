//! The JSON API under `/api/v1`: the same records, rules and permissions as the pages, errors
//! as `{"error": {"code", "message", "field"}}` with 400/401/403/404/409/422.

mod openapi;

use crate::kit::request::{Path, Query, page_number};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use domain::EventKind;
use domain::records::Project;
use domain::text::optional;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use store::{Added, ProjectFilter};

use crate::AppState;
use crate::auth::ApiUser;
use crate::kit::error::{ApiError, WebError};
use crate::kit::scope::allow;
use crate::kit::scope::{editable_project, project_for, scoped_filter};
use domain::records::{FundInput, ProjectInput, VisitInput};
use domain::stage::EventInput;

crate::kit::routes! { routes, ROUTES;
    "/projects" => get(list_projects).post(create_project);
    "/projects/{code}" => get(get_project);
    "/projects/{code}/events" => get(list_events).post(add_event);
    "/projects/{code}/funds" => get(list_funds).post(add_fund);
    "/units" => get(list_units);
    "/scoreboard" => get(get_scoreboard);
    "/visits" => get(list_visits).post(add_visit);
    "/openapi.json" => get(|| async { Json(crate::api::openapi::document()) });
}

/// The JSON keys of each request body, by the Chinese names the domain gives its fields.
const PROJECT_KEYS: &[(&str, &str)] = &[
    ("项目编号", "code"),
    ("项目名称", "name"),
    ("所在县区", "territory"),
    ("责任单位", "credited"),
    ("投资企业", "investor"),
    ("统一社会信用代码", "investor_code"),
    ("签约额", "signed_amount_wan"),
];
const EVENT_KEYS: &[(&str, &str)] = &[
    ("阶段", "kind"),
    ("日期", "date"),
    ("金额", "amount_wan"),
    ("落地企业信用代码", "company_code"),
    ("地块编号", "parcel"),
    ("说明", "note"),
];
const FUND_KEYS: &[(&str, &str)] = &[
    ("日期", "date"),
    ("金额", "amount_wan"),
    ("币种", "currency"),
    ("来源", "source"),
];
const VISIT_KEYS: &[(&str, &str)] = &[
    ("日期", "date"),
    ("单位", "unit"),
    ("企业名称", "enterprise"),
    ("统一社会信用代码", "enterprise_code"),
    ("方式", "mode"),
    ("项目编号", "project_code"),
];

/// 201 with the new record's id, or 409 when the record repeats one already held.
fn created(added: Added, duplicate: &str) -> Result<(StatusCode, Json<Value>), ApiError> {
    match added {
        Added::Added(id) => Ok((StatusCode::CREATED, Json(json!({"id": id})))),
        Added::Duplicate => Err(WebError::Conflict(duplicate.to_owned()).into()),
    }
}

/// A body that is not the JSON the route expects is a 400 naming what is wrong.
fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    payload
        .map(|Json(v)| v)
        .map_err(|e| ApiError(json_refusal(&e)))
}

/// A body that could not be read, in Chinese and naming the member where serde can: the
/// client acts on the member's key, never on serde's English or our type names.
fn json_refusal(rejection: &JsonRejection) -> WebError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            WebError::BadRequest("请求头 Content-Type 须为 application/json".into())
        }
        JsonRejection::JsonSyntaxError(_) => {
            WebError::BadRequest("请求体不是有效的 JSON，请检查括号、引号和逗号".into())
        }
        JsonRejection::JsonDataError(e) => {
            let text = e.body_text();
            let detail = text
                .split_once("target type: ")
                .map_or(text.as_str(), |(_, d)| d);
            if let Some(field) = detail
                .split_once("missing field `")
                .and_then(|(_, rest)| rest.split('`').next())
            {
                return WebError::Invalid(vec![domain::FieldError::new(field, "缺少此项")]);
            }
            match detail.split_once(": ") {
                Some((path, _))
                    if !path.contains(' ')
                        && path.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') =>
                {
                    WebError::Invalid(vec![domain::FieldError::new(
                        path.chars().take(60).collect::<String>(),
                        "类型或格式不对：金额写为文本（\"1.5\"），日期写为 \"2022-03-01\"",
                    )])
                }
                _ => WebError::BadRequest("请求体须为一个 JSON 对象".into()),
            }
        }
        _ => WebError::BadRequest("请求体无法读取".into()),
    }
}

#[derive(Serialize)]
struct ProjectJson<'a> {
    #[serde(flatten)]
    project: &'a Project,
    stage: String,
    signed_date: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    size: Option<i64>,
}

async fn list_projects(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let size = match query.size {
        None => 50,
        Some(size @ 1..=500) => size,
        Some(_) => {
            return Err(WebError::BadRequest("每页条数（size）应为1至500之间的整数".into()).into());
        }
    };
    let page = page_number(query.page)?;
    let filter = ProjectFilter {
        unit: optional(&query.unit),
        text: optional(&query.q),
        offset: (page - 1) * size,
        limit: size,
        ..scoped_filter(&user.actor())?
    };
    let (total, items) = state.store.list_projects(&filter).await?;
    Ok(Json(
        json!({"total": total, "page": page, "size": size, "items": items}),
    ))
}

async fn get_project(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let status = state
        .store
        .project_status(&code, store::today_in_china())
        .await?
        .filter(|status| user.actor().can_see(&status.record.project))
        .ok_or_else(|| WebError::not_found_project(&code))?;
    Ok(Json(json!({
        "project": ProjectJson {
            project: &status.record.project,
            stage: status.progress.label(),
            signed_date: status.progress.signed.map(|(d, _)| d.to_string()),
        },
        "next_step": {
            "next": status.next_step.next.map(EventKind::label),
            "missing": status.next_step.missing,
        },
    })))
}

#[derive(Debug, Deserialize)]
struct NewProject {
    code: String,
    name: String,
    territory: String,
    #[serde(default)]
    credited: Vec<String>,
    investor: Option<String>,
    investor_code: Option<String>,
    /// 万元, as text so that no float rounding happens on the way in.
    signed_amount_wan: Option<String>,
    #[serde(default)]
    key_project: bool,
}

async fn create_project(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    payload: Result<Json<NewProject>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let outcome: Result<_, ApiError> = async {
        let actor = user.actor();
        if !actor.creates_projects() {
            return Err(WebError::Forbidden.into());
        }
        let input = body(payload)?;
        let (investor, investor_code) = (text(&input.investor), text(&input.investor_code));
        let signed_amount = text(&input.signed_amount_wan);
        let project = ProjectInput {
            code: &input.code,
            name: &input.name,
            territory: &input.territory,
            credited: input.credited.clone(),
            investor,
            investor_code,
            signed_amount_wan: signed_amount,
            key_project: input.key_project,
            ..ProjectInput::default()
        }
        .parse()
        .map_err(WebError::Invalid)?;
        if !actor.can_edit(&project) {
            return Err(WebError::Forbidden.into());
        }
        if state.store.project(&project.code).await?.is_some() {
            return Err(WebError::Conflict(format!("项目编号“{}”已被使用", project.code)).into());
        }
        crate::projects::form::create(&state.store, &actor, &project).await?;
        Ok((StatusCode::CREATED, Json(json!({"code": project.code}))))
    }
    .await;
    outcome.map_err(|e| e.with_keys(PROJECT_KEYS))
}

async fn list_events(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    project_for(&state.store, &user.actor(), &code).await?;
    let events = state.store.events_of(&code).await?;
    Ok(Json(json!({"items": events})))
}

#[derive(Debug, Deserialize)]
struct NewEvent {
    /// The Chinese name of the stage: 签约, 开工, 停工 …
    kind: String,
    date: String,
    amount_wan: Option<String>,
    company_code: Option<String>,
    parcel: Option<String>,
    note: Option<String>,
}

async fn add_event(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(code): Path<String>,
    payload: Result<Json<NewEvent>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let outcome: Result<_, ApiError> = async {
        let actor = user.actor();
        editable_project(&state.store, &actor, &code).await?;
        let input = body(payload)?;
        let (amount_wan, company_code) = (text(&input.amount_wan), text(&input.company_code));
        let (parcel, note) = (text(&input.parcel), text(&input.note));
        let event = EventInput {
            kind: &input.kind,
            date: &input.date,
            amount_wan,
            company_code,
            parcel,
            note,
        }
        .parse()
        .map_err(WebError::Invalid)?;
        let mut tx = crate::kit::begin(&state.store, &actor).await?;
        let added = tx.add_event(&code, &event).await?;
        tx.commit().await?;
        created(added, "该事件已记录过")
    }
    .await;
    outcome.map_err(|e| e.with_keys(EVENT_KEYS))
}

async fn list_funds(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    project_for(&state.store, &user.actor(), &code).await?;
    let funds: Vec<Value> = state
        .store
        .funds_of(&code)
        .await?
        .into_iter()
        .map(|(id, fund)| json!({"id": id, "fund": fund}))
        .collect();
    Ok(Json(json!({"items": funds})))
}

#[derive(Debug, Deserialize)]
struct NewFund {
    date: String,
    /// 万 of the currency, as text.
    amount_wan: String,
    /// 人民币/美元 or CNY/USD; 人民币 when absent.
    currency: Option<String>,
    source: Option<String>,
}

async fn add_fund(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(code): Path<String>,
    payload: Result<Json<NewFund>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let outcome: Result<_, ApiError> = async {
        let actor = user.actor();
        editable_project(&state.store, &actor, &code).await?;
        let input = body(payload)?;
        let fund = FundInput {
            date: &input.date,
            amount_wan: &input.amount_wan,
            currency: input.currency.as_deref().unwrap_or_default(),
            source: input.source.as_deref().unwrap_or_default(),
        }
        .parse(&code)
        .map_err(WebError::Invalid)?;
        let mut tx = crate::kit::begin(&state.store, &actor).await?;
        let added = tx.add_fund(&fund).await?;
        tx.commit().await?;
        created(added, "该到位资金记录已存在")
    }
    .await;
    outcome.map_err(|e| e.with_keys(FUND_KEYS))
}

/// The scoreboard of a period, in the shape `zhaoshang report scoreboard` prints (SPEC §3), for
/// the dashboards that read the same figures as the pages.
async fn get_scoreboard(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    crate::kit::request::Query(query): crate::kit::request::Query<crate::kit::figures::PeriodQuery>,
) -> Result<Json<domain::figures::Scoreboard>, ApiError> {
    allow(user.actor().reads_projects())?;
    Ok(Json(
        crate::kit::figures::compute(&state, &query).await?.board,
    ))
}

/// Units are not business data of any one unit: every signed-in person may list them.
async fn list_units(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"items": state.store.units().await?})))
}

/// Visits of the actor's scope: unit staff see their unit's visits; readers see all.
async fn list_visits(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Value>, ApiError> {
    let actor = user.actor();
    if !actor.reads_projects() {
        return Err(WebError::Forbidden.into());
    }
    let visits = state.store.visits_of(actor.unit.as_deref()).await?;
    Ok(Json(json!({"items": visits})))
}

#[derive(Debug, Deserialize)]
struct NewVisit {
    date: String,
    /// The visiting unit; unit staff may only name their own.
    unit: Option<String>,
    enterprise: Option<String>,
    enterprise_code: Option<String>,
    leaders: Option<String>,
    mode: Option<String>,
    place: Option<String>,
    content: Option<String>,
    outcome: Option<String>,
    project_code: Option<String>,
}

async fn add_visit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    payload: Result<Json<NewVisit>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let outcome: Result<_, ApiError> = async {
        let actor = user.actor();
        if !actor.records_visits() {
            return Err(WebError::Forbidden.into());
        }
        let input = body(payload)?;
        // As the form: a unit's staff record their own unit's visits.
        let unit = input
            .unit
            .as_deref()
            .and_then(optional)
            .or_else(|| actor.unit.clone());
        if !actor.records_visit_for(unit.as_deref()) {
            return Err(WebError::Forbidden.into());
        }
        if let Some(code) = input.project_code.as_deref().and_then(optional) {
            project_for(&state.store, &actor, &code).await?;
        }
        let (enterprise, enterprise_code) = (text(&input.enterprise), text(&input.enterprise_code));
        let (leaders, mode, place) = (text(&input.leaders), text(&input.mode), text(&input.place));
        let (content, outcome) = (text(&input.content), text(&input.outcome));
        let project_code = text(&input.project_code);
        let visit = VisitInput {
            date: &input.date,
            unit: unit.as_deref().unwrap_or_default(),
            enterprise,
            enterprise_code,
            leaders,
            mode,
            place,
            content,
            outcome,
            project_code,
        }
        .parse()
        .map_err(WebError::Invalid)?;
        let mut tx = crate::kit::begin(&state.store, &actor).await?;
        let added = tx.add_visit(&visit).await?;
        tx.commit().await?;
        created(added, "该对接记录已存在")
    }
    .await;
    outcome.map_err(|e| e.with_keys(VISIT_KEYS))
}

/// An optional member of a request as the shared parsers take it: empty when absent.
fn text(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or_default()
}
