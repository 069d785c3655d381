//! Signing in, as 等保2.0 三级 asks (domain::security holds the rules; password hashes and
//! random tokens are `store::accounts`'s): lockout after repeated failures; server-side sessions in an HttpOnly, SameSite=Strict
//! cookie, one per account (a new sign-in ends the old one, and its browser is told why), ended
//! after the idle timeout; the steps a sign-in must pass before its session is whole — the TOTP
//! code, a new password (first sign-in, expiry), an administrator's enrolment of a second
//! factor (`steps`); CSRF tokens (`csrf`); and every sign-in event in the audit log. A route without [`CurrentUser`] is
//! reachable without signing in, so the router lists the few that are (sign-in, assets).

mod csrf;
mod sign_in;
mod steps;

pub use csrf::{CsrfForm, csrf_guard};
pub use sign_in::{FAILURES_PER_ADDRESS_PER_MINUTE, login, login_form, logout};
pub use steps::{enrol, enrol_form, password_change, password_form, totp_check, totp_form};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use domain::security::SignInStep;
use store::Session;

use crate::AppState;
use crate::kit::error::{ApiError, WebError};
pub use crate::kit::user::CurrentUser;

pub const COOKIE: &str = "zs_session";
/// The sign-in form's own token (double submit): a form posted from another site lacks it.
const LOGIN_COOKIE: &str = "zs_login";
/// Sessions end after eight hours, a working day, however busy.
const SESSION_MILLIS: i64 = 8 * 3600 * 1000;
/// The issuer an authenticator app shows beside the account.
const TOTP_ISSUER: &str = "双鸭山招商平台";

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A random token as hex (session ids, CSRF tokens).
fn random_token() -> Result<String, WebError> {
    Ok(store::accounts::random_token()?)
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then(|| value.to_owned())
        })
}

fn session_cookie(state: &AppState, token: &str, max_age: i64) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}")
}

/// Where the browser of an ended session is sent, with the reason the sign-in page gives.
fn ended_redirect(reason: &str) -> WebError {
    WebError::SignIn(format!("/login?ended={reason}"))
}

fn step_path(step: SignInStep) -> &'static str {
    match step {
        SignInStep::SecondFactor => "/login/totp",
        SignInStep::ChangePassword => "/account/password",
        SignInStep::EnrolSecondFactor => "/account/totp",
        SignInStep::Done => "/my",
    }
}

/// A live session of the request at any step of its sign-in, with its token. Ends (and says
/// why) a session past its life or idle past the policy's limit.
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub token: String,
    pub session: Session,
}

impl FromRequestParts<AppState> for LiveSession {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie_value(&parts.headers, COOKIE).ok_or(WebError::Unauthenticated)?;
        let session = state
            .store
            .session(&token)
            .await?
            .ok_or(WebError::Unauthenticated)?;
        if let Some(reason) = &session.ended {
            return Err(ended_redirect(reason));
        }
        let now = now();
        let policy = state.store.security_policy().await?;
        let lapsed = if session.expires_at <= now {
            Some("expired")
        } else if policy.idle_expired(session.last_seen_at, now) {
            Some("idle")
        } else {
            None
        };
        if let Some(reason) = lapsed {
            let mut tx = state.store.begin(&session.user.username).await?;
            tx.end_session(&token, &session.user.username, reason)
                .await?;
            tx.commit().await?;
            return Err(ended_redirect(reason));
        }
        state.store.touch_session(&token, now).await?;
        Ok(LiveSession { token, session })
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let live = LiveSession::from_request_parts(parts, state).await?;
        crate::kit::trace::record_account(live.session.user.id);
        crate::kit::audit::note_user(&live.session.user.username);
        if live.session.step != SignInStep::Done {
            return Err(WebError::SignIn(step_path(live.session.step).to_owned()));
        }
        let unread = state
            .store
            .unread_count(&live.session.user.username)
            .await?;
        Ok(CurrentUser {
            user: live.session.user,
            csrf_token: live.session.csrf_token,
            path: parts.uri.path().to_owned(),
            unread,
        })
    }
}

/// The same for API routes, which answer 401 in JSON instead of redirecting. Either a personal
/// token (`Authorization: Bearer zst_…`: the owner's role and scope, no CSRF header, its own
/// rate limit, every use audited, no session touched) or the browser's session, whose requests
/// that change something must also carry the session's CSRF token in `X-CSRF-Token`: a cookie
/// alone proves nothing about who wrote the request.
pub struct ApiUser(pub CurrentUser);

/// Requests one token may make in a minute: a nightly sync at full speed, not a flood.
pub const TOKEN_REQUESTS_PER_MINUTE: u32 = 600;

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            return token_user(value, state)
                .await
                .map(ApiUser)
                .map_err(ApiError);
        }
        let user = CurrentUser::from_request_parts(parts, state)
            .await
            .map_err(|e| match e {
                WebError::SignIn(_) => ApiError(WebError::Unauthenticated),
                other => ApiError(other),
            })?;
        if !parts.method.is_safe() {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            user.check_csrf(sent).map_err(ApiError)?;
        }
        Ok(ApiUser(user))
    }
}

/// The owner of the bearer token in `value`, if the token is live, the owner enabled and the
/// token within its rate.
async fn token_user(
    value: &axum::http::HeaderValue,
    state: &AppState,
) -> Result<CurrentUser, WebError> {
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(WebError::Unauthenticated)?;
    let now = now();
    let (id, username) = state
        .store
        .api_token_user(token, now)
        .await?
        .ok_or(WebError::Unauthenticated)?;
    crate::kit::audit::note_token(&username);
    if !state
        .limits
        .allow(&format!("token:{id}"), TOKEN_REQUESTS_PER_MINUTE, now)
    {
        return Err(WebError::TooMany(format!(
            "此令牌的请求过于频繁（每分钟不超过 {TOKEN_REQUESTS_PER_MINUTE} 次），请稍后再试"
        )));
    }
    let user = state
        .store
        .user_by_name(&username)
        .await?
        .filter(|u| !u.disabled)
        .ok_or(WebError::Unauthenticated)?;
    crate::kit::trace::record_account(user.id);
    state.store.touch_api_token(id, now).await?;
    Ok(CurrentUser {
        user,
        csrf_token: String::new(),
        path: String::new(),
        unread: 0,
    })
}

crate::kit::routes! { routes, ROUTES;
        "/login" => get(login_form).post(login);
        "/logout" => post(logout);
        "/login/totp" => get(totp_form).post(totp_check);
        "/account/password" => get(password_form).post(password_change);
        "/account/totp" => get(enrol_form).post(enrol);
}
