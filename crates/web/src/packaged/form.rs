//! A packaged project's form, new and edit: every box as typed comes back with every error
//! named; the breakdown one line per item, each resource kind its own box.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::packaged::{PackagedProject, PackagedStatus, ResourceKind};
use domain::records::PackagedInput;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::form::Form;
use crate::kit::render::{encode, render};
use crate::kit::request::Path;
use crate::kit::view::Layout;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PackagedForm {
    csrf: String,
    code: String,
    name: String,
    unit: String,
    content: String,
    scale: String,
    years: String,
    estimate: String,
    breakdown: String,
    parcel: String,
    area: String,
    park: String,
    raw: String,
    energy: String,
    land: String,
    logistics: String,
    approvals: String,
    chain: String,
    segment: String,
    chain_leader: String,
    targets: String,
    public: String,
    status: String,
}

impl PackagedForm {
    fn of(p: &PackagedProject) -> Self {
        let resource = |kind: ResourceKind| {
            p.resources
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join("；")
        };
        PackagedForm {
            csrf: String::new(),
            code: p.code.clone(),
            name: p.name.clone(),
            unit: p.unit.clone(),
            content: p.content.clone().unwrap_or_default(),
            scale: p.scale.clone().unwrap_or_default(),
            years: p.years.map(|y| y.to_string()).unwrap_or_default(),
            estimate: p.estimate.map(|m| m.to_wan_exact()).unwrap_or_default(),
            breakdown: p
                .breakdown
                .iter()
                .map(|l| format!("{} {}", l.item, l.amount.to_wan_exact()))
                .collect::<Vec<_>>()
                .join("\n"),
            parcel: p.parcel.clone().unwrap_or_default(),
            area: p.area.map(|a| a.to_string()).unwrap_or_default(),
            park: p.park.clone().unwrap_or_default(),
            raw: resource(ResourceKind::RawMaterial),
            energy: resource(ResourceKind::Energy),
            land: resource(ResourceKind::Land),
            logistics: resource(ResourceKind::Logistics),
            approvals: p.approvals.join("、"),
            chain: p.chain.clone().unwrap_or_default(),
            segment: p.segment.clone().unwrap_or_default(),
            chain_leader: p.chain_leader.clone().unwrap_or_default(),
            targets: p.targets.join("\n"),
            public: if p.public { "1".into() } else { String::new() },
            status: p.status.label().to_owned(),
        }
    }

    fn parse(&self) -> Result<PackagedProject, Vec<domain::FieldError>> {
        PackagedInput {
            code: &self.code,
            name: &self.name,
            unit: &self.unit,
            content: &self.content,
            scale: &self.scale,
            years: &self.years,
            estimate_wan: &self.estimate,
            breakdown: &self.breakdown,
            parcel: &self.parcel,
            area: &self.area,
            park: &self.park,
            resources: [&self.raw, &self.energy, &self.land, &self.logistics],
            approvals: &self.approvals,
            chain: &self.chain,
            segment: &self.segment,
            chain_leader: &self.chain_leader,
            targets: &self.targets,
            public: !self.public.is_empty(),
            status: &self.status,
        }
        .parse()
    }
}

#[derive(Template)]
#[template(path = "packaged_form.html")]
struct FormPage {
    layout: Layout,
    title: String,
    action: String,
    editing: bool,
    form: PackagedForm,
    errors: Vec<domain::FieldError>,
    units: Vec<String>,
    chains: Vec<String>,
    leaders: Vec<String>,
    statuses: Vec<&'static str>,
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    editing: Option<&str>,
    form: PackagedForm,
    errors: Vec<domain::FieldError>,
) -> Result<FormPage, WebError> {
    let actor = user.actor();
    let (title, action) = match editing {
        Some(code) => (
            format!("编辑谋划包装项目 {code}"),
            format!("/packaged/{}/edit", encode(code)),
        ),
        None => ("新建谋划包装项目".to_owned(), "/packaged/new".to_owned()),
    };
    Ok(FormPage {
        layout: Layout::of(user),
        title,
        action,
        editing: editing.is_some(),
        form,
        errors,
        units: state
            .store
            .units()
            .await?
            .into_iter()
            .map(|u| u.name)
            .filter(|name| actor.edits_packaged(name))
            .collect(),
        chains: state
            .store
            .chains()
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect(),
        leaders: state
            .store
            .leaders()
            .await?
            .into_iter()
            .map(|l| l.name)
            .collect(),
        statuses: PackagedStatus::ALL[..4].iter().map(|s| s.label()).collect(),
    })
}

