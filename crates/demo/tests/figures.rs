//! The demo's and a synthetic city's figures: every figure is the sum of the records its
//! drill-down lists, and a generated history obeys the stage rules.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use chrono::NaiveDate;
use domain::Period;
use domain::figures::drill::{RecordRef, drill};
use domain::figures::{Indicator, Number, RankWeights, Scoreboard, scoreboard};
use domain::stage::StageEvent;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn value(board: &Scoreboard, unit: Option<&str>, indicator: Indicator) -> Option<Number> {
    let figures = match unit {
        None => &board.city.indicators,
        Some(name) => &board.unit(name).unwrap().indicators,
    };
    figures[indicator.id()].value
}

fn int(board: &Scoreboard, unit: Option<&str>, indicator: Indicator) -> i64 {
    match value(board, unit, indicator) {
        Some(Number::Int(n)) => n,
        other => panic!("{indicator:?} of {unit:?} is {other:?}"),
    }
}

#[test]
fn every_figure_is_the_sum_of_the_records_its_drill_down_lists() {
    let city = demo::build();
    let facts = city.facts();
    let period = Period::parse(2022, "H1", None).unwrap();
    let board = scoreboard(&facts, &period, &RankWeights::default());
    let mut slots: Vec<(Option<usize>, &std::collections::BTreeMap<String, _>)> =
        vec![(None, &board.city.indicators)];
    for u in &board.units {
        slots.push((facts.unit_index(&u.unit), &u.indicators));
    }
    for (slot, figures) in slots {
        for indicator in Indicator::ALL {
            let d = drill(&facts, &period, slot, indicator, None);
            let shown: &domain::figures::Figure = &figures[indicator.id()];
            let expected = match d.denominator {
                None => Some(Number::Int(d.numerator)),
                Some(0) => None,
                Some(den) => Some(Number::Frac(d.numerator as f64 / den as f64)),
            };
            assert_eq!(shown.value, expected, "{indicator:?} of {slot:?}");
            assert!(d.items.iter().all(|i| i.amount >= 0));
        }
    }
    // The 88 signed projects are 88 distinct projects.
    let signed = drill(&facts, &period, None, Indicator::SignedProjects, None);
    let mut projects: Vec<RecordRef> = signed.items.iter().map(|i| i.record).collect();
    projects.dedup();
    assert_eq!(projects.len(), 88);
}

#[test]
fn a_synthetic_city_obeys_the_stage_rules_and_its_figures_add_up() {
    use domain::stage::{Progress, RuleContext};
    let city = demo::synthetic::city(3_000);
    let ctx = RuleContext {
        today: day("2026-11-27"),
        project_signed_amount: None,
    };
    let mut by_project: std::collections::HashMap<&str, Vec<&StageEvent>> = Default::default();
    for (code, event, _) in &city.events {
        by_project.entry(code).or_default().push(event);
    }
    for project in &city.projects {
        let events = by_project.remove(project.code.as_str()).unwrap_or_default();
        if let Err((i, e)) = Progress::replay(events.iter().copied(), &ctx) {
            panic!("{} event {i}: {e}", project.code);
        }
    }
    let facts = city.facts();
    assert_eq!(facts.first_year(), Some(2013));
    let period = Period::parse(2022, "H1", None).unwrap();
    let board = scoreboard(&facts, &period, &RankWeights::default());
    assert!(int(&board, None, Indicator::SignedProjects) > 50);
    assert!(int(&board, None, Indicator::StartedOrResumedProjects) > 10);
    assert!(int(&board, None, Indicator::ForeignFundsUsd) > 0);
    for indicator in [
        Indicator::SignedAmount,
        Indicator::FundsInPlace,
        Indicator::Visits,
    ] {
        let d = drill(&facts, &period, None, indicator, None);
        assert_eq!(
            Some(Number::Int(d.numerator)),
            value(&board, None, indicator)
        );
    }
}
