//! 台账导入 (issue 21.8): an office's own ledger taken over without retyping. The bureau uploads
//! the ledger; the page suggests how its columns map to a kind's (or takes a saved mapping),
//! shows the first rows as they would be imported and every error before anything is written,
//! lets each column's target and unit be changed, saves the mapping by name for the unit whose
//! ledger it is, and imports. Without JavaScript: the ledger travels in the form between the
//! steps (base64, within the upload limit), so no file waits on the server.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use exchange::mapping::{ColumnMap, Mapping, Scale};
use exchange::{ImportReport, Kind, OnBadRows, Quiet, columns};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::{WebError, exchange_error};
use crate::kit::render::{attachment_named, render};
use crate::kit::request::Path;
use crate::kit::scope::allow;
use crate::kit::view::Layout;

/// Rows of the ledger the preview shows.
const PREVIEW: usize = 10;

/// The kinds a ledger can be taken over as: all but the enterprise database, which comes in
/// registry dumps of its own shape.
fn kinds() -> Vec<(&'static str, &'static str)> {
    Kind::ALL
        .iter()
        .filter(|k| **k != Kind::Enterprises)
        .map(|k| (k.name(), k.label()))
        .collect()
}

/// One ledger column as the page offers it: its header, a sample, the targets to choose from.
pub struct SourceRow {
    pub index: usize,
    pub header: String,
    pub sample: String,
    pub target: String,
    pub scale: &'static str,
}

pub struct SavedRow {
    pub id: i64,
    pub unit: String,
    pub kind: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    layout: Layout,
    kinds: Vec<(&'static str, &'static str)>,
    units: Vec<String>,
    saved: Vec<SavedRow>,
    /// Set once a ledger is read.
    step: Option<Step>,
    message: Option<String>,
}

struct Step {
    kind: &'static str,
    kind_label: &'static str,
    unit: String,
    file_name: String,
    content: String,
    name: String,
    code_prefix: String,
    sources: Vec<SourceRow>,
    targets: Vec<&'static str>,
    scales: Vec<&'static str>,
    notes: Vec<String>,
    headers: Vec<String>,
    preview: Vec<(usize, Vec<String>)>,
    report: ImportReport,
    /// The import was run, not only checked.
    imported: bool,
}

async fn base_page(
    state: &AppState,
    user: &CurrentUser,
    step: Option<Step>,
    message: Option<String>,
) -> Result<LedgerPage, WebError> {
    let saved = state
        .store
        .mappings(None)
        .await?
        .into_iter()
        .map(|m| SavedRow {
            id: m.id,
            unit: m.unit.unwrap_or_else(|| "全市".into()),
            kind: Kind::from_name(&m.kind).map_or(m.kind, |k| k.label().to_owned()),
            name: m.name,
        })
        .collect();
    Ok(LedgerPage {
        layout: Layout::of(user),
        kinds: kinds(),
        units: state
            .store
            .units()
            .await?
            .into_iter()
            .map(|u| u.name)
            .collect(),
        saved,
        step,
        message,
    })
}

/// GET /import/ledger
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    allow(user.actor().manages_city_data())?;
    Ok(Html(render(&base_page(&state, &user, None, None).await?)?))
}

/// The form as posted: every field by name, the file's name and bytes.
#[derive(Default)]
struct Posted {
    fields: Vec<(String, String)>,
    file: Option<(String, Vec<u8>)>,
}

