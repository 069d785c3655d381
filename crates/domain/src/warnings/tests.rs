//! The warnings' rules as sentences.

use super::*;
use crate::figures::Figure;
use std::collections::BTreeMap;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

const TODAY: &str = "2022-07-01";

fn kinds(s: &ProjectSituation) -> Vec<(WarningKind, Light)> {
    project_warnings(s, &WarningRules::default(), d(TODAY))
        .into_iter()
        .map(|w| (w.kind, w.light))
        .collect()
}

fn signed(on: &str) -> ProjectSituation {
    ProjectSituation {
        stage: Some(Stage::Signed),
        signed: Some((d(on), 100_000_000)),
        has_financing: true,
        funds_in_place: 100_000_000,
        ..ProjectSituation::default()
    }
}

#[test]
fn stage_deadlines_light_yellow_then_red() {
    // 签约 on 2022-04-02 is 90 days before 1 July: in time; one day more is yellow.
    assert!(kinds(&signed("2022-04-02")).is_empty());
    assert_eq!(
        kinds(&signed("2022-04-01")),
        [(WarningKind::SignedNotLanded, Light::Yellow)]
    );
    assert_eq!(
        kinds(&signed("2021-12-31")),
        [(WarningKind::SignedNotLanded, Light::Red)]
    );
    let talks = |last: &str| ProjectSituation {
        stage: Some(Stage::Negotiating),
        last_activity: Some(d(last)),
        ..ProjectSituation::default()
    };
    assert!(kinds(&talks("2022-06-01")).is_empty());
    assert_eq!(
        kinds(&talks("2022-05-31")),
        [(WarningKind::NegotiatingIdle, Light::Yellow)]
    );
    let landed = ProjectSituation {
        stage: Some(Stage::Landed),
        landed_on: Some(d("2021-09-15")),
        ..signed("2021-08-01")
    };
    assert_eq!(
        kinds(&landed),
        [(WarningKind::LandedNotStarted, Light::Yellow)]
    );
}

#[test]
fn each_other_reason_lights_and_says_why() {
    let base = ProjectSituation {
        stage: Some(Stage::Started),
        started_on: Some(d("2022-03-01")),
        ..signed("2022-02-01")
    };
    assert!(kinds(&base).is_empty());
    let late = ProjectSituation {
        stage: Some(Stage::Landed),
        started_on: None,
        landed_on: Some(d("2022-06-01")),
        planned_start: Some(d("2022-06-21")),
        ..base.clone()
    };
    let warnings = project_warnings(&late, &WarningRules::default(), d(TODAY));
    assert_eq!(
        warnings
            .iter()
            .map(|w| w.reason.as_str())
            .collect::<Vec<_>>(),
        ["计划开工日期2022-06-21已过10天，尚未开工"]
    );
    let blocked = ProjectSituation {
        overdue_elements: vec![(ElementItem::ConstructionPermit, d("2022-06-01"))],
        overdue_blockers: vec![("电力接入".into(), d("2022-06-30"))],
        ..base.clone()
    };
    let warnings = project_warnings(&blocked, &WarningRules::default(), d(TODAY));
    assert_eq!(
        warnings
            .iter()
            .map(|w| (w.light, w.reason.as_str()))
            .collect::<Vec<_>>(),
        [
            (
                Light::Yellow,
                "要素保障“施工许可”逾期30天（应于2022-06-01办结）"
            ),
            (
                Light::Red,
                "堵点问题“电力接入”逾期1天未解决（时限2022-06-30）"
            ),
        ]
    );
    assert_eq!(worst(&warnings), Light::Red);
    assert_eq!(worst(&[]), Light::Green);
    // Funds: 900万 of 1亿 a year after 签约 is below 10 %; 1,000万 is not.
    let poor = ProjectSituation {
        funds_in_place: 9_000_000,
        ..signed("2021-07-01")
    };
    let poor = ProjectSituation {
        stage: Some(Stage::Started),
        started_on: Some(d("2021-08-01")),
        ..poor
    };
    assert_eq!(
        project_warnings(&poor, &WarningRules::default(), d(TODAY))
            .iter()
            .map(|w| w.reason.as_str())
            .collect::<Vec<_>>(),
        ["签约365天，到位资金900.00万元，仅为签约额10,000.00万元的9.0%（低于10%）"]
    );
    assert!(
        kinds(&ProjectSituation {
            funds_in_place: 10_000_000,
            ..poor.clone()
        })
        .is_empty()
    );
    // No financing with 开工 planned in a month.
    let unfunded = ProjectSituation {
        has_financing: false,
        planned_start: Some(d("2022-08-01")),
        ..signed("2022-06-01")
    };
    assert_eq!(
        kinds(&unfunded),
        [(WarningKind::NoFinancing, Light::Yellow)]
    );
    assert_eq!(
        kinds(&ProjectSituation {
            stalled: true,
            ..base.clone()
        }),
        [(WarningKind::Stalled, Light::Red)]
    );
    assert!(
        kinds(&ProjectSituation {
            terminated: true,
            stalled: true,
            ..late
        })
        .is_empty()
    );
}

