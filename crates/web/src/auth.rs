//! Signing in: argon2id password hashes, server-side sessions in an HttpOnly, SameSite=Strict
//! cookie, and the extractor every protected route takes. A route without [`CurrentUser`] is
//! reachable without signing in, so the router lists the few that are (sign-in, assets).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::access::Actor;
use serde::Deserialize;
use store::{Session, User};

use crate::AppState;
use crate::error::{ApiError, WebError};

pub const COOKIE: &str = "zs_session";
/// Sessions end after eight hours, a working day.
const SESSION_MILLIS: i64 = 8 * 3600 * 1000;

/// Hashes a password with argon2id at the default cost (19 MiB, two passes).
pub fn hash_password(password: &str) -> Result<String, WebError> {
    hash_with(password, Params::default())
}

/// Hashes at a low cost; for tests, which sign in many times.
pub fn hash_password_cheaply(password: &str) -> Result<String, WebError> {
    let params = Params::new(1024, 1, 1, None).map_err(|e| WebError::Internal(e.to_string()))?;
    hash_with(password, params)
}

fn hash_with(password: &str, params: Params) -> Result<String, WebError> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| WebError::Internal(e.to_string()))
}

/// Checks a password against a stored hash; the hash carries its own parameters.
fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A random token as hex: session ids and CSRF tokens.
pub fn random_token() -> Result<String, WebError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(hex::encode(bytes))
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE).then(|| value.to_owned())
        })
}

/// The signed-in user of a request; HTML routes that take it send strangers to /login.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub csrf_token: String,
}

impl CurrentUser {
    pub fn actor(&self) -> Actor {
        Actor {
            username: self.user.username.clone(),
            role: self.user.role,
            unit: self.user.unit.clone(),
        }
    }

    /// Forms carry the session's token; a form from anywhere else is refused.
    pub fn check_csrf(&self, sent: &str) -> Result<(), WebError> {
        if sent == self.csrf_token {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }
}

async fn current(parts: &Parts, state: &AppState) -> Result<Option<Session>, WebError> {
    match session_token(&parts.headers) {
        Some(token) => Ok(state.store.session(&token).await?),
        None => Ok(None),
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = current(parts, state)
            .await?
            .ok_or(WebError::Unauthenticated)?;
        Ok(CurrentUser {
            user: session.user,
            csrf_token: session.csrf_token,
        })
    }
}

/// The same for API routes, which answer 401 in JSON instead of redirecting.
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        CurrentUser::from_request_parts(parts, state)
            .await
            .map(ApiUser)
            .map_err(ApiError)
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    username: String,
    error: Option<String>,
}

pub async fn login_form() -> Result<Html<String>, WebError> {
    let page = LoginPage {
        username: String::new(),
        error: None,
    };
    Ok(Html(
        page.render()
            .map_err(|e| WebError::Internal(e.to_string()))?,
    ))
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let user = state.store.user_by_name(form.username.trim()).await?;
    // The hash is checked even for an unknown name, so that timing does not tell which names exist.
    let hash = user
        .as_ref()
        .map_or(state.dummy_hash.as_str(), |u| u.password_hash.as_str());
    let password_ok = verify_password(&form.password, hash);
    let Some(user) = user.filter(|u| password_ok && !u.disabled) else {
        let page = LoginPage {
            username: form.username.trim().to_owned(),
            error: Some("用户名或密码错误".into()),
        };
        let body = page
            .render()
            .map_err(|e| WebError::Internal(e.to_string()))?;
        return Ok((StatusCode::UNAUTHORIZED, Html(body)).into_response());
    };
    let token = random_token()?;
    let csrf = random_token()?;
    let expires = chrono::Utc::now().timestamp_millis() + SESSION_MILLIS;
    state
        .store
        .create_session(&token, user.id, &csrf, expires)
        .await?;
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{secure}",
        SESSION_MILLIS / 1000
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/my")).into_response())
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    if let Some(token) = session_token(&headers) {
        state.store.delete_session(&token).await?;
    }
    let cookie = format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}
