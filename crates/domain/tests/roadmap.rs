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
    let today = day("2022-12-31");
    let of =
        |visited, projects: &[(Stage, Option<NaiveDate>)]| C::of(visited, projects, 2022, today);
    assert_eq!(of(false, &[]), C::NotApproached);
    assert_eq!(of(true, &[]), C::Approached);
    assert_eq!(of(false, &[(Stage::Lead, None)]), C::Approached);
    assert_eq!(
        of(false, &[(Stage::Lead, None), (Stage::Negotiating, None)]),
        C::InTalks
    );
    let signed_2022 = (Stage::Started, Some(day("2022-03-01")));
    assert_eq!(
        of(false, &[(Stage::Negotiating, None), signed_2022]),
        C::Signed
    );
    // A signing of 2020 is not this year's: the firm is only as far as this year's work.
    let signed_2020 = (Stage::Production, Some(day("2020-05-01")));
    assert_eq!(of(false, &[signed_2020]), C::NotApproached);
    assert_eq!(
        of(false, &[signed_2020, (Stage::Negotiating, None)]),
        C::InTalks
    );
    assert_eq!(
        C::of(false, &[signed_2022], 2022, day("2022-02-28")),
        C::NotApproached
    );
    assert_eq!(parse_month("月份", "7月").unwrap(), 7);
    assert_eq!(parse_month("月份", "13").unwrap_err().field, "月份");
    assert_eq!(SetKind::parse("类型", "对接计划").unwrap(), SetKind::Visit);
}
