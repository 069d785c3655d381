//! The sheet's tables: each unit's figures by group, the ranking, links to the drill-down.

use crate::kit::figures::{PeriodQuery, heading, light_class, query_string, show_value, unit_of};
use domain::Period;
use domain::figures::scoreboard::FUNDS_VERIFIED_KEY;
use domain::figures::{BySource, Figure, Indicator, Light, Number, Scoreboard, SourceFigures};
use serde::Serialize;

/// A link to the drill-down of one figure.
pub(crate) fn drill_href(period: &Period, unit: Option<&str>, key: &str) -> String {
    source_drill_href(period, unit, key, None)
}

/// A link to the drill-down of one figure, of one 招商方式's projects when `source` is given.
pub(crate) fn source_drill_href(
    period: &Period,
    unit: Option<&str>,
    key: &str,
    source: Option<&str>,
) -> String {
    #[derive(Serialize)]
    struct Q<'a> {
        #[serde(flatten)]
        period: PeriodQuery,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<&'a str>,
        indicator: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        source: Option<&'a str>,
    }
    format!(
        "/scoreboard/drill?{}",
        query_string(&Q {
            period: PeriodQuery::of(period),
            unit,
            indicator: key,
            source,
        })
    )
}

/// One 招商方式's line: what its projects brought, each figure leading to its records.
pub struct SourceRow {
    pub source: String,
    pub cells: Vec<RankCell>,
}

/// The figures by 招商方式 (SPEC §3 `by_source`), the largest signed amount first, and their
/// sum last: by definition the city's (or the unit's) own figures, as every project has one
/// 招商方式 or is 未填.
pub fn source_rows(by_source: &BySource, links: Option<(&Period, Option<&str>)>) -> Vec<SourceRow> {
    const COLUMNS: [Indicator; 3] = [
        Indicator::SignedProjects,
        Indicator::SignedAmount,
        Indicator::FundsInPlace,
    ];
    let value = |f: &SourceFigures, i: Indicator| match i {
        Indicator::SignedProjects => f.signed_projects,
        Indicator::SignedAmount => f.signed_amount,
        _ => f.funds_in_place,
    };
    let mut sources: Vec<(&String, &SourceFigures)> = by_source.iter().collect();
    sources.sort_by(|a, b| {
        (b.1.signed_amount, b.1.signed_projects, b.1.funds_in_place)
            .cmp(&(a.1.signed_amount, a.1.signed_projects, a.1.funds_in_place))
            .then_with(|| a.0.cmp(b.0))
    });
    let total = by_source
        .values()
        .fold(SourceFigures::default(), |t, f| SourceFigures {
            signed_projects: t.signed_projects + f.signed_projects,
            signed_amount: t.signed_amount.saturating_add(f.signed_amount),
            funds_in_place: t.funds_in_place.saturating_add(f.funds_in_place),
        });
    let row = |name: &str, figures: &SourceFigures, source: Option<&str>| SourceRow {
        source: name.to_owned(),
        cells: COLUMNS
            .iter()
            .map(|&i| RankCell {
                text: show_value(i, Some(Number::Int(value(figures, i)))),
                href: links
                    .filter(|_| value(figures, i) != 0)
                    .map(|(p, unit)| source_drill_href(p, unit, i.id(), source))
                    .unwrap_or_default(),
            })
            .collect(),
    };
    let mut rows: Vec<SourceRow> = sources
        .into_iter()
        .map(|(name, figures)| row(name, figures, Some(name)))
        .collect();
    if !rows.is_empty() {
        rows.push(row("合计", &total, None));
    }
    rows
}

pub(super) fn unit_href(period: &Period, unit: &str) -> String {
    #[derive(Serialize)]
    struct Q<'a> {
        #[serde(flatten)]
        period: PeriodQuery,
        name: &'a str,
    }
    format!(
        "/scoreboard/unit?{}",
        query_string(&Q {
            period: PeriodQuery::of(period),
            name: unit,
        })
    )
}

/// 同比 as read at a glance: an arrow for the direction (not colour alone), the sign and the
/// percentage; a change that rounds to nothing reads 持平.
pub(super) fn show_yoy(yoy: Option<f64>) -> String {
    match yoy {
        None => "—".to_owned(),
        Some(p) if p.abs() < 0.05 => "持平".to_owned(),
        Some(p) if p > 0.0 => format!("↑ +{p:.1}%"),
        Some(p) => format!("↓ −{:.1}%", p.abs()),
    }
}

