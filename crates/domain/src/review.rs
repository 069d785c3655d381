//! The reporting cycle (填报/审核, issue 5): what a unit's staff report — stage events, funds in
//! place, visits — counts only once approved. A report of a county, district or the zone goes
//! 单位填报 → 县区审核 → 市级审核; a department's or outpost's straight to 市级审核. Each level
//! may return it with a reason; the unit then resubmits it. Nobody reviews what they entered.
//! The city may close a month, after which its records are no longer entered or changed by
//! the units.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::records::UnitKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReviewState {
    /// 待县区审核.
    County,
    /// 待市级审核.
    City,
    /// 已退回: back with the unit, with the reason.
    Returned,
    /// 已审核: counted in the figures.
    Approved,
}

impl ReviewState {
    pub const ALL: [ReviewState; 4] = [
        ReviewState::County,
        ReviewState::City,
        ReviewState::Returned,
        ReviewState::Approved,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReviewState::County => "county",
            ReviewState::City => "city",
            ReviewState::Returned => "returned",
            ReviewState::Approved => "approved",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewState::County => "待县区审核",
            ReviewState::City => "待市级审核",
            ReviewState::Returned => "已退回",
            ReviewState::Approved => "已审核",
        }
    }

    /// Where a report of a unit of `kind` starts: at the county level for the territorial
    /// units, at the city for the others.
    pub fn first_for(kind: UnitKind) -> Self {
        match kind {
            UnitKind::County | UnitKind::District | UnitKind::Zone => ReviewState::County,
            UnitKind::City | UnitKind::Department | UnitKind::Outpost => ReviewState::City,
        }
    }

    /// The state after approval at the current level.
    pub fn approve(self) -> Result<Self, FieldError> {
        match self {
            ReviewState::County => Ok(ReviewState::City),
            ReviewState::City => Ok(ReviewState::Approved),
            other => Err(FieldError::new(
                "审核状态",
                format!("“{}”的记录不能审核通过", other.label()),
            )),
        }
    }

    /// Back to the unit with a reason.
    pub fn send_back(self, reason: &str) -> Result<(Self, String), FieldError> {
        if !matches!(self, ReviewState::County | ReviewState::City) {
            return Err(FieldError::new(
                "审核状态",
                format!("“{}”的记录不能退回", self.label()),
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(FieldError::new("退回理由", "退回须说明理由"));
        }
        Ok((ReviewState::Returned, reason.to_owned()))
    }

    /// A returned record sent in again, to the first level of its unit.
    pub fn resubmit(self, kind: UnitKind) -> Result<Self, FieldError> {
        if self != ReviewState::Returned {
            return Err(FieldError::new(
                "审核状态",
                format!("“{}”的记录无需重新报送", self.label()),
            ));
        }
        Ok(Self::first_for(kind))
    }
}

/// A reported record as review sees it: its state, the unit it belongs to, who entered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported<'a> {
    pub state: ReviewState,
    pub unit: &'a str,
    pub entered_by: &'a str,
}

/// A calendar month, the reporting window's unit: `2022-06`.
pub fn month_of(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// Reads `2022-06` (or `2022-6`) as a month.
pub fn parse_month(field: &str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    let bad = || FieldError::new(field, format!("“{value}”不是月份（格式：2022-06）"));
    let (year, month) = value.split_once('-').ok_or_else(bad)?;
    let year: i32 = year.parse().map_err(|_| bad())?;
    let month: u32 = month.parse().map_err(|_| bad())?;
    let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)?;
    Ok(month_of(first))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Actor, Role};

    fn actor(name: &str, role: Role, unit: Option<&str>) -> Actor {
        Actor {
            username: name.into(),
            role,
            unit: unit.map(Into::into),
        }
    }

    #[test]
    fn a_county_report_climbs_two_levels_a_departments_one() {
        assert_eq!(
            ReviewState::first_for(UnitKind::County),
            ReviewState::County
        );
        assert_eq!(
            ReviewState::first_for(UnitKind::Department),
            ReviewState::City
        );
        assert_eq!(ReviewState::County.approve(), Ok(ReviewState::City));
        assert_eq!(ReviewState::City.approve(), Ok(ReviewState::Approved));
        assert!(ReviewState::Approved.approve().is_err());
        assert!(ReviewState::Returned.approve().is_err());
        assert_eq!(
            ReviewState::City.send_back(" "),
            Err(FieldError::new("退回理由", "退回须说明理由"))
        );
        assert_eq!(
            ReviewState::County.send_back("金额与合同不符"),
            Ok((ReviewState::Returned, "金额与合同不符".into()))
        );
        assert!(ReviewState::Approved.send_back("x").is_err());
        assert_eq!(
            ReviewState::Returned.resubmit(UnitKind::District),
            Ok(ReviewState::County)
        );
        assert!(ReviewState::County.resubmit(UnitKind::District).is_err());
    }

    #[test]
    fn nobody_reviews_what_they_entered_and_each_level_is_its_own() {
        let staff = actor("jixian", Role::UnitStaff, Some("集贤县"));
        let reviewer = actor("jx-review", Role::UnitReviewer, Some("集贤县"));
        let other_reviewer = actor("bq-review", Role::UnitReviewer, Some("宝清县"));
        let bureau = actor("bureau", Role::Bureau, None);
        let at = |state| Reported {
            state,
            unit: "集贤县",
            entered_by: "jixian",
        };
        assert!(
            !staff.reviews(&at(ReviewState::County)),
            "staff do not approve their own"
        );
        assert!(reviewer.reviews(&at(ReviewState::County)));
        assert!(!other_reviewer.reviews(&at(ReviewState::County)));
        assert!(
            !bureau.reviews(&at(ReviewState::County)),
            "the city waits for the county"
        );
        assert!(bureau.reviews(&at(ReviewState::City)));
        assert!(!reviewer.reviews(&at(ReviewState::City)));
        let own = Reported {
            entered_by: "bureau",
            ..at(ReviewState::City)
        };
        assert!(!bureau.reviews(&own));
        assert!(staff.resubmits(&at(ReviewState::Returned)));
        assert!(!reviewer.resubmits(&at(ReviewState::Returned)));
        assert_eq!(
            staff.entry_review(Some(UnitKind::County)),
            ReviewState::County
        );
        assert_eq!(bureau.entry_review(None), ReviewState::Approved);
    }

    #[test]
    fn months_are_read_and_written_one_way() {
        let d = NaiveDate::from_ymd_opt(2022, 6, 30).unwrap_or_default();
        assert_eq!(month_of(d), "2022-06");
        assert_eq!(parse_month("月份", "2022-6"), Ok("2022-06".into()));
        assert!(parse_month("月份", "2022-13").is_err());
        assert!(parse_month("月份", "六月").is_err());
    }
}
