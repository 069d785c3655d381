//! 我的工作: each person's home page — what waits for them. Reviews at their level (or their
//! returned reports), the blockers they are to act on, the 要素保障 items due from their
//! department, and the projects on red in their scope.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use domain::figures::{Figure, Indicator, Light, RankWeights, scoreboard};
use store::{BlockerFilter, QueuedElement, ReportedRecord, ReviewFilter};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::kit::error::WebError;
use crate::kit::figures::{PeriodQuery, compute};
use crate::kit::render::render;
use crate::kit::scope::scoped_filter;
use crate::kit::view::Layout;
use crate::responsibility::blockers::BlockerRow;
use crate::responsibility::warnings::{LitRow, lit_projects};
use crate::scoreboard::{Card, drill_href, figure_card};

/// How many rows each section lists before pointing to its full page.
const SHOWN: usize = 20;

/// The indicators a home page opens with.
const HOME_CARDS: [(Indicator, &str); 5] = [
    (Indicator::SignedProjects, "签约项目"),
    (Indicator::SignedAmount, "签约额"),
    (Indicator::FundsInPlace, "到位资金"),
    (Indicator::StartedOrResumedProjects, "开复工项目"),
    (Indicator::Visits, "对接企业"),
];

/// The account's own figures: this month and the year so far, in its scope.
pub struct HomeFigures {
    /// Whose figures: 全市, the unit, or the leader's 包保 scope.
    scope: String,
    /// The unit's place in its group, or its light; empty for the city and a leader.
    standing: String,
    month_label: String,
    month: Vec<Card>,
    year_label: String,
    year: Vec<Card>,
}

/// A counted to-do leading to its queue.
pub struct Todo {
    label: &'static str,
    count: usize,
    href: String,
}

async fn home_figures(
    state: &AppState,
    user: &CurrentUser,
    on: NaiveDate,
) -> Result<Option<HomeFigures>, WebError> {
    let actor = user.actor();
    let month_query = PeriodQuery {
        year: on.year().to_string(),
        period: format!("M{:02}", on.month()),
        ..PeriodQuery::default()
    };
    let year_query = PeriodQuery {
        year: on.year().to_string(),
        period: "YTD".into(),
        as_of: on.to_string(),
        ..PeriodQuery::default()
    };
    let month = compute(state, &month_query).await?;
    let year = compute(state, &year_query).await?;
    let cards = |c: &crate::kit::figures::Computed,
                 figures: &std::collections::BTreeMap<String, Figure>,
                 unit: Option<&str>,
                 href: Option<&str>,
                 with_progress: bool| {
        HOME_CARDS
            .iter()
            // Visits are counted by the unit that made them, not by project: a scope of
            // projects has none of its own.
            .filter(|(i, _)| href.is_none() || *i != Indicator::Visits)
            .map(|(i, label)| {
                let link = href.map_or_else(|| drill_href(&c.period, unit, i.id()), str::to_owned);
                figure_card(figures, *i, label, link, with_progress)
            })
            .collect::<Vec<Card>>()
    };
    let labels = (month.period.label(), year.period.label());
    let (scope, standing, month_cards, year_cards) = match (&user.user.leader, &actor.unit) {
        (Some(leader), _) => {
            // A leader's 包保 scope: the same definitions over the projects in it. Targets are
            // set for units and the city, not for a scope, so no 任务进度 here.
            let filter = store::ProjectFilter {
                leader_scope: Some(leader.clone()),
                ..scoped_filter(&actor)?
            };
            let ids: HashSet<i64> = state
                .store
                .project_ids(&filter)
                .await?
                .into_iter()
                .collect();
            let href = format!("/leader/{}", crate::kit::render::encode(leader));
            let of = |c: &crate::kit::figures::Computed| {
                scoreboard(
                    &c.facts.restricted_to(&ids),
                    &c.period,
                    &RankWeights::default(),
                )
            };
            let (m, y) = (of(&month), of(&year));
            (
                format!("{leader}包保范围"),
                String::new(),
                cards(&month, &m.city.indicators, None, Some(&href), false),
                cards(&year, &y.city.indicators, None, Some(&href), false),
            )
        }
        (None, Some(unit)) => {
            let (Some(m), Some(y)) = (month.board.unit(unit), year.board.unit(unit)) else {
                return Ok(None);
            };
            let peers = year
                .board
                .units
                .iter()
                .filter(|u| u.group == y.group)
                .count();
            let light = year
                .board
                .unit_light(y)
                .map(|l| format!("，{}", l.label()))
                .unwrap_or_default();
            let standing = match y.mean_task_progress {
                Some(mean) => format!(
                    "{}第{}名（共{peers}个），平均任务进度{:.1}%{light}",
                    y.group.label(),
                    y.rank,
                    mean * 100.0
                ),
                None => format!("{}未设目标", y.group.label()),
            };
            (
                unit.clone(),
                standing,
                cards(&month, &m.indicators, Some(unit), None, false),
                cards(&year, &y.indicators, Some(unit), None, true),
            )
        }
        (None, None) => (
            "全市".to_owned(),
            String::new(),
            cards(&month, &month.board.city.indicators, None, None, false),
            cards(&year, &year.board.city.indicators, None, None, true),
        ),
    };
    Ok(Some(HomeFigures {
        scope,
        standing,
        month_label: labels.0,
        month: month_cards,
        year_label: labels.1,
        year: year_cards,
    }))
}

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
    figures: Option<HomeFigures>,
    todos: Vec<Todo>,
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
        figures: None,
        todos: Vec::new(),
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
    page.figures = home_figures(&state, &user, on).await?;
    let mut todos = Vec::new();
    if !page.reviews_heading.is_empty() {
        todos.push(Todo {
            label: page.reviews_heading,
            count: page.reviews_total,
            href: "/review".into(),
        });
    }
    todos.push(Todo {
        label: page.blockers_heading,
        count: page.blockers.len(),
        href: "/blockers".into(),
    });
    if actor.unit.is_some() {
        todos.push(Todo {
            label: "本部门要素保障待办",
            count: page.elements.len(),
            href: "/elements".into(),
        });
    }
    if actor.verifies_funds() {
        let unverified = state
            .store
            .fund_queue(
                &crate::kit::scope::scoped_filter(&actor)?,
                Some(false),
                None,
            )
            .await?
            .len();
        todos.push(Todo {
            label: "到位资金待核实",
            count: unverified,
            href: "/funds".into(),
        });
    }
    if !page.city_wide {
        todos.push(Todo {
            label: "亮红灯的项目",
            count: page.red_total,
            href: "/warnings?light=%E7%BA%A2%E7%81%AF".into(),
        });
    }
    page.todos = todos;
    Ok(Html(render(&page)?))
}
