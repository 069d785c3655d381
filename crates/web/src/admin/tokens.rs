//! Personal API tokens (`/account/tokens`): every signed-in account makes its own for its
//! scripts, sees each once, lists and revokes them; the 安全管理员 sees and revokes everyone's.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::ApiToken;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::{WebError, refusal};
use crate::kit::form::Form;
use crate::kit::render::render;
use crate::kit::request::Path;
use crate::kit::view::{Layout, when};

pub struct TokenRow {
    id: i64,
    username: String,
    name: String,
    created: String,
    expires: String,
    last_used: String,
    state: String,
    live: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    rows: Vec<TokenRow>,
    everyone: bool,
    /// The token just made, shown this once.
    made: Option<String>,
    error: Option<String>,
    name: String,
    days: String,
}

fn row(t: ApiToken, now: i64) -> TokenRow {
    let state = match (&t.revoked_by, t.revoked_at.map(when)) {
        (Some(by), Some(at)) => format!("已由 {by} 于 {at} 撤销"),
        _ if t.expires_at <= now => "已过期".to_owned(),
        _ => "有效".to_owned(),
    };
    TokenRow {
        live: t.live_at(now),
        id: t.id,
        created: when(t.created_at),
        expires: when(t.expires_at),
        last_used: t.last_used_at.map(when).unwrap_or_else(|| "未使用".into()),
        state,
        username: t.username,
        name: t.name,
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    made: Option<String>,
    error: Option<String>,
    typed: (&str, &str),
) -> Result<TokensPage, WebError> {
    let everyone = user.actor().manages_security();
    let owner = (!everyone).then_some(user.user.username.as_str());
    let now = chrono::Utc::now().timestamp_millis();
    let rows = state
        .store
        .api_tokens(owner)
        .await?
        .into_iter()
        .map(|t| row(t, now))
        .collect();
    Ok(TokensPage {
        layout: Layout::of(user),
        rows,
        everyone,
        made,
        error,
        name: typed.0.to_owned(),
        days: typed.1.to_owned(),
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    Ok(Html(render(
        &page(&state, &user, None, None, ("", "90")).await?,
    )?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    name: String,
    days: String,
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    let typed = (form.name.as_str(), form.days.as_str());
    let days = match form.days.trim().parse::<i64>() {
        Ok(days) => days,
        Err(_) => {
            let message = format!("有效天数：须为1至{}天的整数", store::tokens::MAX_DAYS);
            let body = render(&page(&state, &user, None, Some(message), typed).await?)?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(body)).into_response());
        }
    };
    let now = chrono::Utc::now().timestamp_millis();
    let mut tx = state.store.begin(&user.user.username).await?;
    match tx
        .create_api_token(&user.user.username, &form.name, days, now)
        .await
    {
        Ok((_, token)) => {
            tx.commit().await?;
            let body = render(&page(&state, &user, Some(token), None, ("", "90")).await?)?;
            Ok(Html(body).into_response())
        }
        Err(e) => {
            let message = refusal(e)?;
            let body = render(&page(&state, &user, None, Some(message), typed).await?)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(body)).into_response())
        }
    }
}

/// The owner revokes their own token; the 安全管理员 any. Anyone else's id answers 404, as
/// if it did not exist.
pub async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Redirect, WebError> {
    let everyone = user.actor().manages_security();
    let owner = (!everyone).then_some(user.user.username.as_str());
    let mine = state
        .store
        .api_tokens(owner)
        .await?
        .iter()
        .any(|t| t.id == id);
    if !mine {
        return Err(WebError::NotFound(format!("令牌 {id} 不存在")));
    }
    let now = chrono::Utc::now().timestamp_millis();
    let mut tx = state.store.begin(&user.user.username).await?;
    tx.revoke_api_token(id, &user.user.username, now).await?;
    tx.commit().await?;
    Ok(Redirect::to("/account/tokens"))
}