#[test]
fn a_long_suspension_and_a_missed_production_date_light() {
    let building = ProjectSituation {
        stage: Some(Stage::Started),
        started_on: Some(d("2021-05-01")),
        ..signed("2021-03-01")
    };
    // Suspended for the winter from 15 November: 228 days by 1 July, past 180 (yellow);
    // from 1 December 2021 it is 212 days, still yellow; red only past 360.
    let winter = |from: &str| ProjectSituation {
        suspended: true,
        paused_on: Some(d(from)),
        ..building.clone()
    };
    assert!(kinds(&winter("2022-01-05")).is_empty(), "177 days: in time");
    assert_eq!(
        project_warnings(&winter("2021-11-15"), &WarningRules::default(), d(TODAY))
            .iter()
            .map(|w| (w.light, w.reason.as_str()))
            .collect::<Vec<_>>(),
        [(
            Light::Yellow,
            "停工228天仍未复工（2021-11-15停工，预警线180天）"
        )]
    );
    assert_eq!(
        kinds(&winter("2021-06-30")),
        [(WarningKind::Suspended, Light::Red)]
    );
    let late = ProjectSituation {
        planned_production: Some(d("2022-05-31")),
        ..building.clone()
    };
    assert_eq!(
        project_warnings(&late, &WarningRules::default(), d(TODAY))
            .iter()
            .map(|w| (w.light, w.reason.as_str()))
            .collect::<Vec<_>>(),
        [(Light::Yellow, "计划投产日期2022-05-31已过31天，尚未投产")]
    );
    let producing = ProjectSituation {
        stage: Some(Stage::Production),
        ..late
    };
    assert!(
        kinds(&producing).is_empty(),
        "in production: the date was met"
    );
    let stalled = ProjectSituation {
        stalled: true,
        paused_on: Some(d("2022-05-02")),
        ..building
    };
    assert_eq!(
        project_warnings(&stalled, &WarningRules::default(), d(TODAY))[0].reason,
        "项目处于停滞状态（自2022-05-02起，已60天）"
    );
}

#[test]
fn rules_are_read_from_their_fields_and_checked() {
    let defaults = WarningRules::default();
    let typed: Vec<String> = defaults
        .fields()
        .iter()
        .map(|(_, v)| v.to_string())
        .collect();
    let typed: Vec<&str> = typed.iter().map(String::as_str).collect();
    assert_eq!(WarningRules::from_values(&typed), Ok(defaults));
    let errors =
        WarningRules::from_values(&["40", "30", "x", "90", "180", "30", "365", "60", "180"])
            .err()
            .unwrap_or_default();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "在谈无进展天数");
    let errors =
        WarningRules::from_values(&["40", "30", "30", "90", "180", "30", "365", "60", "180"])
            .err()
            .unwrap_or_default();
    assert_eq!(errors[0].field, "落后序时进度红灯（百分点，超过）");
}

