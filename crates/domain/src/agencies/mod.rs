//! 委托招商机构 (issue 23.4): market agencies under contract, each contract's fee rule, and the fee
//! a project attributed to a contract earns — computed from the rule and the project's records,
//! in whole 元, with the rule and its inputs written out so that the bureau's finance office can
//! check every line by hand.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::money::{Money, format_wan};
use crate::text::required;

mod input;

pub use input::ContractInput;

/// What a contract's fee is counted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FeeBasis {
    /// A fixed sum per project.
    Fixed,
    /// A share of the project's 签约额.
    SignedShare,
    /// A share of the project's verified 人民币 funds in place within the contract's term.
    FundsShare,
}

impl FeeBasis {
    pub const ALL: [FeeBasis; 3] = [FeeBasis::Fixed, FeeBasis::SignedShare, FeeBasis::FundsShare];

    pub fn code(self) -> &'static str {
        match self {
            FeeBasis::Fixed => "fixed",
            FeeBasis::SignedShare => "signed",
            FeeBasis::FundsShare => "funds",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FeeBasis::Fixed => "每个项目固定金额",
            FeeBasis::SignedShare => "签约额的比例",
            FeeBasis::FundsShare => "到位资金的比例",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.code() == code)
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|b| b.code() == raw || b.label() == raw)
            .or(match raw {
                "固定" | "固定金额" => Some(FeeBasis::Fixed),
                "签约额" | "签约额比例" => Some(FeeBasis::SignedShare),
                "到位资金" | "到位资金比例" => Some(FeeBasis::FundsShare),
                _ => None,
            })
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!("“{raw}”不是计费方式（固定金额、签约额比例、到位资金比例）"),
                )
            })
    }
}

/// The record that makes a fee due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FeeTrigger {
    /// The project's first 签约.
    Signed,
    /// Its first verified 人民币 fund in place within the term.
    Funds,
    /// Its 开工.
    Started,
}

impl FeeTrigger {
    pub const ALL: [FeeTrigger; 3] = [FeeTrigger::Signed, FeeTrigger::Funds, FeeTrigger::Started];

    pub fn code(self) -> &'static str {
        match self {
            FeeTrigger::Signed => "signed",
            FeeTrigger::Funds => "funds",
            FeeTrigger::Started => "started",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FeeTrigger::Signed => "签约",
            FeeTrigger::Funds => "资金到位",
            FeeTrigger::Started => "开工",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|t| t.code() == raw || t.label() == raw || raw == format!("{}时", t.label()))
            .or((raw == "到位").then_some(FeeTrigger::Funds))
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!("“{raw}”不是计付时点（签约、资金到位、开工）"),
                )
            })
    }
}

/// A share in 万分之 (basis points): 0.5% is 50. Written and read as a percentage with at most
/// two decimals, so that every share an office writes is held exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Rate(u32);

impl Rate {
    pub fn from_basis_points(field: &str, bp: i64) -> Result<Self, FieldError> {
        match u32::try_from(bp) {
            Ok(bp) if (1..=10_000).contains(&bp) => Ok(Rate(bp)),
            _ => Err(FieldError::new(field, "比例应大于0%、不超过100%")),
        }
    }

    /// `0.5`, `0.5%`, `1.25％`: a percentage with at most two decimals.
    pub fn parse_percent(field: &str, raw: &str) -> Result<Self, FieldError> {
        let text = raw.trim().trim_end_matches(['%', '％']).trim();
        let bad = || {
            FieldError::new(
                field,
                format!(
                    "“{}”不是百分比，请填写如 0.5（即0.5%），至多两位小数",
                    raw.trim()
                ),
            )
        };
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty()
            || frac.len() > 2
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
            || whole.len() > 3
        {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        Self::from_basis_points(field, whole * 100 + frac)
    }

    pub fn basis_points(self) -> u32 {
        self.0
    }

    /// `amount` × the share, rounded half up to the 元 at this last step.
    pub fn of(self, amount: Money) -> Money {
        let fee = (i128::from(amount.units()) * i128::from(self.0) + 5_000) / 10_000;
        Money::from_units("费用", i64::try_from(fee).unwrap_or(i64::MAX)).unwrap_or(Money::ZERO)
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        match frac {
            0 => write!(f, "{whole}%"),
            n if n % 10 == 0 => write!(f, "{whole}.{}%", n / 10),
            n => write!(f, "{whole}.{n:02}%"),
        }
    }
}

/// How a contract's fee is counted, when it falls due and how far it may go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeRule {
    pub basis: FeeBasis,
    /// The fixed sum per project ([`FeeBasis::Fixed`]).
    pub fixed: Option<Money>,
    /// The share ([`FeeBasis::SignedShare`], [`FeeBasis::FundsShare`]).
    pub rate: Option<Rate>,
    pub trigger: FeeTrigger,
    /// At most this for one project.
    pub project_cap: Option<Money>,
    /// At most this for the whole contract.
    pub total_cap: Option<Money>,
}

