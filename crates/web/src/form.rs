//! The form extractor every handler takes: axum's, with its refusals in Chinese and as the one
//! error of the web layer (400), so that a malformed or truncated form never answers in English.

use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::WebError;

pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(Form(value)),
            Err(rejection) => Err(WebError::BadRequest(refusal(&rejection))),
        }
    }
}

fn refusal(rejection: &FormRejection) -> String {
    match rejection {
        FormRejection::InvalidFormContentType(_) => {
            "表单须以 application/x-www-form-urlencoded 格式提交".into()
        }
        FormRejection::FailedToDeserializeForm(_)
        | FormRejection::FailedToDeserializeFormBody(_) => {
            "表单内容有误或缺少字段，请从页面重新提交".into()
        }
        _ => "表单内容无法读取（可能过大或不完整），请从页面重新提交".into(),
    }
}
