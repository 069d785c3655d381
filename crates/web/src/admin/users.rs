//! The 系统管理员's page of accounts (`/users`): every account with its state, adding one with a
//! temporary password (its first sign-in replaces it), resetting a password, disabling and
//! enabling. Locks and sessions are the 安全管理员's (三员分立).

use crate::kit::request::Path;
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
    password: String,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    form: NewAccount,
    errors: Vec<FieldError>,
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
    let units: Vec<String> = std::iter::once(String::new())
        .chain(state.store.units().await?.into_iter().map(|u| u.name))
        .collect();
    Ok(UsersPage {
        layout: Layout::of(user),
        accounts,
        roles: choices(Role::ALL.iter().map(|r| r.label()), &form.role),
        units: choices(units.iter().map(String::as_str), &form.unit),
        form,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    allow(user.actor().manages_users())?;
    Ok(Html(render(
        &page(&state, &user, NewAccount::default(), Vec::new()).await?,
    )?))
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
    let policy = state.store.security_policy().await?;
    // Checked here as well as by the store, so that a bad role and a weak password are both
    // shown at once.
    if let Err(e) = policy.check_password(form.username.trim(), &form.password) {
        errors.push(FieldError::new(store::accounts::PASSWORD_FIELD, e.message));
    }
    if let (Some(role), true) = (role, errors.is_empty()) {
        let unit = Some(form.unit.trim()).filter(|u| !u.is_empty());
        let account = store::accounts::NewAccount {
            username: &form.username,
            display_name: &form.display_name,
            role,
            unit,
            leader: None,
            password: &form.password,
        };
        let mut tx = state.store.begin(&user.user.username).await?;
        match tx.add_account(&account, &policy, now()).await {
            Ok(_) => {
                tx.commit().await?;
                return Ok(Redirect::to("/users").into_response());
            }
            Err(e) => {
                tx.rollback().await?;
                errors.extend(account_refusal(e)?);
            }
        }
    }
    let page = page(
        &state,
        &user,
        NewAccount {
            password: String::new(),
            ..form
        },
        errors,
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountAction {
    csrf: String,
    password: String,
}

/// `reset` sets a temporary password (the account's sessions end; its next sign-in changes
/// it); `disable` and `enable` switch the account off and on.
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
        return Err(WebError::Conflict("不能停用自己的账号".into()));
    }
    let mut tx = state.store.begin(&user.user.username).await?;
    match action.as_str() {
        "reset" => {
            let policy = state.store.security_policy().await?;
            if let Err(e) = tx
                .reset_password(&username, &form.password, &policy, now())
                .await
            {
                tx.rollback().await?;
                let page = page(&state, &user, NewAccount::default(), account_refusal(e)?).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response());
            }
        }
        "disable" => tx.set_disabled(&username, true).await?,
        "enable" => tx.set_disabled(&username, false).await?,
        _ => return Err(WebError::NotFound("没有这个操作".into())),
    }
    tx.commit().await?;
    Ok(Redirect::to("/users").into_response())
}

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The refusal of an account's input: a weak password beside its field, anything else (a
/// name in use, an unknown unit) beside 账号.
fn account_refusal(e: store::StoreError) -> Result<Vec<FieldError>, WebError> {
    let password: Vec<FieldError> = e
        .field_errors()
        .into_iter()
        .filter(|f| f.field == store::accounts::PASSWORD_FIELD)
        .cloned()
        .collect();
    if !password.is_empty() {
        return Ok(password);
    }
    Ok(vec![FieldError::new("账号", refusal(e)?)])
}