impl FeeRule {
    /// Every part the basis needs, and none it would ignore.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        match self.basis {
            FeeBasis::Fixed => {
                if self.fixed.is_none_or(|m| m == Money::ZERO) {
                    errors.push(FieldError::new(
                        "固定金额",
                        "按固定金额计费时须填写，且大于0",
                    ));
                }
                if self.rate.is_some() {
                    errors.push(FieldError::new("比例", "按固定金额计费时不填比例"));
                }
            }
            FeeBasis::SignedShare | FeeBasis::FundsShare => {
                if self.rate.is_none() {
                    errors.push(FieldError::new("比例", "按比例计费时须填写比例"));
                }
                if self.fixed.is_some() {
                    errors.push(FieldError::new("固定金额", "按比例计费时不填固定金额"));
                }
            }
        }
        if self.basis == FeeBasis::FundsShare && self.trigger != FeeTrigger::Funds {
            errors.push(FieldError::new(
                "计付时点",
                "按到位资金比例计费时，计付时点应为资金到位",
            ));
        }
        for (field, cap) in [("单项封顶", self.project_cap), ("合同封顶", self.total_cap)] {
            if cap == Some(Money::ZERO) {
                errors.push(FieldError::new(field, "应大于0；不封顶则不填"));
            }
        }
        if let (Some(project), Some(total)) = (self.project_cap, self.total_cap)
            && project > total
        {
            errors.push(FieldError::new("单项封顶", "不能高于合同封顶"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The rule in a sentence, as a contract states it.
    pub fn describe(&self) -> String {
        let mut text = match (self.basis, self.fixed, self.rate) {
            (FeeBasis::Fixed, Some(fixed), _) => format!("每个项目{}万元", format_wan(fixed)),
            (FeeBasis::SignedShare, _, Some(rate)) => format!("签约额的{rate}"),
            (FeeBasis::FundsShare, _, Some(rate)) => format!("合同期内已核实到位资金的{rate}"),
            _ => self.basis.label().to_owned(),
        };
        text.push_str(&format!("，{}后计付", self.trigger.label()));
        if let Some(cap) = self.project_cap {
            text.push_str(&format!("，单个项目封顶{}万元", format_wan(cap)));
        }
        if let Some(cap) = self.total_cap {
            text.push_str(&format!("，合同封顶{}万元", format_wan(cap)));
        }
        text
    }
}

/// A contract with an agency: its scope, term and fee rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    /// 合同编号.
    pub number: String,
    pub agency: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub rule: FeeRule,
    /// The 县区 and departments whose projects it may bring; empty: the whole city.
    pub units: Vec<String>,
    /// The 产业链 it works on; empty: any.
    pub chains: Vec<String>,
    pub note: Option<String>,
}

/// How far a contract is from its end, as the agencies' page warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    NotStarted,
    Running,
    /// Ends within [`Contract::WARN_DAYS`] days (the days left).
    EndingIn(i64),
    Ended,
}

impl Expiry {
    pub fn label(self) -> String {
        match self {
            Expiry::NotStarted => "未开始".into(),
            Expiry::Running => "履行中".into(),
            Expiry::EndingIn(0) => "今日到期".into(),
            Expiry::EndingIn(days) => format!("{days}天后到期"),
            Expiry::Ended => "已到期".into(),
        }
    }

    pub fn warns(self) -> bool {
        matches!(self, Expiry::EndingIn(_) | Expiry::Ended)
    }
}

