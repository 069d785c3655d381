//! The records a city keeps, each built only through a constructor that checks it.
//!
//! Records refer to one another by the names and codes people see (a unit's name, a project's
//! 项目编号), exactly as import files do; the store maps those to its own keys.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::figures::Indicator;
use crate::text::required;

pub use crate::inputs::{FundInput, PackagedInput, ProjectInput, VisitInput};
use crate::{CreditCode, Currency, FieldError, Money};

/// What kind of body a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnitKind {
    City,
    County,
    District,
    Zone,
    Department,
    Outpost,
}

impl UnitKind {
    pub const ALL: [UnitKind; 6] = [
        UnitKind::City,
        UnitKind::County,
        UnitKind::District,
        UnitKind::Zone,
        UnitKind::Department,
        UnitKind::Outpost,
    ];

    pub fn label(self) -> &'static str {
        match self {
            UnitKind::City => "市本级",
            UnitKind::County => "县",
            UnitKind::District => "区",
            UnitKind::Zone => "开发区",
            UnitKind::Department => "部门",
            UnitKind::Outpost => "驻外",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            UnitKind::City => "city",
            UnitKind::County => "county",
            UnitKind::District => "district",
            UnitKind::Zone => "zone",
            UnitKind::Department => "department",
            UnitKind::Outpost => "outpost",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.label() == value)
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!("“{value}”不是可用的类型（市本级、县、区、开发区、部门、驻外）"),
                )
            })
    }

    /// The scoreboard group a unit of this kind belongs to by default.
    pub fn default_group(self) -> Option<ScoreGroup> {
        match self {
            UnitKind::City => None,
            UnitKind::County | UnitKind::District | UnitKind::Zone => Some(ScoreGroup::Territory),
            UnitKind::Department => Some(ScoreGroup::Department),
            UnitKind::Outpost => Some(ScoreGroup::Outpost),
        }
    }
}

/// The group within which units are ranked on the scoreboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ScoreGroup {
    Territory,
    Department,
    Outpost,
}

impl ScoreGroup {
    pub const ALL: [ScoreGroup; 3] = [
        ScoreGroup::Territory,
        ScoreGroup::Department,
        ScoreGroup::Outpost,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ScoreGroup::Territory => "县区",
            ScoreGroup::Department => "部门",
            ScoreGroup::Outpost => "驻外",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ScoreGroup::Territory => "territory",
            ScoreGroup::Department => "department",
            ScoreGroup::Outpost => "outpost",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.code() == code)
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        Self::ALL
            .into_iter()
            .find(|g| g.label() == value)
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!("“{value}”不是可用的分组（县区、部门、驻外）"),
                )
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub name: String,
    pub kind: UnitKind,
    pub group: Option<ScoreGroup>,
    pub division_code: Option<String>,
    pub parent: Option<String>,
}

impl Unit {
    pub fn new(
        name: &str,
        kind: UnitKind,
        group: Option<ScoreGroup>,
        division_code: Option<String>,
        parent: Option<String>,
    ) -> Result<Self, FieldError> {
        let name = required("单位名称", name)?;
        if name == CITY_TARGET_NAME {
            return Err(FieldError::new("单位名称", "“全市”是全市目标的保留名称"));
        }
        if kind == UnitKind::City && group.is_some() {
            return Err(FieldError::new("分组", "市本级是全市合计，不参加分组排名"));
        }
        if kind != UnitKind::City && group.is_none() && kind.default_group().is_none() {
            return Err(FieldError::new("分组", "不能为空"));
        }
        if let Some(code) = &division_code
            && !(code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(FieldError::new(
                "行政区划代码",
                format!("“{code}”应为6位数字"),
            ));
        }
        if parent.as_deref() == Some(name.as_str()) {
            return Err(FieldError::new("上级单位", "不能是单位自己"));
        }
        Ok(Unit {
            group: group.or(kind.default_group()),
            name,
            kind,
            division_code,
            parent,
        })
    }
}

/// The name that stands for the city itself in target files.
pub const CITY_TARGET_NAME: &str = "全市";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leader {
    pub name: String,
    pub title: Option<String>,
    pub illustrative: bool,
}

impl Leader {
    pub fn new(name: &str, title: Option<String>) -> Result<Self, FieldError> {
        Ok(Leader {
            name: required("姓名", name)?,
            title,
            illustrative: false,
        })
    }
}

