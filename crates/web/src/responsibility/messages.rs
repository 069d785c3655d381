//! 消息中心 (issue 22.5): the 督办 messages posted to the signed-in account — escalations,
//! returns, items assigned, overdue deadlines, the month's closing, reviews waiting — each
//! opening its record; the top bar counts the unread ones.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::Message;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::form::Form;
use crate::kit::render::render;
use crate::kit::request::Path;
use crate::kit::view::{Layout, when};

/// How many messages the page lists.
const SHOWN: i64 = 200;

#[derive(Template)]
#[template(path = "messages.html")]
struct MessagesPage {
    layout: Layout,
    messages: Vec<(Message, String)>,
    unread: usize,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    let messages: Vec<(Message, String)> = state
        .store
        .messages_for(&user.user.username, SHOWN)
        .await?
        .into_iter()
        .map(|m| {
            let at = when(m.created_at);
            (m, at)
        })
        .collect();
    let unread = messages.iter().filter(|(m, _)| !m.read).count();
    Ok(Html(render(&MessagesPage {
        layout: Layout::of(&user),
        messages,
        unread,
    })?))
}

/// Opens a message: marked read, on to its record. Another account's message (or none) leads
/// back to the list, as one that does not exist: nothing is read or told about it.
pub async fn open(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    match state.store.mark_read(&user.user.username, Some(id)).await? {
        Some(link) if link.starts_with('/') && !link.starts_with("//") => {
            Ok(Redirect::to(&link).into_response())
        }
        _ => Ok(Redirect::to("/messages").into_response()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ReadForm {
    #[serde(default)]
    csrf: String,
}

/// Marks every message of the account read.
pub async fn read_all(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ReadForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    state.store.mark_read(&user.user.username, None).await?;
    Ok(Redirect::to("/messages").into_response())
}