fn figure(target: i64, cumulative: i64, end: NaiveDate) -> Figure {
    let days = if end.leap_year() { 366.0 } else { 365.0 };
    Figure {
        value: None,
        last_year: None,
        yoy_pct: None,
        record: false,
        target: Some(target),
        cumulative: Some(cumulative),
        task_progress: Some(cumulative as f64 / target as f64),
        time_progress: Some(f64::from(end.ordinal()) / days),
        behind: Some(cumulative * 365 < i64::from(end.ordinal()) * target),
        light: None,
    }
}

fn unit(figures: &[(Indicator, Figure)]) -> UnitScore {
    let indicators: BTreeMap<String, Figure> = figures
        .iter()
        .map(|(i, f)| (i.id().to_owned(), f.clone()))
        .collect();
    let progress: Vec<f64> = indicators
        .values()
        .filter_map(|f| f.task_progress)
        .collect();
    UnitScore {
        unit: "宝山区".into(),
        group: crate::records::ScoreGroup::Territory,
        rank: 1,
        mean_task_progress: (!progress.is_empty())
            .then(|| progress.iter().sum::<f64>() / progress.len() as f64),
        indicators,
        by_source: Default::default(),
    }
}

#[test]
fn a_unit_is_lit_by_its_mean_progress_not_by_its_worst_indicator() {
    // 31 December: 时间进度 100 %. 签约额 at 320 % and 到位资金 at 45 %: the mean is 182.5 %,
    // so the unit is green though one indicator is red — which is listed, as is a red
    // project, as where to look.
    let end = d("2022-12-31");
    let score = unit(&[
        (Indicator::SignedAmount, figure(100, 320, end)),
        (Indicator::FundsInPlace, figure(100, 45, end)),
    ]);
    let w = unit_warnings(&score, end, 2, &WarningRules::default());
    assert_eq!(w.light, Light::Green);
    assert_eq!(
        w.reasons
            .iter()
            .map(|r| (r.kind, r.light))
            .collect::<Vec<_>>(),
        [
            (WarningKind::IndicatorBehind, Light::Red),
            (WarningKind::RedProjects, Light::Red)
        ]
    );
    assert_eq!(
        w.reasons[0].reason,
        "到位资金：任务进度45.0%，时间进度100.0%，落后55.0个百分点"
    );
}

#[test]
fn a_unit_behind_on_average_is_lit_by_the_configured_thresholds() {
    // 30 June 2022: 时间进度 181/365 = 49.6 %. 40 of 100 is 9.6 points behind: green by
    // default, yellow when yellow starts at 5 points; the mean comes first.
    let end = d("2022-06-30");
    let score = unit(&[(Indicator::SignedProjects, figure(100, 40, end))]);
    assert_eq!(
        score.light(end, LightThresholds::default()),
        Some(Light::Green)
    );
    let plain = unit_warnings(&score, end, 0, &WarningRules::default());
    assert_eq!((plain.light, plain.reasons.len()), (Light::Green, 0));
    let strict = WarningRules {
        behind_yellow_points: 5,
        ..WarningRules::default()
    };
    let w = unit_warnings(&score, end, 0, &strict);
    assert_eq!(w.light, Light::Yellow);
    assert_eq!(
        w.reasons
            .iter()
            .map(|r| (r.light, r.reason.as_str()))
            .collect::<Vec<_>>(),
        [
            (
                Light::Yellow,
                "各项指标平均任务进度40.0%，时间进度49.6%，落后9.6个百分点"
            ),
            (
                Light::Yellow,
                "签约项目数：任务进度40.0%，时间进度49.6%，落后9.6个百分点"
            ),
        ]
    );
    // Without targets a unit has no light of its own.
    assert_eq!(unit(&[]).light(end, LightThresholds::default()), None);
}
