//! 谋划包装项目 (issue 23): a project made ready to promote before any investor — what is to be
//! built, how large, over how many years, for how much (投资概算 and its breakdown), where (a
//! parcel, its area in 亩, the park), which resources are matched and which approvals are done
//! — and how mature it is: a score from those by the rule of [`Maturity`], with what is still
//! missing. Its status moves 谋划中 → 已包装 → 推介中 → 已对接; signing makes it a project
//! (已签约) that keeps its link.

use serde::{Deserialize, Serialize};

use crate::{FieldError, Money};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PackagedStatus {
    Planning,
    Packaged,
    Promoting,
    Engaged,
    Signed,
}

impl PackagedStatus {
    pub const ALL: [PackagedStatus; 5] = [
        PackagedStatus::Planning,
        PackagedStatus::Packaged,
        PackagedStatus::Promoting,
        PackagedStatus::Engaged,
        PackagedStatus::Signed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            PackagedStatus::Planning => "谋划中",
            PackagedStatus::Packaged => "已包装",
            PackagedStatus::Promoting => "推介中",
            PackagedStatus::Engaged => "已对接",
            PackagedStatus::Signed => "已签约",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PackagedStatus::Planning => "planning",
            PackagedStatus::Packaged => "packaged",
            PackagedStatus::Promoting => "promoting",
            PackagedStatus::Engaged => "engaged",
            PackagedStatus::Signed => "signed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        crate::text::one_status_of(field, raw, &Self::ALL, Self::label)
    }

    /// Whether a packaged project in this status may be set to `to` by hand: any status before
    /// signing, forward or back (a promotion that comes to nothing returns to 已包装); 已签约 only
    /// by signing, and a signed one no longer moves.
    pub fn may_become(self, to: PackagedStatus) -> Result<(), FieldError> {
        match (self, to) {
            (PackagedStatus::Signed, _) => Err(FieldError::new(
                "状态",
                "已签约的项目已转为正式项目，状态不再变更",
            )),
            (_, PackagedStatus::Signed) => Err(FieldError::new(
                "状态",
                "“已签约”由签约登记产生，不能直接选择",
            )),
            _ => Ok(()),
        }
    }
}

