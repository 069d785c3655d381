//! Records as typed into a form or sent to the API, before they are checked: every value is
//! text, empty where not given. One parser per record serves both, so that they accept the same
//! input and both name every bad field at once; each builds its record through the record's
//! checked constructor.

use crate::error::keep;
use crate::period::parse_date;
use crate::records::{CapitalOrigin, Fund, Project, Visit};
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
    /// The visit, or every field that is wrong with it: the form and the API alike (a visit
    /// says whom it met).
    pub fn parse(&self) -> Result<Visit, Vec<FieldError>> {
        let mut errors = Vec::new();
        let date = keep(&mut errors, parse_date("日期", self.date));
        let enterprise = keep(&mut errors, required("企业名称", self.enterprise)).map(Some);
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

/// A project as typed into the project form or sent to the API; `credited` already split into
/// unit names.
#[derive(Debug, Clone, Default)]
pub struct ProjectInput<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub territory: &'a str,
    pub credited: Vec<String>,
    pub investor: &'a str,
    /// The investor's 统一社会信用代码.
    pub investor_code: &'a str,
    /// 万元.
    pub signed_amount_wan: &'a str,
    /// 万元.
    pub planned_investment_wan: &'a str,
    pub chain: &'a str,
    pub leader: &'a str,
    pub team: &'a str,
    pub source_mode: &'a str,
    /// 内资 or 外资; 内资 when empty.
    pub capital_origin: &'a str,
    /// 人民币 when empty.
    pub currency: &'a str,
    pub key_project: bool,
}

impl ProjectInput<'_> {
    /// The project, or every field that is wrong with it; then the rules over the whole record
    /// (`Project::check`).
    pub fn parse(&self) -> Result<Project, Vec<FieldError>> {
        let mut errors = Vec::new();
        let base = keep(
            &mut errors,
            Project::new(self.code, self.name, self.territory),
        );
        let investor_code = keep(
            &mut errors,
            optional(self.investor_code)
                .map(|c| CreditCode::parse("统一社会信用代码", &c))
                .transpose(),
        );
        let signed = keep(
            &mut errors,
            optional(self.signed_amount_wan)
                .map(|a| Money::parse_wan("签约额", &a))
                .transpose(),
        );
        let planned = keep(
            &mut errors,
            optional(self.planned_investment_wan)
                .map(|a| Money::parse_wan("计划总投资", &a))
                .transpose(),
        );
        let origin = keep(
            &mut errors,
            CapitalOrigin::parse("资金来源", self.capital_origin),
        );
        let currency = keep(&mut errors, Currency::parse("币种", self.currency));
        let (
            Some(mut project),
            Some(investor_code),
            Some(signed),
            Some(planned),
            Some(origin),
            Some(currency),
            true,
        ) = (
            base,
            investor_code,
            signed,
            planned,
            origin,
            currency,
            errors.is_empty(),
        )
        else {
            return Err(errors);
        };
        project.investor = optional(self.investor);
        project.investor_code = investor_code;
        project.signed_amount = signed;
        project.planned_investment = planned;
        project.credited = self.credited.clone();
        project.chain = optional(self.chain);
        project.leader = optional(self.leader);
        project.team = optional(self.team);
        project.source_mode = optional(self.source_mode);
        project.capital_origin = origin;
        project.currency = currency;
        project.key_project = self.key_project;
        project.check().map_err(|e| vec![e])?;
        Ok(project)
    }
}

/// A packaged project as typed into its form (issue 23): the breakdown one line per item
/// (`土建工程 40000`, 万元), each resource kind its own box, approvals and target firms
/// separated by 、 ， , or new lines.
#[derive(Debug, Clone, Default)]
pub struct PackagedInput<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub unit: &'a str,
    pub content: &'a str,
    pub scale: &'a str,
    pub years: &'a str,
    /// 万元.
    pub estimate_wan: &'a str,
    pub breakdown: &'a str,
    pub parcel: &'a str,
    /// 亩.
    pub area: &'a str,
    pub park: &'a str,
    /// In the order of `ResourceKind::ALL`.
    pub resources: [&'a str; 4],
    pub approvals: &'a str,
    pub chain: &'a str,
    pub segment: &'a str,
    pub chain_leader: &'a str,
    pub targets: &'a str,
    pub public: bool,
    pub status: &'a str,
}

/// Items of a list typed in one box.
fn items(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in raw.split(['、', '，', ',', ';', '；', '\n', '\r']) {
        let item = item.trim();
        if !item.is_empty() && !out.iter().any(|i| i == item) {
            out.push(item.to_owned());
        }
    }
    out
}

impl PackagedInput<'_> {
    /// The packaged project, or every field that is wrong with it; then its own rules.
    pub fn parse(&self) -> Result<crate::packaged::PackagedProject, Vec<FieldError>> {
        use crate::packaged::{EstimateItem, Mu, PackagedProject, PackagedStatus, ResourceKind};
        let mut errors = Vec::new();
        let base = PackagedProject::new(self.code, self.name, self.unit)
            .map_err(|e| errors.extend(e))
            .ok();
        let years = keep(
            &mut errors,
            optional(self.years)
                .map(|y| {
                    y.parse::<u32>()
                        .map_err(|_| FieldError::new("建设年限", format!("“{y}”不是年数")))
                })
                .transpose(),
        );
        let estimate = keep(
            &mut errors,
            optional(self.estimate_wan)
                .map(|v| Money::parse_wan("投资概算", &v))
                .transpose(),
        );
        let mut breakdown = Vec::new();
        for (n, line) in self.breakdown.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let split = line.rsplit_once(|c: char| c.is_whitespace() || c == '：' || c == ':');
            let parsed = match split {
                Some((item, amount)) if !item.trim().is_empty() => {
                    Money::parse_wan("概算构成", amount.trim()).map(|amount| EstimateItem {
                        item: item.trim().to_owned(),
                        amount,
                    })
                }
                _ => Err(FieldError::new(
                    "概算构成",
                    format!("第{}行应写作“名称 金额（万元）”", n + 1),
                )),
            };
            if let Some(line) = keep(&mut errors, parsed) {
                breakdown.push(line);
            }
        }
        let area = keep(
            &mut errors,
            optional(self.area)
                .map(|a| Mu::parse("用地面积", &a))
                .transpose(),
        );
        let status = keep(
            &mut errors,
            optional(self.status)
                .map(|s| PackagedStatus::parse("状态", &s))
                .transpose(),
        );
        let (Some(mut p), Some(years), Some(estimate), Some(area), Some(status), true) =
            (base, years, estimate, area, status, errors.is_empty())
        else {
            return Err(errors);
        };
        p.content = optional(self.content);
        p.scale = optional(self.scale);
        p.years = years;
        p.estimate = estimate;
        p.breakdown = breakdown;
        p.parcel = optional(self.parcel);
        p.area = area;
        p.park = optional(self.park);
        p.resources = ResourceKind::ALL
            .into_iter()
            .zip(self.resources)
            .filter_map(|(kind, text)| optional(text).map(|t| (kind, t)))
            .collect();
        p.approvals = items(self.approvals);
        p.chain = optional(self.chain);
        p.segment = optional(self.segment);
        p.chain_leader = optional(self.chain_leader);
        p.targets = items(self.targets);
        p.public = self.public;
        p.status = status.unwrap_or(PackagedStatus::Planning);
        p.check()?;
        Ok(p)
    }
}