impl Posted {
    fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// The form of one of the bureau's posts, its token checked.
async fn read_form(user: &CurrentUser, mut multipart: Multipart) -> Result<Posted, WebError> {
    let mut posted = Posted::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(format!("上传内容无法读取: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| WebError::BadRequest(format!("文件无法读取: {e}")))?;
            if !file_name.is_empty() && !bytes.is_empty() {
                posted.file = Some((file_name, bytes.to_vec()));
            }
        } else {
            let value = field
                .text()
                .await
                .map_err(|e| WebError::BadRequest(format!("“{name}”无法读取: {e}")))?;
            posted.fields.push((name, value));
        }
    }
    user.check_csrf(posted.get("csrf"))?;
    allow(user.actor().manages_city_data())?;
    Ok(posted)
}

/// POST /import/ledger: `action` is `read` (a new ledger: suggest or take the saved mapping),
/// `preview` (the mapping as the form now says), `save` or `import`.
pub async fn post(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let posted = read_form(&user, multipart).await?;
    let kind = Kind::from_name(posted.get("kind"))
        .filter(|k| *k != Kind::Enterprises)
        .ok_or_else(|| WebError::BadRequest("请选择数据类型".into()))?;
    let unit = posted.get("unit").trim().to_owned();
    if !unit.is_empty() && state.store.unit_kind(&unit).await?.is_none() {
        return Err(WebError::BadRequest(format!("单位“{unit}”不存在")));
    }
    let (file_name, bytes) = match &posted.file {
        Some((name, bytes)) => (name.clone(), bytes.clone()),
        None => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(posted.get("content"))
                .map_err(|_| WebError::BadRequest("台账内容无法读取，请重新上传".into()))?;
            if bytes.is_empty() {
                return Err(WebError::BadRequest("请选择台账文件".into()));
            }
            (posted.get("file_name").to_owned(), bytes)
        }
    };
    let action = posted.get("action");
    let mut name = Some(posted.get("name").trim())
        .filter(|n| !n.is_empty())
        .unwrap_or("台账")
        .to_owned();
    // The mapping: the saved one chosen, or the form's, or a suggestion.
    let saved_id: Option<i64> = posted.get("saved").parse().ok();
    let mut notes = Vec::new();
    let (ledger, mut mapping) = if action == "read" || posted.file.is_some() {
        match saved_id {
            Some(id) => {
                let (_, mapping) = saved_mapping(&state, id).await?;
                if mapping.kind != kind.name() {
                    return Err(WebError::BadRequest(format!(
                        "映射“{}”用于{}，不是{}",
                        mapping.name,
                        Kind::from_name(&mapping.kind).map_or("其他数据", |k| k.label()),
                        kind.label()
                    )));
                }
                let sources: Vec<&str> =
                    mapping.columns.iter().map(|c| c.source.as_str()).collect();
                let ledger = exchange::table::read_bytes_for(&file_name, &bytes, &sources)
                    .map_err(exchange_error)?;
                notes.push(format!("按已保存的映射“{}”对应各列。", mapping.name));
                name.clone_from(&mapping.name);
                (ledger, mapping)
            }
            None => {
                let ledger =
                    exchange::table::read_bytes(&file_name, &bytes).map_err(exchange_error)?;
                let (mapping, guessed) = exchange::mapping::suggest(kind, &ledger, &name);
                notes.extend(guessed);
                (ledger, mapping)
            }
        }
    } else {
        let ledger = exchange::table::read_bytes(&file_name, &bytes).map_err(exchange_error)?;
        let mapping = mapping_of_form(kind, &ledger, &posted, &name)?;
        (ledger, mapping)
    };
    mapping.unit = Some(unit.clone()).filter(|u| !u.is_empty());
    mapping.name.clone_from(&name);
    if !posted.get("code_prefix").is_empty() || action != "read" {
        mapping.code_prefix = posted.get("code_prefix").trim().to_owned();
    }
    let mut message = None;
    if action == "save" {
        let body =
            serde_json::to_string(&mapping).map_err(|e| WebError::Internal(e.to_string()))?;
        let mut tx = state.store.begin(&user.user.username).await?;
        tx.save_mapping(mapping.unit.as_deref(), kind.name(), &name, &body)
            .await?;
        tx.commit().await?;
        message = Some(format!(
            "已保存映射“{name}”（{}，{}），下次上传该单位的台账可直接选用。",
            kind.label(),
            mapping.unit.as_deref().unwrap_or("全市")
        ));
    }
    let imported = action == "import";
    let on_bad = match (imported, posted.get("rest") == "1") {
        (false, _) => OnBadRows::CheckOnly,
        (true, true) => OnBadRows::ImportTheRest,
        (true, false) => OnBadRows::ImportNothing,
    };
    let (mapped, report) = exchange::mapping::import_ledger(
        &state.store,
        kind,
        &ledger,
        &mapping,
        &user.user.username,
        &Quiet,
        on_bad,
    )
    .await
    .map_err(exchange_error)?;
    // A save that succeeded is answered as one, whatever the ledger's rows still hold.
    let status = if report.errors.is_empty() || (imported && report.imported()) || action == "save"
    {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let samples = |at: usize| {
        ledger
            .rows
            .iter()
            .filter_map(|r| r.cells.get(at))
            .map(exchange::table::Cell::text)
            .find(|t| !t.is_empty())
            .unwrap_or_default()
    };
    let step = Step {
        kind: kind.name(),
        kind_label: kind.label(),
        unit,
        file_name,
        content: base64::engine::general_purpose::STANDARD.encode(&bytes),
        name,
        code_prefix: mapping.code_prefix.clone(),
        sources: ledger
            .headers
            .iter()
            .enumerate()
            .map(|(index, header)| {
                let column = mapping.columns.iter().find(|c| c.source == *header);
                SourceRow {
                    index,
                    header: header.clone(),
                    sample: samples(index),
                    target: column.and_then(|c| c.target.clone()).unwrap_or_default(),
                    scale: column.map_or(Scale::Wan, |c| c.scale).label(),
                }
            })
            .collect(),
        targets: columns(kind).iter().map(|c| c.key()).collect(),
        scales: Scale::ALL.iter().map(|s| s.label()).collect(),
        notes,
        headers: columns(kind).iter().map(|c| c.key().to_owned()).collect(),
        preview: mapped
            .rows
            .iter()
            .take(PREVIEW)
            .map(|r| {
                let mut cells: Vec<String> = r.cells.iter().map(|c| c.text()).collect();
                cells.resize(columns(kind).len(), String::new());
                (r.number, cells)
            })
            .collect(),
        report,
        imported,
    };
    let page = base_page(&state, &user, Some(step), message).await?;
    Ok((status, Html(render(&page)?)).into_response())
}

/// The mapping the form's selects say: `map{i}` (a target column or empty) and `scale{i}` for
/// each ledger column.
fn mapping_of_form(
    kind: Kind,
    ledger: &exchange::table::Table,
    posted: &Posted,
    name: &str,
) -> Result<Mapping, WebError> {
    let targets: Vec<&str> = columns(kind).iter().map(|c| c.key()).collect();
    let mut taken = std::collections::HashSet::new();
    let mut mapped = Vec::with_capacity(ledger.headers.len());
    for (i, header) in ledger.headers.iter().enumerate() {
        let target = posted.get(&format!("map{i}")).trim();
        let target = if target.is_empty() {
            None
        } else if let Some(t) = targets.iter().find(|t| **t == target) {
            if !taken.insert(*t) {
                return Err(WebError::BadRequest(format!(
                    "“{t}”对应了不止一列，请只选一列"
                )));
            }
            Some((*t).to_owned())
        } else {
            return Err(WebError::BadRequest(format!(
                "“{target}”不是{}的列",
                kind.label()
            )));
        };
        mapped.push(ColumnMap {
            source: header.clone(),
            target,
            scale: Scale::from_label(posted.get(&format!("scale{i}"))).unwrap_or_default(),
        });
    }
    Ok(Mapping {
        kind: kind.name().to_owned(),
        name: name.to_owned(),
        unit: None,
        columns: mapped,
        code_prefix: String::new(),
    })
}

/// The saved mapping `id`, and what it says.
async fn saved_mapping(
    state: &AppState,
    id: i64,
) -> Result<(store::SavedMapping, Mapping), WebError> {
    let saved = state
        .store
        .mapping_by_id(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("映射 {id} 不存在")))?;
    let mapping = serde_json::from_str(&saved.body)
        .map_err(|e| WebError::Internal(format!("映射 {id}: {e}")))?;
    Ok((saved, mapping))
}

