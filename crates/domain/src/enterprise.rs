//! The 招商大数据库's firms (issue 6): what the city knows of an enterprise — name, 统一社会信用代码,
//! industry (GB/T 4754-2017), where it is registered, capital, founding date, scale and tags
//! (the flags 世界500强, 中国500强, 上市, 行业龙头 are tags with those names).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{CreditCode, FieldError, Money};

/// The 门类 of GB/T 4754-2017 with the range of their 大类 (two-digit divisions).
const SECTIONS: [(char, u8, u8); 20] = [
    ('A', 1, 5),
    ('B', 6, 12),
    ('C', 13, 43),
    ('D', 44, 46),
    ('E', 47, 50),
    ('F', 51, 52),
    ('G', 53, 60),
    ('H', 61, 62),
    ('I', 63, 65),
    ('J', 66, 69),
    ('K', 70, 70),
    ('L', 71, 72),
    ('M', 73, 75),
    ('N', 76, 79),
    ('O', 80, 82),
    ('P', 83, 83),
    ('Q', 84, 85),
    ('R', 86, 90),
    ('S', 91, 96),
    ('T', 97, 97),
];

/// The names of the 门类, in the order of [`SECTIONS`].
const SECTION_NAMES: [&str; 20] = [
    "农、林、牧、渔业",
    "采矿业",
    "制造业",
    "电力、热力、燃气及水生产和供应业",
    "建筑业",
    "批发和零售业",
    "交通运输、仓储和邮政业",
    "住宿和餐饮业",
    "信息传输、软件和信息技术服务业",
    "金融业",
    "房地产业",
    "租赁和商务服务业",
    "科学研究和技术服务业",
    "水利、环境和公共设施管理业",
    "居民服务、修理和其他服务业",
    "教育",
    "卫生和社会工作",
    "文化、体育和娱乐业",
    "公共管理、社会保障和社会组织",
    "国际组织",
];

/// An industry code of GB/T 4754-2017: a 门类 letter alone (`C`), or with its 大类, 中类 or 小类
/// (`C35`, `C351`, `C3511`). Registry dumps often leave the letter out (`3511`); it is put back
/// from the 大类. The 大类 must lie in its 门类; finer digits are not checked against the table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IndustryCode(String);

impl IndustryCode {
    /// Codes as typed in one box or cell: separated by 、 ， , ; ； or spaces, each kept once.
    pub fn parse_list(field: &str, raw: &str) -> Result<Vec<Self>, FieldError> {
        let mut codes: Vec<Self> = Vec::new();
        for code in Enterprise::split_tags(raw) {
            let code = Self::parse(field, &code)?;
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        Ok(codes)
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim().to_ascii_uppercase();
        let unknown = || {
            FieldError::new(
                field,
                format!(
                    "“{}”不是国民经济行业分类（GB/T 4754-2017）的行业代码",
                    raw.trim()
                ),
            )
        };
        let mut chars = value.chars();
        let (letter, digits) = match chars.next() {
            Some(c) if c.is_ascii_uppercase() => (Some(c), chars.as_str()),
            Some(c) if c.is_ascii_digit() => (None, value.as_str()),
            _ => return Err(unknown()),
        };
        if !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 4 || digits.len() == 1 {
            return Err(unknown());
        }
        if digits.is_empty() {
            return match letter {
                Some(l) if SECTIONS.iter().any(|(s, _, _)| *s == l) => Ok(IndustryCode(l.into())),
                _ => Err(unknown()),
            };
        }
        let division: u8 = digits[..2].parse().map_err(|_| unknown())?;
        let section = SECTIONS
            .iter()
            .find(|(_, from, to)| (*from..=*to).contains(&division))
            .map(|(s, _, _)| *s)
            .ok_or_else(unknown)?;
        if letter.is_some_and(|l| l != section) {
            return Err(unknown());
        }
        Ok(IndustryCode(format!("{section}{digits}")))
    }

    /// The name of its 门类 (制造业 for C3511).
    pub fn section_name(&self) -> &'static str {
        let letter = self.0.chars().next().unwrap_or('C');
        SECTIONS
            .iter()
            .position(|(l, _, _)| *l == letter)
            .map_or("", |i| SECTION_NAMES[i])
    }

    /// The code and each coarser code it lies in: C3511 → C, C35, C351, C3511.
    pub fn levels(&self) -> Vec<&str> {
        (1..=self.0.len())
            .filter(|&n| n != 2)
            .map(|n| &self.0[..n])
            .collect()
    }

