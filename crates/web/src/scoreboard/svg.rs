//! The cockpit's charts: progress against 时间进度, the monthly trend, the funnel.

use domain::Period;
use domain::figures::facts::Facts;
use domain::figures::scoreboard::{funnel, monthly};
use domain::figures::{Figure, Indicator, Number};

use super::tables::*;
use crate::kit::charts::{self, ProgressRow};

/// The time-against-task chart of the indicators with targets, empty when none has one; bars
/// link to their year-to-date drill-down when `links` names the period and unit.
pub(super) fn progress_svg(
    title: &str,
    figures: &std::collections::BTreeMap<String, Figure>,
    links: Option<(&Period, Option<&str>)>,
) -> String {
    let rows: Vec<ProgressRow> = Indicator::ALL
        .into_iter()
        .filter_map(|i| {
            let f = figures.get(i.id())?;
            Some(ProgressRow {
                label: i.label().to_owned(),
                task: f.task_progress?,
                time: f.time_progress?,
                light: f.light,
                href: links.map(|(period, unit)| drill_href(&year_to_end(period), unit, i.id())),
            })
        })
        .collect();
    if rows.is_empty() {
        String::new()
    } else {
        charts::progress_bars(title, &rows)
    }
}

pub(super) const CITY_PROGRESS: &str = "全市目标任务：时间进度与任务进度";

pub(super) fn trend_svg(facts: &Facts, year: i32, unit: Option<usize>, who: &str) -> String {
    let months = monthly(facts, year, unit, Indicator::SignedAmount);
    let yi = |v: Option<Number>| v.map_or(0.0, |n| n.as_f64() / 1e8);
    let mut this = [0.0; 12];
    let mut last = [0.0; 12];
    for (m, (t, l)) in months.into_iter().enumerate() {
        this[m] = yi(t);
        last[m] = yi(l);
    }
    charts::monthly_columns(
        &format!("{who}{year}年各月签约额与上年同期"),
        "亿元",
        &this,
        &last,
    )
}

pub(super) fn funnel_svg(facts: &Facts, period: &Period, unit: Option<usize>) -> String {
    let steps = funnel(facts, period, unit);
    let labelled: Vec<(&str, i64)> = steps.iter().map(|(s, n)| (s.label(), *n)).collect();
    charts::funnel(
        &format!(
            "{}年新增项目推进漏斗（截至{}）",
            period.year(),
            period.end()
        ),
        &labelled,
    )
}
