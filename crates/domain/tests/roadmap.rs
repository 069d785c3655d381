//! The 招商路线图's plan against done (issue 23.2), by hand.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use chrono::NaiveDate;
use domain::Stage;
use domain::roadmap::{ClientProgress, SetKind, VisitOutcome, parse_month, visit_outcome};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn a_planned_visit_is_held_on_time_late_due_or_missed() {
    let visits = [day("2021-05-03"), day("2022-07-20"), day("2022-04-02")];
    // The first visit of the year (2 April) is before the end of the planned April: on time.
    assert_eq!(
        visit_outcome(2022, 4, &visits, day("2022-12-31")),
        VisitOutcome::OnTime(day("2022-04-02"))
    );
    // Planned for March, first held in April: late.
    assert_eq!(
        visit_outcome(2022, 3, &visits, day("2022-12-31")),
        VisitOutcome::Late(day("2022-04-02"))
    );
    // Judged on 1 April the April visit had not happened: March is missed, April still due.
    assert_eq!(
        visit_outcome(2022, 3, &visits, day("2022-04-01")),
        VisitOutcome::Missed
    );
    assert_eq!(
        visit_outcome(2022, 4, &visits, day("2022-04-01")),
        VisitOutcome::Due
    );
    // Last year's visit does not hold this year's plan; December ends on the 31st.
    assert_eq!(
        visit_outcome(2023, 12, &visits, day("2023-12-31")),
        VisitOutcome::Due
    );
    assert_eq!(
        visit_outcome(2023, 12, &visits, day("2024-01-01")),
        VisitOutcome::Missed
    );
    assert!(VisitOutcome::Late(day("2022-04-02")).held());
}

#[test]
fn a_client_has_come_as_far_as_its_furthest_project() {
    use ClientProgress as C;
    assert_eq!(C::of(false, &[]), C::NotApproached);
    assert_eq!(C::of(true, &[]), C::Approached);
    assert_eq!(C::of(false, &[Stage::Lead]), C::Approached);
    assert_eq!(C::of(false, &[Stage::Lead, Stage::Negotiating]), C::InTalks);
    assert_eq!(
        C::of(false, &[Stage::Negotiating, Stage::Started]),
        C::Signed
    );
    assert_eq!(parse_month("月份", "7月").unwrap(), 7);
    assert_eq!(parse_month("月份", "13").unwrap_err().field, "月份");
    assert_eq!(SetKind::parse("类型", "对接计划").unwrap(), SetKind::Visit);
}
