//! Signing in, as 等保2.0 三级 asks (domain::security holds the rules): argon2id password
//! hashes; lockout after repeated failures; server-side sessions in an HttpOnly, SameSite=Strict
//! cookie, one per account (a new sign-in ends the old one, and its browser is told why), ended
//! after the idle timeout; the steps a sign-in must pass before its session is whole — the TOTP
//! code, a new password (first sign-in, expiry), an administrator's enrolment of a second
//! factor; and every sign-in event in the audit log. A route without [`CurrentUser`] is
//! reachable without signing in, so the router lists the few that are (sign-in, assets).

use crate::form::Form;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::access::Actor;
use domain::security::{Policy, SignInStep, Standing, next_step, totp};
use serde::Deserialize;
use store::{Failure, Session, User};

use crate::AppState;
use crate::error::{ApiError, WebError};

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

/// Hashes a new password at the cost the account's present hash was made with, so that tests'
/// cheap hashes stay cheap and real ones stay real.
fn rehash_like(password: &str, present: &str) -> Result<String, WebError> {
    let params = PasswordHash::new(present)
        .ok()
        .and_then(|parsed| Params::try_from(&parsed).ok())
        .unwrap_or_default();
    hash_with(password, params)
}

/// Checks a password against a stored hash; the hash carries its own parameters.
fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Random bytes from the operating system.
fn random_bytes<const N: usize>() -> Result<[u8; N], WebError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(bytes)
}

/// A random token as hex: session ids and CSRF tokens.
pub fn random_token() -> Result<String, WebError> {
    Ok(hex::encode(random_bytes::<32>()?))
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

/// The signed-in user of a request whose sign-in is complete; HTML routes that take it send
/// strangers to /login and unfinished sign-ins to their next step.
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
        check_token(&self.csrf_token, sent)
    }
}

