//! What every area of the web layer uses, and nothing of any area: rendering, forms, the
//! viewer's scope, errors, the figures' period and display, charts, the request log. An area
//! imports from here; `kit` imports no area.

pub mod audit;
pub mod charts;
pub mod error;
pub mod figures;
pub mod form;
pub mod limits;
pub mod render;
pub mod request;
pub mod scope;
pub mod trace;
pub mod user;
pub mod view;

use error::WebError;

/// A write transaction for `actor`: what a unit's staff enter starts in the reporting cycle
/// (待县区审核 or 待市级审核, by their unit's kind); everything else is approved on entry.
pub async fn begin(
    store: &store::Store,
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

/// A returned record mended by `amend` and resubmitted, in one transaction: if either fails,
/// nothing stays.
pub async fn resubmit_amended(
    store: &store::Store,
    actor: &domain::access::Actor,
    kind: store::ReportKind,
    id: i64,
    amend: impl AsyncFnOnce(&mut store::Tx) -> Result<(), store::StoreError>,
) -> Result<(), WebError> {
    let mut tx = begin(store, actor).await?;
    let written = match amend(&mut tx).await {
        Ok(()) => tx.review(kind, id, &store::ReviewStep::Resubmit).await,
        Err(e) => Err(e),
    };
    match written {
        Ok(()) => Ok(tx.commit().await?),
        Err(e) => {
            tx.rollback().await?;
            Err(WebError::from(e))
        }
    }
}

/// Declares routes once: an area's `routes()` builds them and its `ROUTES` lists each
/// (method, path), so that the access test walks exactly what the server serves and a new
/// route cannot be missed.
macro_rules! routes {
    ($build:ident, $list:ident; $($path:literal => $first:ident($fh:expr) $(. $m:ident($h:expr))* ;)*) => {
        /// Every (method, path) this area serves, as declared.
        pub const $list: &[(&str, &str)] = &[ $( (stringify!($first), $path), $( (stringify!($m), $path), )* )* ];

        pub(crate) fn $build() -> axum::Router<$crate::AppState> {
            axum::Router::new() $( .route($path, axum::routing::$first($fh) $( .$m($h) )* ) )*
        }
    };
}
pub(crate) use routes;
