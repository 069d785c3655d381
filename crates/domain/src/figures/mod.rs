//! The indicators of SPEC §3 and their computation from records.
//!
//! Every figure the system shows is computed here and nowhere else, from the records as they
//! are, so that each number can be reproduced and explained: [`facts`] is what a figure may
//! look at, [`scoreboard`] computes the 晒单, [`drill`] lists the records behind any figure,
//! [`summary`] writes the 成绩单 and [`diff`] compares a published sheet with today's figures.

mod contributions;
pub mod diff;
pub mod drill;
pub mod facts;
pub mod scoreboard;
pub mod summary;
mod values;

use serde::{Deserialize, Serialize};

use crate::FieldError;

pub use facts::{Facts, Milestones, UNFILLED_SOURCE};
pub use scoreboard::{
    BySource, CityFigures, Figure, Light, LightThresholds, Number, RankWeights, Scoreboard,
    SourceFigures, UnitScore, progress_light, scoreboard, time_task_light,
};

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

/// 同比 in percent, rounded half-up to one decimal; `None` when last year is 0.
pub fn yoy_pct(this: i64, last: i64) -> Option<f64> {
    ratio_yoy_pct(this, 1, last, 1)
}

/// 同比 of a/b against c/d (d, b > 0), computed exactly in integers so that .x5 rounds up.
pub fn ratio_yoy_pct(a: i64, b: i64, c: i64, d: i64) -> Option<f64> {
    if c == 0 || b == 0 || d == 0 {
        return None;
    }
    // (a/b − c/d) / (c/d) = (a·d − b·c) / (b·c), in tenths of a percent.
    let (a, b, c, d) = (i128::from(a), i128::from(b), i128::from(c), i128::from(d));
    let tenths = div_round_half_up((a * d - b * c) * 1000, b * c);
    Some(tenths as f64 / 10.0)
}

/// n/d rounded to the nearest integer, halves away from zero (四舍五入 on the magnitude, as
/// statistical offices round a decline too: −0.05% is reported as −0.1%).
fn div_round_half_up(n: i128, d: i128) -> i128 {
    let negative = (n < 0) != (d < 0);
    let (n, d) = (n.abs(), d.abs());
    let q = n / d + i128::from((n % d) * 2 >= d);
    if negative { -q } else { q }
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
        assert_eq!(yoy_pct(99_950, 100_000), Some(-0.1));
        assert_eq!(yoy_pct(99_955, 100_000), Some(0.0));
        assert_eq!(yoy_pct(88, 61), Some(44.3));
        // Rates: 0.6 against 0.5 is +20%; against an empty denominator, nothing.
        assert_eq!(ratio_yoy_pct(3, 5, 1, 2), Some(20.0));
        assert_eq!(ratio_yoy_pct(3, 5, 0, 2), None);
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
