//! Every indicator of SPEC §3 on small cities whose figures are computed here by hand.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use chrono::NaiveDate;
use domain::figures::diff::changes;
use domain::figures::facts::Facts;
use domain::figures::{Indicator, Light, Number, RankWeights, Scoreboard, scoreboard};
use domain::records::{Fund, Project, ScoreGroup, Target, Unit, UnitKind, Visit};
use domain::stage::StageEvent;
use domain::{Currency, EventKind, Money, Period, Stage};

const CITY: &str = "测试市";

/// A city of three counties, two departments and one outpost.
struct City {
    units: Vec<Unit>,
    projects: Vec<Project>,
    events: Vec<(String, StageEvent)>,
    funds: Vec<Fund>,
    visits: Vec<Visit>,
    targets: Vec<Target>,
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const SIGN: EventKind = EventKind::Stage(Stage::Signed);
const LEAD: EventKind = EventKind::Stage(Stage::Lead);
const LAND: EventKind = EventKind::Stage(Stage::Landed);
const START: EventKind = EventKind::Stage(Stage::Started);
const PRODUCE: EventKind = EventKind::Stage(Stage::Production);
const CAPACITY: EventKind = EventKind::Stage(Stage::Capacity);
const YI: i64 = 100_000_000;

impl City {
    fn new() -> Self {
        let unit = |name: &str, kind, group| {
            Unit::new(
                name,
                kind,
                group,
                None,
                Some(CITY.to_owned()).filter(|_| name != CITY),
            )
            .unwrap()
        };
        City {
            units: vec![
                unit(CITY, UnitKind::City, None),
                unit("甲县", UnitKind::County, Some(ScoreGroup::Territory)),
                unit("乙县", UnitKind::County, Some(ScoreGroup::Territory)),
                unit("丙区", UnitKind::District, Some(ScoreGroup::Territory)),
                unit("商务局", UnitKind::Department, Some(ScoreGroup::Department)),
                unit("发改委", UnitKind::Department, Some(ScoreGroup::Department)),
                unit("驻京中心", UnitKind::Outpost, Some(ScoreGroup::Outpost)),
            ],
            projects: Vec::new(),
            events: Vec::new(),
            funds: Vec::new(),
            visits: Vec::new(),
            targets: Vec::new(),
        }
    }

    /// A project with events given as (kind, date, signed amount in 元).
    fn project(
        &mut self,
        code: &str,
        territory: &str,
        credited: &[&str],
        events: &[(EventKind, &str, Option<i64>)],
    ) {
        let mut project = Project::new(code, &format!("项目{code}"), territory).unwrap();
        project.credited = credited.iter().map(|c| (*c).to_owned()).collect();
        self.projects.push(project);
        for (kind, date, amount) in events {
            self.events.push((
                code.to_owned(),
                StageEvent {
                    kind: *kind,
                    date: day(date),
                    amount: amount.map(|a| Money::from_units("金额", a).unwrap()),
                    company: None,
                    parcel: None,
                    note: None,
                    evidence: None,
                },
            ));
        }
    }

    fn signed(&mut self, code: &str, territory: &str, date: &str, amount: i64) {
        self.project(code, territory, &[], &[(SIGN, date, Some(amount))]);
    }

    fn fund(&mut self, code: &str, date: &str, amount: i64, currency: Currency, verified: bool) {
        let mut fund = Fund::new(
            code,
            day(date),
            Money::from_units("金额", amount).unwrap(),
            currency,
        )
        .unwrap();
        fund.verified = verified;
        self.funds.push(fund);
    }

    fn visit(&mut self, date: &str, unit: Option<&str>) {
        let mut visit = Visit::new(day(date));
        visit.unit = unit.map(str::to_owned);
        self.visits.push(visit);
    }

    fn target(&mut self, year: i32, unit: Option<&str>, indicator: Indicator, value: i64) {
        self.targets
            .push(Target::new(year, unit.map(str::to_owned), indicator, value).unwrap());
    }

