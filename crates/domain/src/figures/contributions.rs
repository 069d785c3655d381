//! What each record contributes, per year and counter: the one function behind both a figure
//! and the drill-down list of the records it counts.

use chrono::{Datelike, NaiveDate};

use super::Indicator;
use super::facts::{FactFund, FactProject, FactVisit};
use crate::Period;

/// What one record adds to, per year. Rates are pairs of counters (numerator, denominator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Counter {
    Signed,
    SignedAmount,
    Signed100m,
    Signed1b,
    Funds,
    FundsVerified,
    FundsUsd,
    Landed,
    Started,
    Production,
    Capacity,
    StartedOrResumed,
    SameYearSignStart,
    Visits,
    /// Leads first recorded in the year up to the period's end …
    Leads,
    /// … and of those, the ones signed by the period's end.
    LeadsSigned,
    /// Projects signed in the year up to the period's end …
    SignedToDate,
    /// … and of those, the ones landed or started by the period's end.
    LandedToDate,
    StartedToDate,
    /// 人民币 funds up to the period's end of the projects signed in the period.
    FundsOfSigned,
}

pub(crate) const COUNTERS: usize = 20;

pub(crate) const AMOUNT_100M: i64 = 100_000_000;
pub(crate) const AMOUNT_1B: i64 = 1_000_000_000;

impl Indicator {
    /// The counters behind an indicator: (numerator, denominator for rates).
    pub fn counters(self) -> (Counter, Option<Counter>) {
        use Counter as C;
        match self {
            Indicator::SignedProjects => (C::Signed, None),
            Indicator::SignedAmount => (C::SignedAmount, None),
            Indicator::SignedProjects100m => (C::Signed100m, None),
            Indicator::SignedProjects1b => (C::Signed1b, None),
            Indicator::FundsInPlace => (C::Funds, None),
            Indicator::ForeignFundsUsd => (C::FundsUsd, None),
            Indicator::LandedProjects => (C::Landed, None),
            Indicator::StartedProjects => (C::Started, None),
            Indicator::ProductionProjects => (C::Production, None),
            Indicator::CapacityProjects => (C::Capacity, None),
            Indicator::StartedOrResumedProjects => (C::StartedOrResumed, None),
            Indicator::SameYearSignStart => (C::SameYearSignStart, None),
            Indicator::Visits => (C::Visits, None),
            Indicator::LeadConversionRate => (C::LeadsSigned, Some(C::Leads)),
            Indicator::LandingRate => (C::LandedToDate, Some(C::SignedToDate)),
            Indicator::StartRate => (C::StartedToDate, Some(C::SignedToDate)),
            Indicator::FundsInPlaceRate => (C::FundsOfSigned, Some(C::SignedAmount)),
        }
    }
}

/// The same period in each year from `first_year` to the period's own year.
#[derive(Debug, Clone)]
pub struct Windows {
    first_year: i32,
    /// Per year: the period's start and end in that year.
    spans: Vec<(NaiveDate, NaiveDate)>,
}

impl Windows {
    pub fn new(period: &Period, first_year: i32) -> Self {
        let first_year = first_year.min(period.year());
        let spans = (first_year..=period.year())
            .map(|y| {
                // Period::in_year only fails for years outside 1990..=2200, which no stored
                // date can reach; such a year then holds an empty span.
                period
                    .in_year(y)
                    .map(|p| (p.start(), p.end()))
                    .unwrap_or((NaiveDate::MAX, NaiveDate::MIN))
            })
            .collect();
        Windows { first_year, spans }
    }

    pub fn years(&self) -> usize {
        self.spans.len()
    }

    pub fn year_of(&self, index: usize) -> i32 {
        self.first_year + index as i32
    }

    pub(crate) fn index(&self, date: NaiveDate) -> Option<usize> {
        let i = usize::try_from(date.year() - self.first_year).ok()?;
        (i < self.spans.len()).then_some(i)
    }

    /// The year index when `date` falls in that year's period.
    pub(crate) fn within(&self, date: NaiveDate) -> Option<usize> {
        let i = self.index(date)?;
        let (start, end) = self.spans[i];
        (start <= date && date <= end).then_some(i)
    }