/// GET /packaged/new
pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    let actor = user.actor();
    if !actor.creates_projects() {
        return Err(WebError::Forbidden);
    }
    let form = PackagedForm {
        unit: actor.unit.clone().unwrap_or_default(),
        status: PackagedStatus::Planning.label().to_owned(),
        ..PackagedForm::default()
    };
    Ok(Html(render(
        &form_page(&state, &user, None, form, Vec::new()).await?,
    )?))
}

/// Saves the form (a new packaged project, or `editing`'s): back to its page, or the form
/// again with every error (422).
async fn save(
    state: &AppState,
    user: &CurrentUser,
    editing: Option<&str>,
    form: PackagedForm,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    let parsed = form.parse().and_then(|p| {
        if actor.edits_packaged(&p.unit) {
            Ok(p)
        } else {
            Err(vec![domain::FieldError::new(
                "责任单位",
                "只能为本单位建立谋划包装项目",
            )])
        }
    });
    let parsed = parsed.and_then(|p| match editing {
        Some(code) if code != p.code => Err(vec![domain::FieldError::new(
            "项目库编号",
            "编辑时不能更改编号",
        )]),
        _ => Ok(p),
    });
    let outcome: Result<(), Vec<domain::FieldError>> = match parsed {
        Ok(p) => {
            let exists = editing.is_none() && state.store.packaged(&p.code).await?.is_some();
            if exists {
                Err(vec![domain::FieldError::new(
                    "项目库编号",
                    format!("“{}”已存在，请另取编号", p.code),
                )])
            } else {
                let mut tx = crate::kit::begin(&state.store, &actor).await?;
                match tx.upsert_packaged(&p).await {
                    Ok(_) => {
                        tx.commit().await?;
                        return Ok(Redirect::to(&format!(
                            "/packaged/{}?saved=saved",
                            encode(&p.code)
                        ))
                        .into_response());
                    }
                    Err(e) => {
                        tx.rollback().await?;
                        match WebError::from(e) {
                            WebError::Invalid(errors) => Err(errors),
                            other => return Err(other),
                        }
                    }
                }
            }
        }
        Err(errors) => Err(errors),
    };
    let errors = outcome.err().unwrap_or_default();
    let page = form_page(state, user, editing, form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
}

/// POST /packaged/new
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<PackagedForm>,
) -> Result<Response, WebError> {
    if !user.actor().creates_projects() {
        return Err(WebError::Forbidden);
    }
    save(&state, &user, None, form).await
}

/// GET /packaged/{code}/edit
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Html<String>, WebError> {
    let record = super::editable(&state, &user, &code).await?;
    let form = PackagedForm::of(&record.packaged);
    Ok(Html(render(
        &form_page(&state, &user, Some(&code), form, Vec::new()).await?,
    )?))
}

/// POST /packaged/{code}/edit
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<PackagedForm>,
) -> Result<Response, WebError> {
    super::editable(&state, &user, &code).await?;
    save(&state, &user, Some(&code), form).await
}

/// The factors of the 要素表 the 推介书 quotes, chosen by ticking them: each ticked box sends
/// its 要素编号 under `factor`.
pub async fn set_factors(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    user.check_csrf(csrf)?;
    super::editable(&state, &user, &code).await?;
    let codes: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "factor")
        .map(|(_, v)| v)
        .take(200)
        .collect();
    super::write(&state, &user, &code, "factors", async |tx| {
        tx.set_packaged_factors(&code, &codes).await
    })
    .await
}
