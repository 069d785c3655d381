//! The web UI (server-rendered, in Chinese, usable without JavaScript) and the JSON API under
//! `/api/v1`, over the store. Handlers are thin: extract, check access with
//! `domain::access`, call the store or the domain, render. Templates never query.

mod admin;
mod agencies;
mod api;
pub mod auth;
mod chains;
pub mod client;
mod enterprises;
mod factors;
mod kit;
mod packaged;
mod projects;
mod responsibility;
mod review;
mod roadmaps;
pub mod scoreboard;

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect};
use store::Store;

pub use kit::error::{ApiError, WebError};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Set the cookie's Secure flag: true behind TLS.
    pub secure_cookies: bool,
    /// A hash checked when a sign-in names no user, so that timing does not reveal names.
    pub dummy_hash: String,
    /// The enterprise search index, caught up with the store before each search.
    pub search: std::sync::Arc<search::SearchIndex>,
    /// Requests per API token and failed sign-ins per client address, per minute.
    pub limits: std::sync::Arc<kit::limits::Limiter>,
    /// The access audit's writer (refusals, exports, prints, bulk reads, token use).
    pub access_log: kit::audit::AccessLog,
    /// Behind a reverse proxy, the header that carries the client's address (`--client-address-header`);
    /// `None`: the peer's address, and no header is believed.
    pub client_address_header: Option<String>,
}

impl AppState {
    /// The state of a server over `store`, searching firms with `search` (a directory's index
    /// for a server, one in memory for tests and benchmarks).
    pub fn new(
        store: Store,
        secure_cookies: bool,
        search: search::SearchIndex,
    ) -> Result<Self, WebError> {
        let dummy_hash = store::accounts::hash_password(&store::accounts::random_token()?)?;
        Ok(AppState {
            store,
            secure_cookies,
            dummy_hash,
            search: std::sync::Arc::new(search),
            limits: std::sync::Arc::default(),
            access_log: kit::audit::AccessLog::default(),
            client_address_header: None,
        })
    }
}

pub(crate) const CSS: &str = include_str!("../static/app.css");

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        CSS,
    )
}

kit::routes! { root_routes, ROOT_ROUTES;
        "/" => get(|| async { Redirect::to("/my") });
        "/static/app.css" => get(stylesheet);
}

/// Every area's route table, with the prefix it is served under.
const AREAS: &[(&str, &[(&str, &str)])] = &[
    ("", ROOT_ROUTES),
    ("", auth::ROUTES),
    ("", projects::ROUTES),
    ("", scoreboard::ROUTES),
    ("", responsibility::ROUTES),
    ("", review::ROUTES),
    ("", chains::ROUTES),
    ("", enterprises::ROUTES),
    ("", packaged::ROUTES),
    ("", agencies::ROUTES),
    ("", factors::ROUTES),
    ("", roadmaps::ROUTES),
    ("", admin::ROUTES),
    ("/api/v1", api::ROUTES),
];

/// The pages' routes, each area handing over its own.
fn app_routes() -> Router<AppState> {
    root_routes()
        .merge(auth::routes())
        .merge(projects::routes())
        .merge(scoreboard::routes())
        .merge(responsibility::routes())
        .merge(review::routes())
        .merge(chains::routes())
        .merge(enterprises::routes())
        .merge(packaged::routes())
        .merge(agencies::routes())
        .merge(factors::routes())
        .merge(roadmaps::routes())
        .merge(admin::routes())
}

/// Every (method, path) of the application, the API's under `/api/v1`.
pub fn all_routes() -> Vec<(&'static str, String)> {
    AREAS
        .iter()
        .flat_map(|(prefix, routes)| {
            routes
                .iter()
                .map(move |(m, p)| (*m, format!("{prefix}{p}")))
        })
        .collect()
}

/// Every route of the application. Only `/login`, `/static/app.css` and the API's own
/// description (`/api/v1/openapi.json`) are reachable without a session: every other handler
/// takes the signed-in user.
pub fn router(state: AppState) -> Router {
    app_routes()
        .nest("/api/v1", api::routes())
        .fallback(no_such_page)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::csrf_guard,
        ))
        .layer(axum::middleware::from_fn(
            kit::form::control_characters_refused,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.secure_cookies,
            security_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            kit::audit::audit_access,
        ))
        .layer(axum::middleware::from_fn(kit::trace::request_span))
        .with_state(state)
}

/// An address no route serves: the error page in Chinese, not an empty 404.
async fn no_such_page() -> kit::error::WebError {
    kit::error::WebError::NotFound("没有这个页面，请检查地址是否正确".into())
}

/// Headers that keep the pages from being framed, sniffed, cached or made to load foreign
/// content; behind TLS (`behind_tls`, the same switch as the Secure cookie), HSTS as well.
async fn security_headers(
    axum::extract::State(behind_tls): axum::extract::State<bool>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set =
        |headers: &mut axum::http::HeaderMap, name: header::HeaderName, value: &'static str| {
            headers.insert(name, HeaderValue::from_static(value));
        };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'",
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    if behind_tls {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}

/// Serves the application on `addr` until the process is stopped; returns the bound address
/// through `on_bound` first (port 0 picks a free port).
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    on_bound(listener.local_addr()?);
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}
