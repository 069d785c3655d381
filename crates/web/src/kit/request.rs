//! The query and path extractors every handler takes: axum's, with refusals in Chinese — as
//! the API's JSON error under `/api/`, as a page elsewhere — and the ranges every number a
//! request names must lie in, checked before it costs a query or an allocation.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::kit::error::{ApiError, WebError};

/// The highest page number any list pages to: beyond it nobody reads, and an offset that
/// large would cost the database (or the search index's heap) for nothing.
pub const MAX_PAGE: i64 = 10_000;

/// The years a request may name.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A refusal in the shape of the route: JSON under `/api/`, a page elsewhere.
pub fn refusal(parts: &Parts, error: WebError) -> Response {
    // Inside the nested API router the URI has lost its `/api/v1` prefix; the original keeps it.
    let path = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or(parts.uri.path(), |original| original.0.path());
    if path.starts_with("/api/") {
        ApiError(error).into_response()
    } else {
        error.into_response()
    }
}

pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => {
                // serde's message names the parameter and what it expected, in English: the
                // parameter's name is what the client can act on.
                let detail = rejection.body_text();
                let name = detail
                    .split('`')
                    .nth(1)
                    .map(str::to_owned)
                    .or_else(|| culprit::<T>(parts.uri.query().unwrap_or_default()))
                    .map(|n| format!("“{n}”"))
                    .unwrap_or_default();
                Err(refusal(
                    parts,
                    WebError::BadRequest(format!("查询参数{name}的值无法识别，请检查后重试")),
                ))
            }
        }
    }
}

/// The parameter whose value alone cannot be read, when serde's message does not name it (a
/// number that is not one says only "invalid digit"): each key is tried by itself.
fn culprit<T: DeserializeOwned>(query: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs.iter().take(200).find_map(|(key, value)| {
        let alone = serde_urlencoded::to_string([(key, value)]).ok()?;
        match serde_urlencoded::from_str::<T>(&alone) {
            Err(e) if !e.to_string().starts_with("missing field") => {
                Some(key.chars().take(40).collect())
            }
            _ => None,
        }
    })
}

pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(_) => Err(refusal(
                parts,
                WebError::NotFound("地址有误：所指的记录不存在".into()),
            )),
        }
    }
}

/// The page a list is asked for: 1 when none, 400 outside 1..=[`MAX_PAGE`].
pub fn page_number(page: Option<i64>) -> Result<i64, WebError> {
    match page {
        None => Ok(1),
        Some(p) if (1..=MAX_PAGE).contains(&p) => Ok(p),
        Some(_) => Err(WebError::BadRequest(format!(
            "页码应为1至{MAX_PAGE}之间的整数"
        ))),
    }
}

/// A year a request names: 400 outside [`YEARS`].
pub fn year(year: Option<i32>) -> Result<Option<i32>, WebError> {
    match year {
        Some(y) if !YEARS.contains(&y) => Err(WebError::BadRequest(format!(
            "年份应在{}至{}之间",
            YEARS.start(),
            YEARS.end()
        ))),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_years_outside_their_range_are_refused() {
        assert_eq!(page_number(None).unwrap(), 1);
        assert_eq!(page_number(Some(MAX_PAGE)).unwrap(), MAX_PAGE);
        for bad in [0, -1, MAX_PAGE + 1, i64::MAX, i64::MIN] {
            assert!(page_number(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(year(Some(2022)).unwrap(), Some(2022));
        for bad in [1999, 2101, i32::MAX, -1] {
            assert!(year(Some(bad)).is_err(), "{bad}");
        }
    }
}
