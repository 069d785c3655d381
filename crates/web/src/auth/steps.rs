//! The steps a sign-in passes before its session is whole: the TOTP code, a new password
//! (first sign-in, expiry), an administrator's enrolment of a second factor.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::security::{Policy, SignInStep, next_step, totp};
use serde::Deserialize;
use store::accounts::{random_bytes, verify_password};
use store::{Failure, User};

use super::sign_in::standing;
use super::{LiveSession, TOTP_ISSUER, now, step_path};
use crate::AppState;
use crate::kit::audit::ClientAddress;
use crate::kit::error::WebError;
use crate::kit::form::Form;
use crate::kit::user::check_token;

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

/// Counts a wrong code or password given by a signed-in session against its account and
/// commits; when that locks the account, ends the session and answers where its browser goes.
async fn count_failure(
    state: &AppState,
    mut tx: store::Tx,
    live: &LiveSession,
    reason: &str,
    address: Option<String>,
) -> Result<Option<Response>, WebError> {
    let user = &live.session.user;
    let policy = state.store.security_policy().await?;
    let outcome = tx
        .sign_in_failed(&user.username, reason, address.as_deref(), &policy, now())
        .await?;
    if let Failure::Locked(_) = outcome {
        tx.end_session(&live.token, &user.username, "locked")
            .await?;
        tx.commit().await?;
        return Ok(Some(Redirect::to("/login?ended=locked").into_response()));
    }
    tx.commit().await?;
    Ok(None)
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
    /// Enrolment of an account that has a second factor already: replacing it asks for the
    /// password and a code of the present one, so a session left open cannot swap it.
    replacing: bool,
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
            replacing: live.session.user.totp_secret.is_some(),
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
    /// Replacing a second factor: the account's password and a code of the present factor.
    #[serde(default)]
    password: String,
    #[serde(default)]
    current: String,
}

pub async fn totp_check(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
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
    if let Some(locked) = count_failure(&state, tx, &live, "wrong_code", address).await? {
        return Ok(locked);
    }
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
    let mut tx = state.store.begin(&user.username).await?;
    if let Err(e) = tx.change_password(&user.username, &form.new, now()).await {
        tx.rollback().await?;
        return step_page(
            password_page(&live, &policy, Some(crate::kit::error::refusal(e)?)),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
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
    ClientAddress(address): ClientAddress,
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
    // The new code first: a typo there must not use up the present factor's code.
    let Some(step) = totp::accept(&secret, &form.code, now(), None) else {
        let label = if user.totp_secret.is_some() {
            "新验证器的动态口令"
        } else {
            "动态口令"
        };
        return step_page(
            enrol_page(
                &live,
                &secret,
                Some(format!(
                    "{label}：与二维码不符，请输入验证器中当前显示的 6 位数字"
                )),
            )?,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    if let Some(present) = user.totp_secret.as_deref() {
        let present =
            hex::decode(present).map_err(|_| WebError::Internal("动态口令密钥缺失".into()))?;
        let mut tx = state.store.begin(&user.username).await?;
        let refused = if form.password.is_empty() {
            Some(("wrong_password", "当前密码：不能为空"))
        } else if !verify_password(&form.password, &user.password_hash) {
            Some(("wrong_password", "当前密码：不正确"))
        } else {
            let last = tx.totp_last_step(&user.username).await?;
            let taken = match totp::accept(&present, &form.current, now(), last) {
                Some(step) => tx.use_totp_step(&user.username, step).await?,
                None => false,
            };
            (!taken).then_some((
                "wrong_code",
                "原动态口令：错误或已使用，请输入原验证器中当前显示的 6 位数字",
            ))
        };
        if let Some((reason, message)) = refused {
            if let Some(locked) = count_failure(&state, tx, &live, reason, address).await? {
                return Ok(locked);
            }
            return step_page(
                enrol_page(&live, &secret, Some(message.into()))?,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        tx.commit().await?;
    }
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
