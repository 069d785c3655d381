//! The 系统管理员's page of accounts (`/users`): every account with its state, adding one with a
//! temporary password (its first sign-in replaces it), resetting a password, disabling and
//! enabling. Locks and sessions are the 安全管理员's (三员分立).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::FieldError;
use domain::access::Role;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CurrentUser, hash_password};
use crate::error::{WebError, refusal};
use crate::form::Form;
use crate::projects::{Choice, choices, render};
use crate::view::Layout;

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

fn sysadmin_only(user: &CurrentUser) -> Result<(), WebError> {
    if user.actor().manages_users() {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
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
    sysadmin_only(&user)?;
    Ok(Html(render(
        &page(&state, &user, NewAccount::default(), Vec::new()).await?,
    )?))
}

/// Checks a temporary password against the policy; the error names the form's field.
async fn temporary_password(
    state: &AppState,
    username: &str,
    password: &str,
) -> Result<String, FieldError> {
    let policy = state
        .store
        .security_policy()
        .await
        .map_err(|e| FieldError::new("临时密码", e.to_string()))?;
    policy
        .check_password(username, password)
        .map_err(|e| FieldError::new("临时密码", e.message))?;
    hash_password(password).map_err(|e| FieldError::new("临时密码", e.to_string()))
}

pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<NewAccount>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    sysadmin_only(&user)?;
    let mut errors = Vec::new();
    let role = Role::parse("角色", &form.role)
        .map_err(|e| errors.push(e))
        .ok();
    let hash = temporary_password(&state, form.username.trim(), &form.password)
        .await
        .map_err(|e| errors.push(e))
        .ok();
    if let (Some(role), Some(hash), true) = (role, hash, errors.is_empty()) {
        let mut tx = state.store.begin(&user.user.username).await?;
        let unit = Some(form.unit.trim()).filter(|u| !u.is_empty());
        let added = tx
            .add_user(&form.username, &form.display_name, role, unit, &hash)
            .await;
        match added {
            Ok(_) => {
                tx.set_password(
                    form.username.trim(),
                    &hash,
                    true,
                    chrono::Utc::now().timestamp_millis(),
                )
                .await?;
                tx.commit().await?;
                return Ok(Redirect::to("/users").into_response());
            }
            Err(e) => {
                tx.rollback().await?;
                errors.push(FieldError::new("账号", refusal(e)?));
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
    sysadmin_only(&user)?;
    if state.store.user_by_name(&username).await?.is_none() {
        return Err(WebError::NotFound(format!("用户“{username}”不存在")));
    }
    if username == user.user.username && action != "reset" {
        return Err(WebError::Conflict("不能停用自己的账号".into()));
    }
    let mut tx = state.store.begin(&user.user.username).await?;
    match action.as_str() {
        "reset" => {
            let hash = match temporary_password(&state, &username, &form.password).await {
                Ok(hash) => hash,
                Err(e) => {
                    tx.rollback().await?;
                    let page = page(&state, &user, NewAccount::default(), vec![e]).await?;
                    return Ok(
                        (StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response()
                    );
                }
            };
            tx.set_password(
                &username,
                &hash,
                true,
                chrono::Utc::now().timestamp_millis(),
            )
            .await?;
            tx.end_sessions_of(&username).await?;
        }
        "disable" => tx.set_disabled(&username, true).await?,
        "enable" => tx.set_disabled(&username, false).await?,
        _ => return Err(WebError::NotFound("没有这个操作".into())),
    }
    tx.commit().await?;
    Ok(Redirect::to("/users").into_response())
}
