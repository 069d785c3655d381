//! 红黄绿灯预警 (issue 5): per project and per unit, a light and, for each reason that lit it, a
//! sentence an official can act on. The thresholds are SPEC §2's defaults, which 招商局 may
//! change; every light is computed from the records when it is shown, never stored.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::figures::{Indicator, Light, LightThresholds, UnitScore, time_task_light};
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
    /// 停工 (winter included) for more than this many days; thresholds saved before this rule
    /// existed read as the default.
    #[serde(default = "default_suspended_days")]
    pub suspended_days: u32,
}

/// 黑龙江's winter stops building from about mid-November to mid-April (150 days); a month
/// beyond that is no longer the weather.
fn default_suspended_days() -> u32 {
    180
}

impl Default for WarningRules {
    fn default() -> Self {
        let lights = LightThresholds::default();
        WarningRules {
            behind_yellow_points: lights.yellow_points,
            behind_red_points: lights.red_points,
            negotiating_idle_days: 30,
            signed_not_landed_days: 90,
            // A landing in summer cannot break ground before the next April in 黑龙江: nine
            // months is one building season missed, eighteen two.
            landed_not_started_days: 270,
            funds_floor_pct: 10,
            funds_grace_days: 365,
            financing_lead_days: 60,
            suspended_days: default_suspended_days(),
        }
    }
}

impl WarningRules {
    /// Each rule's form field (and label) with its value, in the order the settings page shows.
    pub fn fields(&self) -> [(&'static str, u32); 9] {
        [
            ("落后序时进度黄灯（百分点）", self.behind_yellow_points),
            ("落后序时进度红灯（百分点，超过）", self.behind_red_points),
            ("在谈无进展天数", self.negotiating_idle_days),
            ("签约未落地天数", self.signed_not_landed_days),
            ("落地未开工天数", self.landed_not_started_days),
            ("到位资金占签约额下限（%）", self.funds_floor_pct),
            ("到位资金考察起点（签约后天数）", self.funds_grace_days),
            ("开工前融资方案提前天数", self.financing_lead_days),
            ("停工未复工天数", self.suspended_days),
        ]
    }

    /// Rules from the values typed for [`WarningRules::fields`], in that order; each bad value
    /// is named.
    pub fn from_values(values: &[&str]) -> Result<Self, Vec<FieldError>> {
        let labels = WarningRules::default().fields().map(|(label, _)| label);
        let mut errors = Vec::new();
        let mut parsed = [0u32; 9];
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
            suspended_days,
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
            suspended_days,
        })
    }

    /// The thresholds of 任务进度 behind 时间进度, for every light of a figure or a unit.
    pub fn lights(&self) -> LightThresholds {
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
    /// The unit's mean 任务进度 behind 时间进度.
    BehindSchedule,
    /// One indicator of the unit behind 时间进度.
    IndicatorBehind,
    RedProjects,
    Suspended,
    PlannedProductionPassed,
}

impl WarningKind {
    /// The reasons a project is lit for, in the order the filters offer them.
    pub const PROJECT: [WarningKind; 11] = [
        WarningKind::Stalled,
        WarningKind::Suspended,
        WarningKind::PlannedStartPassed,
        WarningKind::PlannedProductionPassed,
        WarningKind::BlockerOverdue,
        WarningKind::ElementOverdue,
        WarningKind::NegotiatingIdle,
        WarningKind::SignedNotLanded,
        WarningKind::LandedNotStarted,
        WarningKind::FundsBelowSigned,
        WarningKind::NoFinancing,
    ];

