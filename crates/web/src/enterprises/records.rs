//! The bureau keeps the firm records clean (issue 22.6): two records of one firm merged (with a
//! preview of what moves, a reason, and an undo), a firm placed in its group, and the list of
//! merges and of names that more than one record carries.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::form::Form;
use crate::kit::render::render;
use crate::kit::request::{Path, Query};
use crate::kit::view::{Layout, when as at};

/// Names with several records listed at once on the merges page.
const TWINS_SHOWN: i64 = 50;

pub struct MergeRow {
    pub id: i64,
    pub kept_id: i64,
    pub kept_name: String,
    pub merged_id: i64,
    pub merged_name: String,
    pub reason: String,
    pub when: String,
    pub by: String,
    /// "" while in force, else when and by whom it was undone.
    pub undone: String,
}

pub(super) fn merge_rows(merges: Vec<store::Merge>) -> Vec<MergeRow> {
    merges
        .into_iter()
        .map(|m| MergeRow {
            id: m.id,
            kept_id: m.kept_id,
            kept_name: m.kept_name,
            merged_id: m.merged_id,
            merged_name: m.merged_name,
            reason: m.reason,
            when: at(m.merged_at),
            by: m.merged_by,
            undone: m
                .undone_at
                .map(|t| format!("{} 由 {} 撤销", at(t), m.undone_by.unwrap_or_default()))
                .unwrap_or_default(),
        })
        .collect()
}

fn bureau(user: &CurrentUser) -> Result<(), WebError> {
    if user.actor().manages_city_data() {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

/// The one firm an entry names, or the field's message.
async fn named(state: &AppState, field: &str, text: &str) -> Result<Result<i64, String>, WebError> {
    if text.trim().is_empty() {
        return Ok(Err(format!(
            "{field}：请填写企业编号、统一社会信用代码或企业全称"
        )));
    }
    let found = state.store.firms_named(text).await?;
    Ok(match found.as_slice() {
        [id] => Ok(*id),
        [] => Err(format!("{field}：企业库中没有“{}”", text.trim())),
        _ => Err(format!(
            "{field}：有{}条记录叫“{}”，请填写企业编号",
            found.len(),
            text.trim()
        )),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MergeQuery {
    other: String,
}

#[derive(Template)]
#[template(path = "enterprise_merge.html")]
struct MergePreview {
    layout: Layout,
    kept_id: i64,
    kept: domain::enterprise::Enterprise,
    merged_id: i64,
    merged: domain::enterprise::Enterprise,
    moves: store::Moves,
    error: Option<String>,
}

async fn preview(
    state: &AppState,
    user: &CurrentUser,
    kept_id: i64,
    merged_id: i64,
    error: Option<String>,
) -> Result<Response, WebError> {
    let firm = |id: i64| async move {
        state
            .store
            .enterprise(id)
            .await?
            .ok_or_else(|| WebError::NotFound(format!("企业库中没有编号为{id}的企业")))
    };
    let (kept, merged) = (firm(kept_id).await?, firm(merged_id).await?);
    // What would move: the merge itself, rolled back. Its refusals (two credit codes, a
    // record merged already) are the preview's.
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    let tried = tx.merge_enterprises(kept_id, merged_id, "预览").await;
    tx.rollback().await?;
    let (_, moves) = tried?;
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = MergePreview {
        layout: Layout::of(user),
        kept_id,
        kept,
        merged_id,
        merged,
        moves,
        error,
    };
    Ok((status, Html(render(&page)?)).into_response())
}

/// GET /enterprises/{id}/merge?other=…: what merging the other record into this one moves.
pub async fn merge_preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<MergeQuery>,
) -> Result<Response, WebError> {
    bureau(&user)?;
    if query.other.trim().is_empty() {
        return Ok(Redirect::to(&format!("/enterprises/{id}")).into_response());
    }
    match named(&state, "并入本企业的记录", &query.other).await? {
        Ok(other) => preview(&state, &user, id, other, None).await,
        Err(message) => super::profile::refused(&state, &user, id, message).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MergeForm {
    csrf: String,
    /// As the preview's: an 企业编号, a credit code or an exact name.
    other: String,
    reason: String,
}

/// POST /enterprises/{id}/merge: merges the other record into this one.
pub async fn merge(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<MergeForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    bureau(&user)?;
    let other = match named(&state, "并入本企业的记录", &form.other).await? {
        Ok(other) => other,
        Err(message) => return super::profile::refused(&state, &user, id, message).await,
    };
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    match tx.merge_enterprises(id, other, &form.reason).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/enterprises/{id}?saved=merged")).into_response())
        }
        Err(e) => {
            let message = crate::kit::error::refusal(e)?;
            tx.rollback().await?;
            preview(&state, &user, id, other, Some(message)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UndoForm {
    csrf: String,
    /// The profile to return to.
    back: i64,
}

/// POST /enterprises/merges/{id}/undo: the bureau undoes a merge.
pub async fn undo(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<UndoForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    bureau(&user)?;
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    tx.undo_merge(id).await?;
    tx.commit().await?;
    // Back to the profile it was undone from, if that is one of the merge's two records.
    let merge = state.store.merges().await?.into_iter().find(|m| m.id == id);
    let back = match merge {
        Some(m) if form.back == m.kept_id || form.back == m.merged_id => {
            format!("/enterprises/{}?saved=unmerged", form.back)
        }
        _ => "/enterprises/merges?saved=unmerged".to_owned(),
    };
    Ok(Redirect::to(&back).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ParentForm {
    csrf: String,
    parent: String,
}

/// POST /enterprises/{id}/parent: the bureau sets (or, left empty, clears) the firm's parent.
pub async fn set_parent(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ParentForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    bureau(&user)?;
    let parent = if form.parent.trim().is_empty() {
        None
    } else {
        match named(&state, "上级企业", &form.parent).await? {
            Ok(parent) => Some(parent),
            Err(message) => return super::profile::refused(&state, &user, id, message).await,
        }
    };
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    match tx.set_parent(id, parent).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/enterprises/{id}?saved=parent")).into_response())
        }
        Err(e) => {
            let message = crate::kit::error::refusal(e)?;
            tx.rollback().await?;
            super::profile::refused(&state, &user, id, message).await
        }
    }
}

#[derive(Template)]
#[template(path = "enterprise_merges.html")]
struct MergesPage {
    layout: Layout,
    merges: Vec<MergeRow>,
    twins: Vec<(String, Vec<i64>)>,
    saved: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MergesQuery {
    saved: String,
}

/// GET /enterprises/merges: names carried by several records, and every merge with its undo.
pub async fn merges(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<MergesQuery>,
) -> Result<Html<String>, WebError> {
    bureau(&user)?;
    let page = MergesPage {
        layout: Layout::of(&user),
        merges: merge_rows(state.store.merges().await?),
        twins: state.store.twin_names(TWINS_SHOWN).await?,
        saved: query.saved == "unmerged",
    };
    Ok(Html(render(&page)?))
}