/// The kinds of resources a promoter matches to a project (资源匹配).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ResourceKind {
    RawMaterial,
    Energy,
    Land,
    Logistics,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 4] = [
        ResourceKind::RawMaterial,
        ResourceKind::Energy,
        ResourceKind::Land,
        ResourceKind::Logistics,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::RawMaterial => "原材料",
            ResourceKind::Energy => "能源",
            ResourceKind::Land => "土地",
            ResourceKind::Logistics => "物流",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        crate::text::one_status_of(field, raw, &Self::ALL, Self::label)
    }

    pub fn code(self) -> &'static str {
        match self {
            ResourceKind::RawMaterial => "raw",
            ResourceKind::Energy => "energy",
            ResourceKind::Land => "land",
            ResourceKind::Logistics => "logistics",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// An area in 亩, kept exact in hundredths (两位小数).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Mu(i64);

impl Mu {
    /// The largest area taken: 100万亩, beyond any one industrial park.
    const MAX_HUNDREDTHS: i64 = 100_000_000;

    pub fn from_hundredths(field: &str, hundredths: i64) -> Result<Self, FieldError> {
        if !(1..=Self::MAX_HUNDREDTHS).contains(&hundredths) {
            return Err(FieldError::new(field, "应大于0，不超过100万亩"));
        }
        Ok(Mu(hundredths))
    }

    /// `120`, `120.5`, `120.25` (亩); commas and a trailing 亩 are allowed.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let text: String = raw
            .trim()
            .trim_end_matches('亩')
            .chars()
            .filter(|c| *c != ',' && *c != '，')
            .collect();
        let bad = || {
            FieldError::new(
                field,
                format!("“{}”不是面积（亩，最多两位小数）", raw.trim()),
            )
        };
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        if whole.is_empty()
            || whole.len() > 7
            || fraction.len() > 2
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !fraction.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
        Mu::from_hundredths(field, whole * 100 + fraction)
    }

    pub fn hundredths(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for Mu {
    /// `120`, `120.5`, `120.25`: no trailing zeros.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (whole, fraction) = (self.0 / 100, self.0 % 100);
        match fraction {
            0 => write!(f, "{whole}"),
            n if n % 10 == 0 => write!(f, "{whole}.{}", n / 10),
            n => write!(f, "{whole}.{n:02}"),
        }
    }
}

/// One line of the 投资概算's breakdown (土建工程, 设备购置, 流动资金…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimateItem {
    pub item: String,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackagedProject {
    /// 项目库编号, the key files and pages use.
    pub code: String,
    pub name: String,
    /// 建设内容.
    pub content: Option<String>,
    /// 建设规模.
    pub scale: Option<String>,
    /// 建设年限, in years.
    pub years: Option<u32>,
    /// 投资概算.
    pub estimate: Option<Money>,
    pub breakdown: Vec<EstimateItem>,
    /// 选址: the parcel, its area, the park.
    pub parcel: Option<String>,
    pub area: Option<Mu>,
    pub park: Option<String>,
    /// 资源匹配: what is matched, by kind.
    pub resources: Vec<(ResourceKind, String)>,
    /// 前期手续 already done (立项, 用地预审…).
    pub approvals: Vec<String>,
    pub chain: Option<String>,
    /// The chain's link (环节) it fills.
    pub segment: Option<String>,
    /// The unit that owns it.
    pub unit: String,
    /// 链长: the leader who owns it for the chain.
    pub chain_leader: Option<String>,
    /// The firms it was tailored for (量身定制), by credit code or exact name.
    pub targets: Vec<String>,
    /// Shown on the public portal.
    pub public: bool,
    pub status: PackagedStatus,
}

/// 建设内容 shorter than this says too little to promote.
const CONTENT_MIN_CHARS: usize = 20;
/// The longest 建设年限 taken.
const MAX_YEARS: u32 = 10;

impl PackagedProject {
    pub fn new(code: &str, name: &str, unit: &str) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = crate::error::keep(&mut errors, crate::text::required("项目库编号", code));
        let name = crate::error::keep(&mut errors, crate::text::required("项目名称", name));
        let unit = crate::error::keep(&mut errors, crate::text::required("责任单位", unit));
        match (code, name, unit) {
            (Some(code), Some(name), Some(unit)) => Ok(PackagedProject {
                code,
                name,
                content: None,
                scale: None,
                years: None,
                estimate: None,
                breakdown: Vec::new(),
                parcel: None,
                area: None,
                park: None,
                resources: Vec::new(),
                approvals: Vec::new(),
                chain: None,
                segment: None,
                unit,
                chain_leader: None,
                targets: Vec::new(),
                public: false,
                status: PackagedStatus::Planning,
            }),
            _ => Err(errors),
        }
    }

    /// Every rule a packaged project keeps, each broken one named: 建设年限 1–10; the estimate
    /// and each line of its breakdown positive, the lines adding up to the estimate exactly; a
    /// link only with its chain.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(years) = self.years
            && !(1..=MAX_YEARS).contains(&years)
        {
            errors.push(FieldError::new("建设年限", format!("应为1至{MAX_YEARS}年")));
        }
        if let Some(estimate) = self.estimate
            && !estimate.is_positive()
        {
            errors.push(FieldError::new("投资概算", "须大于0"));
        }
        for line in &self.breakdown {
            if line.item.trim().is_empty() {
                errors.push(FieldError::new("概算构成", "每一项须写明名称"));
            }
            if !line.amount.is_positive() {
                errors.push(FieldError::new(
                    "概算构成",
                    format!("“{}”的金额须大于0", line.item),
                ));
            }
        }
        if !self.breakdown.is_empty() {
            let sum: i128 = self
                .breakdown
                .iter()
                .map(|l| i128::from(l.amount.units()))
                .sum();
            match self.estimate {
                None => errors.push(FieldError::new("投资概算", "填写概算构成时须填写投资概算")),
                Some(estimate) if sum != i128::from(estimate.units()) => {
                    errors.push(FieldError::new(
                        "概算构成",
                        format!(
                            "各项合计{}万元，与投资概算{}万元不符",
                            wan(sum),
                            crate::money::format_wan(estimate)
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        if self.segment.is_some() && self.chain.is_none() {
            errors.push(FieldError::new("产业链环节", "须同时填写产业链"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    pub fn maturity(&self) -> Maturity {
        let filled = |text: &Option<String>| text.as_deref().is_some_and(|t| !t.trim().is_empty());
        let kinds: std::collections::BTreeSet<ResourceKind> =
            self.resources.iter().map(|(kind, _)| *kind).collect();
        let criteria = vec![
            Criterion::new(
                "建设内容",
                15,
                self.content
                    .as_deref()
                    .is_some_and(|c| c.trim().chars().count() >= CONTENT_MIN_CHARS),
                "写明建设内容（不少于20字：建什么、用什么工艺、产出什么）",
            ),
            Criterion::new(
                "建设规模",
                10,
                filled(&self.scale),
                "写明建设规模（产能、建筑面积等）",
            ),
            Criterion::new("建设年限", 5, self.years.is_some(), "写明建设年限"),
            Criterion::new("投资概算", 15, self.estimate.is_some(), "测算投资概算"),
            Criterion::new(
                "概算构成",
                10,
                !self.breakdown.is_empty() && self.estimate.is_some(),
                "列出投资概算构成（土建、设备、流动资金等，合计等于概算）",
            ),
            Criterion::new(
                "项目选址",
                15,
                (filled(&self.parcel) || filled(&self.park)) && self.area.is_some(),
                "确定选址：地块或园区，以及用地面积（亩）",
            ),
            Criterion::new(
                "资源匹配",
                15,
                kinds.len() >= 3,
                "匹配原材料、能源、土地、物流中至少三类资源",
            ),
            Criterion::new(
                "前期手续",
                10,
                !self.approvals.is_empty(),
                "办理至少一项前期手续（立项、用地预审等）",
            ),
            Criterion::new(
                "量身定制",
                5,
                !self.targets.is_empty(),
                "选定量身定制的目标企业",
            ),
        ];
        Maturity { criteria }
    }
}

fn wan(units: i128) -> String {
    i64::try_from(units)
        .ok()
        .and_then(|u| Money::from_units("金额", u).ok())
        .map_or_else(|| units.to_string(), crate::money::format_wan)
}

/// One criterion of maturity: its weight in points, whether it is met, and what meeting it takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    pub label: &'static str,
    pub weight: u32,
    pub met: bool,
    pub hint: &'static str,
}

impl Criterion {
    fn new(label: &'static str, weight: u32, met: bool, hint: &'static str) -> Self {
        Criterion {
            label,
            weight,
            met,
            hint,
        }
    }
}

/// 成熟度: the points of the criteria met, out of 100. The first six criteria (content, scale,
/// years, estimate and its breakdown, site: 70 points) are what a 项目建议书 states; a project
/// with all of them and 80 points or more has reached that depth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Maturity {
    pub criteria: Vec<Criterion>,
}

impl Maturity {
    pub fn score(&self) -> u32 {
        self.criteria
            .iter()
            .filter(|c| c.met)
            .map(|c| c.weight)
            .sum()
    }

    pub fn missing(&self) -> Vec<&Criterion> {
        self.criteria.iter().filter(|c| !c.met).collect()
    }

    pub fn level(&self) -> &'static str {
        let proposal = self.criteria.iter().take(6).all(|c| c.met);
        match self.score() {
            s if s >= 80 && proposal => "达到项目建议书深度",
            s if s >= 50 => "基本成型",
            _ => "初步谋划",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wan(n: i64) -> Money {
        Money::from_units("金额", n * 10_000).unwrap_or_default()
    }

    fn full() -> PackagedProject {
        let mut p = PackagedProject::new("BZ-2022-001", "石墨负极材料项目", "宝清县")
            .unwrap_or_else(|_| unreachable!());
        p.content =
            Some("建设天然石墨球形化、提纯及负极材料生产线，配套研发中心与仓储物流设施".into());
        p.scale = Some("年产5万吨负极材料".into());
        p.years = Some(2);
        p.estimate = Some(wan(100_000));
        p.breakdown = vec![
            EstimateItem {
                item: "土建工程".into(),
                amount: wan(30_000),
            },
            EstimateItem {
                item: "设备购置".into(),
                amount: wan(60_000),
            },
            EstimateItem {
                item: "流动资金".into(),
                amount: wan(10_000),
            },
        ];
        p.park = Some("宝清经济开发区".into());
        p.area = Mu::parse("面积", "300").ok();
        p.resources = vec![
            (ResourceKind::RawMaterial, "宝清石墨矿".into()),
            (ResourceKind::Energy, "园区110千伏变电站".into()),
            (ResourceKind::Land, "已收储工业用地".into()),
        ];
        p.approvals = vec!["立项备案".into()];
        p.targets = vec!["贝特瑞新材料集团股份有限公司".into()];
        p
    }

    #[test]
    fn a_project_stated_as_a_proposal_is_mature_and_each_gap_costs_its_weight() {
        let p = full();
        assert_eq!(p.check(), Ok(()));
        let m = p.maturity();
        assert_eq!(m.score(), 100);
        assert_eq!(m.level(), "达到项目建议书深度");
        assert!(m.missing().is_empty());
        assert_eq!(m.criteria.iter().map(|c| c.weight).sum::<u32>(), 100);

        let mut thin = p.clone();
        thin.targets.clear();
        thin.approvals.clear();
        thin.resources.truncate(2);
        let m = thin.maturity();
        assert_eq!(m.score(), 70, "the proposal's six alone");
        assert_eq!(m.level(), "基本成型");
        let missing: Vec<&str> = m.missing().iter().map(|c| c.label).collect();
        assert_eq!(missing, ["资源匹配", "前期手续", "量身定制"]);

        let mut no_site = p.clone();
        no_site.area = None;
        assert_eq!(no_site.maturity().score(), 85);
        assert_eq!(
            no_site.maturity().level(),
            "基本成型",
            "a proposal names its site"
        );

        let bare =
            PackagedProject::new("BZ-1", "某项目", "集贤县").unwrap_or_else(|_| unreachable!());
        assert_eq!(bare.maturity().score(), 0);
        assert_eq!(bare.maturity().level(), "初步谋划");
        let mut short = bare.clone();
        short.content = Some("建设石墨项目".into());
        assert_eq!(short.maturity().score(), 0, "six characters say too little");
    }

    #[test]
    fn the_breakdown_adds_up_to_the_estimate_and_years_are_bounded() {
        let mut p = full();
        p.breakdown[2].amount = wan(9_999);
        let errors = p.check().unwrap_err();
        assert_eq!(errors[0].field, "概算构成");
        assert!(
            errors[0]
                .message
                .contains("各项合计99,999.00万元，与投资概算100,000.00万元不符"),
            "{}",
            errors[0].message
        );
        p.breakdown[2].amount = wan(10_000);
        p.years = Some(11);
        p.segment = Some("负极材料".into());
        let fields: Vec<String> = p
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["建设年限", "产业链环节"]);
        let mut no_estimate = full();
        no_estimate.estimate = None;
        assert_eq!(no_estimate.check().unwrap_err()[0].field, "投资概算");
    }

    #[test]
    fn areas_are_exact_to_a_hundredth_of_a_mu() {
        assert_eq!(Mu::parse("面积", "120").map(|m| m.hundredths()), Ok(12_000));
        assert_eq!(
            Mu::parse("面积", "1,120.5亩").map(|m| m.to_string()),
            Ok("1120.5".into())
        );
        assert_eq!(
            Mu::parse("面积", "0.25").map(|m| m.to_string()),
            Ok("0.25".into())
        );
        for bad in ["", "0", "-3", "1.234", "abc", "10000001", "1e3"] {
            assert!(Mu::parse("面积", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_status_moves_by_hand_until_signing_which_is_its_own_act() {
        use PackagedStatus::*;
        assert!(Planning.may_become(Promoting).is_ok());
        assert!(
            Engaged.may_become(Packaged).is_ok(),
            "back when a promotion fails"
        );
        assert!(Engaged.may_become(Signed).is_err());
        assert!(Signed.may_become(Packaged).is_err());
        assert_eq!(PackagedStatus::parse("状态", "推介中"), Ok(Promoting));
        assert_eq!(PackagedStatus::from_code("engaged"), Some(Engaged));
    }
}
