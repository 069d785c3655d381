//! 大屏: the cockpit for a meeting room's screen — large type, the city's headline figures,
//! progress and the units' ranking, refreshed by the page itself every minute (a meta refresh,
//! no script).

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use super::{BoardTables, CITY_PROGRESS, Card, board_tables, city_cards, progress_svg};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::figures::{Computed, PeriodQuery, compute, query_string, title};
use crate::kit::render::render;
use crate::kit::request::Query;
use crate::kit::scope::allow;

/// Seconds between refreshes.
const REFRESH: u32 = 60;

#[derive(Template)]
#[template(path = "scoreboard_screen.html")]
struct ScreenPage {
    title: String,
    refresh: u32,
    updated: String,
    cards: Vec<Card>,
    progress_svg: String,
    tables: BoardTables,
    /// Back to the cockpit of the same period.
    query: String,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<PeriodQuery>,
) -> Result<Html<String>, WebError> {
    allow(user.actor().reads_projects())?;
    let Computed {
        period,
        board,
        city,
        ..
    } = compute(&state, &query).await?;
    let updated = crate::kit::view::when(chrono::Utc::now().timestamp_millis());
    Ok(Html(render(&ScreenPage {
        title: title(&city, &period),
        refresh: REFRESH,
        updated,
        cards: city_cards(&board, &period),
        progress_svg: progress_svg(CITY_PROGRESS, &board.city.indicators, None),
        tables: board_tables(&board, None),
        query: query_string(&PeriodQuery::of(&period)),
    })?))
}
