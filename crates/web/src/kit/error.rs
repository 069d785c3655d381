//! The one error of the web layer and the one place that turns errors into responses: an HTML
//! page for the UI, `{"error": {"code", "message", "field"}}` for the API. Rejected input that
//! belongs beside a form field never reaches here: handlers re-render the form instead.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::FieldError;
use serde_json::json;
use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("请先登录")]
    Unauthenticated,
    /// A session that ended, or a sign-in with a step still to pass: the browser goes to this
    /// address (the API answers 401).
    #[error("请先完成登录")]
    SignIn(String),
    #[error("无权进行此操作")]
    Forbidden,
    /// Also what unit staff get for another unit's project: its existence is not theirs to know.
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{}", .0.first().map(ToString::to_string).unwrap_or_default())]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    /// Too many requests from one token or client address in a minute.
    #[error("{0}")]
    TooMany(String),
    #[error("服务器内部错误")]
    Internal(String),
}

impl WebError {
    pub fn not_found_project(code: &str) -> Self {
        WebError::NotFound(format!("项目“{code}”不存在或不在您的权限范围内"))
    }

    /// Logs a server error with its cause, in the request's span: the page or JSON shows only
    /// "服务器内部错误", so the log is where an operator finds what went wrong.
    fn log_if_internal(&self) {
        if let WebError::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthenticated | WebError::SignIn(_) => StatusCode::UNAUTHORIZED,
            WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            WebError::Unauthenticated | WebError::SignIn(_) => "unauthenticated",
            WebError::Forbidden => "forbidden",
            WebError::NotFound(_) => "not_found",
            WebError::BadRequest(_) => "bad_request",
            WebError::Invalid(_) => "invalid",
            WebError::Conflict(_) => "conflict",
            WebError::TooLarge(_) => "too_large",
            WebError::TooMany(_) => "too_many_requests",
            WebError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(e) => WebError::Invalid(vec![e]),
            StoreError::InvalidFields(errors) => WebError::Invalid(errors),
            StoreError::NotFound(message) => WebError::NotFound(message),
            StoreError::Busy(message)
            | StoreError::Closed(message)
            | StoreError::Refused(message) => WebError::Conflict(message),
            stale @ StoreError::Stale(_) => WebError::Conflict(stale.to_string()),
            other => WebError::Internal(other.to_string()),
        }
    }
}

/// What a form shows again (with 422) when the store refuses its input: every message, joined;
/// any other failure is the error to answer with.
pub(crate) fn refusal(e: StoreError) -> Result<String, WebError> {
    match WebError::from(e) {
        WebError::Invalid(errors) => Ok(errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("；")),
        other => Err(other),
    }
}

impl From<FieldError> for WebError {
    fn from(e: FieldError) -> Self {
        WebError::Invalid(vec![e])
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log_if_internal();
        match &self {
            WebError::Unauthenticated => return Redirect::to("/login").into_response(),
            WebError::SignIn(to) => return Redirect::to(to).into_response(),
            _ => {}
        }
        let title = match self.status() {
            StatusCode::FORBIDDEN => "无权访问",
            StatusCode::NOT_FOUND => "未找到",
            StatusCode::INTERNAL_SERVER_ERROR => "出错了",
            _ => "请求有误",
        };
        let page = ErrorPage {
            title,
            message: self.to_string(),
        };
        let body = page.render().unwrap_or_else(|_| self.to_string());
        retry_after((self.status(), Html(body)).into_response())
    }
}

/// The same errors for API routes, as JSON.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl ApiError {
    /// Names each rejected field by the request's JSON key rather than its Chinese name, so
    /// that an API client can point at the member it sent. `keys` pairs Chinese names with keys.
    pub fn with_keys(self, keys: &[(&str, &str)]) -> ApiError {
        match self.0 {
            WebError::Invalid(errors) => ApiError(WebError::Invalid(
                errors
                    .into_iter()
                    .map(|mut e| {
                        if let Some((_, key)) = keys.iter().find(|(name, _)| *name == e.field) {
                            e.field = (*key).to_owned();
                        }
                        e
                    })
                    .collect(),
            )),
            other => ApiError(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = self.0;
        error.log_if_internal();
        let field = match &error {
            WebError::Invalid(errors) => errors.first().map(|e| e.field.clone()),
            _ => None,
        };
        let message = match &error {
            WebError::Invalid(errors) => errors
                .first()
                .map_or_else(String::new, |e| e.message.clone()),
            other => other.to_string(),
        };
        let mut body = json!({"error": {"code": error.code(), "message": message, "field": field}});
        // Every rejected member at once, as the forms show them; `field` and `message` stay
        // the first, for clients that read only those.
        if let WebError::Invalid(errors) = &error {
            body["error"]["errors"] = errors
                .iter()
                .map(|e| json!({"field": e.field, "message": e.message}))
                .collect();
        }
        retry_after((error.status(), Json(body)).into_response())
    }
}

/// A 429 says when to come back: the limits count per minute.
fn retry_after(mut response: Response) -> Response {
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("60"),
        );
    }
    response
}

/// A file that could not be read or imported: bad content is the request's fault (400), the
/// store's refusals keep their meaning, anything else is ours.
pub fn exchange_error(e: exchange::ExchangeError) -> WebError {
    match e {
        exchange::ExchangeError::Store(e) => e.into(),
        exchange::ExchangeError::Format(message) => WebError::BadRequest(message),
        other => WebError::Internal(other.to_string()),
    }
}
