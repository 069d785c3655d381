//! The scoreboard (晒单): every indicator for the city and every unit in a period, with last
//! year's value, 同比, 历史同期新高, target, 任务进度 and 时间进度, and the rank within the group.
//!
//! Each record says what it contributes through [`contributions`]; the totals and the drill-down
//! lists are both built from that one function, so a figure and the list of records behind it
//! cannot disagree.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::facts::{FactProject, Facts};
use super::{Indicator, ratio_yoy_pct};
use crate::Period;
use crate::records::ScoreGroup;

pub use super::contributions::*;
pub use super::values::*;

/// Totals per year × slot × counter, where slots are the units and, last, the city; and for
/// the last year, per slot × 招商方式 (the last one 未填), the counters of [`SourceFigures`].
struct Grid {
    slots: usize,
    data: Vec<i64>,
    sources: usize,
    by_source: Vec<SourceFigures>,
}

impl Grid {
    fn new(years: usize, slots: usize, sources: usize) -> Self {
        Grid {
            slots,
            data: vec![0; years * slots * COUNTERS],
            sources: sources + 1,
            by_source: vec![SourceFigures::default(); slots * (sources + 1)],
        }
    }

    fn add_by_source(&mut self, slot: usize, source: Option<u32>, counter: Counter, amount: i64) {
        let source = source.map_or(self.sources - 1, |s| s as usize);
        let cell = &mut self.by_source[slot * self.sources + source];
        let field = match counter {
            Counter::Signed => &mut cell.signed_projects,
            Counter::SignedAmount => &mut cell.signed_amount,
            Counter::Funds => &mut cell.funds_in_place,
            _ => return,
        };
        *field = field.saturating_add(amount);
    }

    /// The slot's figures by 招商方式, the ones with nothing left out.
    fn sources_of(&self, slot: usize, facts: &Facts) -> BySource {
        let cells = &self.by_source[slot * self.sources..(slot + 1) * self.sources];
        cells
            .iter()
            .enumerate()
            .filter(|(_, c)| **c != SourceFigures::default())
            .map(|(i, c)| {
                let name = facts
                    .sources
                    .get(i)
                    .map_or(super::facts::UNFILLED_SOURCE, String::as_str);
                (name.to_owned(), *c)
            })
            .collect()
    }

    fn at(&self, year: usize, slot: usize, counter: Counter) -> i64 {
        self.data[(year * self.slots + slot) * COUNTERS + counter as usize]
    }

    fn add(&mut self, year: usize, slot: usize, counter: Counter, amount: i64) {
        let cell = &mut self.data[(year * self.slots + slot) * COUNTERS + counter as usize];
        *cell = cell.saturating_add(amount);
    }

    fn value(&self, year: usize, slot: usize, indicator: Indicator) -> Amount {
        match indicator.counters() {
            (n, None) => Amount::Count(self.at(year, slot, n)),
            (n, Some(d)) => Amount::Ratio(self.at(year, slot, n), self.at(year, slot, d)),
        }
    }

    fn fill(facts: &Facts, w: &Windows) -> Grid {
        let city = facts.units.len();
        let mut grid = Grid::new(w.years(), city + 1, facts.sources.len());
        let last = w.years() - 1;
        let mut slots: Vec<usize> = Vec::with_capacity(4);
        let units_of = |p: &FactProject, slots: &mut Vec<usize>| {
            slots.clear();
            project_units(p, |u| slots.push(u));
            slots.push(city);
        };
        for p in &facts.projects {
            units_of(p, &mut slots);
            project_contributions(p, w, |y, c, a| {
                for &s in &slots {
                    grid.add(y, s, c, a);
                    if y == last {
                        grid.add_by_source(s, p.source, c, a);
                    }
                }
            });
        }
        for f in &facts.funds {
            let project = &facts.projects[f.project as usize];
            units_of(project, &mut slots);
            fund_contributions(f, project, w, |y, c, a| {
                for &s in &slots {
                    grid.add(y, s, c, a);
                    if y == last {
                        grid.add_by_source(s, project.source, c, a);
                    }
                }
            });
        }
        for v in &facts.visits {
            visit_contributions(v, w, |y, c, a| {
                if let Some(u) = v.unit {
                    grid.add(y, u as usize, c, a);
                }
                grid.add(y, city, c, a);
            });
        }
        grid
    }
}

/// One indicator of one unit (or the city) in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub value: Option<Number>,
    pub last_year: Option<Number>,
    pub yoy_pct: Option<f64>,
    /// 历史同期新高.
    pub record: bool,
    pub target: Option<i64>,
    /// 累计完成: from 1 January to the period's end; present where a target is.
    pub cumulative: Option<i64>,
    pub task_progress: Option<f64>,
    pub time_progress: Option<f64>,
    pub behind: Option<bool>,
    pub light: Option<Light>,
}

