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
pub use sign_in::{login, login_form, logout};
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
        if live.session.step != SignInStep::Done {
            return Err(WebError::SignIn(step_path(live.session.step).to_owned()));
        }
        Ok(CurrentUser {
            user: live.session.user,
            csrf_token: live.session.csrf_token,
        })
    }
}

/// The same for API routes, which answer 401 in JSON instead of redirecting. A request that
/// changes something must also carry the session's CSRF token in `X-CSRF-Token`: a cookie alone
/// proves nothing about who wrote the request.
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
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

crate::kit::routes! { routes, ROUTES;
        "/login" => get(login_form).post(login);
        "/logout" => post(logout);
        "/login/totp" => get(totp_form).post(totp_check);
        "/account/password" => get(password_form).post(password_change);
        "/account/totp" => get(enrol_form).post(enrol);
}