/// GET /import/mappings/{id}/export: a saved mapping as a JSON file, to keep or send.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    allow(user.actor().manages_city_data())?;
    let (saved, mapping) = saved_mapping(&state, id).await?;
    let body =
        serde_json::to_vec_pretty(&mapping).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(attachment_named(
        body,
        "application/json",
        &format!("{}映射.json", saved.name),
    ))
}

/// POST /import/mappings: a mapping file (JSON) saved under its name for its unit.
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let posted = read_form(&user, multipart).await?;
    let (_, bytes) = posted
        .file
        .as_ref()
        .ok_or_else(|| WebError::BadRequest("请选择映射文件".into()))?;
    let mapping: Mapping = serde_json::from_slice(bytes).map_err(|_| {
        WebError::Invalid(vec![domain::FieldError::new(
            "映射文件",
            "不是本系统导出的映射（JSON）",
        )])
    })?;
    let kind = Kind::from_name(&mapping.kind)
        .filter(|k| *k != Kind::Enterprises)
        .ok_or_else(|| {
            WebError::Invalid(vec![domain::FieldError::new(
                "映射文件",
                format!("数据类型“{}”不可用", mapping.kind),
            )])
        })?;
    if let Some(unit) = &mapping.unit
        && state.store.unit_kind(unit).await?.is_none()
    {
        return Err(WebError::Invalid(vec![domain::FieldError::new(
            "映射文件",
            format!("单位“{unit}”不存在"),
        )]));
    }
    let body = serde_json::to_string(&mapping).map_err(|e| WebError::Internal(e.to_string()))?;
    let mut tx = state.store.begin(&user.user.username).await?;
    tx.save_mapping(mapping.unit.as_deref(), kind.name(), &mapping.name, &body)
        .await?;
    tx.commit().await?;
    let message = format!(
        "已导入映射“{}”（{}，{}）。",
        mapping.name,
        kind.label(),
        mapping.unit.as_deref().unwrap_or("全市")
    );
    let page = base_page(&state, &user, None, Some(message)).await?;
    Ok(Html(render(&page)?).into_response())
}
