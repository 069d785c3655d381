//! Creating and editing a project's record. Both use one form; a 项目编号 in use is an error on
//! that field when creating, and cannot be changed when editing.

use crate::kit::form::Form;
use crate::kit::request::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::access::Actor;
use domain::records::ProjectInput;
use domain::records::{Project, value_lists};
use domain::{Currency, FieldError, Money};
use serde::Deserialize;
use store::Store;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::form::{Choice, choices};
use crate::kit::render::{encode, render};
use crate::kit::scope::editable_project;
use crate::kit::view::Layout;

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct ProjectForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    territory: String,
    #[serde(default)]
    credited: String,
    #[serde(default)]
    investor: String,
    #[serde(default)]
    investor_code: String,
    #[serde(default)]
    chain: String,
    #[serde(default)]
    leader: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    source_mode: String,
    #[serde(default)]
    capital_origin: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    signed_amount: String,
    #[serde(default)]
    planned_investment: String,
    #[serde(default)]
    key_project: Option<String>,
    /// The version of the record the edit started from.
    #[serde(default)]
    version: String,
}

impl ProjectForm {
    fn of(p: &Project) -> Self {
        ProjectForm {
            csrf: String::new(),
            code: p.code.clone(),
            name: p.name.clone(),
            territory: p.territory.clone(),
            credited: p.credited.join("、"),
            investor: p.investor.clone().unwrap_or_default(),
            investor_code: p
                .investor_code
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            chain: p.chain.clone().unwrap_or_default(),
            leader: p.leader.clone().unwrap_or_default(),
            team: p.team.clone().unwrap_or_default(),
            source_mode: p.source_mode.clone().unwrap_or_default(),
            capital_origin: p.capital_origin.label().to_owned(),
            currency: p.currency.label().to_owned(),
            signed_amount: p.signed_amount.map(Money::to_wan_exact).unwrap_or_default(),
            planned_investment: p
                .planned_investment
                .map(Money::to_wan_exact)
                .unwrap_or_default(),
            key_project: p.key_project.then(|| "是".to_owned()),
            version: String::new(),
        }
    }

