//! The 招商要素表 (issue 23.3): the investment factors a promoter quotes — land, power, water, gas
//! and steam, wages, logistics, resources — each with its unit, source and dates of validity.
//! A factor keeps every value it has had: a new value starts on a day and closes the one before,
//! so that a 推介书 printed or a quote given on a day can be read back as it was.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::text::required;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FactorCategory {
    Land,
    Power,
    Water,
    Gas,
    Steam,
    Wages,
    Logistics,
    Resources,
    Other,
}

impl FactorCategory {
    pub const ALL: [FactorCategory; 9] = [
        FactorCategory::Land,
        FactorCategory::Power,
        FactorCategory::Water,
        FactorCategory::Gas,
        FactorCategory::Steam,
        FactorCategory::Wages,
        FactorCategory::Logistics,
        FactorCategory::Resources,
        FactorCategory::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FactorCategory::Land => "land",
            FactorCategory::Power => "power",
            FactorCategory::Water => "water",
            FactorCategory::Gas => "gas",
            FactorCategory::Steam => "steam",
            FactorCategory::Wages => "wages",
            FactorCategory::Logistics => "logistics",
            FactorCategory::Resources => "resources",
            FactorCategory::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FactorCategory::Land => "土地",
            FactorCategory::Power => "电力",
            FactorCategory::Water => "用水",
            FactorCategory::Gas => "天然气",
            FactorCategory::Steam => "蒸汽",
            FactorCategory::Wages => "用工",
            FactorCategory::Logistics => "物流",
            FactorCategory::Resources => "资源",
            FactorCategory::Other => "其他",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.label() == raw || c.code() == raw)
            .or(match raw {
                "用地" | "土地价格" => Some(FactorCategory::Land),
                "电价" | "用电" => Some(FactorCategory::Power),
                "水价" => Some(FactorCategory::Water),
                "气价" | "燃气" => Some(FactorCategory::Gas),
                "工资" | "人工" => Some(FactorCategory::Wages),
                "运输" => Some(FactorCategory::Logistics),
                "矿产" => Some(FactorCategory::Resources),
                _ => None,
            })
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|c| c.label()).collect();
                FieldError::new(field, format!("“{raw}”不是要素类别（{}）", all.join("、")))
            })
    }
}

/// A factor: what is quoted, in which category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factor {
    /// 要素编号, e.g. TD-01.
    pub code: String,
    pub category: FactorCategory,
    /// What is quoted: 工业用地出让价格（双鸭山经济开发区）.
    pub item: String,
}

impl Factor {
    pub fn new(code: &str, category: FactorCategory, item: &str) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = crate::error::keep(&mut errors, required("要素编号", code));
        let item = crate::error::keep(&mut errors, required("要素名称", item));
        match (code, item) {
            (Some(code), Some(item)) => Ok(Factor {
                code,
                category,
                item,
            }),
            _ => Err(errors),
        }
    }
}

/// One value of a factor, valid from a day until the next value starts (or `valid_to`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorValue {
    /// As quoted: `0.5488`, `18–22`, `约1.2亿吨`. A figure a promoter reads out, not one the
    /// system adds up, so it is kept as written.
    pub value: String,
    /// 元/千瓦时, 万元/亩, 元/月.
    pub unit: String,
    /// Where it comes from: 省发改委电价文件, 开发区管委会.
    pub source: String,
    pub valid_from: NaiveDate,
    /// The last day it holds; `None` until a later value or an end closes it.
    pub valid_to: Option<NaiveDate>,
    pub note: Option<String>,
}

impl FactorValue {
    pub fn new(
        value: &str,
        unit: &str,
        source: &str,
        valid_from: NaiveDate,
        valid_to: Option<NaiveDate>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let value = crate::error::keep(&mut errors, required("数值", value));
        let unit = crate::error::keep(&mut errors, required("单位", unit));
        let source = crate::error::keep(&mut errors, required("来源", source));
        if valid_to.is_some_and(|to| to < valid_from) {
            errors.push(FieldError::new("有效期至", "不能早于生效日期"));
        }
        match (value, unit, source) {
            (Some(value), Some(unit), Some(source)) if errors.is_empty() => Ok(FactorValue {
                value,
                unit,
                source,
                valid_from,
                valid_to,
                note: None,
            }),
            _ => Err(errors),
        }
    }

    pub fn holds_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }

    /// 2022-01-01 起 / 2022-01-01 至 2022-06-30.
    pub fn validity(&self) -> String {
        match self.valid_to {
            None => format!("{} 起", self.valid_from),
            Some(to) => format!("{} 至 {to}", self.valid_from),
        }
    }
}

/// The value of a factor on `day`: the one whose validity holds it. `versions` in any order.
pub fn value_on(versions: &[FactorValue], day: NaiveDate) -> Option<&FactorValue> {
    versions
        .iter()
        .filter(|v| v.holds_on(day))
        .max_by_key(|v| v.valid_from)
}

/// `versions` (oldest first) with `new` added: a new value starts after the latest one began
/// and closes it the day before, so that no two values hold on one day and the old one is
/// kept with its dates. Back-dating before the latest start is refused: it would rewrite what
/// was quoted.
pub fn with_new_value(
    versions: &[FactorValue],
    new: FactorValue,
) -> Result<Vec<FactorValue>, FieldError> {
    let mut out = versions.to_vec();
    out.sort_by_key(|v| v.valid_from);
    if let Some(last) = out.last_mut() {
        if new.valid_from <= last.valid_from {
            return Err(FieldError::new(
                "生效日期",
                format!(
                    "应晚于现行数值的生效日期（{}）；更早的数值不能补录到历史中间",
                    last.valid_from
                ),
            ));
        }
        let day_before = new.valid_from.pred_opt().unwrap_or(new.valid_from);
        last.valid_to = Some(last.valid_to.map_or(day_before, |to| to.min(day_before)));
    }
    out.push(new);
    Ok(out)
}
