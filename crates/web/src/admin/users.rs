//! The 系统管理员's page of accounts (`/users`): every account with its state; asking for a new
//! account, another role, an account enabled again, a password or a second factor reset — each
//! takes effect when the 安全管理员 approves it (`/security`, 三员分立 with two people), who
//! alone sees the temporary password it makes; disabling at once. Locks and sessions are the
//! 安全管理员's.

use crate::kit::request::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::FieldError;
use domain::access::Role;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::{WebError, refusal};
use crate::kit::form::Form;
use crate::kit::form::{Choice, choices};
use crate::kit::render::render;
use crate::kit::scope::allow;
use crate::kit::view::Layout;

pub struct AccountLine {
    username: String,
    display_name: String,
    role: &'static str,
    unit: String,
    disabled: bool,
    must_change: bool,
    second_factor: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    accounts: Vec<AccountLine>,
    /// Requests waiting for the 安全管理员: (account, what, asked by, when).
    pending: Vec<(String, String, String, String)>,
    notice: Option<&'static str>,
    /// The account whose role change is being asked for.
    role_of: Option<String>,
    form: NewAccount,
    roles: Vec<Choice>,
    units: Vec<Choice>,
    errors: Vec<FieldError>,
}

/// The add form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewAccount {
    csrf: String,
    username: String,
    display_name: String,
    role: String,
    unit: String,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    form: NewAccount,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> Result<UsersPage, WebError> {
    let accounts = state
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| AccountLine {
            role: u.role.label(),
            unit: u.unit.unwrap_or_default(),
            disabled: u.disabled,
            must_change: u.must_change_password,
            second_factor: u.totp_secret.is_some(),
            display_name: u.display_name,
            username: u.username,
        })
        .collect();
    let pending = state
        .store
        .open_account_requests()
        .await?
        .into_iter()
        .map(|r| {
            (
                r.username,
                r.change.describe(),
                r.requested_by,
                crate::kit::view::when(r.requested_at),
            )
        })
        .collect();
    let units: Vec<String> = std::iter::once(String::new())
        .chain(state.store.units().await?.into_iter().map(|u| u.name))
        .collect();
    Ok(UsersPage {
        layout: Layout::of(user),
        accounts,
        pending,
        notice,
        role_of: None,
        roles: choices(Role::ALL.iter().map(|r| r.label()), &form.role),
        units: choices(units.iter().map(String::as_str), &form.unit),
        form,
        errors,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    requested: Option<String>,
    role: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ShowQuery>,
) -> Result<Html<String>, WebError> {
    allow(user.actor().manages_users())?;
    let notice = query
        .requested
        .map(|_| "申请已提交，安全管理员批准后生效。");
    let mut page = page(&state, &user, NewAccount::default(), Vec::new(), notice).await?;
    if let Some(name) = query.role {
        if state.store.user_by_name(&name).await?.is_none() {
            return Err(WebError::NotFound(format!("用户“{name}”不存在")));
        }
        page.role_of = Some(name);
    }
    Ok(Html(render(&page)?))
}

pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<NewAccount>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    allow(user.actor().manages_users())?;
    let mut errors = Vec::new();
    let role = Role::parse("角色", &form.role)
        .map_err(|e| errors.push(e))
        .ok();
    if form.display_name.trim().chars().count() > 60 {
        errors.push(FieldError::new("姓名", "不超过60个字"));
    }
    if let (Some(role), true) = (role, errors.is_empty()) {
        let unit = Some(form.unit.trim()).filter(|u| !u.is_empty());
        let asked = async {
            let change =
                store::requests::create_request(&form.display_name, role, unit, &form.username);
            let mut tx = state.store.begin(&user.user.username).await?;
            tx.request_account_change(&form.username, change, now())
                .await?;
            tx.commit().await
        };
        match asked.await {
            Ok(()) => return Ok(Redirect::to("/users?requested=1").into_response()),
            Err(e) => errors.extend(account_refusal(e)?),
        }
    }
    let page = page(&state, &user, form, errors, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountAction {
    csrf: String,
    /// `role`: the role asked for and its unit.
    role: String,
    unit: String,
}

/// `disable` switches the account off at once (its sessions end); `enable`, `role`, `reset`
/// (a temporary password) and `reset-totp` ask the 安全管理员.
pub async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((username, action)): Path<(String, String)>,
    Form(form): Form<AccountAction>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    allow(user.actor().manages_users())?;
    if state.store.user_by_name(&username).await?.is_none() {
        return Err(WebError::NotFound(format!("用户“{username}”不存在")));
    }
    if action != "reset" && !user.actor().may_disable(&username) {
        return Err(WebError::Conflict("不能停用、启用或变更自己的账号".into()));
    }
    let change = match action.as_str() {
        "enable" => Some(store::AccountChange::Enable),
        "reset-totp" => Some(store::AccountChange::ResetSecondFactor),
        "reset" => Some(store::AccountChange::ResetPassword),
        "role" => {
            let role = Role::parse("角色", &form.role)?;
            let unit = Some(form.unit.trim().to_owned()).filter(|u| !u.is_empty());
            Some(store::AccountChange::Role {
                role: role.code().to_owned(),
                unit,
            })
        }
        "disable" => None,
        _ => return Err(WebError::NotFound("没有这个操作".into())),
    };
    let mut tx = state.store.begin(&user.user.username).await?;
    if let Some(change) = change {
        if let Err(e) = tx.request_account_change(&username, change, now()).await {
            tx.rollback().await?;
            return refused(&state, &user, e).await;
        }
        tx.commit().await?;
        return Ok(Redirect::to("/users?requested=1").into_response());
    }
    if let Err(e) = tx.set_disabled(&username, true).await {
        tx.rollback().await?;
        return refused(&state, &user, e).await;
    }
    tx.commit().await?;
    Ok(Redirect::to("/users").into_response())
}

/// The page again with the store's refusal beside the field it names, 422.
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    e: store::StoreError,
) -> Result<Response, WebError> {
    let page = page(
        state,
        user,
        NewAccount::default(),
        account_refusal(e)?,
        None,
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
}

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The refusal of an account's input: each bad field beside its name; anything else (the last
/// 审计员 kept) beside 账号.
fn account_refusal(e: store::StoreError) -> Result<Vec<FieldError>, WebError> {
    let fields: Vec<FieldError> = e.field_errors().into_iter().cloned().collect();
    if !fields.is_empty() {
        return Ok(fields);
    }
    Ok(vec![FieldError::new("账号", refusal(e)?)])
}