    /// Each field people see, with its label, for showing what another edit changed.
    fn labelled(&self) -> [(&'static str, String); 14] {
        [
            ("项目名称", self.name.clone()),
            ("所在县区", self.territory.clone()),
            ("责任单位", self.credited.clone()),
            ("投资企业", self.investor.clone()),
            ("统一社会信用代码", self.investor_code.clone()),
            ("产业链", self.chain.clone()),
            ("分管领导", self.leader.clone()),
            ("工作专班", self.team.clone()),
            ("招商方式", self.source_mode.clone()),
            ("资金来源", self.capital_origin.clone()),
            ("币种", self.currency.clone()),
            ("签约额（万元）", self.signed_amount.clone()),
            ("计划总投资（万元）", self.planned_investment.clone()),
            (
                "重点项目",
                self.key_project.clone().unwrap_or_else(|| "否".into()),
            ),
        ]
    }
}

/// A field that differs between what an editor typed and what another edit saved meanwhile.
pub struct Difference {
    label: &'static str,
    yours: String,
    saved: String,
}

#[derive(Template)]
#[template(path = "project_form.html")]
struct FormPage {
    layout: Layout,
    title: String,
    action: String,
    editing: bool,
    form: ProjectForm,
    errors: Vec<FieldError>,
    territories: Vec<Choice>,
    chains: Vec<Choice>,
    leaders: Vec<Choice>,
    teams: Vec<Choice>,
    source_modes: Vec<Choice>,
    origins: Vec<Choice>,
    currencies: Vec<Choice>,
    /// After a stale edit: the fields another edit changed, and who saved it when.
    conflict: Vec<Difference>,
    /// The enterprise picker above the form: a firm chosen fills 投资企业 and its code.
    picker: crate::enterprises::Picker,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// A select's choices with an empty first entry, for optional fields.
fn optional_choices(values: Vec<String>, chosen: &str) -> Vec<Choice> {
    let mut all = vec![String::new()];
    all.extend(values);
    choices(all.iter().map(String::as_str), chosen)
}

async fn form_page(
    store: &Store,
    user: &CurrentUser,
    editing: Option<&str>,
    form: ProjectForm,
    errors: Vec<FieldError>,
) -> Result<FormPage, WebError> {
    let actor = user.actor();
    let units = store.units().await?;
    let territories: Vec<String> = units
        .into_iter()
        .filter(|u| u.kind != domain::records::UnitKind::City)
        .map(|u| u.name)
        .filter(|name| actor.covers_unit(Some(name)) || *name == form.territory)
        .collect();
    let chains = store.chains().await?.into_iter().map(|c| c.name).collect();
    let leaders = store.leaders().await?.into_iter().map(|l| l.name).collect();
    let teams = store.teams().await?.into_iter().map(|t| t.name).collect();
    let modes = store.value_list(value_lists::SOURCE_MODE).await?;
    let (title, action) = match editing {
        Some(code) => (
            format!("编辑项目 {code}"),
            format!("/projects/{}/edit", encode(code)),
        ),
        None => ("新建项目".to_owned(), "/projects/new".to_owned()),
    };
    Ok(FormPage {
        layout: Layout::of(user),
        title,
        editing: editing.is_some(),
        territories: choices(territories.iter().map(String::as_str), &form.territory),
        chains: optional_choices(chains, &form.chain),
        leaders: optional_choices(leaders, &form.leader),
        teams: optional_choices(teams, &form.team),
        source_modes: optional_choices(modes, &form.source_mode),
        origins: choices(["内资", "外资"], &form.capital_origin),
        currencies: choices(Currency::ALL.iter().map(|c| c.label()), &form.currency),
        picker: crate::enterprises::Picker {
            action: action.clone(),
            ..Default::default()
        },
        action,
        form,
        errors,
        conflict: Vec::new(),
    })
}

/// The page with its picker searching and filling the form from the firm chosen.
async fn with_picker(
    state: &AppState,
    mut page: FormPage,
    query: &crate::enterprises::PickerQuery,
) -> Result<FormPage, WebError> {
    page.picker =
        crate::enterprises::Picker::of(state, &page.action, &query.find, query.enterprise).await?;
    if let Some(firm) = &page.picker.picked {
        page.form.investor = firm.name.clone();
        page.form.investor_code = firm.credit_code.clone();
    }
    Ok(page)
}

pub async fn new_project_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<crate::enterprises::PickerQuery>,
) -> Result<Html<String>, WebError> {
    let actor = user.actor();
    if !actor.creates_projects() {
        return Err(WebError::Forbidden);
    }
    let form = ProjectForm {
        territory: actor.unit.clone().unwrap_or_default(),
        capital_origin: "内资".into(),
        currency: "人民币".into(),
        ..ProjectForm::default()
    };
    let page = form_page(&state.store, &user, None, form, Vec::new()).await?;
    Ok(Html(render(&with_picker(&state, page, &query).await?)?))
}

pub async fn create_project(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ProjectForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    if !actor.creates_projects() {
        return Err(WebError::Forbidden);
    }
    let outcome = match parse_project(&form) {
        Ok(project) if !actor.can_edit(&project) => Err(WebError::Invalid(vec![FieldError::new(
            "所在县区",
            "只能为本单位所在或承担的项目建档",
        )])),
        Ok(project) => create(&state.store, &actor, &project).await,
        Err(errors) => Err(WebError::Invalid(errors)),
    };
    respond(&state, &user, None, form, outcome).await
}

pub async fn edit_project_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(query): Query<crate::enterprises::PickerQuery>,
) -> Result<Html<String>, WebError> {
    let actor = user.actor();
    let record = editable_project(&state.store, &actor, &code).await?;
    let form = ProjectForm {
        version: record.version.to_string(),
        ..ProjectForm::of(&record.project)
    };
    let page = form_page(&state.store, &user, Some(&code), form, Vec::new()).await?;
    Ok(Html(render(&with_picker(&state, page, &query).await?)?))
}

