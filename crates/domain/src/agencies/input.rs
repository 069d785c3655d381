//! A contract as typed into the agencies' form or a row of an `agency-contracts` file.

use super::{Contract, FeeBasis, FeeRule, FeeTrigger, Rate};
use crate::FieldError;
use crate::money::Money;

/// A contract as typed into the form or a file's row: one parser for both, naming every bad
/// field at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContractInput<'a> {
    pub number: &'a str,
    pub agency: &'a str,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub basis: &'a str,
    /// 万元.
    pub fixed: &'a str,
    /// A percentage.
    pub rate: &'a str,
    pub trigger: &'a str,
    /// 万元.
    pub project_cap: &'a str,
    /// 万元.
    pub total_cap: &'a str,
    /// Units joined by 、.
    pub units: &'a str,
    /// Chains joined by 、.
    pub chains: &'a str,
    pub note: &'a str,
}

impl ContractInput<'_> {
    pub fn parse(&self) -> Result<Contract, Vec<FieldError>> {
        use crate::error::keep;
        let mut errors = Vec::new();
        let amount = |errors: &mut Vec<FieldError>, field: &str, raw: &str| {
            let raw = raw.trim();
            if raw.is_empty() {
                None
            } else {
                keep(errors, Money::parse_wan(field, raw))
            }
        };
        let starts_on = keep(
            &mut errors,
            crate::period::parse_date("合同开始日期", self.starts_on),
        );
        let ends_on = keep(
            &mut errors,
            crate::period::parse_date("合同截止日期", self.ends_on),
        );
        let basis = keep(&mut errors, FeeBasis::parse("计费方式", self.basis));
        let trigger = keep(&mut errors, FeeTrigger::parse("计付时点", self.trigger));
        let fixed = amount(&mut errors, "固定金额", self.fixed);
        let rate = match self.rate.trim() {
            "" => None,
            raw => keep(&mut errors, Rate::parse_percent("比例", raw)),
        };
        let project_cap = amount(&mut errors, "单项封顶", self.project_cap);
        let total_cap = amount(&mut errors, "合同封顶", self.total_cap);
        let (Some(starts_on), Some(ends_on), Some(basis), Some(trigger)) =
            (starts_on, ends_on, basis, trigger)
        else {
            // The rest cannot be judged without these; report what is known.
            for (field, raw) in [("合同编号", self.number), ("机构名称", self.agency)] {
                if raw.trim().is_empty() {
                    errors.push(FieldError::new(field, "不能为空"));
                }
            }
            return Err(errors);
        };
        let rule = FeeRule {
            basis,
            fixed,
            rate,
            trigger,
            project_cap,
            total_cap,
        };
        match Contract::new(self.number, self.agency, starts_on, ends_on, rule) {
            Ok(mut contract) if errors.is_empty() => {
                contract.units = crate::enterprise::Enterprise::split_tags(self.units);
                contract.chains = crate::enterprise::Enterprise::split_tags(self.chains);
                contract.note = crate::text::optional(self.note);
                Ok(contract)
            }
            Ok(_) => Err(errors),
            // A field already refused as typed is not refused again as missing.
            Err(more) => {
                for e in more {
                    if !errors.iter().any(|known| known.field == e.field) {
                        errors.push(e);
                    }
                }
                Err(errors)
            }
        }
    }
}
