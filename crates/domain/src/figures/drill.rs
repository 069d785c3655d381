//! The records behind a figure: every project, fund or visit that a figure counts, with what
//! each adds, so that an official can check a number line by line and see that it adds up.

use super::Indicator;
use super::facts::Facts;
use super::scoreboard::{
    Counter, Windows, fund_contributions, project_contributions, project_units, visit_contributions,
};
use crate::Period;

/// A record by its index in [`Facts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordRef {
    Project(usize),
    Fund(usize),
    Visit(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrillItem {
    pub record: RecordRef,
    /// What the record adds: 1 for a count, an amount for sums.
    pub amount: i64,
    /// For rates: whether the record is in the numerator (else the denominator).
    pub numerator: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drill {
    pub items: Vec<DrillItem>,
    /// The figure's value (its numerator for a rate) as the sum of the items.
    pub numerator: i64,
    /// For rates, the denominator as the sum of the items.
    pub denominator: Option<i64>,
}

/// The records behind `indicator` for `unit` (an index into `facts.units`; `None` for the city)
/// in `period`; with `source`, only projects of that 招商方式 (as [`Facts::source_name`] names
/// it) and their funds: the records behind a figure by 招商方式.
pub fn drill(
    facts: &Facts,
    period: &Period,
    unit: Option<usize>,
    indicator: Indicator,
    source: Option<&str>,
) -> Drill {
    let windows = Windows::new(period, period.year());
    let (num, den) = indicator.counters();
    let mut drill = Drill {
        denominator: den.map(|_| 0),
        ..Drill::default()
    };
    let mut take = |record: RecordRef, counter: Counter, amount: i64| {
        if counter == num {
            // Saturating, as the grid's cells are: records are bounded (`Money::MAX_UNITS`),
            // so only a corrupted store could reach the limit, and a page must still answer.
            drill.numerator = drill.numerator.saturating_add(amount);
            drill.items.push(DrillItem {
                record,
                amount,
                numerator: true,
            });
        } else if Some(counter) == den {
            let denominator = drill.denominator.get_or_insert(0);
            *denominator = denominator.saturating_add(amount);
            drill.items.push(DrillItem {
                record,
                amount,
                numerator: false,
            });
        }
    };
    let in_scope = |p: &super::facts::FactProject| {
        source.is_none_or(|s| facts.source_name(p) == s)
            && unit.is_none_or(|u| {
                let mut found = false;
                project_units(p, |x| found |= x == u);
                found
            })
    };
    for (i, p) in facts.projects.iter().enumerate() {
        if in_scope(p) {
            project_contributions(p, &windows, |_, c, a| take(RecordRef::Project(i), c, a));
        }
    }
    for (i, f) in facts.funds.iter().enumerate() {
        let project = &facts.projects[f.project as usize];
        if in_scope(project) {
            fund_contributions(f, project, &windows, |_, c, a| {
                take(RecordRef::Fund(i), c, a);
            });
        }
    }
    for (i, v) in facts.visits.iter().enumerate() {
        if source.is_none() && (unit.is_none() || v.unit.map(|u| u as usize) == unit) {
            visit_contributions(v, &windows, |_, c, a| take(RecordRef::Visit(i), c, a));
        }
    }
    drill
}
