//! The sign-in form, its checks (lockout, disabled accounts, unknown names in constant time,
//! one answer for every refusal, failures throttled per client address) and signing out.

use crate::kit::request::Query;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::security::{Policy, Standing, next_step};
use serde::Deserialize;
use store::User;
use store::accounts::verify_password;

use super::csrf::CsrfForm;
use super::{
    LOGIN_COOKIE, LiveSession, SESSION_MILLIS, cookie_value, now, random_token, session_cookie,
    step_path,
};
use crate::AppState;
use crate::kit::audit::ClientAddress;
use crate::kit::error::WebError;
use crate::kit::form::Form;
use crate::kit::user::check_token;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    username: String,
    error: Option<String>,
    notice: Option<&'static str>,
    csrf: String,
}

/// The sign-in page. Its token is the browser's `zs_login` cookie when it has one, so that a
/// page requested twice (browsers do) still matches the cookie; else a new one.
fn login_page(
    headers: &HeaderMap,
    status: StatusCode,
    username: &str,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let kept = cookie_value(headers, LOGIN_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()));
    let csrf = match kept {
        Some(token) => token,
        None => random_token()?,
    };
    let page = LoginPage {
        username: username.to_owned(),
        error,
        notice,
        csrf: csrf.clone(),
    };
    let body = page
        .render()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let cookie =
        format!("{LOGIN_COOKIE}={csrf}; HttpOnly; SameSite=Strict; Path=/login; Max-Age=3600");
    Ok((status, [(header::SET_COOKIE, cookie)], Html(body)).into_response())
}

#[derive(Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    ended: String,
}

/// What the sign-in page says to the browser of a session that ended.
fn ended_notice(reason: &str) -> Option<&'static str> {
    match reason {
        "replaced" => Some(
            "您的账号已在其他地方登录，本会话已结束。如非本人操作，请立即修改密码并联系安全管理员。",
        ),
        "idle" => Some("长时间未操作，已自动退出，请重新登录。"),
        "expired" => Some("会话已到期，请重新登录。"),
        "signed_out" => Some("您已退出。"),
        "ended_by_admin" => Some("安全管理员已结束您的会话，请重新登录。"),
        "locked" => Some("验证码错误次数过多，账号已锁定。"),
        _ => None,
    }
}

pub async fn login_form(
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Result<Response, WebError> {
    login_page(
        &headers,
        StatusCode::OK,
        "",
        None,
        ended_notice(&query.ended),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

/// What every refused sign-in answers — an unknown name, a wrong password, a locked or a
/// disabled account alike — so that the answer does not tell which names exist or which are
/// locked. The 安全管理员's page and the audit log say which it was.
const REFUSED: &str =
    "用户名或密码错误。连续多次失败后账号将被暂时锁定；如仍无法登录，请联系安全管理员";

/// Failed sign-ins one client address may make in a minute, whatever names it tries: the
/// per-account lock stops guessing one password, this stops trying one password on many names.
pub const FAILURES_PER_ADDRESS_PER_MINUTE: u32 = 20;

pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let username = form.username.trim();
    let expected = cookie_value(&headers, LOGIN_COOKIE).unwrap_or_default();
    if check_token(&expected, &form.csrf).is_err() {
        return login_page(
            &headers,
            StatusCode::FORBIDDEN,
            username,
            Some("登录页面已过期或来源不明，请重新登录".into()),
            None,
        );
    }
    let now = now();
    let throttle_key = format!("sign-in:{}", address.as_deref().unwrap_or("unknown"));
    if state.limits.count(&throttle_key, now) >= FAILURES_PER_ADDRESS_PER_MINUTE {
        let mut tx = state.store.begin(username).await?;
        tx.log_sign_in_refused(username, "address_throttled", address.as_deref())
            .await?;
        tx.commit().await?;
        let mut page = login_page(
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            username,
            Some("本机登录失败次数过多，请一分钟后再试".into()),
            None,
        )?;
        page.headers_mut().insert(
            header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("60"),
        );
        return Ok(page);
    }
    let policy = state.store.security_policy().await?;
    let user = state.store.user_by_name(username).await?;
    // The hash is checked even for an unknown name, so that timing does not tell which names exist.
    let hash = user
        .as_ref()
        .map_or(state.dummy_hash.as_str(), |u| u.password_hash.as_str());
    let password_ok = verify_password(&form.password, hash);
    let refusal = match &user {
        None => Some("unknown_user"),
        Some(u) if u.disabled => Some("disabled"),
        Some(u) if u.locked_at(now) => Some("locked"),
        Some(_) if !password_ok => Some("wrong_password"),
        Some(_) => None,
    };
    let Some(user) = user.filter(|_| refusal.is_none()) else {
        let reason = refusal.unwrap_or("unknown_user");
        state.limits.allow(&throttle_key, u32::MAX, now);
        let mut tx = state.store.begin(username).await?;
        if reason == "locked" {
            // A locked account's failures are logged, not counted: the lock runs its time.
            tx.log_sign_in_refused(username, reason, address.as_deref())
                .await?;
        } else {
            tx.sign_in_failed(username, reason, address.as_deref(), &policy, now)
                .await?;
        }
        tx.commit().await?;
        return login_page(
            &headers,
            StatusCode::UNAUTHORIZED,
            username,
            Some(REFUSED.into()),
            None,
        );
    };
    let step = next_step(standing(&user, &policy, false, now));
    let token = random_token()?;
    let csrf = random_token()?;
    let mut tx = state.store.begin(&user.username).await?;
    tx.sign_in(
        &user,
        &token,
        &csrf,
        step,
        address.as_deref(),
        now,
        now + SESSION_MILLIS,
    )
    .await?;
    tx.commit().await?;
    let cookie = session_cookie(&state, &token, SESSION_MILLIS / 1000);
    let clear_login = format!("{LOGIN_COOKIE}=; HttpOnly; SameSite=Strict; Path=/login; Max-Age=0");
    Ok((
        axum::response::AppendHeaders([
            (header::SET_COOKIE, cookie),
            (header::SET_COOKIE, clear_login),
        ]),
        Redirect::to(step_path(step)),
    )
        .into_response())
}

pub(super) fn standing(
    user: &User,
    policy: &Policy,
    second_factor_passed: bool,
    now: i64,
) -> Standing {
    Standing {
        role: user.role,
        has_second_factor: user.totp_secret.is_some(),
        second_factor_passed,
        must_change_password: user.must_change_password,
        password_expired: policy.password_expired(user.password_changed_at, now),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    live: LiveSession,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    check_token(&live.session.csrf_token, &form.csrf)?;
    let username = &live.session.user.username;
    let mut tx = state.store.begin(username).await?;
    tx.end_session(&live.token, username, "signed_out").await?;
    tx.commit().await?;
    Ok((
        [(header::SET_COOKIE, session_cookie(&state, "", 0))],
        Redirect::to("/login?ended=signed_out"),
    )
        .into_response())
}