    /// Whether this code lies within `other` (C3511 within C35 and within C3511).
    pub fn within(&self, other: &IndustryCode) -> bool {
        self.0.starts_with(&other.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 企业规模 (GB/T 《统计上大中小微型企业划分办法》).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EnterpriseSize {
    Large,
    Medium,
    Small,
    Micro,
}

impl EnterpriseSize {
    pub const ALL: [EnterpriseSize; 4] = [
        EnterpriseSize::Large,
        EnterpriseSize::Medium,
        EnterpriseSize::Small,
        EnterpriseSize::Micro,
    ];

    pub fn label(self) -> &'static str {
        match self {
            EnterpriseSize::Large => "大型",
            EnterpriseSize::Medium => "中型",
            EnterpriseSize::Small => "小型",
            EnterpriseSize::Micro => "微型",
        }
    }

    /// 大型 or 大 (and so on).
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        Self::ALL
            .into_iter()
            .find(|s| s.label() == value || s.label().trim_end_matches('型') == value)
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!("“{value}”不是企业规模（大型、中型、小型、微型）"),
                )
            })
    }
}

/// The tags that are flags the search filters on.
pub const FLAGS: [&str; 4] = ["世界500强", "中国500强", "上市", "行业龙头"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enterprise {
    pub name: String,
    pub credit_code: Option<CreditCode>,
    pub industry: Option<IndustryCode>,
    pub province: Option<String>,
    pub city: Option<String>,
    /// 注册资本, whole 元.
    pub registered_capital: Option<Money>,
    pub founded: Option<NaiveDate>,
    pub size: Option<EnterpriseSize>,
    /// In the order given, each once.
    pub tags: Vec<String>,
    /// 经营范围 as registered.
    pub scope: Option<String>,
    /// 曾用名, 简称 and 主要产品: searched beside the name, each list in the order given.
    pub former_names: Vec<String>,
    pub short_names: Vec<String>,
    pub products: Vec<String>,
}

impl Enterprise {
    /// A firm with its name; the other fields are set by the caller and checked by
    /// [`Enterprise::check`].
    pub fn new(name: &str) -> Result<Self, FieldError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(FieldError::new("企业名称", "不能为空"));
        }
        Ok(Enterprise {
            name: name.to_owned(),
            credit_code: None,
            industry: None,
            province: None,
            city: None,
            registered_capital: None,
            founded: None,
            size: None,
            tags: Vec::new(),
            scope: None,
            former_names: Vec::new(),
            short_names: Vec::new(),
            products: Vec::new(),
        })
    }

    /// A firm cannot have been founded after `today`.
    pub fn check(&self, today: NaiveDate) -> Result<(), FieldError> {
        match self.founded {
            Some(d) if d > today => Err(FieldError::new(
                "成立日期",
                format!("不能晚于今天（{today}）"),
            )),
            _ => Ok(()),
        }
    }

    /// Tags as typed: separated by 、 ， , ; ； or spaces, each kept once.
    pub fn split_tags(raw: &str) -> Vec<String> {
        let mut tags: Vec<String> = Vec::new();
        for tag in raw.split(['、', '，', ',', ';', '；', ' ', '\u{3000}']) {
            let tag = tag.trim();
            if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_owned());
            }
        }
        tags
    }

    pub fn has_flag(&self, flag: &str) -> bool {
        self.tags.iter().any(|t| t == flag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn industry_codes_are_checked_against_the_sections_divisions() {
        let code = |s: &str| IndustryCode::parse("行业代码", s).map(|c| c.0);
        assert_eq!(code("C3511"), Ok("C3511".into()));
        assert_eq!(code("3511"), Ok("C3511".into()), "the letter is put back");
        assert_eq!(code(" c35 "), Ok("C35".into()));
        assert_eq!(code("D4411"), Ok("D4411".into()));
        assert_eq!(code("T97"), Ok("T97".into()));
        assert_eq!(code("A"), Ok("A".into()));
        for bad in ["C4411", "Z11", "98", "00", "C3", "C351122", "三五", "", "U"] {
            assert!(code(bad).is_err(), "{bad}");
        }
        assert_eq!(
            IndustryCode::parse("行业代码", "C4411").map_err(|e| e.message),
            Err("“C4411”不是国民经济行业分类（GB/T 4754-2017）的行业代码".into())
        );
    }

    #[test]
    fn an_enterprise_has_a_name_a_past_founding_and_tags_once() {
        assert!(Enterprise::new(" ").is_err());
        let mut e = Enterprise::new("中国船舶集团有限公司").unwrap_or_else(|_| unreachable!());
        e.founded = NaiveDate::from_ymd_opt(2030, 1, 1);
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
        assert_eq!(e.check(today).map_err(|e| e.field), Err("成立日期".into()));
        e.tags = Enterprise::split_tags("世界500强、央企，世界500强 行业龙头");
        assert_eq!(e.tags, ["世界500强", "央企", "行业龙头"]);
        assert!(e.has_flag("行业龙头") && !e.has_flag("上市"));
        assert_eq!(
            EnterpriseSize::parse("规模", "大"),
            Ok(EnterpriseSize::Large)
        );
        assert!(EnterpriseSize::parse("规模", "巨型").is_err());
    }
}
