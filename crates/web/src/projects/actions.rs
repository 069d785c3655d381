//! What is done to a project from its page besides moving its stage: recording funds in place,
//! verifying them (核实), and correcting an event with a reason.

use crate::kit::form::Form;
use crate::kit::request::Path;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::records::FundInput;
use domain::stage::StageEvent;
use domain::{EventKind, FieldError};
use serde::Deserialize;
use store::Added;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::form::{Choice, choices};
use crate::kit::render::render;
use crate::kit::scope::{editable_project, project_for};
use crate::kit::view::Layout;
use crate::projects::page::{EventForm, Forms, FundForm, page_with_errors};
use crate::projects::workspace::{Saved, saved_redirect};

pub async fn add_fund(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<FundForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    editable_project(&state.store, &actor, &code).await?;
    let outcome = match fund_input(&form).parse(&code) {
        Ok(fund) => {
            let mut tx = crate::kit::begin(&state.store, &actor).await?;
            match tx.add_fund(&fund).await {
                Ok(Added::Added(_)) => tx.commit().await.map_err(WebError::from),
                Ok(Added::Duplicate) => Err(WebError::Invalid(vec![FieldError::new(
                    "金额",
                    "同一天同样金额的记录已存在",
                )])),
                Err(e) => Err(e.into()),
            }
        }
        Err(errors) => Err(WebError::Invalid(errors)),
    };
    match outcome {
        Ok(()) => Ok(saved_redirect(&code, Saved::Fund)),
        Err(WebError::Invalid(errors)) => {
            let forms = Forms {
                fund: form,
                fund_errors: errors,
                ..Forms::default()
            };
            page_with_errors(&state, &user, &code, forms).await
        }
        Err(other) => Err(other),
    }
}

pub async fn verify_fund(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, fund_id)): Path<(String, i64)>,
    Form(form): Form<crate::auth::CsrfForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    project_for(&state.store, &actor, &code).await?;
    if !actor.verifies_funds() {
        return Err(WebError::Forbidden);
    }
    if !state
        .store
        .funds_of(&code)
        .await?
        .iter()
        .any(|(id, _)| *id == fund_id)
    {
        return Err(WebError::NotFound("该到位资金记录不存在".into()));
    }
    let mut tx = crate::kit::begin(&state.store, &actor).await?;
    tx.verify_fund(fund_id).await?;
    tx.commit().await?;
    Ok(saved_redirect(&code, Saved::FundVerified))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct WithdrawForm {
    csrf: String,
    reason: String,
}

/// Withdraws a fund entered wrongly, with a reason: the project's editors.
pub async fn withdraw_fund(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, fund_id)): Path<(String, i64)>,
    Form(form): Form<WithdrawForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    editable_project(&state.store, &actor, &code).await?;
    if state.store.fund_project(fund_id).await?.as_deref() != Some(code.as_str()) {
        return Err(WebError::NotFound("该到位资金记录不存在或已撤回".into()));
    }
    let mut tx = state.store.begin(&actor.username).await?;
    tx.withdraw_fund(fund_id, &form.reason).await?;
    tx.commit().await?;
    Ok(saved_redirect(&code, Saved::FundWithdrawn))
}

/// Withdraws a visit of the project entered wrongly, with a reason: whoever may record a
/// visit for its unit.
pub async fn withdraw_visit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, visit_id)): Path<(String, i64)>,
    Form(form): Form<WithdrawForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    project_for(&state.store, &actor, &code).await?;
    let on_project = state
        .store
        .visits_of_project(&code)
        .await?
        .into_iter()
        .find(|(id, _)| *id == visit_id);
    let Some((_, visit)) = on_project else {
        return Err(WebError::NotFound("该对接记录不存在或已撤回".into()));
    };
    if !actor.records_visit_for(visit.unit.as_deref()) {
        return Err(WebError::Forbidden);
    }
    let mut tx = state.store.begin(&actor.username).await?;
    tx.withdraw_visit(visit_id, &form.reason).await?;
    tx.commit().await?;
    Ok(saved_redirect(&code, Saved::VisitWithdrawn))
}

#[derive(Template)]
#[template(path = "correction.html")]
struct CorrectionPage {
    layout: Layout,
    code: String,
    event_id: i64,
    original: String,
    kinds: Vec<Choice>,
    form: CorrectionForm,
    errors: Vec<FieldError>,
}

impl CorrectionPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct CorrectionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    /// Present when the event is to be withdrawn rather than replaced.
    #[serde(default)]
    withdraw: Option<String>,
    #[serde(flatten)]
    event: EventForm,
}

async fn correction_page(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    event_id: i64,
    form: Option<CorrectionForm>,
    errors: Vec<FieldError>,
) -> Result<CorrectionPage, WebError> {
    let actor = user.actor();
    editable_project(&state.store, &actor, code).await?;
    let events = state.store.events_of(code).await?;
    let original = events
        .iter()
        .find(|r| r.id == event_id && r.correction.is_none())
        .ok_or_else(|| WebError::NotFound("该事件不存在".into()))?;
    let form = form.unwrap_or_else(|| CorrectionForm {
        event: EventForm::of(&original.event),
        ..CorrectionForm::default()
    });
    Ok(CorrectionPage {
        layout: Layout::of(user),
        code: code.to_owned(),
        event_id,
        original: format!("{} {}", original.event.kind.label(), original.event.date),
        kinds: choices(EventKind::ALL.iter().map(|k| k.label()), form.event.kind()),
        form,
        errors,
    })
}

