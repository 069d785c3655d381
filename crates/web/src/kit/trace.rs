//! One span per HTTP request: its method, the route it matched (the pattern, never the path,
//! which can carry names and search words), and, once a handler has taken the session, the
//! account's id. The response's status and latency are logged when the request ends. Passwords,
//! tokens, cookies, queries and bodies are never recorded.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The middleware that opens the request's span and logs its answer.
pub(crate) async fn request_span(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "-".to_owned(), |path| path.as_str().to_owned());
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        route = %route,
        account = tracing::field::Empty,
    );
    let started = Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!(status, latency_ms, "request failed");
        } else {
            tracing::info!(status, latency_ms, "request");
        }
    });
    response
}

/// Names the signed-in account on the current request's span.
pub(crate) fn record_account(id: i64) {
    tracing::Span::current().record("account", id);
}