impl Contract {
    /// How many days ahead an ending contract is warned of: time to renew or tender again.
    pub const WARN_DAYS: i64 = 60;

    pub fn new(
        number: &str,
        agency: &str,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        rule: FeeRule,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let number = crate::error::keep(&mut errors, required("合同编号", number));
        let agency = crate::error::keep(&mut errors, required("机构名称", agency));
        if ends_on < starts_on {
            errors.push(FieldError::new("合同截止日期", "不能早于开始日期"));
        }
        if let Err(more) = rule.check() {
            errors.extend(more);
        }
        match (number, agency) {
            (Some(number), Some(agency)) if errors.is_empty() => Ok(Contract {
                number,
                agency,
                starts_on,
                ends_on,
                rule,
                units: Vec::new(),
                chains: Vec::new(),
                note: None,
            }),
            _ => Err(errors),
        }
    }

    pub fn expiry(&self, today: NaiveDate) -> Expiry {
        if today < self.starts_on {
            Expiry::NotStarted
        } else if today > self.ends_on {
            Expiry::Ended
        } else {
            let left = (self.ends_on - today).num_days();
            if left <= Self::WARN_DAYS {
                Expiry::EndingIn(left)
            } else {
                Expiry::Running
            }
        }
    }

    /// Whether a project of `territory` (and `credited` units) on `chain` is within the scope;
    /// the refusal names what is outside it.
    pub fn covers(
        &self,
        territory: &str,
        credited: &[String],
        chain: Option<&str>,
    ) -> Result<(), FieldError> {
        if !self.units.is_empty()
            && !self
                .units
                .iter()
                .any(|u| u == territory || credited.contains(u))
        {
            return Err(FieldError::new(
                "项目",
                format!(
                    "项目属于{territory}，不在合同{}约定的区域（{}）内",
                    self.number,
                    self.units.join("、")
                ),
            ));
        }
        if !self.chains.is_empty() && !chain.is_some_and(|c| self.chains.iter().any(|x| x == c)) {
            return Err(FieldError::new(
                "项目",
                format!(
                    "项目的产业链（{}）不在合同{}约定的产业链（{}）内",
                    chain.unwrap_or("未填"),
                    self.number,
                    self.chains.join("、")
                ),
            ));
        }
        Ok(())
    }

    fn within(&self, date: NaiveDate) -> bool {
        self.starts_on <= date && date <= self.ends_on
    }
}

/// What a fee is computed from: an attributed project's records as they stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeInputs {
    pub code: String,
    pub name: String,
    /// The first 签约 and its amount.
    pub signed: Option<(NaiveDate, Money)>,
    pub started_on: Option<NaiveDate>,
    /// Verified 人民币 funds in place, by date.
    pub funds: Vec<(NaiveDate, Money)>,
}

/// One project's fee under a contract, and how it came about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFee {
    pub code: String,
    pub name: String,
    /// When the trigger was reached, within the term and by the day of reckoning.
    pub due_from: Option<NaiveDate>,
    pub due: Money,
    /// The computation in words: its inputs, the rule, caps; or why nothing is due.
    pub working: String,
}

/// A contract's fees on a day: each project's, their sum, and what the contract's cap leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractFees {
    pub projects: Vec<ProjectFee>,
    /// The projects' fees added up, before the contract's cap.
    pub sum: Money,
    /// What is due under the contract: the sum, or the cap where it is lower.
    pub due: Money,
    pub capped: bool,
}

