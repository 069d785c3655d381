//! The indicators of SPEC §3 and their computation from records.
//!
//! Every figure the system shows is computed here and nowhere else, from the records as they
//! are, so that each number can be reproduced and explained. This module so far holds the
//! indicator list and the city's headline figures; the full scoreboard (every unit, targets,
//! 同比, records, rankings) grows here too.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::records::{Fund, Project, Visit};
use crate::stage::StageEvent;
use crate::{Currency, EventKind, FieldError, Money, Period, Stage};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Indicator {
    SignedProjects,
    SignedAmount,
    SignedProjects100m,
    SignedProjects1b,
    FundsInPlace,
    ForeignFundsUsd,
    LandedProjects,
    StartedProjects,
    ProductionProjects,
    CapacityProjects,
    StartedOrResumedProjects,
    SameYearSignStart,
    Visits,
    LeadConversionRate,
    LandingRate,
    StartRate,
    FundsInPlaceRate,
}

/// How an indicator's value is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Count,
    /// Whole 元.
    Yuan,
    /// Whole US dollars.
    Dollars,
    /// A fraction in 0..1.
    Rate,
}

impl Indicator {
    pub const ALL: [Indicator; 17] = [
        Indicator::SignedProjects,
        Indicator::SignedAmount,
        Indicator::SignedProjects100m,
        Indicator::SignedProjects1b,
        Indicator::FundsInPlace,
        Indicator::ForeignFundsUsd,
        Indicator::LandedProjects,
        Indicator::StartedProjects,
        Indicator::ProductionProjects,
        Indicator::CapacityProjects,
        Indicator::StartedOrResumedProjects,
        Indicator::SameYearSignStart,
        Indicator::Visits,
        Indicator::LeadConversionRate,
        Indicator::LandingRate,
        Indicator::StartRate,
        Indicator::FundsInPlaceRate,
    ];

    /// The key used in JSON and in the database.
    pub fn id(self) -> &'static str {
        match self {
            Indicator::SignedProjects => "signed_projects",
            Indicator::SignedAmount => "signed_amount",
            Indicator::SignedProjects100m => "signed_projects_100m",
            Indicator::SignedProjects1b => "signed_projects_1b",
            Indicator::FundsInPlace => "funds_in_place",
            Indicator::ForeignFundsUsd => "foreign_funds_usd",
            Indicator::LandedProjects => "landed_projects",
            Indicator::StartedProjects => "started_projects",
            Indicator::ProductionProjects => "production_projects",
            Indicator::CapacityProjects => "capacity_projects",
            Indicator::StartedOrResumedProjects => "started_or_resumed_projects",
            Indicator::SameYearSignStart => "same_year_sign_start",
            Indicator::Visits => "visits",
            Indicator::LeadConversionRate => "lead_conversion_rate",
            Indicator::LandingRate => "landing_rate",
            Indicator::StartRate => "start_rate",
            Indicator::FundsInPlaceRate => "funds_in_place_rate",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Indicator::SignedProjects => "签约项目数",
            Indicator::SignedAmount => "签约额",
            Indicator::SignedProjects100m => "亿元以上签约项目数",
            Indicator::SignedProjects1b => "十亿元以上签约项目数",
            Indicator::FundsInPlace => "到位资金",
            Indicator::ForeignFundsUsd => "实际利用外资",
            Indicator::LandedProjects => "落地项目数",
            Indicator::StartedProjects => "开工项目数",
            Indicator::ProductionProjects => "投产项目数",
            Indicator::CapacityProjects => "达效项目数",
            Indicator::StartedOrResumedProjects => "开复工项目数",
            Indicator::SameYearSignStart => "当年签约当年开工",
            Indicator::Visits => "对接企业次数",
            Indicator::LeadConversionRate => "线索转化率",
            Indicator::LandingRate => "落地率",
            Indicator::StartRate => "开工率",
            Indicator::FundsInPlaceRate => "资金到位率",
        }
    }

    pub fn measure(self) -> Measure {
        match self {
            Indicator::SignedAmount | Indicator::FundsInPlace => Measure::Yuan,
            Indicator::ForeignFundsUsd => Measure::Dollars,
            Indicator::LeadConversionRate
            | Indicator::LandingRate
            | Indicator::StartRate
            | Indicator::FundsInPlaceRate => Measure::Rate,
            _ => Measure::Count,
        }
    }

    pub fn is_rate(self) -> bool {
        self.measure() == Measure::Rate
    }

    /// Amounts are entered in 万 (of 元, or of dollars), counts as whole numbers.
    pub fn is_amount(self) -> bool {
        matches!(self.measure(), Measure::Yuan | Measure::Dollars)
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.id() == id)
    }

    /// By its Chinese name (as target files write it) or its id.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        Self::ALL
            .into_iter()
            .find(|i| i.label() == value || i.id() == value)
            .ok_or_else(|| FieldError::new(field, format!("“{value}”不是SPEC所列的指标名称")))
    }
}