pub(super) fn show_rate(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// One line of a figures table.
pub struct FigureRow {
    pub label: String,
    pub unit: &'static str,
    pub value: String,
    pub last_year: String,
    pub yoy: String,
    pub record: bool,
    pub target: String,
    pub cumulative: String,
    pub task: String,
    pub time: String,
    pub state: String,
    pub light: &'static str,
    pub href: String,
    pub last_href: String,
    pub cumulative_href: String,
}

pub(super) fn figure_row(
    label: String,
    indicator: Indicator,
    figure: &Figure,
    links: Option<(&Period, Option<&str>, &str)>,
) -> FigureRow {
    let amount = |n: Option<i64>| show_value(indicator, n.map(Number::Int));
    let (href, last_href, cumulative_href) = match links {
        Some((period, unit, key)) => (
            drill_href(period, unit, key),
            period
                .in_year(period.year() - 1)
                .map(|p| drill_href(&p, unit, key))
                .unwrap_or_default(),
            drill_href(&year_to_end(period), unit, key),
        ),
        None => (String::new(), String::new(), String::new()),
    };
    FigureRow {
        label,
        unit: unit_of(indicator),
        value: show_value(indicator, figure.value),
        last_year: show_value(indicator, figure.last_year),
        yoy: show_yoy(figure.yoy_pct),
        record: figure.record,
        target: figure.target.map(|t| amount(Some(t))).unwrap_or_default(),
        cumulative: figure
            .cumulative
            .map(|c| amount(Some(c)))
            .unwrap_or_default(),
        task: figure
            .task_progress
            .map(|t| show_rate(Some(t)))
            .unwrap_or_default(),
        time: figure
            .time_progress
            .map(|t| show_rate(Some(t)))
            .unwrap_or_default(),
        state: match (figure.behind, figure.light) {
            (Some(true), Some(light)) => format!("落后·{}", light.label()),
            (Some(false), _) => "达到序时".to_owned(),
            _ => String::new(),
        },
        light: light_class(figure.light),
        href,
        last_href,
        cumulative_href,
    }
}

/// Every indicator of one unit (or the city) as table rows; links when `period` is given.
pub fn figure_rows(
    figures: &std::collections::BTreeMap<String, Figure>,
    links: Option<(&Period, Option<&str>)>,
) -> Vec<FigureRow> {
    let mut rows = Vec::new();
    for indicator in Indicator::ALL {
        if let Some(figure) = figures.get(indicator.id()) {
            rows.push(figure_row(
                indicator.label().to_owned(),
                indicator,
                figure,
                links.map(|(p, u)| (p, u, indicator.id())),
            ));
            if indicator == Indicator::FundsInPlace
                && let Some(verified) = figures.get(FUNDS_VERIFIED_KEY)
            {
                let mut row = figure_row("其中：已核实".to_owned(), indicator, verified, None);
                row.label = "　其中：已核实".to_owned();
                rows.push(row);
            }
        }
    }
    rows
}

/// The indicators the ranking table shows beside the mean 任务进度.
pub(super) const RANKING_COLUMNS: [Indicator; 5] = [
    Indicator::SignedProjects,
    Indicator::SignedAmount,
    Indicator::FundsInPlace,
    Indicator::StartedOrResumedProjects,
    Indicator::Visits,
];

pub struct RankCell {
    pub text: String,
    pub href: String,
}

pub struct RankRow {
    pub rank: u32,
    pub unit: String,
    pub unit_href: String,
    pub mean: String,
    pub light: &'static str,
    pub light_label: &'static str,
    pub cells: Vec<RankCell>,
    /// In the signed-in leader's 包保县区.
    pub mine: bool,
}

pub struct GroupTable {
    pub name: &'static str,
    pub rows: Vec<RankRow>,
}

/// The ranking tables and the city's figures, shared by the cockpit, the print view and the
/// published sheet.
pub struct BoardTables {
    pub city_rows: Vec<FigureRow>,
    /// The city's figures by 招商方式.
    pub sources: Vec<SourceRow>,
    pub rank_heads: Vec<String>,
    pub groups: Vec<GroupTable>,
}

pub(super) fn mark_own_units(mut tables: BoardTables, own: &[String]) -> BoardTables {
    for row in tables.groups.iter_mut().flat_map(|g| g.rows.iter_mut()) {
        row.mine = own.contains(&row.unit);
    }
    tables
}

pub fn board_tables(board: &Scoreboard, links: Option<&Period>) -> BoardTables {
    let city_rows = figure_rows(&board.city.indicators, links.map(|p| (p, None)));
    let mut groups: Vec<GroupTable> = Vec::new();
    for unit in &board.units {
        let name = unit.group.label();
        if groups.last().is_none_or(|g| g.name != name) {
            groups.push(GroupTable {
                name,
                rows: Vec::new(),
            });
        }
        let light = board.unit_light(unit);
        let cells = RANKING_COLUMNS
            .iter()
            .map(|i| RankCell {
                text: show_value(*i, unit.indicators.get(i.id()).and_then(|f| f.value)),
                href: links
                    .map(|p| drill_href(p, Some(&unit.unit), i.id()))
                    .unwrap_or_default(),
            })
            .collect();
        if let Some(group) = groups.last_mut() {
            group.rows.push(RankRow {
                rank: unit.rank,
                unit: unit.unit.clone(),
                unit_href: links.map(|p| unit_href(p, &unit.unit)).unwrap_or_default(),
                mean: show_rate(unit.mean_task_progress),
                light: light_class(light),
                light_label: light.map_or("", Light::label),
                cells,
                mine: false,
            });
        }
    }
    let rank_heads = RANKING_COLUMNS.iter().map(|i| heading(*i)).collect();
    BoardTables {
        city_rows,
        sources: source_rows(&board.city.by_source, links.map(|p| (p, None))),
        rank_heads,
        groups,
    }
}

/// From 1 January to the period's end: what 累计完成 and 任务进度 count.
pub(super) fn year_to_end(period: &Period) -> Period {
    Period::parse(period.year(), "YTD", Some(period.end())).unwrap_or(*period)
}

#[cfg(test)]
mod yoy_tests {
    use super::show_yoy;

    #[test]
    fn yoy_shows_its_direction_by_an_arrow_and_a_sign() {
        assert_eq!(show_yoy(Some(91.94)), "↑ +91.9%");
        assert_eq!(show_yoy(Some(-3.25)), "↓ −3.2%");
        assert_eq!(show_yoy(Some(0.01)), "持平");
        assert_eq!(show_yoy(Some(-0.04)), "持平", "never −0.0%");
        assert_eq!(show_yoy(None), "—");
    }
}
