//! Records as typed into a form or sent to the API, before they are checked: every value is
//! text, empty where not given. One parser per record serves both, so that they accept the same
//! input and both name every bad field at once; each builds its record through the record's
//! checked constructor.

use crate::error::keep;
use crate::period::parse_date;
use crate::records::{Fund, Visit};
use crate::stage::{EventKind, StageEvent};
use crate::text::{optional, required};
use crate::{CreditCode, Currency, FieldError, Money};

/// A stage event as typed into a form or sent to the API, before it is checked: every value
/// is text, empty where not given. One parser for both, so that they accept the same input and
/// both name every bad field at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventInput<'a> {
    /// The Chinese name of the stage: 签约, 开工, 停工 …
    pub kind: &'a str,
    pub date: &'a str,
    /// 万元.
    pub amount_wan: &'a str,
    /// The 统一社会信用代码 of the company that landed the project.
    pub company_code: &'a str,
    pub parcel: &'a str,
    pub note: &'a str,
}

impl EventInput<'_> {
    /// The event, or every field that is wrong with it.
    pub fn parse(&self) -> Result<StageEvent, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = keep(&mut errors, EventKind::parse("阶段", self.kind));
        let date = keep(&mut errors, parse_date("日期", self.date));
        let amount = keep(
            &mut errors,
            optional(self.amount_wan)
                .map(|a| Money::parse_wan("金额", &a))
                .transpose(),
        );
        let company = keep(
            &mut errors,
            optional(self.company_code)
                .map(|c| CreditCode::parse("落地企业信用代码", &c))
                .transpose(),
        );
        match (kind, date, amount, company) {
            (Some(kind), Some(date), Some(amount), Some(company)) if errors.is_empty() => {
                StageEvent::new(
                    kind,
                    date,
                    amount,
                    company,
                    optional(self.parcel),
                    optional(self.note),
                )
                .map_err(|e| vec![e])
            }
            _ => Err(errors),
        }
    }
}

/// A fund in place as typed into a form or sent to the API, before it is checked: text, empty
/// where not given; the one parser of both.
#[derive(Debug, Clone, Copy, Default)]
pub struct FundInput<'a> {
    pub date: &'a str,
    /// 万 of the currency.
    pub amount_wan: &'a str,
    /// 人民币/美元 or CNY/USD; 人民币 when empty.
    pub currency: &'a str,
    pub source: &'a str,
}

impl FundInput<'_> {
    /// The fund of `project_code`, or every field that is wrong with it.
    pub fn parse(&self, project_code: &str) -> Result<Fund, Vec<FieldError>> {
        let mut errors = Vec::new();
        let date = keep(&mut errors, parse_date("日期", self.date));
        let amount = keep(&mut errors, Money::parse_wan("金额", self.amount_wan));
        let currency = keep(
            &mut errors,
            Currency::parse_for_funds("币种", self.currency),
        );
        let (Some(date), Some(amount), Some(currency), true) =
            (date, amount, currency, errors.is_empty())
        else {
            return Err(errors);
        };
        let mut fund = Fund::new(project_code, date, amount, currency).map_err(|e| vec![e])?;
        fund.source = optional(self.source);
        Ok(fund)
    }
}

/// A visit as typed into a form or sent to the API, before it is checked: text, empty where not
/// given; the one parser of both. The unit is whatever the caller decided it is (a unit's staff
/// record for their own unit).
#[derive(Debug, Clone, Copy, Default)]
pub struct VisitInput<'a> {
    pub date: &'a str,
    pub unit: &'a str,
    pub enterprise: &'a str,
    /// The visited firm's 统一社会信用代码.
    pub enterprise_code: &'a str,
    pub leaders: &'a str,
    pub mode: &'a str,
    pub place: &'a str,
    pub content: &'a str,
    pub outcome: &'a str,
    pub project_code: &'a str,
}

impl VisitInput<'_> {
    /// The visit, or every field that is wrong with it. `firm_required`: the form asks who was
    /// met; the API, relaying other systems' records, may leave the firm out, as files may.
    pub fn parse(&self, firm_required: bool) -> Result<Visit, Vec<FieldError>> {
        let mut errors = Vec::new();
        let date = keep(&mut errors, parse_date("日期", self.date));
        let enterprise = if firm_required {
            keep(&mut errors, required("企业名称", self.enterprise)).map(Some)
        } else {
            Some(optional(self.enterprise))
        };
        let code = keep(
            &mut errors,
            optional(self.enterprise_code)
                .map(|c| CreditCode::parse("统一社会信用代码", &c))
                .transpose(),
        );
        let (Some(date), Some(enterprise), Some(code), true) =
            (date, enterprise, code, errors.is_empty())
        else {
            return Err(errors);
        };
        let mut visit = Visit::new(date);
        visit.unit = optional(self.unit);
        visit.enterprise = enterprise;
        visit.enterprise_code = code;
        visit.leaders = optional(self.leaders);
        visit.mode = optional(self.mode);
        visit.place = optional(self.place);
        visit.content = optional(self.content);
        visit.outcome = optional(self.outcome);
        visit.project_code = optional(self.project_code);
        Ok(visit)
    }
}
