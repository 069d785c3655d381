//! The 安全管理员's page (`/security`: the sign-in rules, locked accounts, live sessions), its
//! role's alone: 三员分立. The 审计员's is `audit`.

use crate::kit::form::Form;
use crate::kit::request::Path;
use crate::kit::scope::allow;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::FieldError;
use domain::security::Policy;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::render::render;
use crate::kit::view::Layout;

use crate::kit::view::when as china_time;

pub struct AccountRow {
    username: String,
    display_name: String,
    role: &'static str,
    locked_until: String,
    failed_logins: i64,
    second_factor: bool,
    password_set: String,
    must_change: bool,
    sessions: i64,
    last_seen: String,
}

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    layout: Layout,
    /// A temporary password just made by an approval: (account, password), shown once.
    issued: Option<(String, String)>,
    /// Account changes waiting for a decision: (id, account, what, asked by, when, mine).
    requests: Vec<(i64, String, String, String, String, bool)>,
    /// The latest decided: (account, what, asked by, decided by, decision, when).
    decided: Vec<(String, String, String, String, &'static str, String)>,
    fields: Vec<(usize, &'static str, String, u32, u32)>,
    errors: Vec<FieldError>,
    accounts: Vec<AccountRow>,
}

async fn security_page(
    state: &AppState,
    user: &CurrentUser,
    typed: Vec<String>,
    errors: Vec<FieldError>,
) -> Result<SecurityPage, WebError> {
    let now = chrono::Utc::now().timestamp_millis();
    let sessions = state.store.live_sessions(now).await?;
    let accounts = state
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| {
            let live = sessions.iter().find(|(name, _, _)| *name == u.username);
            AccountRow {
                locked_until: u
                    .locked_until
                    .filter(|&until| until > now)
                    .map(china_time)
                    .unwrap_or_default(),
                failed_logins: u.failed_logins,
                second_factor: u.totp_secret.is_some(),
                password_set: china_time(u.password_changed_at),
                must_change: u.must_change_password,
                sessions: live.map_or(0, |(_, n, _)| *n),
                last_seen: live.map(|(_, _, t)| china_time(*t)).unwrap_or_default(),
                role: u.role.label(),
                display_name: u.display_name,
                username: u.username,
            }
        })
        .collect();
    let fields = Policy::BOUNDS
        .iter()
        .zip(typed)
        .enumerate()
        .map(|(i, ((label, least, most), value))| (i, *label, value, *least, *most))
        .collect();
    let requests = state
        .store
        .open_account_requests()
        .await?
        .into_iter()
        .map(|r| {
            let mine = !user.actor().approves_account_change(&r.requested_by);
            (
                r.id,
                r.username,
                r.change.describe(),
                r.requested_by,
                china_time(r.requested_at),
                mine,
            )
        })
        .collect();
    let decided = state
        .store
        .decided_account_requests(20)
        .await?
        .into_iter()
        .map(|r| {
            let decision = if r.decision.as_deref() == Some("approved") {
                "已批准"
            } else {
                "已驳回"
            };
            (
                r.username,
                r.change.describe(),
                r.requested_by,
                r.decided_by.unwrap_or_default(),
                decision,
                r.decided_at.map(china_time).unwrap_or_default(),
            )
        })
        .collect();
    Ok(SecurityPage {
        layout: Layout::of(user),
        issued: None,
        requests,
        decided,
        fields,
        errors,
        accounts,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    allow(user.actor().manages_security())?;
    let policy = state.store.security_policy().await?;
    let typed = policy.values().iter().map(ToString::to_string).collect();
    Ok(Html(render(
        &security_page(&state, &user, typed, Vec::new()).await?,
    )?))
}

/// The six settings as typed, in [`Policy::BOUNDS`] order (`p0` … `p5`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PolicyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    p0: String,
    #[serde(default)]
    p1: String,
    #[serde(default)]
    p2: String,
    #[serde(default)]
    p3: String,
    #[serde(default)]
    p4: String,
    #[serde(default)]
    p5: String,
}

pub async fn set_policy(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<PolicyForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    allow(user.actor().manages_security())?;
    let typed = [&form.p0, &form.p1, &form.p2, &form.p3, &form.p4, &form.p5];
    let mut values = [0u32; 6];
    let mut errors = Vec::new();
    for (i, text) in typed.iter().enumerate() {
        match text.trim().parse::<u32>() {
            Ok(v) => values[i] = v,
            Err(_) => errors.push(FieldError::new(Policy::BOUNDS[i].0, "须为整数")),
        }
    }
    let policy = if errors.is_empty() {
        Policy::new(values).map_err(|e| errors = e).ok()
    } else {
        None
    };
    let Some(policy) = policy else {
        let typed = typed.iter().map(|t| t.trim().to_owned()).collect();
        let page = security_page(&state, &user, typed, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response());
    };
    let mut tx = state.store.begin(&user.user.username).await?;
    tx.set_security_policy(&policy).await?;
    tx.commit().await?;
    Ok(Redirect::to("/security").into_response())
}

/// `unlock` lifts an account's lock; `end-sessions` ends its sessions.
pub async fn account_action(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((username, action)): Path<(String, String)>,
    Form(form): Form<crate::auth::CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    allow(user.actor().manages_security())?;
    if state.store.user_by_name(&username).await?.is_none() {
        return Err(WebError::NotFound(format!("用户“{username}”不存在")));
    }
    let mut tx = state.store.begin(&user.user.username).await?;
    match action.as_str() {
        "unlock" => tx.unlock(&username).await?,
        "end-sessions" => {
            tx.end_sessions_of(&username).await?;
        }
        _ => return Err(WebError::NotFound("没有这个操作".into())),
    }
    tx.commit().await?;
    Ok(Redirect::to("/security").into_response())
}

/// POST /security/requests/{id}/{decision}: the 安全管理员 approves (`approve`) or rejects
/// (`reject`) an account change someone else asked for.
pub async fn decide_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, decision)): Path<(i64, String)>,
    Form(form): Form<crate::auth::CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    allow(user.actor().manages_security())?;
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(WebError::NotFound("没有这个操作".into())),
    };
    let request = state
        .store
        .open_account_requests()
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| WebError::NotFound(format!("申请 {id} 不存在或已处理")))?;
    if !user.actor().approves_account_change(&request.requested_by) {
        return Err(WebError::Conflict("不能批准或驳回自己提出的申请".into()));
    }
    let now = chrono::Utc::now().timestamp_millis();
    let policy = state.store.security_policy().await?;
    let mut tx = state.store.begin(&user.user.username).await?;
    let (request, password) = tx.decide_account_request(id, approve, &policy, now).await?;
    tx.commit().await?;
    let Some(password) = password else {
        return Ok(Redirect::to("/security").into_response());
    };
    // Shown here, once, to the approver: the administrator who asked never sees it.
    let policy_values = policy.values().iter().map(ToString::to_string).collect();
    let mut page = security_page(&state, &user, policy_values, Vec::new()).await?;
    page.issued = Some((request.username, password));
    Ok(Html(render(&page)?).into_response())
}
