//! 我的工作: each person's home page — what waits for them. Reviews at their level (or their
//! returned reports), the blockers they are to act on, the 要素保障 items due from their
//! department, and the projects on red in their scope.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use domain::figures::Light;
use store::{BlockerFilter, QueuedElement, ReportedRecord, ReviewFilter};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::render::render;
use crate::kit::view::Layout;
use crate::responsibility::blockers::BlockerRow;
use crate::responsibility::warnings::{LitRow, lit_projects};

/// How many rows each section lists before pointing to its full page.
const SHOWN: usize = 20;

#[derive(Template)]
#[template(path = "my.html")]
struct MyPage {
    layout: Layout,
    on: String,
    /// 待县区审核 / 待市级审核, or 被退回 for a unit's staff.
    reviews_heading: &'static str,
    reviews: Vec<ReportedRecord>,
    reviews_total: usize,
    blockers_heading: &'static str,
    /// Each with whether it came by escalation.
    blockers: Vec<(BlockerRow, bool)>,
    elements: Vec<QueuedElement>,
    red: Vec<LitRow>,
    red_total: usize,
    /// An account without a scope of its own (招商局, 审计员, an unlinked 市领导).
    city_wide: bool,
    /// A leader account's own page.
    leader: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    let actor = user.actor();
    let on = state.store.follow_up_date().await?;
    let mut page = MyPage {
        layout: Layout::of(&user),
        on: on.to_string(),
        reviews_heading: "",
        reviews: Vec::new(),
        reviews_total: 0,
        blockers_heading: "",
        blockers: Vec::new(),
        elements: Vec::new(),
        red: Vec::new(),
        red_total: 0,
        city_wide: false,
        leader: user.user.leader.clone(),
    };
    if !actor.reads_projects() {
        return Ok(Html(render(&page)?));
    }
    if let Some(queue) = actor.review_todo() {
        let rows = state
            .store
            .review_queue(&ReviewFilter {
                states: queue.states,
                unit: queue.unit,
            })
            .await?;
        let heading = queue.heading;
        page.reviews_heading = heading;
        page.reviews_total = rows.len();
        page.reviews = rows.into_iter().take(SHOWN).collect();
    }
    // The blockers to act on: a leader's own and escalated ones; a unit's owned ones and the
    // overdue ones on its projects; for the bureau every overdue one.
    let (heading, blockers) = match (&user.user.leader, &actor.unit) {
        (Some(leader), _) => (
            "待我协调的堵点问题",
            crate::responsibility::blockers::for_leader(&state, &actor, leader, on).await?,
        ),
        (None, Some(unit)) => {
            let views = state
                .store
                .blockers(&BlockerFilter {
                    open_only: true,
                    ..crate::kit::scope::scoped_blockers(&actor)
                })
                .await?;
            let rows = views
                .iter()
                .filter(|v| v.blocker.raised.owner_unit == *unit || v.blocker.is_overdue(on))
                .map(|v| (BlockerRow::of(v, on), false))
                .collect();
            ("本单位负责或已逾期的堵点问题", rows)
        }
        (None, None) => {
            let views = state
                .store
                .blockers(&BlockerFilter {
                    open_only: true,
                    overdue_on: Some(on),
                    ..crate::kit::scope::scoped_blockers(&actor)
                })
                .await?;
            let rows = views
                .iter()
                .map(|v| (BlockerRow::of(v, on), !v.escalated_to(on).is_empty()))
                .collect();
            ("逾期未解决的堵点问题", rows)
        }
    };
    page.blockers_heading = heading;
    page.blockers = blockers;
    if let Some(unit) = &actor.unit {
        page.elements = state.store.element_queue(unit).await?;
    }
    // The red projects of the account's scope: a leader's 包保 scope, a unit's projects, or
    // the city.
    // City-wide accounts find the city's lights on the warnings page: computing them for the
    // whole city here would slow the page every sign-in lands on.
    page.city_wide = actor.unit.is_none() && user.user.leader.is_none();
    if !page.city_wide {
        let filter = store::ProjectFilter {
            leader_scope: user.user.leader.clone(),
            ..crate::kit::scope::scoped_filter(&actor)?
        };
        let red: Vec<LitRow> = lit_projects(&state, &filter, on)
            .await?
            .into_iter()
            .filter(|row| row.light == Light::Red)
            .collect();
        page.red_total = red.len();
        page.red = red.into_iter().take(SHOWN).collect();
    }
    Ok(Html(render(&page)?))
}
