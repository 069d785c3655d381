//! Files in and out: the export of what a project list's filters show, and the import page with
//! each kind's upload form and its template (下载模板). Imports run through the same
//! `exchange::import_table_keeping` as the command line: all or nothing unless the form asks to
//! leave the bad rows out, every bad cell listed; 预检 checks without importing and hands back
//! the bad rows as a workbook with the reason beside each.

use crate::kit::error::exchange_error;
use crate::kit::render::{FormatQuery, attachment};
use crate::kit::request::{Path, Query};
use crate::kit::scope::allow;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use exchange::{FileFormat, ImportReport, Kind, OnBadRows, Quiet};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::render::render;
use crate::kit::view::Layout;

fn kind_of(name: &str) -> Result<Kind, WebError> {
    Kind::from_name(name).ok_or_else(|| WebError::NotFound(format!("没有“{name}”这类数据")))
}

pub struct KindRow {
    name: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    layout: Layout,
    kinds: Vec<KindRow>,
    report: Option<(String, ImportReport)>,
    /// The report is a 预检's: nothing was to be imported.
    checked: bool,
}

fn kinds() -> Vec<KindRow> {
    Kind::ALL
        .iter()
        .map(|k| KindRow {
            name: k.name(),
            label: k.label(),
        })
        .collect()
}

pub async fn import_page(user: CurrentUser) -> Result<Html<String>, WebError> {
    allow(user.actor().manages_city_data())?;
    Ok(Html(render(&ImportPage {
        layout: Layout::of(&user),
        kinds: kinds(),
        report: None,
        checked: false,
    })?))
}

pub async fn download_template(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
) -> Result<Response, WebError> {
    let kind = kind_of(&kind)?;
    if !user.actor().reads_projects() {
        return Err(WebError::Forbidden);
    }
    let bytes = exchange::template_bytes(&state.store, kind)
        .await
        .map_err(exchange_error)?;
    Ok(attachment(
        bytes,
        FileFormat::Xlsx,
        &format!("{}导入模板", kind.label()),
    ))
}

/// `GET /export/{kind}?format=xlsx|csv`: every record of a kind with its import columns. The
/// whole city's, so for the accounts that read everything (招商局, 市领导, 审计员).
pub async fn export_kind(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
    Query(query): Query<FormatQuery>,
) -> Result<Response, WebError> {
    let kind = kind_of(&kind)?;
    let actor = user.actor();
    if !actor.reads_whole_city() {
        return Err(WebError::Forbidden);
    }
    let format = query.file_format();
    let bytes = exchange::export_bytes(&state.store, kind, format)
        .await
        .map_err(exchange_error)?;
    Ok(attachment(bytes, format, kind.label()))
}

/// `POST /import/{kind}`: a multipart form with `csrf` and `file`; `rest=1` leaves rows with bad
/// cells out and imports the others; `action=check` (预检) imports nothing and, when rows are bad,
/// answers with them as a workbook (原行号, 错误原因, the bad cells filled red).
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let kind = kind_of(&kind)?;
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let (mut rest, mut check) = (false, false);
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(format!("上传内容无法读取: {e}")))?
    {
        match field.name() {
            Some("csrf") => {
                csrf = field
                    .text()
                    .await
                    .map_err(|e| WebError::BadRequest(e.to_string()))?
            }
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| WebError::BadRequest(format!("文件无法读取: {e}")))?;
                file = Some((name, bytes.to_vec()));
            }
            Some(name @ ("rest" | "action")) => {
                let on = name == "rest";
                let value = field
                    .text()
                    .await
                    .map_err(|e| WebError::BadRequest(e.to_string()))?;
                if on {
                    rest = value == "1";
                } else {
                    check = value == "check";
                }
            }
            _ => {}
        }
    }
    user.check_csrf(&csrf)?;
    allow(user.actor().manages_city_data())?;
    let (name, bytes) = file
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| WebError::BadRequest("请选择要导入的文件".into()))?;
    let keys: Vec<&str> = exchange::columns(kind)
        .iter()
        .map(exchange::Column::key)
        .collect();
    let table = exchange::table::read_bytes_for(&name, &bytes, &keys).map_err(exchange_error)?;
    let on_bad = if check {
        OnBadRows::CheckOnly
    } else if rest {
        OnBadRows::ImportTheRest
    } else {
        OnBadRows::ImportNothing
    };
    let report = exchange::import_table_keeping(
        &state.store,
        kind,
        &table,
        &user.user.username,
        &Quiet,
        on_bad,
    )
    .await
    .map_err(exchange_error)?;
    if check {
        let bad = exchange::bad_rows(&table, &report);
        if !bad.is_empty() {
            let bytes = exchange::bad_rows_bytes(&table.headers, &bad, FileFormat::Xlsx)
                .map_err(exchange_error)?;
            let stem = name
                .rsplit_once('.')
                .map_or(name.as_str(), |(stem, _)| stem);
            return Ok(attachment(
                bytes,
                FileFormat::Xlsx,
                &format!("{stem}-错误行"),
            ));
        }
    }
    // Written in part, as asked, is done: the bad rows are listed, the rest is in.
    let status = if report.errors.is_empty() || (report.imported() && !check) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ImportPage {
        layout: Layout::of(&user),
        kinds: kinds(),
        report: Some((name, report)),
        checked: check,
    };
    Ok((status, Html(render(&page)?)).into_response())
}
