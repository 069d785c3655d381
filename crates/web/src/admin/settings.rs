//! The value lists offices edit (招商方式, 资金来源, 对接方式): the bureau's, not the code's.

use crate::kit::form::Form;
use crate::kit::request::Path;
use crate::kit::scope::allow;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::records::value_lists::DEFAULTS;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::render::render;
use crate::kit::view::Layout;

pub struct ListView {
    key: &'static str,
    label: &'static str,
    values: Vec<String>,
}

#[derive(Template)]
#[template(path = "value_lists.html")]
struct ListsPage {
    layout: Layout,
    lists: Vec<ListView>,
}

fn list_key(name: &str) -> Result<&'static str, WebError> {
    DEFAULTS
        .iter()
        .map(|(key, _, _)| *key)
        .find(|key| *key == name)
        .ok_or_else(|| WebError::NotFound("没有这个取值列表".into()))
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    allow(user.actor().manages_city_data())?;
    let mut lists = Vec::new();
    for (key, label, _) in DEFAULTS {
        lists.push(ListView {
            key,
            label,
            values: state.store.value_list(key).await?,
        });
    }
    Ok(Html(render(&ListsPage {
        layout: Layout::of(&user),
        lists,
    })?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ValueForm {
    csrf: String,
    value: String,
}

pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(list): Path<String>,
    Form(form): Form<ValueForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    allow(user.actor().manages_city_data())?;
    let list = list_key(&list)?;
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    tx.add_list_value(list, &form.value).await?;
    tx.commit().await?;
    Ok(Redirect::to("/settings/lists").into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(list): Path<String>,
    Form(form): Form<ValueForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    allow(user.actor().manages_city_data())?;
    let list = list_key(&list)?;
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    tx.remove_list_value(list, &form.value).await?;
    tx.commit().await?;
    Ok(Redirect::to("/settings/lists").into_response())
}