pub async fn update_project(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(mut form): Form<ProjectForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    let record = editable_project(&state.store, &actor, &code).await?;
    // The 项目编号 is the project's identity; the form cannot change it.
    form.code.clone_from(&code);
    let Ok(seen) = form.version.trim().parse::<i64>() else {
        return Err(WebError::BadRequest(
            "表单缺少版本号，请从项目页面重新打开编辑表单".into(),
        ));
    };
    let outcome = match parse_project(&form) {
        Ok(mut project) => {
            project.illustrative = record.project.illustrative;
            if actor.can_edit(&project) {
                let mut tx = crate::kit::begin(&state.store, &actor).await?;
                let asked = actor.placements_to_confirm(Some(&record.project), &project);
                match tx.update_project_from(&project, seen).await {
                    Ok(_) => {
                        tx.request_placements(&code, &asked).await?;
                        tx.commit().await.map_err(WebError::from)
                    }
                    Err(store::StoreError::Stale(current)) => {
                        tx.rollback().await?;
                        return stale(&state, &user, &code, form, &current).await;
                    }
                    Err(e) => Err(e.into()),
                }
            } else {
                Err(WebError::Invalid(vec![FieldError::new(
                    "所在县区",
                    "修改后项目将不属于本单位",
                )]))
            }
        }
        Err(errors) => Err(WebError::Invalid(errors)),
    };
    respond(&state, &user, Some(&code), form, outcome).await
}

/// A stale edit (409): the form again with what the editor typed, the fields another edit
/// changed beside the values it saved, and the new version, so that saving again is a choice
/// made knowing both.
async fn stale(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    mut form: ProjectForm,
    current: &store::ProjectRecord,
) -> Result<Response, WebError> {
    let saved = ProjectForm::of(&current.project);
    let conflict = form
        .labelled()
        .into_iter()
        .zip(saved.labelled())
        .filter(|((_, yours), (_, theirs))| yours.trim() != theirs.trim())
        .map(|((label, yours), (_, saved))| Difference {
            label,
            yours,
            saved,
        })
        .collect();
    form.version = current.version.to_string();
    let message = format!(
        "您编辑期间，此项目已被他人修改并保存（现为第 {} 版）。下表列出双方不同的字段；请核对后再保存，保存将以您填写的内容为准。",
        current.version
    );
    let mut page = form_page(
        &state.store,
        user,
        Some(code),
        form,
        vec![FieldError::new("版本", message)],
    )
    .await?;
    page.conflict = conflict;
    Ok((StatusCode::CONFLICT, Html(render(&page)?)).into_response())
}

async fn respond(
    state: &AppState,
    user: &CurrentUser,
    editing: Option<&str>,
    form: ProjectForm,
    outcome: Result<(), WebError>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(()) => {
            Ok(Redirect::to(&format!("/projects/{}", encode(form.code.trim()))).into_response())
        }
        Err(WebError::Invalid(errors)) => {
            let page = form_page(&state.store, user, editing, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
        Err(other) => Err(other),
    }
}

/// Creates a new project; a 项目编号 already in use is an error on that field, never an update.
pub async fn create(store: &Store, actor: &Actor, project: &Project) -> Result<(), WebError> {
    if store.project(&project.code).await?.is_some() {
        return Err(WebError::Invalid(vec![FieldError::new(
            "项目编号",
            format!("“{}”已被使用", project.code),
        )]));
    }
    save(store, actor, project).await
}

/// Writes a new project; a unit it is placed in by someone other than its staff or the bureau
/// is asked to confirm it before it counts there.
async fn save(store: &Store, actor: &Actor, project: &Project) -> Result<(), WebError> {
    let mut tx = crate::kit::begin(store, actor).await?;
    tx.upsert_project(project).await?;
    tx.request_placements(&project.code, &actor.placements_to_confirm(None, project))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The form's fields through the parser the API shares.
fn parse_project(form: &ProjectForm) -> Result<Project, Vec<FieldError>> {
    ProjectInput {
        code: &form.code,
        name: &form.name,
        territory: &form.territory,
        credited: Project::split_units(&form.credited),
        investor: &form.investor,
        investor_code: &form.investor_code,
        signed_amount_wan: &form.signed_amount,
        planned_investment_wan: &form.planned_investment,
        chain: &form.chain,
        leader: &form.leader,
        team: &form.team,
        source_mode: &form.source_mode,
        capital_origin: &form.capital_origin,
        currency: &form.currency,
        key_project: form.key_project.is_some(),
    }
    .parse()
}