/// An industrial chain; its leader (链长) is a city leader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    pub name: String,
    pub industry: Option<String>,
    pub chain_leader: Option<String>,
}

impl Chain {
    pub fn new(
        name: &str,
        industry: Option<String>,
        chain_leader: Option<String>,
    ) -> Result<Self, FieldError> {
        Ok(Chain {
            name: required("产业链名称", name)?,
            industry,
            chain_leader,
        })
    }
}

/// A work team (工作专班), led by a city leader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub name: String,
    pub leader: Option<String>,
}

impl Team {
    pub fn new(name: &str, leader: Option<String>) -> Result<Self, FieldError> {
        Ok(Team {
            name: required("专班名称", name)?,
            leader,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CapitalOrigin {
    Domestic,
    Foreign,
}

impl CapitalOrigin {
    pub fn label(self) -> &'static str {
        match self {
            CapitalOrigin::Domestic => "内资",
            CapitalOrigin::Foreign => "外资",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            CapitalOrigin::Domestic => "domestic",
            CapitalOrigin::Foreign => "foreign",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [CapitalOrigin::Domestic, CapitalOrigin::Foreign]
            .into_iter()
            .find(|c| c.code() == code)
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        match raw.trim() {
            "" | "内资" => Ok(CapitalOrigin::Domestic),
            "外资" => Ok(CapitalOrigin::Foreign),
            other => Err(FieldError::new(
                field,
                format!("“{other}”应为“内资”或“外资”"),
            )),
        }
    }
}

/// An investment project. Its stage is not part of the record: it follows from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub code: String,
    pub name: String,
    pub investor: Option<String>,
    pub investor_code: Option<CreditCode>,
    pub chain: Option<String>,
    /// The unit where the project lands.
    pub territory: String,
    /// The departments and outposts that carry the project as their target.
    pub credited: Vec<String>,
    pub leader: Option<String>,
    pub team: Option<String>,
    pub source_mode: Option<String>,
    pub capital_origin: CapitalOrigin,
    pub currency: Currency,
    pub planned_investment: Option<Money>,
    pub signed_amount: Option<Money>,
    pub key_project: bool,
    pub illustrative: bool,
}

pub const FIELD_PROJECT_CODE: &str = "项目编号";

/// A 项目编号: what people type to find a project, so no spaces and a sane length.
pub fn project_code(raw: &str) -> Result<String, FieldError> {
    let code = required(FIELD_PROJECT_CODE, raw)?;
    if code.chars().count() > 40 || code.chars().any(char::is_whitespace) {
        return Err(FieldError::new(
            FIELD_PROJECT_CODE,
            "不能含空格，最多40个字符",
        ));
    }
    Ok(code)
}

impl Project {
    /// A project with the required parts; the rest is filled in by assigning fields and then
    /// calling [`Project::check`].
    pub fn new(code: &str, name: &str, territory: &str) -> Result<Self, FieldError> {
        Ok(Project {
            code: project_code(code)?,
            name: required("项目名称", name)?,
            territory: required("所在县区", territory)?,
            investor: None,
            investor_code: None,
            chain: None,
            credited: Vec::new(),
            leader: None,
            team: None,
            source_mode: None,
            capital_origin: CapitalOrigin::Domestic,
            currency: Currency::Cny,
            planned_investment: None,
            signed_amount: None,
            key_project: false,
            illustrative: false,
        })
    }

    /// Rules across fields: a credit code needs the investor's name, and a unit is not credited
    /// twice or credited for the project it already holds by territory.
    pub fn check(&self) -> Result<(), FieldError> {
        if self.investor_code.is_some() && self.investor.is_none() {
            return Err(FieldError::new(
                "投资企业",
                "填写了统一社会信用代码时须填写企业名称",
            ));
        }
        for (i, unit) in self.credited.iter().enumerate() {
            if self.credited[..i].contains(unit) {
                return Err(FieldError::new("责任单位", format!("“{unit}”重复")));
            }
        }
        if self.capital_origin == CapitalOrigin::Domestic && self.currency != Currency::Cny {
            return Err(FieldError::new("币种", "内资项目的币种应为人民币"));
        }
        Ok(())
    }

    /// Splits 责任单位 as offices write it: 、 or , or ; between names.
    pub fn split_units(raw: &str) -> Vec<String> {
        raw.split(['、', ',', '，', ';', '；'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// 到位资金: money actually in place for a project on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fund {
    pub project_code: String,
    pub date: NaiveDate,
    pub amount: Money,
    pub currency: Currency,
    pub source: Option<String>,
    pub verified: bool,
    pub verifier: Option<String>,
    pub evidence: Option<String>,
    pub illustrative: bool,
}

impl Fund {
    pub fn new(
        project_code: &str,
        date: NaiveDate,
        amount: Money,
        currency: Currency,
    ) -> Result<Self, FieldError> {
        if !amount.is_positive() {
            return Err(FieldError::new("金额", "到位资金须大于0"));
        }
        if !matches!(currency, Currency::Cny | Currency::Usd) {
            return Err(FieldError::new("币种", "到位资金只能是人民币或美元"));
        }
        Ok(Fund {
            project_code: crate::records::project_code(project_code)?,
            date,
            amount,
            currency,
            source: None,
            verified: false,
            verifier: None,
            evidence: None,
            illustrative: false,
        })
    }
}

/// A visit, call or meeting with an enterprise (对接/走访/洽谈).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub date: NaiveDate,
    /// The unit that made the visit; without one it counts for the city only.
    pub unit: Option<String>,
    pub enterprise: Option<String>,
    pub enterprise_code: Option<CreditCode>,
    pub leaders: Option<String>,
    pub mode: Option<String>,
    pub place: Option<String>,
    pub content: Option<String>,
    pub outcome: Option<String>,
    pub project_code: Option<String>,
    pub illustrative: bool,
    /// The firm's contact person met (接待联系人), one of the firm's contacts by name.
    pub contact: Option<String>,
}

impl Visit {
    pub fn new(date: NaiveDate) -> Self {
        Visit {
            date,
            unit: None,
            enterprise: None,
            enterprise_code: None,
            leaders: None,
            mode: None,
            place: None,
            content: None,
            outcome: None,
            project_code: None,
            illustrative: false,
            contact: None,
        }
    }
}

/// 目标任务: a year's target for a unit (or for the city when `unit` is `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub year: i32,
    pub unit: Option<String>,
    pub indicator: Indicator,
    /// Whole 元 for amounts, US dollars for 实际利用外资, a count otherwise.
    pub value: i64,
}

impl Target {
    pub fn new(
        year: i32,
        unit: Option<String>,
        indicator: Indicator,
        value: i64,
    ) -> Result<Self, FieldError> {
        if !(1990..=2200).contains(&year) {
            return Err(FieldError::new("年度", format!("{year}不是有效年度")));
        }
        if indicator.is_rate() {
            return Err(FieldError::new(
                "指标",
                format!("“{}”是比率，不设目标值", indicator.label()),
            ));
        }
        if value < 0 {
            return Err(FieldError::new("目标值", "不能为负数"));
        }
        Ok(Target {
            year,
            unit,
            indicator,
            value,
        })
    }
}

/// The value lists offices edit, with the entries a new deployment starts with.
pub mod value_lists {
    pub const SOURCE_MODE: &str = "source_mode";
    pub const FUND_SOURCE: &str = "fund_source";
    pub const VISIT_MODE: &str = "visit_mode";
    pub const BLOCKER_CATEGORY: &str = "blocker_category";

    pub const DEFAULTS: [(&str, &str, &[&str]); 4] = [
        (
            SOURCE_MODE,
            "招商方式",
            &[
                "政府团队",
                "小分队",
                "委托",
                "中介",
                "以商招商",
                "亲情",
                "联合",
                "云招商",
            ],
        ),
        (FUND_SOURCE, "资金来源", &["自有", "贷款", "股权", "其他"]),
        (
            VISIT_MODE,
            "对接方式",
            &["上门拜访", "来访", "云洽谈", "云考察", "展会", "推介会"],
        ),
        (
            BLOCKER_CATEGORY,
            "堵点类别",
            &[
                "用地",
                "审批手续",
                "资金融资",
                "水电气暖",
                "基础配套",
                "用工",
                "政策兑现",
                "其他",
            ],
        ),
    ];
}
