//! Cross-site request forgery: every form post of a session carries the session's token,
//! checked centrally before any handler reads the form.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{COOKIE, cookie_value};
use crate::AppState;
use crate::kit::error::WebError;
use crate::kit::user::check_token;

/// A form that carries nothing but the session's token (sign-out, a button that acts).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}
/// Form posts that carry a session are refused (403) unless their `csrf` field is the
/// session's token — checked here, before any handler reads the form, so that no route can
/// forget it and a forged post is refused the same way whatever fields it lacks. The sign-in
/// form has its own token; uploads (multipart) carry theirs as a part, checked by the handler
/// before it reads the file; the API's writes carry it in `X-CSRF-Token` ([`ApiUser`]).
pub async fn csrf_guard(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let urlencoded = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let guarded = !request.method().is_safe()
        && request.uri().path() != "/login"
        && !request.uri().path().starts_with("/api/")
        && (urlencoded || request.headers().get(header::CONTENT_TYPE).is_none());
    let Some(token) = cookie_value(request.headers(), COOKIE).filter(|_| guarded) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
        return WebError::TooLarge("表单内容过大（上限 1 MB）".into()).into_response();
    };
    let sent = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v))
        .unwrap_or_default();
    let expected = match state.store.session(&token).await {
        Ok(Some(session)) => session.csrf_token,
        // No live session: the handler's own extractor sends the browser to sign in.
        Ok(None) => {
            return next
                .run(axum::extract::Request::from_parts(parts, bytes.into()))
                .await;
        }
        Err(e) => return WebError::from(e).into_response(),
    };
    if let Err(refused) = check_token(&expected, &sent) {
        return refused.into_response();
    }
    next.run(axum::extract::Request::from_parts(parts, bytes.into()))
        .await
}

/// The largest form body read (uploads are multipart and not read here).
const FORM_LIMIT: usize = 1024 * 1024;