impl Figure {
    pub fn int(&self) -> Option<i64> {
        match self.value {
            Some(Number::Int(n)) => Some(n),
            _ => None,
        }
    }
}

/// What the projects of one 招商方式 brought in the period (SPEC §3 `by_source`): the same
/// records as the indicators of the same names, with the same attribution to units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFigures {
    pub signed_projects: i64,
    pub signed_amount: i64,
    /// 人民币 funds in place, verified or not, as `funds_in_place`.
    pub funds_in_place: i64,
}

/// Figures by 招商方式 (its name, or [`UNFILLED_SOURCE`](super::facts::UNFILLED_SOURCE)).
pub type BySource = BTreeMap<String, SourceFigures>;

/// The city's figures: every indicator by id and, beside them, `by_source`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CityFigures {
    #[serde(flatten)]
    pub indicators: BTreeMap<String, Figure>,
    /// Absent from sheets published before figures by 招商方式 existed.
    #[serde(default)]
    pub by_source: BySource,
}

impl CityFigures {
    pub fn get(&self, id: &str) -> Option<&Figure> {
        self.indicators.get(id)
    }
}

impl std::ops::Index<&str> for CityFigures {
    type Output = Figure;

    /// Panics where `id` is no indicator, as a map's index does.
    fn index(&self, id: &str) -> &Figure {
        &self.indicators[id]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitScore {
    pub unit: String,
    #[serde(with = "group_label")]
    pub group: ScoreGroup,
    pub rank: u32,
    /// The weighted mean 任务进度 that ranks the unit; `None` without targets.
    pub mean_task_progress: Option<f64>,
    pub indicators: BTreeMap<String, Figure>,
    #[serde(default)]
    pub by_source: BySource,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scoreboard {
    pub year: i32,
    pub period: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The first year holding any record, against which 历史同期新高 is judged.
    pub first_year: i32,
    pub city: CityFigures,
    pub units: Vec<UnitScore>,
    /// What the lights were judged by: SPEC §2's defaults unless the bureau set others (a sheet
    /// published before the field existed was judged by the defaults).
    #[serde(default, skip_serializing_if = "is_default")]
    pub thresholds: LightThresholds,
}

fn is_default(t: &LightThresholds) -> bool {
    *t == LightThresholds::default()
}

/// The key beside 到位资金 that carries its verified part.
pub const FUNDS_VERIFIED_KEY: &str = "funds_in_place_verified";

impl Scoreboard {
    pub fn city_figure(&self, indicator: Indicator) -> Option<&Figure> {
        self.city.indicators.get(indicator.id())
    }

    pub fn unit(&self, name: &str) -> Option<&UnitScore> {
        self.units.iter().find(|u| u.unit == name)
    }

    /// Every figure's light again under `thresholds` (the bureau's, on live pages); the values
    /// stay as they are.
    pub fn relight(&mut self, thresholds: LightThresholds) {
        self.thresholds = thresholds;
        let end = self.end;
        let figures = self
            .units
            .iter_mut()
            .flat_map(|u| u.indicators.values_mut())
            .chain(self.city.indicators.values_mut());
        for figure in figures {
            if let (Some(target), Some(cumulative)) = (figure.target, figure.cumulative)
                && target > 0
            {
                figure.light = Some(time_task_light(cumulative, target, end, thresholds));
            }
        }
    }

    /// A unit's light as every page shows it: [`UnitScore::light`] at the board's end under
    /// its thresholds.
    pub fn unit_light(&self, unit: &UnitScore) -> Option<Light> {
        unit.light(self.end, self.thresholds)
    }
}

impl UnitScore {
    /// The unit's own light: its mean 任务进度 (the figure that ranks it) against 时间进度 at
    /// `end`. One indicator far behind lights only its own cell, so a unit well ahead overall is
    /// not red; every page that shows a unit's light asks this. `None` without targets.
    pub fn light(&self, end: NaiveDate, thresholds: LightThresholds) -> Option<Light> {
        self.mean_task_progress
            .map(|mean| progress_light(mean, end, thresholds))
    }
}

/// How units are ranked: the weight of each indicator's 任务进度 in the mean (1 when absent,
/// 0 to leave an indicator out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RankWeights(pub BTreeMap<Indicator, u32>);

impl RankWeights {
    fn of(&self, indicator: Indicator) -> u32 {
        self.0.get(&indicator).copied().unwrap_or(1)
    }
}

/// The scoreboard of `period` over `facts`.
pub fn scoreboard(facts: &Facts, period: &Period, weights: &RankWeights) -> Scoreboard {
    let first_year = facts.first_year().unwrap_or(period.year());
    // Last year is always computed (0 when it holds nothing); records look back to first_year.
    let windows = Windows::new(period, first_year.min(period.year() - 1));
    let record_from = usize::try_from(first_year - windows.year_of(0)).unwrap_or(0);
    let grid = Grid::fill(facts, &windows);
    let this = windows.years() - 1;
    // 任务进度 counts from 1 January: for periods that start later, a second pass over the year.
    let cumulative_period =
        Period::parse(period.year(), "YTD", Some(period.end())).unwrap_or(*period);
    let cumulative = if cumulative_period.start() == period.start() {
        None
    } else {
        Some(Grid::fill(
            facts,
            &Windows::new(&cumulative_period, period.year()),
        ))
    };
    let cumulative_at = |slot: usize, indicator: Indicator| match &cumulative {
        None => grid.value(this, slot, indicator),
        Some(g) => g.value(0, slot, indicator),
    };
    let mut targets: HashMap<(Option<&str>, Indicator), i64> = HashMap::new();
    for t in facts.targets.iter().filter(|t| t.year == period.year()) {
        targets.insert((t.unit.as_deref(), t.indicator), t.value);
    }
    let end = period.end();
    let days_in_year: i64 = if end.leap_year() { 366 } else { 365 };
    let elapsed = i64::from(end.ordinal());

    let figures_of = |slot: usize, unit: Option<&str>| -> BTreeMap<String, Figure> {
        let mut map = BTreeMap::new();
        for indicator in Indicator::ALL {
            let value = grid.value(this, slot, indicator);
            let last = this.checked_sub(1).map(|y| grid.value(y, slot, indicator));
            let record = record_from < this
                && (record_from..this).all(|y| {
                    value
                        .exceeds(grid.value(y, slot, indicator))
                        .unwrap_or(value.fraction().is_some())
                })
                && value.fraction().is_some();
            let yoy = match (value.fraction(), last.and_then(Amount::fraction)) {
                (Some((a, b)), Some((c, d))) => ratio_yoy_pct(a, b, c, d),
                _ => None,
            };
            let target = (!indicator.is_rate())
                .then(|| targets.get(&(unit, indicator)).copied())
                .flatten();
            let cum = target.and_then(|_| match cumulative_at(slot, indicator) {
                Amount::Count(n) => Some(n),
                Amount::Ratio(..) => None,
            });
            let (task, behind, light) = match (target, cum) {
                (Some(t), Some(c)) if t > 0 => {
                    let light = time_task_light(c, t, end, LightThresholds::default());
                    let (c, t) = (i128::from(c), i128::from(t));
                    let (e, n) = (i128::from(elapsed), i128::from(days_in_year));
                    (Some(c as f64 / t as f64), Some(c * n < e * t), Some(light))
                }
                _ => (None, None, None),
            };
            map.insert(
                indicator.id().to_owned(),
                Figure {
                    value: value.number(),
                    last_year: last.and_then(Amount::number),
                    yoy_pct: yoy,
                    record,
                    target,
                    cumulative: cum,
                    task_progress: task,
                    time_progress: target.map(|_| elapsed as f64 / days_in_year as f64),
                    behind,
                    light,
                },
            );
        }
        let verified = |y: usize| grid.at(y, slot, Counter::FundsVerified);
        let value = verified(this);
        let last = this.checked_sub(1).map(verified);
        map.insert(
            FUNDS_VERIFIED_KEY.to_owned(),
            Figure {
                value: Some(Number::Int(value)),
                last_year: last.map(Number::Int),
                yoy_pct: last.and_then(|l| ratio_yoy_pct(value, 1, l, 1)),
                record: record_from < this && (record_from..this).all(|y| value > verified(y)),
                target: None,
                cumulative: None,
                task_progress: None,
                time_progress: None,
                behind: None,
                light: None,
            },
        );
        map
    };

    let city = CityFigures {
        indicators: figures_of(facts.units.len(), None),
        by_source: grid.sources_of(facts.units.len(), facts),
    };
    let mut units: Vec<UnitScore> = facts
        .units
        .iter()
        .enumerate()
        .filter_map(|(slot, u)| {
            let group = u.group?;
            let indicators = figures_of(slot, Some(u.name.as_str()));
            Some(UnitScore {
                mean_task_progress: mean_task_progress(&indicators, weights),
                unit: u.name.clone(),
                group,
                rank: 0,
                indicators,
                by_source: grid.sources_of(slot, facts),
            })
        })
        .collect();
    rank(&mut units);
    Scoreboard {
        year: period.year(),
        period: period.code(),
        start: period.start(),
        end: period.end(),
        first_year,
        city,
        units,
        thresholds: LightThresholds::default(),
    }
}

fn mean_task_progress(figures: &BTreeMap<String, Figure>, weights: &RankWeights) -> Option<f64> {
    let mut sum = 0.0;
    let mut total = 0u64;
    for indicator in Indicator::ALL {
        let weight = weights.of(indicator);
        if let Some(task) = figures
            .get(indicator.id())
            .and_then(|f| f.task_progress)
            .filter(|_| weight > 0)
        {
            sum += task * f64::from(weight);
            total += u64::from(weight);
        }
    }
    (total > 0).then(|| sum / total as f64)
}

/// Sorts units by group, then rank: mean 任务进度 first, then units without targets by 签约额.
/// Means equal to nine decimals (a millionth of a percentage point) share a rank, so that two
/// units with the same progress are not split by the last bit of a floating-point sum.
fn rank(units: &mut [UnitScore]) {
    #[derive(PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
    enum Key {
        Progress(i64),
        SignedAmount(i64),
    }
    let key = |u: &UnitScore| match u.mean_task_progress {
        Some(mean) => (0, Key::Progress(-(mean * 1e9).round() as i64)),
        None => (
            1,
            Key::SignedAmount(
                -u.indicators
                    .get(Indicator::SignedAmount.id())
                    .and_then(Figure::int)
                    .unwrap_or(0),
            ),
        ),
    };
    let group_order = |g: ScoreGroup| ScoreGroup::ALL.iter().position(|x| *x == g);
    units.sort_by(|a, b| {
        group_order(a.group)
            .cmp(&group_order(b.group))
            .then_with(|| key(a).cmp(&key(b)))
            .then_with(|| a.unit.cmp(&b.unit))
    });
    let mut i = 0;
    while i < units.len() {
        let group = units[i].group;
        let mut position = 0u32;
        let mut previous = None;
        let mut shared = 0u32;
        while i < units.len() && units[i].group == group {
            position += 1;
            let k = key(&units[i]);
            if previous != Some(k) {
                shared = position;
                previous = Some(k);
            }
            units[i].rank = shared;
            i += 1;
        }
    }
}

mod group_label {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::records::ScoreGroup;

    pub fn serialize<S: Serializer>(group: &ScoreGroup, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(group.label())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ScoreGroup, D::Error> {
        let label = String::deserialize(d)?;
        ScoreGroup::parse("分组", &label).map_err(serde::de::Error::custom)
    }
}

/// One indicator month by month through `year`, with the same months of the year before:
/// (this year, last year) for M01..M12. Each month is computed as its own period.
pub fn monthly(
    facts: &Facts,
    year: i32,
    unit: Option<usize>,
    indicator: Indicator,
) -> Vec<(Option<Number>, Option<Number>)> {
    let slot = unit.unwrap_or(facts.units.len());
    (1..=12)
        .map(|m| {
            let Ok(period) = Period::new(year, crate::PeriodKind::Month(m), None) else {
                return (None, None);
            };
            let windows = Windows::new(&period, year - 1);
            let grid = Grid::fill(facts, &windows);
            (
                grid.value(1, slot, indicator).number(),
                grid.value(0, slot, indicator).number(),
            )
        })
        .collect()
}

/// The year's funnel: of the projects first recorded from 1 January to the period's end (for
/// `unit`, or the whole city), how many had reached each stage by the period's end.
pub fn funnel(facts: &Facts, period: &Period, unit: Option<usize>) -> Vec<(crate::Stage, i64)> {
    use crate::Stage;
    let start = period.start().with_ordinal(1).unwrap_or(period.start());
    let end = period.end();
    let by = |d: Option<NaiveDate>| d.is_some_and(|d| d <= end);
    let mut counts = [0i64; 6];
    for p in &facts.projects {
        let m = &p.milestones;
        if !m.first_on.is_some_and(|d| start <= d && d <= end) {
            continue;
        }
        if let Some(u) = unit {
            let mut found = false;
            project_units(p, |x| found |= x == u);
            if !found {
                continue;
            }
        }
        let reached = [
            true,
            by(m.signed.map(|(d, _)| d)),
            by(m.landed_on),
            by(m.started_on),
            by(m.production_on),
            by(m.capacity_on),
        ];
        for (count, hit) in counts.iter_mut().zip(reached) {
            *count += i64::from(hit);
        }
    }
    [
        Stage::Lead,
        Stage::Signed,
        Stage::Landed,
        Stage::Started,
        Stage::Production,
        Stage::Capacity,
    ]
    .into_iter()
    .zip(counts)
    .collect()
}