/// Compares in time independent of where the strings first differ.
fn check_token(expected: &str, sent: &str) -> Result<(), WebError> {
    let same = expected.len() == sent.len()
        && expected
            .bytes()
            .zip(sent.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same && !expected.is_empty() {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
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

fn locked_message(until: i64) -> String {
    let minutes = ((until - now()) as f64 / 60_000.0).ceil().max(1.0);
    format!("登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试，或联系安全管理员解锁")
}

pub async fn login(
    State(state): State<AppState>,
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
        let mut tx = state.store.begin(username).await?;
        let outcome = if reason == "locked" {
            // A locked account's failures are logged, not counted: the lock runs its time.
            tx.log_sign_in_refused(username, reason).await?;
            Failure::Counted
        } else {
            tx.sign_in_failed(username, reason, &policy, now).await?
        };
        tx.commit().await?;
        let locked_until = match (outcome, reason) {
            (Failure::Locked(until), _) => Some(until),
            (_, "locked") => state
                .store
                .user_by_name(username)
                .await?
                .and_then(|u| u.locked_until),
            _ => None,
        };
        let message = match locked_until {
            Some(until) => locked_message(until),
            None => "用户名或密码错误".into(),
        };
        let status = if locked_until.is_some() {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::UNAUTHORIZED
        };
        return login_page(&headers, status, username, Some(message), None);
    };
    let step = next_step(standing(&user, &policy, false, now));
    let token = random_token()?;
    let csrf = random_token()?;
    let mut tx = state.store.begin(&user.username).await?;
    tx.sign_in(&user, &token, &csrf, step, now, now + SESSION_MILLIS)
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

fn standing(user: &User, policy: &Policy, second_factor_passed: bool, now: i64) -> Standing {
    Standing {
        role: user.role,
        has_second_factor: user.totp_secret.is_some(),
        second_factor_passed,
        must_change_password: user.must_change_password,
        password_expired: policy.password_expired(user.password_changed_at, now),
    }
}

/// A form that carries nothing but the session's token (sign-out, a button that acts).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
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

/// Moves a session to the step after the one it passed, and sends the browser there.
async fn advance(
    state: &AppState,
    live: &LiveSession,
    user: &User,
    second_factor_passed: bool,
) -> Result<Response, WebError> {
    let policy = state.store.security_policy().await?;
    let step = next_step(standing(user, &policy, second_factor_passed, now()));
    let mut tx = state.store.begin(&user.username).await?;
    tx.advance_session(&live.token, &user.username, step)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to(step_path(step)).into_response())
}

#[derive(Template)]
#[template(path = "sign_in_step.html")]
struct StepPage {
    title: &'static str,
    display_name: String,
    csrf: String,
    error: Option<String>,
    kind: &'static str,
    /// Enrolment: the QR code's SVG, the secret as text, the secret as the form carries it.
    qr_svg: String,
    secret_text: String,
    secret_hex: String,
    /// Whether the page is a step of signing in (no menu) or chosen from the account menu.
    forced: bool,
    policy_hint: String,
}

impl StepPage {
    /// A page of `kind` for the session's user, with nothing of the other kinds.
    fn new(
        live: &LiveSession,
        title: &'static str,
        kind: &'static str,
        error: Option<String>,
    ) -> Self {
        StepPage {
            title,
            display_name: live.session.user.display_name.clone(),
            csrf: live.session.csrf_token.clone(),
            error,
            kind,
            qr_svg: String::new(),
            secret_text: String::new(),
            secret_hex: String::new(),
            forced: live.session.step != SignInStep::Done,
            policy_hint: String::new(),
        }
    }
}

fn step_page(page: StepPage, status: StatusCode) -> Result<Response, WebError> {
    let body = page
        .render()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((status, Html(body)).into_response())
}

fn policy_hint(policy: &Policy) -> String {
    format!(
        "至少 {} 个字符，包含小写字母、大写字母、数字、其他符号中的至少 {} 种，不含用户名；每 {} 天须更换一次。",
        policy.min_length, policy.min_classes, policy.max_age_days
    )
}

fn totp_page(live: &LiveSession, error: Option<String>) -> StepPage {
    StepPage::new(live, "动态口令验证", "totp", error)
}

pub async fn totp_form(live: LiveSession) -> Result<Response, WebError> {
    if live.session.step != SignInStep::SecondFactor {
        return Ok(Redirect::to(step_path(live.session.step)).into_response());
    }
    step_page(totp_page(&live, None), StatusCode::OK)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    secret: String,
}

pub async fn totp_check(
    State(state): State<AppState>,
    live: LiveSession,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    check_token(&live.session.csrf_token, &form.csrf)?;
    if live.session.step != SignInStep::SecondFactor {
        return Ok(Redirect::to(step_path(live.session.step)).into_response());
    }
    let user = &live.session.user;
    let secret = user
        .totp_secret
        .as_deref()
        .and_then(|s| hex::decode(s).ok())
        .ok_or_else(|| WebError::Internal("动态口令密钥缺失".into()))?;
    let now = now();
    let mut tx = state.store.begin(&user.username).await?;
    let last = tx.totp_last_step(&user.username).await?;
    let taken = match totp::accept(&secret, &form.code, now, last) {
        Some(step) => tx.use_totp_step(&user.username, step).await?,
        None => false,
    };
    if taken {
        tx.commit().await?;
        return advance(&state, &live, user, true).await;
    }
    let policy = state.store.security_policy().await?;
    let outcome = tx
        .sign_in_failed(&user.username, "wrong_code", &policy, now)
        .await?;
    if let Failure::Locked(_) = outcome {
        tx.end_session(&live.token, &user.username, "locked")
            .await?;
        tx.commit().await?;
        return Ok(Redirect::to("/login?ended=locked").into_response());
    }
    tx.commit().await?;
    step_page(
        totp_page(
            &live,
            Some("动态口令错误或已使用，请输入验证器中当前显示的 6 位数字".into()),
        ),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

fn password_page(live: &LiveSession, policy: &Policy, error: Option<String>) -> StepPage {
    StepPage {
        policy_hint: policy_hint(policy),
        ..StepPage::new(live, "修改密码", "password", error)
    }
}

/// A page of signing in reached at the wrong step goes to the right one; the same page chosen
/// by a signed-in user is allowed.
fn at_step_or_done(live: &LiveSession, step: SignInStep) -> Option<Response> {
    (live.session.step != step && live.session.step != SignInStep::Done)
        .then(|| Redirect::to(step_path(live.session.step)).into_response())
}

pub async fn password_form(
    State(state): State<AppState>,
    live: LiveSession,
) -> Result<Response, WebError> {
    if let Some(elsewhere) = at_step_or_done(&live, SignInStep::ChangePassword) {
        return Ok(elsewhere);
    }
    let policy = state.store.security_policy().await?;
    step_page(password_page(&live, &policy, None), StatusCode::OK)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn password_change(
    State(state): State<AppState>,
    live: LiveSession,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    check_token(&live.session.csrf_token, &form.csrf)?;
    if let Some(elsewhere) = at_step_or_done(&live, SignInStep::ChangePassword) {
        return Ok(elsewhere);
    }
    let user = &live.session.user;
    let policy = state.store.security_policy().await?;
    let refused = if !verify_password(&form.current, &user.password_hash) {
        Some("当前密码：不正确".to_owned())
    } else if form.new != form.confirm {
        Some("确认新密码：与新密码不一致".to_owned())
    } else if form.new == form.current {
        Some("新密码：不能与当前密码相同".to_owned())
    } else {
        policy
            .check_password(&user.username, &form.new)
            .err()
            .map(|e| e.to_string())
    };
    if let Some(message) = refused {
        return step_page(
            password_page(&live, &policy, Some(message)),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let hash = rehash_like(&form.new, &user.password_hash)?;
    let mut tx = state.store.begin(&user.username).await?;
    tx.set_password(&user.username, &hash, false, now()).await?;
    tx.commit().await?;
    let Some(user) = state.store.user_by_name(&user.username).await? else {
        return Err(WebError::Unauthenticated);
    };
    if live.session.step == SignInStep::Done {
        return Ok(Redirect::to("/my").into_response());
    }
    // A code, if the account has one, was passed before this step.
    advance(&state, &live, &user, true).await
}

/// The QR code of `text` as SVG squares, drawn here (no script, no image file).
fn qr_svg(text: &str) -> Result<String, WebError> {
    let code =
        qrcode::QrCode::new(text.as_bytes()).map_err(|e| WebError::Internal(e.to_string()))?;
    let width = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 {size} {size}\" width=\"240\" height=\"240\" role=\"img\" aria-label=\"动态口令二维码\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\""
    );
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = (i % width + quiet, i / width + quiet);
            svg.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    svg.push_str("\"/></svg>");
    Ok(svg)
}

fn enrol_page(
    live: &LiveSession,
    secret: &[u8],
    error: Option<String>,
) -> Result<StepPage, WebError> {
    let user = &live.session.user;
    let uri = totp::otpauth_uri(TOTP_ISSUER, &user.username, secret);
    let text = totp::base32(secret);
    let grouped = text
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(StepPage {
        qr_svg: qr_svg(&uri)?,
        secret_text: grouped,
        secret_hex: hex::encode(secret),
        ..StepPage::new(live, "绑定动态口令", "enrol", error)
    })
}

pub async fn enrol_form(live: LiveSession) -> Result<Response, WebError> {
    if let Some(elsewhere) = at_step_or_done(&live, SignInStep::EnrolSecondFactor) {
        return Ok(elsewhere);
    }
    let secret = random_bytes::<{ totp::SECRET_BYTES }>()?;
    step_page(enrol_page(&live, &secret, None)?, StatusCode::OK)
}

pub async fn enrol(
    State(state): State<AppState>,
    live: LiveSession,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    check_token(&live.session.csrf_token, &form.csrf)?;
    if let Some(elsewhere) = at_step_or_done(&live, SignInStep::EnrolSecondFactor) {
        return Ok(elsewhere);
    }
    // The secret travels in the form: the page showed it to this user anyway, and a code
    // made from it is what proves the app holds it.
    let secret = hex::decode(form.secret.trim())
        .ok()
        .filter(|s| s.len() == totp::SECRET_BYTES)
        .ok_or_else(|| WebError::BadRequest("动态口令密钥无效，请重新打开绑定页面".into()))?;
    let user = &live.session.user;
    let Some(step) = totp::accept(&secret, &form.code, now(), None) else {
        return step_page(
            enrol_page(
                &live,
                &secret,
                Some("动态口令：与二维码不符，请输入验证器中当前显示的 6 位数字".into()),
            )?,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let mut tx = state.store.begin(&user.username).await?;
    tx.enrol_totp(&user.username, &hex::encode(secret), step)
        .await?;
    tx.commit().await?;
    let Some(user) = state.store.user_by_name(&user.username).await? else {
        return Err(WebError::Unauthenticated);
    };
    if live.session.step == SignInStep::Done {
        return Ok(Redirect::to("/my").into_response());
    }
    advance(&state, &live, &user, true).await
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
