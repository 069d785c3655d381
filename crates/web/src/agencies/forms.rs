//! The bureau's forms on the agencies' pages: an agency, a contract (one parser with the file,
//! `ContractInput`), a project attributed to a contract, a fee paid.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::Money;
use domain::agencies::{Agency, ContractInput, FeePayment};
use serde::Deserialize;

use super::{agency_page, list_page};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::form::Form;
use crate::kit::render::render;
use crate::kit::request::Path;
use crate::kit::scope::allow;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AgencyForm {
    csrf: String,
    name: String,
    credit_code: String,
    contact: String,
    phone: String,
    note: String,
}

/// A write of the bureau's: committed and sent on to `to`, or refused on `page` with 422.
async fn write(
    state: &AppState,
    user: &CurrentUser,
    to: String,
    apply: impl AsyncFnOnce(&mut store::Tx) -> Result<(), store::StoreError>,
    page: impl AsyncFnOnce(String) -> Result<String, WebError>,
) -> Result<Response, WebError> {
    allow(user.actor().manages_city_data())?;
    let mut tx = crate::kit::begin(&state.store, &user.actor()).await?;
    match apply(&mut tx).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let message = crate::kit::error::refusal(e)?;
            tx.rollback().await?;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                Html(page(message).await?),
            )
                .into_response())
        }
    }
}

pub async fn save_agency(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<AgencyForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    allow(user.actor().manages_city_data())?;
    let parsed = Agency::new(&form.name).and_then(|mut a| {
        a.credit_code = match form.credit_code.trim() {
            "" => None,
            code => Some(domain::CreditCode::parse("统一社会信用代码", code)?),
        };
        a.contact = domain::text::optional(&form.contact);
        a.phone = domain::text::optional(&form.phone);
        a.note = domain::text::optional(&form.note);
        Ok(a)
    });
    let refused =
        async |message: String| render(&list_page(&state, &user, "", Some(message)).await?);
    match parsed {
        Err(e) => {
            write(
                &state,
                &user,
                String::new(),
                async |_| Err(e.into()),
                refused,
            )
            .await
        }
        Ok(agency) => {
            write(
                &state,
                &user,
                "/agencies?saved=agency".into(),
                async |tx| tx.upsert_agency(&agency).await.map(|_| ()),
                refused,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ContractForm {
    csrf: String,
    number: String,
    agency: String,
    starts_on: String,
    ends_on: String,
    basis: String,
    fixed: String,
    rate: String,
    trigger: String,
    project_cap: String,
    total_cap: String,
    units: String,
    chains: String,
    note: String,
}

pub async fn save_contract(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ContractForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    allow(user.actor().manages_city_data())?;
    let parsed = ContractInput {
        number: &form.number,
        agency: &form.agency,
        starts_on: &form.starts_on,
        ends_on: &form.ends_on,
        basis: &form.basis,
        fixed: &form.fixed,
        rate: &form.rate,
        trigger: &form.trigger,
        project_cap: &form.project_cap,
        total_cap: &form.total_cap,
        units: &form.units,
        chains: &form.chains,
        note: &form.note,
    }
    .parse();
    let refused =
        async |message: String| render(&list_page(&state, &user, "", Some(message)).await?);
    match parsed {
        Err(errors) => {
            let error = store::StoreError::InvalidFields(errors);
            write(&state, &user, String::new(), async |_| Err(error), refused).await
        }
        Ok(contract) => {
            write(
                &state,
                &user,
                "/agencies?saved=contract".into(),
                async |tx| tx.upsert_contract(&contract).await.map(|_| ()),
                refused,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AttributeForm {
    csrf: String,
    contract: String,
    project: String,
}

pub async fn attribute(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<AttributeForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    // The page must exist (and the reader may read it) before anything is written.
    own_contract(
        &agency_page(&state, &user, id, "", None).await?,
        &form.contract,
    )?;
    let (project, contract) = (form.project.trim(), form.contract.trim());
    write(
        &state,
        &user,
        format!("/agencies/{id}?saved=attributed"),
        async |tx| {
            if project.is_empty() {
                return Err(store::StoreError::invalid("项目编号", "不能为空"));
            }
            tx.attribute_project(project, contract).await
        },
        async |message| render(&agency_page(&state, &user, id, "", Some(message)).await?),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PaymentForm {
    csrf: String,
    contract: String,
    project: String,
    paid_on: String,
    amount: String,
    note: String,
}

pub async fn pay(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<PaymentForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    own_contract(
        &agency_page(&state, &user, id, "", None).await?,
        &form.contract,
    )?;
    let mut errors = Vec::new();
    let paid_on = domain::error::keep(
        &mut errors,
        domain::period::parse_date("支付日期", &form.paid_on),
    );
    let amount = domain::error::keep(&mut errors, Money::parse_wan("支付金额", &form.amount));
    let payment = match (paid_on, amount) {
        (Some(paid_on), Some(amount)) if errors.is_empty() => Ok(FeePayment {
            contract: form.contract.trim().to_owned(),
            project: domain::text::optional(&form.project),
            paid_on,
            amount,
            note: domain::text::optional(&form.note),
        }),
        _ => Err(store::StoreError::InvalidFields(errors)),
    };
    write(
        &state,
        &user,
        format!("/agencies/{id}?saved=paid"),
        async |tx| tx.add_fee_payment(&payment?).await,
        async |message| render(&agency_page(&state, &user, id, "", Some(message)).await?),
    )
    .await
}

/// A contract of the agency whose page the form is on: another agency's is not written to
/// through this one's address.
fn own_contract(page: &super::AgencyPage, number: &str) -> Result<(), WebError> {
    if page.contracts.iter().any(|c| c.number == number.trim()) {
        Ok(())
    } else {
        Err(WebError::NotFound(format!(
            "合同“{}”不属于该机构",
            number.trim()
        )))
    }
}