/// The fees due under `contract` on `as_of` for the projects attributed to it. A fee is due once
/// its trigger is reached within the contract's term and by `as_of`; a share counts exactly and
/// rounds half up to the 元 once, per project; the project's cap, then the contract's, apply.
pub fn fees(contract: &Contract, projects: &[FeeInputs], as_of: NaiveDate) -> ContractFees {
    let rule = &contract.rule;
    let mut lines = Vec::with_capacity(projects.len());
    let mut sum: i64 = 0;
    for p in projects {
        let term_funds: Vec<&(NaiveDate, Money)> = p
            .funds
            .iter()
            .filter(|(d, _)| contract.within(*d) && *d <= as_of)
            .collect();
        let trigger_on = match rule.trigger {
            FeeTrigger::Signed => p.signed.map(|(d, _)| d),
            FeeTrigger::Started => p.started_on,
            FeeTrigger::Funds => term_funds.iter().map(|(d, _)| *d).min(),
        };
        let nothing = |working: String| ProjectFee {
            code: p.code.clone(),
            name: p.name.clone(),
            due_from: None,
            due: Money::ZERO,
            working,
        };
        let signed_before = p.signed.map(|(d, _)| d).filter(|d| *d < contract.starts_on);
        let line = match trigger_on {
            // Signed before the contract began: the agency did not bring it under this one.
            _ if signed_before.is_some() => nothing(format!(
                "签约于{}，早于合同开始（{}），不计费",
                signed_before.unwrap_or_default(),
                contract.starts_on
            )),
            None if rule.trigger == FeeTrigger::Funds && !p.funds.is_empty() => {
                nothing("合同期内无已核实到位资金，不计费".to_owned())
            }
            None => nothing(format!("尚未{}，不计费", rule.trigger.label())),
            Some(d) if d > as_of => nothing(format!(
                "{}日期{d}晚于计算日{as_of}，不计费",
                rule.trigger.label()
            )),
            Some(d) if !contract.within(d) => nothing(format!(
                "{}日期{d}不在合同期（{}至{}）内，不计费",
                rule.trigger.label(),
                contract.starts_on,
                contract.ends_on
            )),
            Some(d) => {
                let (base, mut working) = match (rule.basis, rule.fixed, rule.rate) {
                    (FeeBasis::Fixed, Some(fixed), _) => {
                        (fixed, format!("固定金额 {}万元", format_wan(fixed)))
                    }
                    (FeeBasis::SignedShare, _, Some(rate)) => {
                        let signed = p.signed.map_or(Money::ZERO, |(_, m)| m);
                        let fee = rate.of(signed);
                        (
                            fee,
                            format!(
                                "签约额 {}万元 × {rate} = {}万元",
                                format_wan(signed),
                                format_wan(fee)
                            ),
                        )
                    }
                    (FeeBasis::FundsShare, _, Some(rate)) => {
                        let total = term_funds
                            .iter()
                            .fold(0i64, |t, (_, m)| t.saturating_add(m.units()));
                        let funds = Money::from_units("到位资金", total).unwrap_or(Money::ZERO);
                        let fee = rate.of(funds);
                        (
                            fee,
                            format!(
                                "合同期内已核实到位资金 {}万元（{}笔）× {rate} = {}万元",
                                format_wan(funds),
                                term_funds.len(),
                                format_wan(fee)
                            ),
                        )
                    }
                    // A rule that passed `check` always has its part.
                    _ => (Money::ZERO, "计费规则不完整".to_owned()),
                };
                let due = match rule.project_cap {
                    Some(cap) if base > cap => {
                        working.push_str(&format!("，单项封顶 {}万元", format_wan(cap)));
                        cap
                    }
                    _ => base,
                };
                working = format!("{}于{d}，{working}", rule.trigger.label());
                ProjectFee {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    due_from: Some(d),
                    due,
                    working,
                }
            }
        };
        sum = sum.saturating_add(line.due.units());
        lines.push(line);
    }
    let sum = Money::from_units("费用", sum).unwrap_or(Money::ZERO);
    let (due, capped) = match rule.total_cap {
        Some(cap) if sum > cap => (cap, true),
        _ => (sum, false),
    };
    ContractFees {
        projects: lines,
        sum,
        due,
        capped,
    }
}

/// A market agency the city contracts with (委托招商机构).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub name: String,
    pub credit_code: Option<crate::CreditCode>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub note: Option<String>,
}

impl Agency {
    pub fn new(name: &str) -> Result<Self, FieldError> {
        Ok(Agency {
            name: required("机构名称", name)?,
            credit_code: None,
            contact: None,
            phone: None,
            note: None,
        })
    }
}

/// A fee paid to an agency under a contract, for one project or for the contract as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeePayment {
    pub contract: String,
    pub project: Option<String>,
    pub paid_on: NaiveDate,
    pub amount: Money,
    pub note: Option<String>,
}
