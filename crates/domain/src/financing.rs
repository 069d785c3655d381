//! 融资方案 (issue 5): how a project will pay for its construction — the money it needs, where
//! that comes from, the bank, how far the arrangement has got. The seed wants finance engaged
//! before 开工, so a project close to starting without a plan is flagged.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{FieldError, Money};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FinancingStatus {
    Drafting,
    BankEngaged,
    Approved,
    Disbursed,
}

impl FinancingStatus {
    pub const ALL: [FinancingStatus; 4] = [
        FinancingStatus::Drafting,
        FinancingStatus::BankEngaged,
        FinancingStatus::Approved,
        FinancingStatus::Disbursed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FinancingStatus::Drafting => "编制中",
            FinancingStatus::BankEngaged => "已对接金融机构",
            FinancingStatus::Approved => "已获批",
            FinancingStatus::Disbursed => "已放款",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        crate::text::one_status_of(field, raw, &Self::ALL, Self::label)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinancingPlan {
    pub need: Money,
    pub sources: String,
    pub bank: Option<String>,
    pub status: FinancingStatus,
}

impl FinancingPlan {
    /// The need is a positive amount; the sources are named; a plan past drafting names its bank.
    pub fn new(
        need: Money,
        sources: &str,
        bank: Option<String>,
        status: FinancingStatus,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if !need.is_positive() {
            errors.push(FieldError::new("融资需求", "须大于0"));
        }
        let sources = sources.trim();
        if sources.is_empty() {
            errors.push(FieldError::new("资金来源构成", "不能为空"));
        }
        let bank = bank.filter(|b| !b.trim().is_empty());
        if status != FinancingStatus::Drafting && bank.is_none() {
            errors.push(FieldError::new(
                "合作金融机构",
                format!("状态为“{}”时须填写", status.label()),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(FinancingPlan {
            need,
            sources: sources.to_owned(),
            bank,
            status,
        })
    }
}

/// Whether a project should be flagged for having no financing plan before 开工: it has not
/// started, has none, and is near starting — it has landed, or its planned 开工 is within
/// `lead_days` of `today` (or already past).
pub fn lacks_financing_before_start(
    started: bool,
    landed: bool,
    planned_start: Option<NaiveDate>,
    has_plan: bool,
    today: NaiveDate,
    lead_days: i64,
) -> bool {
    if started || has_plan {
        return false;
    }
    landed || planned_start.is_some_and(|on| (on - today).num_days() <= lead_days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn a_plan_needs_an_amount_sources_and_past_drafting_a_bank() {
        let errors = FinancingPlan::new(
            Money::from_units("融资需求", 0).unwrap_or_default(),
            " ",
            None,
            FinancingStatus::Approved,
        )
        .err()
        .unwrap_or_default();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["融资需求", "资金来源构成", "合作金融机构"]);
        assert!(
            FinancingPlan::new(
                Money::from_units("融资需求", 50_000_000).unwrap_or_default(),
                "自有30%、贷款70%",
                None,
                FinancingStatus::Drafting
            )
            .is_ok()
        );
    }

    #[test]
    fn a_project_near_its_start_without_a_plan_is_flagged() {
        let today = d("2022-06-01");
        // Landed, nothing planned: flagged.
        assert!(lacks_financing_before_start(
            false, true, None, false, today, 60
        ));
        // Planned 开工 in 60 days: flagged; in 61: not yet.
        assert!(lacks_financing_before_start(
            false,
            false,
            Some(d("2022-07-31")),
            false,
            today,
            60
        ));
        assert!(!lacks_financing_before_start(
            false,
            false,
            Some(d("2022-08-01")),
            false,
            today,
            60
        ));
        // Planned 开工 already past: flagged.
        assert!(lacks_financing_before_start(
            false,
            false,
            Some(d("2022-05-01")),
            false,
            today,
            60
        ));
        // With a plan, or started, or far from starting: not flagged.
        assert!(!lacks_financing_before_start(
            false, true, None, true, today, 60
        ));
        assert!(!lacks_financing_before_start(
            true, true, None, false, today, 60
        ));
        assert!(!lacks_financing_before_start(
            false, false, None, false, today, 60
        ));
    }
}
