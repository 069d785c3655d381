//! A fund returned in the reporting cycle, mended by its reporter and resubmitted in one
//! transaction (issue 22.2), as a returned visit is on /visits/{id}/edit.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::FieldError;
use domain::records::value_lists;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::form::{Choice, Form, choices};
use crate::kit::render::render;
use crate::kit::request::Path;
use crate::kit::view::Layout;
use crate::projects::actions::fund_input;
use crate::projects::page::FundForm;
use crate::projects::workspace::{Saved, saved_redirect};

#[derive(Template)]
#[template(path = "fund_edit.html")]
struct FundEditPage {
    layout: Layout,
    code: String,
    id: i64,
    form: FundForm,
    returned_because: String,
    currencies: Vec<Choice>,
    sources: Vec<Choice>,
    errors: Vec<FieldError>,
}

/// The returned fund `id` of project `code` as its reporter may mend it: 404 unless the account
/// sees it on that project, 403 unless it is returned and this account's to resubmit.
async fn returned_fund(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    id: i64,
) -> Result<(store::ReportedRecord, domain::records::Fund), WebError> {
    let actor = user.actor();
    let missing = || WebError::NotFound("该笔到位资金不存在或不在您的权限范围内".into());
    let record = state
        .store
        .reported(store::ReportKind::Fund, id)
        .await?
        .filter(|r| r.project_code.as_deref() == Some(code))
        .ok_or_else(missing)?;
    if !actor.sees_report(&crate::review::reported(&record)) {
        return Err(missing());
    }
    if !actor.resubmits(&crate::review::reported(&record)) {
        return Err(WebError::Forbidden);
    }
    let fund = state
        .store
        .funds_of(code)
        .await?
        .into_iter()
        .find(|(fund_id, _)| *fund_id == id)
        .map(|(_, f)| f)
        .ok_or_else(missing)?;
    Ok((record, fund))
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    (code, id): (&str, i64),
    record: &store::ReportedRecord,
    form: FundForm,
    errors: Vec<FieldError>,
) -> Result<FundEditPage, WebError> {
    let sources = state.store.value_list(value_lists::FUND_SOURCE).await?;
    Ok(FundEditPage {
        layout: Layout::of(user),
        code: code.to_owned(),
        id,
        returned_because: record.note.clone().unwrap_or_default(),
        currencies: choices(["人民币", "美元"], &form.currency),
        sources: choices(
            std::iter::once("").chain(sources.iter().map(String::as_str)),
            &form.source,
        ),
        form,
        errors,
    })
}

/// GET /projects/{code}/funds/{id}/edit: the returned fund as recorded, with the reason.
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, id)): Path<(String, i64)>,
) -> Result<Html<String>, WebError> {
    let (record, fund) = returned_fund(&state, &user, &code, id).await?;
    let form = FundForm {
        csrf: String::new(),
        date: fund.date.to_string(),
        amount: fund.amount.to_wan_exact(),
        currency: fund.currency.label().to_owned(),
        source: fund.source.clone().unwrap_or_default(),
    };
    let page = page(&state, &user, (&code, id), &record, form, Vec::new()).await?;
    Ok(Html(render(&page)?))
}

/// POST /projects/{code}/funds/{id}/edit: saves the mended fund and resubmits it at once.
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, id)): Path<(String, i64)>,
    Form(form): Form<FundForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let (record, _) = returned_fund(&state, &user, &code, id).await?;
    let outcome = match fund_input(&form).parse(&code) {
        Ok(fund) => {
            let kind = store::ReportKind::Fund;
            crate::kit::resubmit_amended(&state.store, &user.actor(), kind, id, async |tx| {
                tx.amend_fund(id, &fund).await
            })
            .await
        }
        Err(errors) => Err(WebError::Invalid(errors)),
    };
    match outcome {
        Ok(()) => Ok(saved_redirect(&code, Saved::FundResubmitted)),
        Err(WebError::Invalid(errors)) => {
            let page = page(&state, &user, (&code, id), &record, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
        }
        Err(other) => Err(other),
    }
}
