//! The web UI (server-rendered, in Chinese, usable without JavaScript) and the JSON API under
//! `/api/v1`, over the store. Handlers are thin: extract, check access with
//! `domain::access`, call the store or the domain, render. Templates never query.

mod api;
pub mod auth;
mod blockers;
mod chain_map;
mod charts;
pub mod client;
mod duplicates;
mod enterprises;
mod error;
mod files;
mod form;
mod leaders;
mod my;
mod openapi;
mod organisation;
mod project_actions;
mod project_form;
mod projects;
mod review;
pub mod scoreboard;
mod security;
mod settings;
mod sheets;
mod targets;
mod users;
mod view;
mod visits;
mod warnings;

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect};
use store::Store;

pub use error::{ApiError, WebError};

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
}

impl AppState {
    /// The state of a server over `store`, searching firms with `search` (a directory's index
    /// for a server, one in memory for tests and benchmarks).
    pub fn new(
        store: Store,
        secure_cookies: bool,
        search: search::SearchIndex,
    ) -> Result<Self, WebError> {
        let dummy_hash = auth::hash_password(&auth::random_token()?)?;
        Ok(AppState {
            store,
            secure_cookies,
            dummy_hash,
            search: std::sync::Arc::new(search),
        })
    }
}

/// A write transaction for `actor`: what a unit's staff enter starts in the reporting cycle
/// (待县区审核 or 待市级审核, by their unit's kind); everything else is approved on entry.
pub(crate) async fn begin(
    store: &Store,
    actor: &domain::access::Actor,
) -> Result<store::Tx, WebError> {
    let mut tx = store.begin(&actor.username).await?;
    let kind = match &actor.unit {
        Some(unit) => store.unit_kind(unit).await?,
        None => None,
    };
    tx.enter_as(actor.entry_review(kind));
    Ok(tx)
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

/// Declares routes once: [`app_routes`] builds them and `ROUTES` lists each (method, path), so
/// that the access test walks exactly what the server serves and a new route cannot be missed.
macro_rules! routes {
    ($build:ident, $list:ident; $($path:literal => $first:ident($fh:expr) $(. $m:ident($h:expr))* ;)*) => {
        /// Every (method, path) the router serves, as declared.
        pub const $list: &[(&str, &str)] = &[ $( (stringify!($first), $path), $( (stringify!($m), $path), )* )* ];

        pub(crate) fn $build() -> Router<AppState> {
            Router::new() $( .route($path, axum::routing::$first($fh) $( .$m($h) )* ) )*
        }
    };
}
pub(crate) use routes;

routes! { app_routes, ROUTES;
        "/" => get(|| async { Redirect::to("/my") });
        "/my" => get(my::show);
        "/login" => get(auth::login_form).post(auth::login);
        "/logout" => post(auth::logout);
        "/login/totp" => get(auth::totp_form).post(auth::totp_check);
        "/account/password" => get(auth::password_form).post(auth::password_change);
        "/account/totp" => get(auth::enrol_form).post(auth::enrol);
        "/security" => get(security::show);
        "/security/policy" => post(security::set_policy);
        "/security/users/{username}/{action}" => post(security::account_action);
        "/audit" => get(security::audit_log);
        "/users" => get(users::show).post(users::add);
        "/users/{username}/{action}" => post(users::act);
        "/static/app.css" => get(stylesheet);
        "/projects" => get(projects::list_projects);
        "/projects/export" => get(files::export_projects);
        "/scoreboard" => get(scoreboard::cockpit);
        "/scoreboard/unit" => get(scoreboard::unit_page);
        "/scoreboard/drill" => get(scoreboard::drill_page);
        "/scoreboard/print" => get(scoreboard::print_view);
        "/scoreboard/export" => get(scoreboard::export);
        "/scoreboard/publish" => post(sheets::publish);
        "/sheets" => get(sheets::list);
        "/sheets/{id}" => get(sheets::show);
        "/sheets/{id}/export" => get(sheets::export);
        "/sheets/{id}/print" => get(sheets::print);
        "/targets" => get(targets::show_targets).post(targets::set_target);
        "/targets/export" => get(targets::export);
        "/settings/lists" => get(settings::show);
        "/settings/lists/{list}/add" => post(settings::add);
        "/settings/lists/{list}/remove" => post(settings::remove);
        "/{records}" => get(organisation::show).post(organisation::save);
        "/{records}/export" => get(organisation::export);
        "/import" => get(files::import_page);
        "/import/{kind}" => post(files::upload);
        "/import/{kind}/template" => get(files::download_template);
        "/export/{kind}" => get(files::export_kind);
        "/projects/new" => get(project_form::new_project_form).post(project_form::create_project);
        "/projects/{code}" => get(projects::show_project);
        "/projects/{code}/edit" => get(project_form::edit_project_form).post(project_form::update_project);
        "/projects/{code}/events" => post(projects::add_event);
        "/projects/{code}/events/{id}/correct" => get(project_actions::correction_form).post(project_actions::correct_event);
        "/projects/{code}/funds" => post(project_actions::add_fund);
        "/projects/{code}/plan" => post(project_actions::set_plan);
        "/projects/{code}/financing" => post(project_actions::set_financing);
        "/six-ones" => get(projects::six_ones);
        "/projects/{code}/elements" => post(project_actions::set_element);
        "/elements" => get(projects::element_queue);
        "/warnings" => get(warnings::list);
        "/warnings/rules" => get(warnings::show_rules).post(warnings::set_rules);
        "/review" => get(review::show);
        "/review/window/{action}" => post(review::window);
        "/review/{kind}/{id}/{step}" => post(review::step);
        "/blockers" => get(blockers::list);
        "/blockers/{id}" => get(blockers::show);
        "/blockers/{id}/instruction" => post(blockers::instruct);
        "/blockers/{id}/status" => post(blockers::change_status);
        "/projects/{code}/blockers/new" => get(blockers::raise_form);
        "/projects/{code}/blockers" => post(blockers::raise);
        "/chain-maps/{name}" => get(chain_map::show);
        "/chain-maps/{name}/print" => get(chain_map::print);
        "/chain-maps/{name}/segments" => post(chain_map::set_segment);
        "/chain-maps/{name}/firms" => post(chain_map::place_firm);
        "/chain-maps/{name}/projects" => post(chain_map::place_project);
        "/chain-maps/{name}/segments/{id}/targets" => get(chain_map::targets);
        "/visits" => get(visits::show).post(visits::add_visit);
        "/visits/plans" => post(visits::add_plan);
        "/duplicates" => get(duplicates::list);
        "/duplicates/{code}/{decision}" => post(duplicates::judge);
        "/enterprises" => get(enterprises::search_page);
        "/enterprises/{id}" => get(enterprises::show);
        "/enterprises/{id}/contacts" => post(enterprises::add_contact);
        "/leader/{name}" => get(leaders::show);
        "/leader/{name}/units" => post(leaders::set_units);
        "/team/{name}" => get(leaders::show_team);
        "/team/{name}/members" => post(leaders::set_members);
        "/projects/{code}/funds/{id}/verify" => post(project_actions::verify_fund);
}

/// Every (method, path) of the application, the API's under `/api/v1`.
pub fn all_routes() -> Vec<(&'static str, String)> {
    ROUTES
        .iter()
        .map(|(m, p)| (*m, (*p).to_owned()))
        .chain(api::ROUTES.iter().map(|(m, p)| (*m, format!("/api/v1{p}"))))
        .collect()
}

/// Every route of the application. Only `/login`, `/static/app.css` and the API's own
/// description (`/api/v1/openapi.json`) are reachable without a session: every other handler
/// takes the signed-in user.
pub fn router(state: AppState) -> Router {
    app_routes()
        .nest("/api/v1", api::api_routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::csrf_guard,
        ))
        .layer(axum::middleware::from_fn(form::control_characters_refused))
        .layer(axum::middleware::from_fn_with_state(
            state.secure_cookies,
            security_headers,
        ))
        .with_state(state)
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
    axum::serve(listener, router(state)).await
}