pub async fn correction_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, event_id)): Path<(String, i64)>,
) -> Result<Html<String>, WebError> {
    Ok(Html(render(
        &correction_page(&state, &user, &code, event_id, None, Vec::new()).await?,
    )?))
}

pub async fn correct_event(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, event_id)): Path<(String, i64)>,
    Form(form): Form<CorrectionForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    // Renders the page first: it checks access and that the event exists.
    correction_page(
        &state,
        &user,
        &code,
        event_id,
        Some(form.clone()),
        Vec::new(),
    )
    .await?;
    let replacement: Result<Option<StageEvent>, Vec<FieldError>> = if form.withdraw.is_some() {
        Ok(None)
    } else {
        form.event.parse().map(Some)
    };
    let outcome = match replacement {
        Ok(replacement) => {
            let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
            match tx
                .correct_event(&code, event_id, replacement.as_ref(), &form.reason)
                .await
            {
                Ok(_) => tx.commit().await.map_err(WebError::from),
                Err(e) => Err(e.into()),
            }
        }
        Err(errors) => Err(WebError::Invalid(errors)),
    };
    match outcome {
        Ok(()) => Ok(saved_redirect(&code, Saved::Correction)),
        Err(WebError::Invalid(errors)) => {
            let page = correction_page(&state, &user, &code, event_id, Some(form), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
        Err(other) => Err(other),
    }
}

/// Sets a project's schedule plan (计划进度) from its form; the project's editors may.
pub async fn set_plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<crate::projects::page::PlanForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    editable_project(&state.store, &actor, &code).await?;
    match form.parse() {
        Ok(plan) => {
            let mut tx = crate::kit::begin(&state.store, &actor).await?;
            tx.set_plan(&code, &plan).await?;
            tx.commit().await?;
            Ok(saved_redirect(&code, Saved::Plan))
        }
        Err(errors) => {
            let forms = Forms {
                plan: Some(form),
                plan_errors: errors,
                ..Forms::default()
            };
            page_with_errors(&state, &user, &code, forms).await
        }
    }
}

/// Sets one 要素保障 item: the project's editors may, and so may the staff of the department
/// that handles the item (as it was and as it will be), who work through their queue.
pub async fn set_element(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<crate::projects::page::ElementForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    // A department's staff may not otherwise see the project they serve.
    let visible = project_for(&state.store, &actor, &code).await.ok();
    let editable = visible.as_ref().is_some_and(|r| actor.can_edit(&r.project));
    let parsed = form.parse();
    let current = state.store.elements_of(&code).await?;
    let department_now = parsed
        .as_ref()
        .ok()
        .and_then(|e| current.iter().find(|c| c.item == e.item))
        .and_then(|c| c.department.clone());
    let allowed = match &parsed {
        Ok(e) => actor.sets_element(editable, department_now.as_deref(), e.department.as_deref()),
        // A bad field (已完成 without its date) must not hide who may set the item: the
        // department whose item it is learns what to mend, not that the project is missing.
        Err(_) => {
            let item = domain::responsibility::ElementItem::parse("要素", &form.item).ok();
            let department_now = item
                .and_then(|i| current.iter().find(|c| c.item == i))
                .and_then(|c| c.department.clone());
            let asked = Some(form.department.trim()).filter(|d| !d.is_empty());
            editable
                || (item.is_some() && actor.sets_element(false, department_now.as_deref(), asked))
        }
    };
    if !allowed {
        return Err(match visible {
            Some(_) => WebError::Forbidden,
            None => WebError::not_found_project(&code),
        });
    }
    match parsed {
        Ok(element) => {
            let mut tx = crate::kit::begin(&state.store, &actor).await?;
            tx.set_element(&code, &element).await?;
            tx.commit().await?;
            if editable {
                Ok(saved_redirect(&code, Saved::Element))
            } else {
                Ok(Redirect::to("/elements").into_response())
            }
        }
        Err(errors) if editable => {
            let forms = Forms {
                element: form,
                element_errors: errors,
                ..Forms::default()
            };
            page_with_errors(&state, &user, &code, forms).await
        }
        Err(errors) => Err(WebError::Invalid(errors)),
    }
}

/// Sets a project's financing plan (融资方案) from its form; the project's editors may.
pub async fn set_financing(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<crate::projects::page::FinancingForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let actor = user.actor();
    editable_project(&state.store, &actor, &code).await?;
    match form.parse() {
        Ok(plan) => {
            let mut tx = crate::kit::begin(&state.store, &actor).await?;
            tx.set_financing(&code, &plan).await?;
            tx.commit().await?;
            Ok(saved_redirect(&code, Saved::Financing))
        }
        Err(errors) => {
            let forms = Forms {
                financing: Some(form),
                financing_errors: errors,
                ..Forms::default()
            };
            page_with_errors(&state, &user, &code, forms).await
        }
    }
}

pub(crate) fn fund_input(form: &FundForm) -> FundInput<'_> {
    FundInput {
        date: &form.date,
        amount_wan: &form.amount,
        currency: &form.currency,
        source: &form.source,
    }
}