    fn facts(&self) -> Facts {
        Facts::from_records(
            &self.units,
            &self.projects,
            self.events
                .iter()
                .map(|(code, event)| (code.as_str(), event)),
            &self.funds,
            &self.visits,
            &self.targets,
        )
    }

    fn board(&self, year: i32, code: &str) -> Scoreboard {
        scoreboard(
            &self.facts(),
            &Period::parse(year, code, None).unwrap(),
            &RankWeights::default(),
        )
    }
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

fn rate(board: &Scoreboard, unit: Option<&str>, indicator: Indicator) -> Option<f64> {
    value(board, unit, indicator).map(Number::as_f64)
}

#[test]
fn a_project_credited_to_two_units_counts_for_each_and_once_for_the_city() {
    let mut city = City::new();
    // The department is named twice and the territory once more: each unit counts it once.
    city.project(
        "P1",
        "甲县",
        &["商务局", "甲县", "商务局", "驻京中心"],
        &[(SIGN, "2022-03-01", Some(12 * YI))],
    );
    city.signed("P2", "乙县", "2022-05-20", YI / 2);
    city.fund("P1", "2022-04-10", 30_000_000, Currency::Cny, true);
    city.fund("P1", "2022-05-10", 20_000_000, Currency::Cny, false);
    city.fund("P1", "2022-06-01", 1_000_000, Currency::Usd, false);
    city.fund("P2", "2022-07-01", 5_000_000, Currency::Cny, false);
    let h1 = city.board(2022, "H1");
    use Indicator as I;
    assert_eq!(int(&h1, None, I::SignedProjects), 2);
    assert_eq!(int(&h1, None, I::SignedAmount), 12 * YI + YI / 2);
    assert_eq!(int(&h1, None, I::SignedProjects100m), 1);
    assert_eq!(int(&h1, None, I::SignedProjects1b), 1);
    for unit in ["甲县", "商务局", "驻京中心"] {
        assert_eq!(int(&h1, Some(unit), I::SignedProjects), 1, "{unit}");
        assert_eq!(int(&h1, Some(unit), I::SignedAmount), 12 * YI, "{unit}");
        assert_eq!(int(&h1, Some(unit), I::FundsInPlace), 50_000_000, "{unit}");
    }
    assert_eq!(int(&h1, Some("乙县"), I::SignedProjects), 1);
    assert_eq!(int(&h1, Some("乙县"), I::SignedProjects100m), 0);
    assert_eq!(int(&h1, Some("发改委"), I::SignedProjects), 0);
    // Units add up to more than the city: the city counts P1 once.
    let units_total: i64 = h1
        .units
        .iter()
        .map(|u| int(&h1, Some(&u.unit), I::SignedProjects))
        .sum();
    assert_eq!(units_total, 4);
    assert_eq!(
        int(&h1, None, I::FundsInPlace),
        50_000_000,
        "P2's July fund is H2"
    );
    assert_eq!(h1.city["funds_in_place_verified"].int(), Some(30_000_000));
    assert_eq!(int(&h1, None, I::ForeignFundsUsd), 1_000_000);
    // 资金到位率: funds up to 30 June of the projects signed in H1, over their signed amount.
    assert_eq!(
        rate(&h1, None, I::FundsInPlaceRate),
        Some(50_000_000.0 / (12.5 * YI as f64))
    );
    // For the year, P2's July fund joins the numerator.
    let year = city.board(2022, "Y");
    assert_eq!(
        rate(&year, Some("乙县"), I::FundsInPlaceRate),
        Some(5_000_000.0 / (YI / 2) as f64)
    );
}

#[test]
fn kaigong_and_fugong_in_one_period_count_the_project_once() {
    let mut city = City::new();
    city.project(
        "A",
        "甲县",
        &[],
        &[
            (SIGN, "2021-05-01", Some(YI)),
            (LAND, "2021-06-01", None),
            (START, "2022-01-10", None),
            (EventKind::Suspend, "2022-02-01", None),
            (EventKind::Resume, "2022-03-01", None),
            (EventKind::Suspend, "2022-04-01", None),
            (EventKind::Resume, "2022-05-01", None),
        ],
    );
    city.project(
        "B",
        "乙县",
        &[],
        &[
            (SIGN, "2021-01-05", Some(YI)),
            (START, "2021-10-01", None),
            (EventKind::Suspend, "2021-12-01", None),
            (EventKind::Resume, "2022-02-15", None),
        ],
    );
    use Indicator as I;
    let q1 = city.board(2022, "Q1");
    assert_eq!(int(&q1, None, I::StartedOrResumedProjects), 2);
    assert_eq!(int(&q1, None, I::StartedProjects), 1);
    let h1 = city.board(2022, "H1");
    assert_eq!(int(&h1, None, I::StartedOrResumedProjects), 2);
    assert_eq!(int(&h1, Some("甲县"), I::StartedOrResumedProjects), 1);
    let q2 = city.board(2022, "Q2");
    assert_eq!(
        int(&q2, None, I::StartedOrResumedProjects),
        1,
        "A resumed in May"
    );
    assert_eq!(int(&q2, None, I::StartedProjects), 0);
    // Last year: B started in Q4 2021.
    let q4 = city.board(2021, "Q4");
    assert_eq!(int(&q4, None, I::StartedOrResumedProjects), 1);
}

#[test]
fn same_year_sign_start_counts_in_the_period_of_the_start_and_not_across_a_year() {
    let mut city = City::new();
    let sign_start =
        |sign: &'static str, start: &'static str| [(SIGN, sign, Some(YI)), (START, start, None)];
    city.project("X", "甲县", &[], &sign_start("2021-12-20", "2022-01-05"));
    city.project("Y", "甲县", &[], &sign_start("2022-01-03", "2022-02-01"));
    city.project("Z", "乙县", &[], &sign_start("2022-02-01", "2022-07-01"));
    city.project("W", "乙县", &[], &sign_start("2022-12-30", "2023-01-02"));
    use Indicator as I;
    assert_eq!(int(&city.board(2022, "H1"), None, I::SameYearSignStart), 1);
    assert_eq!(int(&city.board(2022, "H2"), None, I::SameYearSignStart), 1);
    assert_eq!(int(&city.board(2022, "Y"), None, I::SameYearSignStart), 2);
    assert_eq!(int(&city.board(2023, "Q1"), None, I::SameYearSignStart), 0);
    assert_eq!(int(&city.board(2022, "Y"), None, I::StartedProjects), 3);
    assert_eq!(
        int(&city.board(2022, "Y"), Some("乙县"), I::SameYearSignStart),
        1
    );
}

#[test]
fn stage_counts_and_rates_with_their_denominators_and_null_when_empty() {
    let mut city = City::new();
    city.project(
        "L1",
        "甲县",
        &[],
        &[
            (LEAD, "2022-01-10", None),
            (SIGN, "2022-02-10", Some(2 * YI)),
            (LAND, "2022-03-10", None),
            (START, "2022-04-10", None),
            (PRODUCE, "2022-05-10", None),
            (CAPACITY, "2022-06-10", None),
        ],
    );
    city.project(
        "L2",
        "甲县",
        &[],
        &[
            (LEAD, "2022-02-01", None),
            (SIGN, "2022-06-01", Some(YI)),
            (LAND, "2022-08-01", None),
        ],
    );
    city.project("L3", "甲县", &[], &[(LEAD, "2022-03-01", None)]);
    // A lead of last year signed this year is not in this year's conversion.
    city.project(
        "L4",
        "甲县",
        &[],
        &[(LEAD, "2021-11-01", None), (SIGN, "2022-01-15", Some(YI))],
    );
    use Indicator as I;
    let q2 = city.board(2022, "Q2");
    for (indicator, expected) in [
        (I::LandedProjects, 0),
        (I::StartedProjects, 1),
        (I::ProductionProjects, 1),
        (I::CapacityProjects, 1),
        (I::SignedProjects, 1),
    ] {
        assert_eq!(int(&q2, None, indicator), expected, "{indicator:?}");
    }
    // Leads of 2022 to 30 June: L1, L2, L3; signed by then: L1, L2.
    assert_eq!(rate(&q2, None, I::LeadConversionRate), Some(2.0 / 3.0));
    // Signed in 2022 to 30 June: L1, L2, L4; landed by then: L1 only; started: L1.
    assert_eq!(rate(&q2, None, I::LandingRate), Some(1.0 / 3.0));
    assert_eq!(rate(&q2, None, I::StartRate), Some(1.0 / 3.0));
    let year = city.board(2022, "Y");
    assert_eq!(rate(&year, None, I::LandingRate), Some(2.0 / 3.0));
    // 乙县 has nothing: every rate is null, every count 0.
    for indicator in Indicator::ALL {
        if indicator.is_rate() {
            assert_eq!(rate(&q2, Some("乙县"), indicator), None, "{indicator:?}");
        } else {
            assert_eq!(int(&q2, Some("乙县"), indicator), 0, "{indicator:?}");
        }
    }
    assert_eq!(
        q2.unit("乙县").unwrap().indicators["landing_rate"].yoy_pct,
        None
    );
    assert_eq!(rate(&q2, None, I::FundsInPlaceRate), Some(0.0));
}

#[test]
fn yoy_rounds_half_up_at_one_decimal_and_is_null_against_nothing() {
    let mut city = City::new();
    // 100,150 against 100,000: +0.15% → 0.2%.
    city.signed("A", "甲县", "2021-03-01", 100_000);
    city.signed("B", "甲县", "2022-03-01", 100_150);
    city.signed("C", "乙县", "2022-03-02", 5);
    let h1 = city.board(2022, "H1");
    let figure = &h1.city["signed_amount"];
    assert_eq!(figure.last_year, Some(Number::Int(100_000)));
    assert_eq!(figure.yoy_pct, Some(0.2));
    let yixian = &h1.unit("乙县").unwrap().indicators["signed_amount"];
    assert_eq!(yixian.last_year, Some(Number::Int(0)));
    assert_eq!(yixian.yoy_pct, None);
}

#[test]
fn a_record_beats_the_same_period_of_every_earlier_year() {
    let mut city = City::new();
    city.signed("A", "甲县", "2019-01-01", YI);
    for (date, amount) in [
        ("2019-03-01", 10),
        ("2020-03-01", 30),
        ("2021-03-01", 20),
        ("2022-03-01", 25),
        // Outside H1: never compared.
        ("2019-09-01", 1_000),
    ] {
        city.fund("A", date, amount, Currency::Cny, false);
    }
    let h1 = city.board(2022, "H1");
    assert_eq!(h1.first_year, 2019);
    let funds = &h1.city["funds_in_place"];
    assert_eq!(funds.value, Some(Number::Int(25)));
    assert!(!funds.record, "2020 had 30");
    assert_eq!(funds.yoy_pct, Some(25.0));
    city.fund("A", "2022-06-30", 6, Currency::Cny, false);
    let h1 = city.board(2022, "H1");
    assert!(h1.city["funds_in_place"].record, "31 beats 10, 30 and 20");
    // Equal is not a record.
    city.fund("A", "2021-06-30", 11, Currency::Cny, false);
    assert!(!city.board(2022, "H1").city["funds_in_place"].record);
    // The first year with records has no earlier year to beat.
    assert!(!city.board(2019, "H1").city["funds_in_place"].record);
}

#[test]
fn targets_give_task_progress_from_january_against_time_progress() {
    let mut city = City::new();
    city.signed("A", "甲县", "2022-02-01", YI);
    city.signed("B", "甲县", "2022-05-01", YI);
    city.signed("C", "乙县", "2022-05-02", YI);
    city.target(2022, None, Indicator::SignedProjects, 5);
    city.target(2022, Some("甲县"), Indicator::SignedProjects, 4);
    city.target(2022, Some("乙县"), Indicator::SignedProjects, 10);
    let q2 = city.board(2022, "Q2");
    let f = &q2.city["signed_projects"];
    assert_eq!(f.value, Some(Number::Int(2)), "the quarter's own value");
    assert_eq!(f.cumulative, Some(3), "累计完成 counts from 1 January");
    assert_eq!(f.target, Some(5));
    assert_eq!(f.task_progress, Some(0.6));
    assert_eq!(f.time_progress, Some(181.0 / 365.0));
    assert_eq!(f.behind, Some(false));
    assert_eq!(f.light, Some(Light::Green));
    let jia = &q2.unit("甲县").unwrap().indicators["signed_projects"];
    assert_eq!((jia.task_progress, jia.behind), (Some(0.5), Some(false)));
    // 乙县: 10% against 49.6%: 39.6 points behind, red.
    let yi = &q2.unit("乙县").unwrap().indicators["signed_projects"];
    assert_eq!(
        (yi.task_progress, yi.behind, yi.light),
        (Some(0.1), Some(true), Some(Light::Red))
    );
    // Without a target: no progress, no light.
    let bing = &q2.unit("丙区").unwrap().indicators["signed_projects"];
    assert_eq!(
        (bing.target, bing.task_progress, bing.time_progress),
        (None, None, None)
    );
    // M03: 1/5 = 20% against 90/365 = 24.7%: behind by 4.7 points, still green.
    let m03 = city.board(2022, "M03");
    let f = &m03.city["signed_projects"];
    assert_eq!((f.behind, f.light), (Some(true), Some(Light::Green)));
    // M04 for 乙县: 0/10 against 120/365 = 32.9 points: red; a target of 3 for 甲县 at 1/3
    // against 32.9%: ahead.
    city.target(2022, Some("丙区"), Indicator::SignedProjects, 100);
    city.signed("D", "丙区", "2022-01-03", YI);
    let m04 = city.board(2022, "M04");
    let bing = &m04.unit("丙区").unwrap().indicators["signed_projects"];
    assert_eq!(bing.light, Some(Light::Red));
    let mut yellow = City::new();
    yellow.target(2022, None, Indicator::Visits, 100);
    for _ in 0..15 {
        yellow.visit("2022-01-02", None);
    }
    // 15% against 120/365 = 32.9%: 17.9 points behind, yellow.
    let f = &yellow.board(2022, "M04").city["visits"];
    assert_eq!((f.behind, f.light), (Some(true), Some(Light::Yellow)));
}

#[test]
fn ranks_follow_mean_task_progress_and_ties_share_a_rank() {
    let mut city = City::new();
    for (unit, signed, target) in [("甲县", 2, 4), ("乙县", 1, 2), ("丙区", 1, 4)] {
        city.target(2022, Some(unit), Indicator::SignedProjects, target);
        for i in 0..signed {
            city.signed(&format!("{unit}{i}"), unit, "2022-03-01", YI);
        }
    }
    // Departments without targets are ranked by 签约额.
    city.project(
        "D1",
        CITY,
        &["发改委"],
        &[(SIGN, "2022-03-02", Some(3 * YI))],
    );
    let h1 = city.board(2022, "H1");
    let ranks: Vec<(&str, u32)> = h1.units.iter().map(|u| (u.unit.as_str(), u.rank)).collect();
    assert_eq!(
        ranks,
        [
            ("乙县", 1),
            ("甲县", 1),
            ("丙区", 3),
            ("发改委", 1),
            ("商务局", 2),
            ("驻京中心", 1)
        ],
        "乙县 1/2 and 甲县 2/4 tie; 丙区 1/4 comes third"
    );
    assert_eq!(h1.unit("甲县").unwrap().mean_task_progress, Some(0.5));
    assert_eq!(h1.unit("发改委").unwrap().mean_task_progress, None);
    // Weighting: a second indicator with a target, counted twice as heavily, reorders them.
    city.target(2022, Some("丙区"), Indicator::Visits, 1);
    city.visit("2022-03-03", Some("丙区"));
    let mut weights = RankWeights::default();
    weights.0.insert(Indicator::Visits, 2);
    let board = scoreboard(
        &city.facts(),
        &Period::parse(2022, "H1", None).unwrap(),
        &weights,
    );
    // 丙区: (0.25·1 + 1.0·2) / 3 = 0.75, ahead of 0.5.
    assert_eq!(board.units[0].unit, "丙区");
    assert_eq!(board.units[0].mean_task_progress, Some(0.75));
}

#[test]
fn year_to_date_on_29_february_compares_with_28_february() {
    let mut city = City::new();
    city.signed("A", "甲县", "2023-01-01", YI);
    city.fund("A", "2023-02-28", 100, Currency::Cny, false);
    city.fund("A", "2023-03-01", 1_000, Currency::Cny, false);
    city.fund("A", "2024-02-29", 150, Currency::Cny, false);
    city.target(2024, None, Indicator::FundsInPlace, 1_000);
    let as_of = day("2024-02-29");
    let period = Period::parse(2024, "YTD", Some(as_of)).unwrap();
    let board = scoreboard(&city.facts(), &period, &RankWeights::default());
    let f = &board.city["funds_in_place"];
    assert_eq!(board.end, as_of);
    assert_eq!(f.value, Some(Number::Int(150)));
    assert_eq!(f.last_year, Some(Number::Int(100)));
    assert_eq!(f.yoy_pct, Some(50.0));
    assert_eq!(f.time_progress, Some(60.0 / 366.0));
    assert_eq!(f.task_progress, Some(0.15));
}

#[test]
fn visits_count_for_their_unit_and_the_city() {
    let mut city = City::new();
    city.visit("2022-01-05", Some("甲县"));
    city.visit("2022-02-05", Some("商务局"));
    city.visit("2022-02-06", None);
    city.visit("2022-07-06", Some("甲县"));
    let h1 = city.board(2022, "H1");
    assert_eq!(int(&h1, None, Indicator::Visits), 3);
    assert_eq!(int(&h1, Some("甲县"), Indicator::Visits), 1);
    assert_eq!(int(&h1, Some("商务局"), Indicator::Visits), 1);
}

#[test]
fn a_published_sheet_differs_from_todays_figures_by_the_late_entries() {
    let mut city = City::new();
    city.signed("A", "甲县", "2022-03-01", YI);
    let published = city.board(2022, "H1");
    city.signed("B", "甲县", "2022-04-01", 2 * YI);
    let now = city.board(2022, "H1");
    let diff = changes(&published, &now);
    let find = |unit: Option<&str>, key: &str| {
        diff.iter()
            .find(|c| c.unit.as_deref() == unit && c.key == key)
            .unwrap_or_else(|| panic!("{unit:?} {key} not in {diff:?}"))
    };
    assert_eq!(find(None, "signed_projects").delta(), Some(1));
    assert_eq!(find(Some("甲县"), "signed_amount").delta(), Some(2 * YI));
    assert!(diff.iter().all(|c| c.unit.as_deref() != Some("乙县")));
    assert!(changes(&now, &now).is_empty());
}

/// SPEC §3 `by_source`: signed projects, amounts and funds by 招商方式, attributed to units as the
/// indicators are, the city counting a project once; a project without one is 未填; the sum over
/// the modes is the figure itself; the drill-down by mode lists exactly those records.
#[test]
fn figures_by_source_mode_add_up_to_the_figures_and_drill_to_their_records() {
    use Indicator as I;
    use domain::figures::SourceFigures;
    use domain::figures::drill::drill;
    let mut city = City::new();
    city.project(
        "P1",
        "甲县",
        &["商务局"],
        &[(SIGN, "2022-02-01", Some(12 * YI))],
    );
    city.signed("P2", "乙县", "2022-03-01", YI / 2);
    city.signed("P3", "甲县", "2022-04-01", 2 * YI);
    city.signed("P4", "甲县", "2021-04-01", 3 * YI);
    city.fund("P1", "2022-03-01", 50_000_000, Currency::Cny, false);
    city.fund("P4", "2022-05-01", 7_000_000, Currency::Cny, true);
    city.fund("P4", "2022-05-02", 1_000_000, Currency::Usd, true);
    city.fund("P3", "2022-08-01", 9_000_000, Currency::Cny, true);
    let modes = [Some("委托招商"), Some("以商招商"), Some("委托招商"), None];
    for (project, mode) in city.projects.iter_mut().zip(modes) {
        project.source_mode = mode.map(str::to_owned);
    }
    let h1 = city.board(2022, "H1");
    let get = |by: &domain::figures::BySource, mode: &str| by.get(mode).copied();
    let entrusted = SourceFigures {
        signed_projects: 2,
        signed_amount: 14 * YI,
        funds_in_place: 50_000_000,
    };
    assert_eq!(get(&h1.city.by_source, "委托招商"), Some(entrusted));
    assert_eq!(
        get(&h1.city.by_source, "以商招商"),
        Some(SourceFigures {
            signed_projects: 1,
            signed_amount: YI / 2,
            funds_in_place: 0
        })
    );
    // P4 signed last year: in H1 only its 人民币 fund counts, under 未填; P3's fund is July's.
    assert_eq!(
        get(&h1.city.by_source, "未填"),
        Some(SourceFigures {
            signed_projects: 0,
            signed_amount: 0,
            funds_in_place: 7_000_000
        })
    );
    assert_eq!(h1.city.by_source.len(), 3);
    let total = |f: fn(&SourceFigures) -> i64| h1.city.by_source.values().map(f).sum::<i64>();
    assert_eq!(
        total(|f| f.signed_projects),
        int(&h1, None, I::SignedProjects)
    );
    assert_eq!(total(|f| f.signed_amount), int(&h1, None, I::SignedAmount));
    assert_eq!(total(|f| f.funds_in_place), int(&h1, None, I::FundsInPlace));
    // 商务局 is credited with P1 only; 乙县 has 以商招商 alone.
    let unit = |name: &str| &h1.unit(name).unwrap().by_source;
    assert_eq!(unit("商务局").len(), 1);
    assert_eq!(unit("商务局")["委托招商"].signed_amount, 12 * YI);
    assert_eq!(unit("甲县")["委托招商"], entrusted);
    assert!(unit("乙县").get("委托招商").is_none());
    assert!(unit("丙区").is_empty());

    let facts = city.facts();
    let period = Period::parse(2022, "H1", None).unwrap();
    let d = drill(&facts, &period, None, I::SignedAmount, Some("委托招商"));
    assert_eq!((d.items.len(), d.numerator), (2, 14 * YI));
    let d = drill(&facts, &period, None, I::FundsInPlace, Some("未填"));
    assert_eq!((d.items.len(), d.numerator), (1, 7_000_000));
    let d = drill(&facts, &period, None, I::Visits, Some("委托招商"));
    assert!(d.items.is_empty(), "visits have no 招商方式");
    // A published sheet of before the field reads back without it.
    let mut json = serde_json::to_value(&h1).unwrap();
    json["city"].as_object_mut().unwrap().remove("by_source");
    let old: Scoreboard = serde_json::from_value(json).unwrap();
    assert!(old.city.by_source.is_empty());
    assert_eq!(old.city.indicators, h1.city.indicators);
}
