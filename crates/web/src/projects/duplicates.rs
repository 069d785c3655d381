//! 重复研判 (issue 6): the projects held as possible second reports, beside the project each
//! resembles; 招商局 judges each a duplicate (never counted) or a project of its own.

use crate::kit::form::Form;
use crate::kit::render::{FormatQuery, listing_download};
use crate::kit::request::{Path, Query};
use crate::kit::scope::allow;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use exchange::Listing;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::render::render;
use crate::kit::view::Layout;

#[derive(Template)]
#[template(path = "duplicates.html")]
struct DuplicatesPage {
    layout: Layout,
    rows: Vec<store::SuspectedDuplicate>,
    can_judge: bool,
}

/// The suspected duplicates in the actor's scope.
async fn suspects(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<store::SuspectedDuplicate>, WebError> {
    allow(user.actor().reads_projects())?;
    let scope = crate::kit::scope::scoped_filter(&user.actor())?;
    Ok(state
        .store
        .suspected_duplicates(scope.scope_unit.as_deref())
        .await?)
}

/// GET /duplicates/export?format=xlsx|csv
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<FormatQuery>,
) -> Result<Response, WebError> {
    let rows = suspects(&state, &user).await?;
    let mut listing = Listing::new(
        "重复研判",
        &[
            "项目编号",
            "项目名称",
            "所在县区",
            "投资企业",
            "疑似重复于",
            "原项目名称",
            "状态",
        ],
    );
    for r in rows {
        listing.push(vec![
            r.code.into(),
            r.name.into(),
            r.territory.into(),
            r.investor.into(),
            r.original_code.into(),
            r.original_name.into(),
            r.state.label().into(),
        ]);
    }
    listing_download(&user, listing, query.file_format())
}

/// GET /duplicates
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    let rows = suspects(&state, &user).await?;
    let actor = user.actor();
    Ok(Html(render(&DuplicatesPage {
        layout: Layout::of(&user),
        rows,
        can_judge: actor.manages_city_data(),
    })?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct JudgeForm {
    csrf: String,
}

/// POST /duplicates/{code}/{decision}: decision is `duplicate` or `distinct`.
pub async fn judge(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, decision)): Path<(String, String)>,
    Form(form): Form<JudgeForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    if !actor.manages_city_data() {
        return Err(WebError::Forbidden);
    }
    let duplicate = match decision.as_str() {
        "duplicate" => true,
        "distinct" => false,
        other => return Err(WebError::NotFound(format!("没有“{other}”这种研判结论"))),
    };
    let mut tx = crate::kit::begin(&state.store, &actor).await?;
    match tx.judge_duplicate(&code, duplicate).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to("/duplicates").into_response())
        }
        Err(store::StoreError::Invalid(e)) => {
            tx.rollback().await?;
            Err(WebError::Conflict(e.message))
        }
        Err(other) => Err(other.into()),
    }
}
