//! The form extractor every handler takes: axum's, with its refusals in Chinese and as the one
//! error of the web layer (400), so that a malformed or truncated form never answers in English.

use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::kit::error::WebError;

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

use domain::text::has_control_characters as has_control;

fn json_has_control(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => has_control(s),
        serde_json::Value::Array(items) => items.iter().any(json_has_control),
        serde_json::Value::Object(map) => map
            .iter()
            .any(|(k, v)| has_control(k) || json_has_control(v)),
        _ => false,
    }
}

/// Refuses a form or JSON body carrying control characters (400, in Chinese), before any
/// handler reads it, so that no field of any record can take one. Files are checked by the
/// importer, cell by cell.
/// Whether the path, percent-decoded, holds a control character: a name or code in the path
/// (`/projects/%00`) reaches the database as text, and PostgreSQL refuses NUL in text.
fn path_has_control(path: &str) -> bool {
    let bytes = path.as_bytes();
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut i = 0;
    while i < bytes.len() {
        let byte = match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => match (hex(h), hex(l)) {
                (Some(h), Some(l)) => {
                    i += 2;
                    u8::try_from(h * 16 + l).unwrap_or(0)
                }
                _ => b'%',
            },
            (b, _, _) => b,
        };
        if byte < 0x20 || byte == 0x7f {
            return true;
        }
        i += 1;
    }
    false
}

pub async fn control_characters_refused(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let content_type = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json");
    let query = request.uri().query().unwrap_or_default().to_owned();
    let api = request.uri().path().starts_with("/api/");
    // The API answers in its own JSON shape.
    let refuse = move |error: WebError| {
        if api {
            crate::kit::error::ApiError(error).into_response()
        } else {
            error.into_response()
        }
    };
    let query_bad = serde_urlencoded::from_str::<Vec<(String, String)>>(&query)
        .is_ok_and(|pairs| pairs.iter().any(|(k, v)| has_control(k) || has_control(v)));
    if query_bad || path_has_control(request.uri().path()) {
        return refuse(WebError::BadRequest(REFUSAL.into()));
    }
    if !form && !json {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LIMIT).await else {
        return refuse(WebError::TooLarge("请求内容过大（上限 2 MB）".into()));
    };
    let bad = if form {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .is_ok_and(|pairs| pairs.iter().any(|(k, v)| has_control(k) || has_control(v)))
    } else {
        // A body that is not JSON is left for the handler to refuse with its own words.
        serde_json::from_slice::<serde_json::Value>(&bytes).is_ok_and(|v| json_has_control(&v))
    };
    if bad {
        return refuse(WebError::BadRequest(REFUSAL.into()));
    }
    next.run(Request::from_parts(parts, bytes.into())).await
}

const REFUSAL: &str = "提交的内容含有不可见的控制字符（如 NUL），请删除后重新提交";
/// The largest form or JSON body read (uploads are multipart and not read here).
const LIMIT: usize = 2 * 1024 * 1024;

/// A choice in a `<select>`, and whether it is the one chosen.
pub struct Choice {
    pub value: String,
    pub selected: bool,
}

pub fn choices<'a>(values: impl IntoIterator<Item = &'a str>, chosen: &str) -> Vec<Choice> {
    values
        .into_iter()
        .map(|v| Choice {
            value: v.to_owned(),
            selected: v == chosen,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_control_character_hidden_in_the_path_is_found() {
        assert!(path_has_control("/projects/%00"));
        assert!(path_has_control("/leader/a%0Ab"));
        assert!(path_has_control("/x/%7f"));
        assert!(!path_has_control("/projects/SYS-2020-0016"));
        assert!(!path_has_control("/leader/%E8%B5%B5%E6%96%87%E5%8D%9A"));
        assert!(!path_has_control("/x/100%"));
    }
}
