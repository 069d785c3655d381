//! The 招商要素表 in the browser (issue 23.3): every factor with its value on a day and the values
//! before, printable and exportable; the bureau adds factors and new values (the old value is
//! closed and kept). Everyone who works on projects reads it: it is what they quote.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::factors::{Factor, FactorCategory, FactorValue, value_on};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::form::Form;
use crate::kit::render::render;
use crate::kit::request::Query;
use crate::kit::scope::allow;
use crate::kit::view::Layout;

/// A factor as the table shows it on a day.
pub struct FactorRow {
    pub code: String,
    pub category: &'static str,
    pub item: String,
    /// The value on the day with its unit, or 无现行数值.
    pub value: String,
    pub source: String,
    pub validity: String,
    /// Every value, newest first: (value and unit, source, validity).
    pub history: Vec<(String, String, String)>,
}

pub(crate) fn rows(records: &[store::FactorRecord], day: NaiveDate) -> Vec<FactorRow> {
    records
        .iter()
        .map(|r| {
            let now = value_on(&r.values, day);
            FactorRow {
                code: r.factor.code.clone(),
                category: r.factor.category.label(),
                item: r.factor.item.clone(),
                value: now.map_or_else(
                    || "无现行数值".to_owned(),
                    |v| format!("{} {}", v.value, v.unit),
                ),
                source: now.map(|v| v.source.clone()).unwrap_or_default(),
                validity: now.map(FactorValue::validity).unwrap_or_default(),
                history: r
                    .values
                    .iter()
                    .rev()
                    .map(|v| {
                        (
                            format!("{} {}", v.value, v.unit),
                            v.source.clone(),
                            v.validity(),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TableQuery {
    as_of: String,
    category: String,
    saved: String,
    /// For the export: xlsx or csv.
    format: String,
}

#[derive(Template)]
#[template(path = "factors.html")]
struct TablePage {
    layout: Layout,
    rows: Vec<FactorRow>,
    as_of: String,
    category: String,
    categories: Vec<&'static str>,
    codes: Vec<String>,
    editable: bool,
    saved: Option<&'static str>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "factors_print.html")]
struct PrintPage {
    office: String,
    title: String,
    as_of: String,
    rows: Vec<FactorRow>,
}

/// The whole table, read once, and the day asked (else the follow-up day); `shown` narrows it
/// to the category asked.
struct Read {
    all: Vec<store::FactorRecord>,
    category: Option<FactorCategory>,
    day: NaiveDate,
}

impl Read {
    fn shown(&self) -> Vec<store::FactorRecord> {
        self.all
            .iter()
            .filter(|r| self.category.is_none_or(|c| r.factor.category == c))
            .cloned()
            .collect()
    }
}

async fn table(state: &AppState, user: &CurrentUser, query: &TableQuery) -> Result<Read, WebError> {
    allow(user.actor().reads_projects())?;
    let day = crate::agencies::reckoning_day(state, &query.as_of).await?;
    let category = match query.category.trim() {
        "" => None,
        text => Some(FactorCategory::parse("类别", text)?),
    };
    Ok(Read {
        all: state.store.factors().await?,
        category,
        day,
    })
}

async fn table_page(
    state: &AppState,
    user: &CurrentUser,
    query: &TableQuery,
    error: Option<String>,
) -> Result<TablePage, WebError> {
    let read = table(state, user, query).await?;
    let (records, day) = (read.shown(), read.day);
    let codes = read.all.into_iter().map(|r| r.factor.code).collect();
    Ok(TablePage {
        layout: Layout::of(user),
        rows: rows(&records, day),
        as_of: day.to_string(),
        category: query.category.clone(),
        categories: FactorCategory::ALL.iter().map(|c| c.label()).collect(),
        codes,
        editable: user.actor().manages_city_data(),
        saved: match query.saved.as_str() {
            "factor" => Some("已保存要素。"),
            "value" => Some("已登记新数值；原数值已截止于新数值生效的前一日，并保留在历史中。"),
            _ => None,
        },
        error,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<TableQuery>,
) -> Result<Html<String>, WebError> {
    Ok(Html(render(
        &table_page(&state, &user, &query, None).await?,
    )?))
}

pub async fn print(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<TableQuery>,
) -> Result<Html<String>, WebError> {
    let read = table(&state, &user, &query).await?;
    let (records, day) = (read.shown(), read.day);
    let city = crate::kit::figures::city_name_of(&state.store).await?;
    Ok(Html(render(&PrintPage {
        office: crate::scoreboard::issuing_office(&state.store, &city).await?,
        title: format!("{city}招商要素表"),
        as_of: day.to_string(),
        rows: rows(&records, day),
    })?))
}

/// `/factors/export`: every value of every factor shown, one row a value, with its dates.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<TableQuery>,
) -> Result<Response, WebError> {
    let read = table(&state, &user, &query).await?;
    let (records, day) = (read.shown(), read.day);
    let mut listing = exchange::Listing::new(
        "招商要素表",
        &[
            "要素编号",
            "类别",
            "要素名称",
            "数值",
            "单位",
            "来源",
            "生效日期",
            "有效期至",
            "现行",
        ],
    );
    listing.note(format!("现行数值按 {day} 判断；历史数值一并列出"));
    for r in records {
        for v in &r.values {
            listing.push(vec![
                r.factor.code.clone().into(),
                r.factor.category.label().into(),
                r.factor.item.clone().into(),
                v.value.clone().into(),
                v.unit.clone().into(),
                v.source.clone().into(),
                Some(v.valid_from).into(),
                v.valid_to.into(),
                if v.holds_on(day) { "是" } else { "" }.into(),
            ]);
        }
    }
    crate::kit::render::listing_download(
        &user,
        listing,
        crate::kit::render::file_format(&query.format),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FactorForm {
    csrf: String,
    code: String,
    category: String,
    item: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ValueForm {
    csrf: String,
    code: String,
    value: String,
    unit: String,
    source: String,
    valid_from: String,
    valid_to: String,
    note: String,
}

/// A write of the bureau's: committed and sent back to the table, or the table again with the
/// refusal (422).
async fn write(
    state: &AppState,
    user: &CurrentUser,
    saved: &str,
    apply: impl AsyncFnOnce(&mut store::Tx) -> Result<(), store::StoreError>,
) -> Result<Response, WebError> {
    allow(user.actor().manages_city_data())?;
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    match apply(&mut tx).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/factors?saved={saved}")).into_response())
        }
        Err(e) => {
            let message = crate::kit::error::refusal(e)?;
            tx.rollback().await?;
            let page = table_page(state, user, &TableQuery::default(), Some(message)).await?;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                Html(render(&page)?),
            )
                .into_response())
        }
    }
}

pub async fn save_factor(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<FactorForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let factor = FactorCategory::parse("类别", &form.category)
        .map_err(|e| vec![e])
        .and_then(|c| Factor::new(&form.code, c, &form.item));
    write(&state, &user, "factor", async |tx| {
        tx.upsert_factor(&factor.map_err(store::StoreError::InvalidFields)?)
            .await
            .map(|_| ())
    })
    .await
}

pub async fn add_value(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ValueForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let mut errors = Vec::new();
    let from = domain::error::keep(
        &mut errors,
        domain::period::parse_date("生效日期", &form.valid_from),
    );
    let to = match form.valid_to.trim() {
        "" => None,
        text => domain::error::keep(&mut errors, domain::period::parse_date("有效期至", text)),
    };
    let value = match from {
        Some(from) => FactorValue::new(&form.value, &form.unit, &form.source, from, to)
            .map_err(|more| {
                errors.extend(more);
                std::mem::take(&mut errors)
            })
            .and_then(|mut v| {
                v.note = domain::text::optional(&form.note);
                if errors.is_empty() {
                    Ok(v)
                } else {
                    Err(std::mem::take(&mut errors))
                }
            }),
        None => Err(errors),
    };
    let code = form.code.trim().to_owned();
    write(&state, &user, "value", async |tx| {
        let value = value.map_err(store::StoreError::InvalidFields)?;
        tx.add_factor_value(&code, &value).await.map(|_| ())
    })
    .await
}

crate::kit::routes! { routes, ROUTES;
        "/factors" => get(show).post(save_factor);
        "/factors/values" => post(add_value);
        "/factors/print" => get(print);
        "/factors/export" => get(export);
}