    pub fn label(self) -> &'static str {
        match self {
            WarningKind::Stalled => "项目停滞",
            WarningKind::Suspended => "停工过久",
            WarningKind::PlannedStartPassed => "计划开工已过",
            WarningKind::PlannedProductionPassed => "计划投产已过",
            WarningKind::BlockerOverdue => "堵点逾期",
            WarningKind::ElementOverdue => "要素保障逾期",
            WarningKind::NegotiatingIdle => "在谈无进展",
            WarningKind::SignedNotLanded => "签约未落地",
            WarningKind::LandedNotStarted => "落地未开工",
            WarningKind::FundsBelowSigned => "到位资金偏低",
            WarningKind::NoFinancing => "无融资方案",
            WarningKind::BehindSchedule => "平均进度落后",
            WarningKind::IndicatorBehind => "指标落后",
            WarningKind::RedProjects => "红灯项目",
        }
    }

    /// The project reason a filter names by its label.
    pub fn from_label(label: &str) -> Option<WarningKind> {
        WarningKind::PROJECT
            .into_iter()
            .find(|k| k.label() == label)
    }
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
    /// 停工中.
    pub suspended: bool,
    /// When the project stalled or was suspended: its latest such event.
    pub paused_on: Option<NaiveDate>,
    /// The last day anything was recorded of it: an event or a visit.
    pub last_activity: Option<NaiveDate>,
    /// The first 签约's date and amount (元).
    pub signed: Option<(NaiveDate, i64)>,
    pub landed_on: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    pub planned_start: Option<NaiveDate>,
    pub planned_production: Option<NaiveDate>,
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
        let since = s
            .paused_on
            .map(|d| format!("（自{d}起，已{}天）", days(d, today)))
            .unwrap_or_default();
        warn(
            Light::Red,
            WarningKind::Stalled,
            format!("项目处于停滞状态{since}"),
        );
    }
    if s.suspended
        && let Some(from) = s.paused_on
    {
        let elapsed = days(from, today);
        if let Some(light) = overdue_light(elapsed, rules.suspended_days) {
            warn(
                light,
                WarningKind::Suspended,
                format!(
                    "停工{elapsed}天仍未复工（{from}停工，预警线{}天）",
                    rules.suspended_days
                ),
            );
        }
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
    if s.stage.is_some_and(|stage| stage < Stage::Production)
        && let Some(planned) = s.planned_production
        && planned < today
    {
        warn(
            Light::Yellow,
            WarningKind::PlannedProductionPassed,
            format!(
                "计划投产日期{planned}已过{}天，尚未投产",
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

/// A unit's light and what an official reads beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitWarnings {
    /// [`UnitScore::light`]: the one definition every page shows.
    pub light: Light,
    /// Why, when lit (the mean against 时间进度 first); then each indicator lit on its own and
    /// the unit's red projects, which tell where to look but do not light the unit.
    pub reasons: Vec<Warning>,
}

/// A unit's light at `end` under the bureau's thresholds, with its reasons; green without
/// targets.
pub fn unit_warnings(
    score: &UnitScore,
    end: NaiveDate,
    red_projects: usize,
    rules: &WarningRules,
) -> UnitWarnings {
    let light = score.light(end, rules.lights()).unwrap_or(Light::Green);
    let mut reasons = Vec::new();
    let time = f64::from(end.ordinal()) * 100.0 / if end.leap_year() { 366.0 } else { 365.0 };
    if let Some(mean) = score.mean_task_progress.filter(|_| light != Light::Green) {
        let task = mean * 100.0;
        reasons.push(Warning {
            light,
            kind: WarningKind::BehindSchedule,
            reason: format!(
                "各项指标平均任务进度{task:.1}%，时间进度{time:.1}%，落后{:.1}个百分点",
                time - task
            ),
        });
    }
    for indicator in Indicator::ALL {
        let Some(figure) = score.indicators.get(indicator.id()) else {
            continue;
        };
        let (Some(target), Some(cumulative)) = (figure.target, figure.cumulative) else {
            continue;
        };
        if target <= 0 {
            continue;
        }
        let cell = time_task_light(cumulative, target, end, rules.lights());
        if cell == Light::Green {
            continue;
        }
        let task = figure.task_progress.unwrap_or(0.0) * 100.0;
        reasons.push(Warning {
            light: cell,
            kind: WarningKind::IndicatorBehind,
            reason: format!(
                "{}：任务进度{task:.1}%，时间进度{time:.1}%，落后{:.1}个百分点",
                indicator.label(),
                time - task
            ),
        });
    }
    if red_projects > 0 {
        reasons.push(Warning {
            light: Light::Red,
            kind: WarningKind::RedProjects,
            reason: format!("{red_projects}个项目亮红灯"),
        });
    }
    UnitWarnings { light, reasons }
}

#[cfg(test)]
mod tests;
