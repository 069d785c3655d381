//! 红黄绿灯预警 (issue 5): per project and per unit, a light and, for each reason that lit it, a
//! sentence an official can act on. The thresholds are SPEC §2's defaults, which 招商局 may
//! change; every light is computed from the records when it is shown, never stored.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::figures::{Figure, Indicator, Light, LightThresholds, time_task_light};
use crate::financing::lacks_financing_before_start;
use crate::money::format_wan;
use crate::responsibility::ElementItem;
use crate::{FieldError, Money, Stage};

/// The thresholds of every warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningRules {
    /// Points behind 序时进度 for yellow (at least) and for red (beyond).
    pub behind_yellow_points: u32,
    pub behind_red_points: u32,
    /// 在谈 with no event or visit for more than this many days.
    pub negotiating_idle_days: u32,
    /// 签约 and not landed after this many days.
    pub signed_not_landed_days: u32,
    /// 落地 and not started after this many days.
    pub landed_not_started_days: u32,
    /// Funds in place below this share of the signed amount (in %) …
    pub funds_floor_pct: u32,
    /// … once this many days have passed since 签约.
    pub funds_grace_days: u32,
    /// A planned 开工 within this many days and no financing plan.
    pub financing_lead_days: u32,
}

impl Default for WarningRules {
    fn default() -> Self {
        let lights = LightThresholds::default();
        WarningRules {
            behind_yellow_points: lights.yellow_points,
            behind_red_points: lights.red_points,
            negotiating_idle_days: 30,
            signed_not_landed_days: 90,
            landed_not_started_days: 180,
            funds_floor_pct: 30,
            funds_grace_days: 365,
            financing_lead_days: 60,
        }
    }
}