/// One project with its effective events in date order.
#[derive(Debug, Clone)]
pub struct ProjectHistory<'a> {
    pub project: &'a Project,
    pub events: Vec<&'a StageEvent>,
}

impl ProjectHistory<'_> {
    /// The first 签约 event and the project's signed amount: that event's amount, or the
    /// project's 签约额 when the event carries none.
    pub fn first_signing(&self) -> Option<(&StageEvent, Money)> {
        let event = self
            .events
            .iter()
            .find(|e| e.kind == EventKind::Stage(Stage::Signed))?;
        let amount = event
            .amount
            .or(self.project.signed_amount)
            .unwrap_or(Money::ZERO);
        Some((event, amount))
    }
}

/// The city's headline figures for a period, each counting a project once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Headline {
    pub signed_projects: i64,
    pub signed_amount: i64,
    pub funds_in_place: i64,
    pub funds_in_place_verified: i64,
    pub foreign_funds_usd: i64,
    pub started_or_resumed_projects: i64,
    pub visits: i64,
}

pub fn city_headline(
    period: &Period,
    projects: &[ProjectHistory<'_>],
    funds: &[Fund],
    visits: &[Visit],
) -> Headline {
    let mut h = Headline::default();
    let mut started_or_resumed: HashSet<&str> = HashSet::new();
    for history in projects {
        if let Some((event, amount)) = history.first_signing()
            && period.contains(event.date)
        {
            h.signed_projects += 1;
            h.signed_amount += amount.units();
        }
        let starts = history.events.iter().any(|e| {
            matches!(e.kind, EventKind::Stage(Stage::Started) | EventKind::Resume)
                && period.contains(e.date)
        });
        if starts {
            started_or_resumed.insert(&history.project.code);
        }
    }
    h.started_or_resumed_projects = started_or_resumed.len() as i64;
    for fund in funds.iter().filter(|f| period.contains(f.date)) {
        match fund.currency {
            Currency::Cny => {
                h.funds_in_place += fund.amount.units();
                if fund.verified {
                    h.funds_in_place_verified += fund.amount.units();
                }
            }
            Currency::Usd => h.foreign_funds_usd += fund.amount.units(),
            _ => {}
        }
    }
    h.visits = visits.iter().filter(|v| period.contains(v.date)).count() as i64;
    h
}

/// 同比 in percent, rounded half-up to one decimal; `None` when last year is 0.
pub fn yoy_pct(this: i64, last: i64) -> Option<f64> {
    if last == 0 {
        return None;
    }
    // Tenths of a percent, computed in integers so that .x5 rounds up exactly.
    let numerator = i128::from(this - last) * 1000;
    let denominator = i128::from(last);
    let tenths = div_round_half_up(numerator, denominator);
    Some(tenths as f64 / 10.0)
}

fn div_round_half_up(n: i128, d: i128) -> i128 {
    let (n, d) = if d < 0 { (-n, -d) } else { (n, d) };
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d);
    if r * 2 >= d { q + 1 } else { q }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yoy_rounds_half_up_at_one_decimal_and_is_null_on_zero() {
        assert_eq!(yoy_pct(63, 40), Some(57.5));
        assert_eq!(yoy_pct(8_050_000_000, 4_195_000_000), Some(91.9));
        assert_eq!(yoy_pct(10_005, 10_000), Some(0.1));
        assert_eq!(yoy_pct(100_045, 100_000), Some(0.0));
        assert_eq!(yoy_pct(3, 0), None);
        assert_eq!(yoy_pct(0, 4), Some(-100.0));
    }

    #[test]
    fn indicators_are_found_by_chinese_name_or_id() {
        assert_eq!(
            Indicator::parse("指标", "签约额"),
            Ok(Indicator::SignedAmount)
        );
        assert_eq!(Indicator::parse("指标", "visits"), Ok(Indicator::Visits));
        assert!(Indicator::parse("指标", "GDP").is_err());
        for i in Indicator::ALL {
            assert_eq!(Indicator::from_id(i.id()), Some(i));
        }
    }
}