    /// The year index when `date` falls between 1 January and that year's period end.
    pub(crate) fn to_date(&self, date: NaiveDate) -> Option<usize> {
        let i = self.index(date)?;
        (date <= self.spans[i].1).then_some(i)
    }

    pub(crate) fn end(&self, index: usize) -> NaiveDate {
        self.spans[index].1
    }
}

/// Calls `add(year index, counter, amount)` for everything a project contributes.
pub fn project_contributions(
    p: &FactProject,
    w: &Windows,
    mut add: impl FnMut(usize, Counter, i64),
) {
    use Counter as C;
    let m = &p.milestones;
    let by = |date: Option<NaiveDate>, end: NaiveDate| date.is_some_and(|d| d <= end);
    if let Some((date, amount)) = m.signed {
        if let Some(y) = w.within(date) {
            add(y, C::Signed, 1);
            add(y, C::SignedAmount, amount);
            if amount >= AMOUNT_100M {
                add(y, C::Signed100m, 1);
            }
            if amount >= AMOUNT_1B {
                add(y, C::Signed1b, 1);
            }
        }
        if let Some(y) = w.to_date(date) {
            add(y, C::SignedToDate, 1);
            if by(m.landed_on, w.end(y)) {
                add(y, C::LandedToDate, 1);
            }
            if by(m.started_on, w.end(y)) {
                add(y, C::StartedToDate, 1);
            }
        }
    }
    if let Some(date) = m.first_on
        && let Some(y) = w.to_date(date)
    {
        add(y, C::Leads, 1);
        if by(m.signed.map(|(d, _)| d), w.end(y)) {
            add(y, C::LeadsSigned, 1);
        }
    }
    for (counter, date) in [
        (C::Landed, m.landed_on),
        (C::Started, m.started_on),
        (C::Production, m.production_on),
        (C::Capacity, m.capacity_on),
    ] {
        if let Some(y) = date.and_then(|d| w.within(d)) {
            add(y, counter, 1);
        }
    }
    if let Some(started) = m.started_on
        && let Some(y) = w.within(started)
        && m.signed.is_some_and(|(d, _)| d.year() == started.year())
    {
        add(y, C::SameYearSignStart, 1);
    }
    // 开工 and 复工 count a project once per period, however many there are.
    let mut counted: Option<usize> = None;
    let mut extra: Vec<usize> = Vec::new();
    for y in m
        .started_on
        .iter()
        .chain(&m.resumed_on)
        .filter_map(|d| w.within(*d))
    {
        if counted.is_none() {
            counted = Some(y);
            add(y, C::StartedOrResumed, 1);
        } else if counted != Some(y) && !extra.contains(&y) {
            extra.push(y);
            add(y, C::StartedOrResumed, 1);
        }
    }
}

/// Calls `add` for everything a fund contributes; `project` is the fund's project.
pub fn fund_contributions(
    f: &FactFund,
    project: &FactProject,
    w: &Windows,
    mut add: impl FnMut(usize, Counter, i64),
) {
    if let Some(y) = w.within(f.date) {
        if f.usd {
            add(y, Counter::FundsUsd, f.amount);
        } else {
            add(y, Counter::Funds, f.amount);
            if f.verified {
                add(y, Counter::FundsVerified, f.amount);
            }
        }
    }
    if !f.usd
        && let Some((signed, _)) = project.milestones.signed
        && let Some(y) = w.within(signed)
        && f.date <= w.end(y)
    {
        add(y, Counter::FundsOfSigned, f.amount);
    }
}

pub fn visit_contributions(v: &FactVisit, w: &Windows, mut add: impl FnMut(usize, Counter, i64)) {
    if let Some(y) = w.within(v.date) {
        add(y, Counter::Visits, 1);
    }
}

/// The units a project counts for, each once: its territory and its credited units.
pub fn project_units(p: &FactProject, mut each: impl FnMut(usize)) {
    each(p.territory as usize);
    for (i, &u) in p.credited.iter().enumerate() {
        if u != p.territory && !p.credited[..i].contains(&u) {
            each(u as usize);
        }
    }
}