impl WarningRules {
    /// Each rule's form field (and label) with its value, in the order the settings page shows.
    pub fn fields(&self) -> [(&'static str, u32); 8] {
        [
            ("落后序时进度黄灯（百分点）", self.behind_yellow_points),
            ("落后序时进度红灯（百分点，超过）", self.behind_red_points),
            ("在谈无进展天数", self.negotiating_idle_days),
            ("签约未落地天数", self.signed_not_landed_days),
            ("落地未开工天数", self.landed_not_started_days),
            ("到位资金占签约额下限（%）", self.funds_floor_pct),
            ("到位资金考察起点（签约后天数）", self.funds_grace_days),
            ("开工前融资方案提前天数", self.financing_lead_days),
        ]
    }

    /// Rules from the values typed for [`WarningRules::fields`], in that order; each bad value
    /// is named.
    pub fn from_values(values: &[&str]) -> Result<Self, Vec<FieldError>> {
        let labels = WarningRules::default().fields().map(|(label, _)| label);
        let mut errors = Vec::new();
        let mut parsed = [0u32; 8];
        for (i, label) in labels.iter().enumerate() {
            let raw = values.get(i).map_or("", |v| v.trim());
            match raw.parse::<u32>() {
                Ok(n) if n > 0 && n <= 36_500 => parsed[i] = n,
                _ => errors.push(FieldError::new(
                    *label,
                    format!("“{raw}”不是1至36500之间的整数"),
                )),
            }
        }
        if errors.is_empty() && parsed[1] < parsed[0] {
            errors.push(FieldError::new(labels[1], "不能小于黄灯的百分点"));
        }
        if parsed[5] > 100 {
            errors.push(FieldError::new(labels[5], "不能超过100"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let [
            behind_yellow_points,
            behind_red_points,
            negotiating_idle_days,
            signed_not_landed_days,
            landed_not_started_days,
            funds_floor_pct,
            funds_grace_days,
            financing_lead_days,
        ] = parsed;
        Ok(WarningRules {
            behind_yellow_points,
            behind_red_points,
            negotiating_idle_days,
            signed_not_landed_days,
            landed_not_started_days,
            funds_floor_pct,
            funds_grace_days,
            financing_lead_days,
        })
    }

    fn lights(&self) -> LightThresholds {
        LightThresholds {
            yellow_points: self.behind_yellow_points,
            red_points: self.behind_red_points,
        }
    }
}

/// Why a light is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WarningKind {
    Stalled,
    NegotiatingIdle,
    SignedNotLanded,
    LandedNotStarted,
    PlannedStartPassed,
    ElementOverdue,
    BlockerOverdue,
    FundsBelowSigned,
    NoFinancing,
    BehindSchedule,
    RedProjects,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub light: Light,
    pub kind: WarningKind,
    pub reason: String,
}

/// The worst light among `warnings`; green when there is none.
pub fn worst(warnings: &[Warning]) -> Light {
    warnings
        .iter()
        .map(|w| w.light)
        .max()
        .unwrap_or(Light::Green)
}

/// What the project warnings look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectSituation {
    pub stage: Option<Stage>,
    pub terminated: bool,
    pub stalled: bool,
    /// The last day anything was recorded of it: an event or a visit.
    pub last_activity: Option<NaiveDate>,
    /// The first 签约's date and amount (元).
    pub signed: Option<(NaiveDate, i64)>,
    pub landed_on: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    pub planned_start: Option<NaiveDate>,
    /// Open 要素保障 items past their due date, with that date.
    pub overdue_elements: Vec<(ElementItem, NaiveDate)>,
    /// Unresolved 堵点问题 past their deadline: description and deadline.
    pub overdue_blockers: Vec<(String, NaiveDate)>,
    /// 人民币 funds in place to date (元).
    pub funds_in_place: i64,
    pub has_financing: bool,
}

fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// Past `limit` days: yellow; past twice as many: red.
fn overdue_light(elapsed: i64, limit: u32) -> Option<Light> {
    let limit = i64::from(limit);
    if elapsed > 2 * limit {
        Some(Light::Red)
    } else if elapsed > limit {
        Some(Light::Yellow)
    } else {
        None
    }
}

/// Every warning of one project as of `today`. A terminated project is no longer pushed, and
/// has none.
pub fn project_warnings(
    s: &ProjectSituation,
    rules: &WarningRules,
    today: NaiveDate,
) -> Vec<Warning> {
    let mut out = Vec::new();
    if s.terminated {
        return out;
    }
    let mut warn = |light: Light, kind: WarningKind, reason: String| {
        out.push(Warning {
            light,
            kind,
            reason,
        });
    };
    if s.stalled {
        warn(
            Light::Red,
            WarningKind::Stalled,
            "项目处于停滞状态".to_owned(),
        );
    }
    // A stage held too long: since the last activity in talks, since 签约, since 落地.
    let held = match s.stage {
        Some(Stage::Negotiating) => s
            .last_activity
            .map(|d| (d, rules.negotiating_idle_days, WarningKind::NegotiatingIdle)),
        Some(Stage::Signed) => s.signed.map(|(d, _)| {
            (
                d,
                rules.signed_not_landed_days,
                WarningKind::SignedNotLanded,
            )
        }),
        Some(Stage::Landed) => s.landed_on.map(|d| {
            (
                d,
                rules.landed_not_started_days,
                WarningKind::LandedNotStarted,
            )
        }),
        _ => None,
    };
    if let Some((from, limit, kind)) = held {
        let elapsed = days(from, today);
        if let Some(light) = overdue_light(elapsed, limit) {
            let reason = match kind {
                WarningKind::NegotiatingIdle => format!(
                    "在谈已{elapsed}天无进展（自{from}起无事件或对接记录，预警线{limit}天）"
                ),
                WarningKind::SignedNotLanded => {
                    format!("签约{elapsed}天仍未落地（{from}签约，预警线{limit}天）")
                }
                _ => format!("落地{elapsed}天仍未开工（{from}落地，预警线{limit}天）"),
            };
            warn(light, kind, reason);
        }
    }
    if s.started_on.is_none()
        && let Some(planned) = s.planned_start
        && planned < today
    {
        warn(
            Light::Red,
            WarningKind::PlannedStartPassed,
            format!(
                "计划开工日期{planned}已过{}天，尚未开工",
                days(planned, today)
            ),
        );
    }
    for (item, due) in &s.overdue_elements {
        warn(
            Light::Yellow,
            WarningKind::ElementOverdue,
            format!(
                "要素保障“{}”逾期{}天（应于{due}办结）",
                item.label(),
                days(*due, today)
            ),
        );
    }
    for (description, deadline) in &s.overdue_blockers {
        warn(
            Light::Red,
            WarningKind::BlockerOverdue,
            format!(
                "堵点问题“{description}”逾期{}天未解决（时限{deadline}）",
                days(*deadline, today)
            ),
        );
    }
    if let Some((signed_on, signed)) = s.signed
        && signed > 0
        && days(signed_on, today) >= i64::from(rules.funds_grace_days)
        && i128::from(s.funds_in_place) * 100
            < i128::from(signed) * i128::from(rules.funds_floor_pct)
    {
        let pct = s.funds_in_place as f64 * 100.0 / signed as f64;
        warn(
            Light::Yellow,
            WarningKind::FundsBelowSigned,
            format!(
                "签约{}天，到位资金{}万元，仅为签约额{}万元的{pct:.1}%（低于{}%）",
                days(signed_on, today),
                wan(s.funds_in_place),
                wan(signed),
                rules.funds_floor_pct
            ),
        );
    }
    let started = s.started_on.is_some() || s.stage.is_some_and(|stage| stage >= Stage::Started);
    if s.signed.is_some()
        && lacks_financing_before_start(
            started,
            s.landed_on.is_some() || s.stage == Some(Stage::Landed),
            s.planned_start,
            s.has_financing,
            today,
            i64::from(rules.financing_lead_days),
        )
    {
        warn(
            Light::Yellow,
            WarningKind::NoFinancing,
            "临近开工，尚无融资方案（开工前须对接金融机构）".to_owned(),
        );
    }
    out
}

fn wan(units: i64) -> String {
    Money::from_units("金额", units.max(0))
        .map(format_wan)
        .unwrap_or_default()
}

/// Every warning of one unit: each indicator whose 任务进度 lags 时间进度 at `end` beyond the
/// thresholds, and its projects on red.
pub fn unit_warnings(
    figures: &BTreeMap<String, Figure>,
    end: NaiveDate,
    red_projects: usize,
    rules: &WarningRules,
) -> Vec<Warning> {
    let mut out = Vec::new();
    for indicator in Indicator::ALL {
        let Some(figure) = figures.get(indicator.id()) else {
            continue;
        };
        let (Some(target), Some(cumulative)) = (figure.target, figure.cumulative) else {
            continue;
        };
        if target <= 0 {
            continue;
        }
        let light = time_task_light(cumulative, target, end, rules.lights());
        if light == Light::Green {
            continue;
        }
        let task = figure.task_progress.unwrap_or(0.0) * 100.0;
        let time = figure.time_progress.unwrap_or(0.0) * 100.0;
        out.push(Warning {
            light,
            kind: WarningKind::BehindSchedule,
            reason: format!(
                "{}：任务进度{task:.1}%，时间进度{time:.1}%，落后{:.1}个百分点",
                indicator.label(),
                time - task
            ),
        });
    }
    if red_projects > 0 {
        out.push(Warning {
            light: Light::Yellow,
            kind: WarningKind::RedProjects,
            reason: format!("{red_projects}个项目亮红灯"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
            landed_on: Some(d("2021-12-01")),
            ..signed("2021-11-01")
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
        // Funds: 2,900万 of 1亿 a year after 签约 is below 30 %; 3,000万 is not.
        let poor = ProjectSituation {
            funds_in_place: 29_000_000,
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
            ["签约365天，到位资金2,900.00万元，仅为签约额10,000.00万元的29.0%（低于30%）"]
        );
        assert!(
            kinds(&ProjectSituation {
                funds_in_place: 30_000_000,
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
    fn rules_are_read_from_their_fields_and_checked() {
        let defaults = WarningRules::default();
        let typed: Vec<String> = defaults
            .fields()
            .iter()
            .map(|(_, v)| v.to_string())
            .collect();
        let typed: Vec<&str> = typed.iter().map(String::as_str).collect();
        assert_eq!(WarningRules::from_values(&typed), Ok(defaults));
        let errors = WarningRules::from_values(&["40", "30", "x", "90", "180", "30", "365", "60"])
            .err()
            .unwrap_or_default();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "在谈无进展天数");
        let errors = WarningRules::from_values(&["40", "30", "30", "90", "180", "30", "365", "60"])
            .err()
            .unwrap_or_default();
        assert_eq!(errors[0].field, "落后序时进度红灯（百分点，超过）");
    }

    #[test]
    fn a_unit_behind_its_targets_is_lit_by_the_configured_thresholds() {
        // 30 June 2022: 时间进度 181/365 = 49.6 %. 40 of 100 is 9.6 points behind: green by
        // default, yellow when yellow starts at 5 points.
        let figure = Figure {
            value: None,
            last_year: None,
            yoy_pct: None,
            record: false,
            target: Some(100),
            cumulative: Some(40),
            task_progress: Some(0.4),
            time_progress: Some(181.0 / 365.0),
            behind: Some(true),
            light: Some(Light::Green),
        };
        let figures = BTreeMap::from([(Indicator::SignedProjects.id().to_owned(), figure)]);
        let end = d("2022-06-30");
        assert!(unit_warnings(&figures, end, 0, &WarningRules::default()).is_empty());
        let strict = WarningRules {
            behind_yellow_points: 5,
            ..WarningRules::default()
        };
        let warnings = unit_warnings(&figures, end, 2, &strict);
        assert_eq!(
            warnings
                .iter()
                .map(|w| (w.light, w.reason.as_str()))
                .collect::<Vec<_>>(),
            [
                (
                    Light::Yellow,
                    "签约项目数：任务进度40.0%，时间进度49.6%，落后9.6个百分点"
                ),
                (Light::Yellow, "2个项目亮红灯"),
            ]
        );
    }
}
