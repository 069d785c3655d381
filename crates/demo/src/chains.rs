//! The demo's chain maps: the links of each of the eight chains, and illustrative firms of the
//! 招商大数据库 — local ones placed in their links (some as 链主), target ones outside the city —
//! so that the maps show gaps, thin links and recommendations. The firms are invented.

use domain::CreditCode;
use domain::chains::Position;
use domain::enterprise::{Enterprise, EnterpriseSize, IndustryCode};

use Position::{Downstream, Midstream, Support, Upstream};

/// (chain, link, position, GB/T 4754 codes).
pub const SEGMENTS: [(&str, &str, Position, &[&str]); 38] = [
    ("煤炭精深加工产业链", "煤炭开采洗选", Upstream, &["B0610"]),
    ("煤炭精深加工产业链", "煤焦化", Midstream, &["C2520"]),
    ("煤炭精深加工产业链", "煤制甲醇", Midstream, &["C2614"]),
    ("煤炭精深加工产业链", "煤基新材料", Downstream, &["C2651"]),
    ("煤炭精深加工产业链", "环保处理", Support, &["N7722"]),
    ("钢铁产业链", "铁矿采选", Upstream, &["B0810"]),
    ("钢铁产业链", "钢铁冶炼", Midstream, &["C3110"]),
    ("钢铁产业链", "钢材压延", Midstream, &["C3130"]),
    ("钢铁产业链", "铸件与装备", Downstream, &["C3391"]),
    ("钢铁产业链", "钢渣综合利用", Support, &["C4220"]),
    ("石墨产业链", "石墨采选", Upstream, &["B1091"]),
    ("石墨产业链", "球形石墨", Midstream, &["C3091"]),
    ("石墨产业链", "负极材料", Midstream, &["C3099"]),
    ("石墨产业链", "锂离子电池", Downstream, &["C3841"]),
    ("石墨产业链", "检验检测", Support, &["M7452"]),
    ("玄武岩纤维产业链", "玄武岩矿石", Upstream, &["B1019"]),
    ("玄武岩纤维产业链", "连续纤维拉丝", Midstream, &["C3061"]),
    ("玄武岩纤维产业链", "复合材料制品", Downstream, &["C3062"]),
    ("玄武岩纤维产业链", "窑炉装备", Support, &["C3511"]),
    (
        "清洁能源装备及新能源产业链",
        "钢材原料",
        Upstream,
        &["C3130"],
    ),
    (
        "清洁能源装备及新能源产业链",
        "风电装备",
        Midstream,
        &["C3415"],
    ),
    (
        "清洁能源装备及新能源产业链",
        "光伏组件",
        Midstream,
        &["C3825"],
    ),
    (
        "清洁能源装备及新能源产业链",
        "风力发电",
        Downstream,
        &["D4415"],
    ),
    (
        "清洁能源装备及新能源产业链",
        "光伏发电",
        Downstream,
        &["D4416"],
    ),
    ("清洁能源装备及新能源产业链", "储能", Support, &["C3841"]),
    ("玉米精深加工产业链", "玉米种植", Upstream, &["A0113"]),
    ("玉米精深加工产业链", "玉米淀粉", Midstream, &["C1391"]),
    ("玉米精深加工产业链", "燃料乙醇", Downstream, &["C2619"]),
    ("玉米精深加工产业链", "饲料", Support, &["C1329"]),
    ("绿色食品产业链", "粮食种植", Upstream, &["A0111"]),
    ("绿色食品产业链", "粮油加工", Midstream, &["C1310"]),
    ("绿色食品产业链", "方便食品", Downstream, &["C1431"]),
    ("绿色食品产业链", "冷链物流", Support, &["G5960"]),
    ("生物质能源产业链", "秸秆收储", Upstream, &["A0519"]),
    ("生物质能源产业链", "成型燃料", Midstream, &["C4220"]),
    ("生物质能源产业链", "生物质发电", Downstream, &["D4417"]),
    ("生物质能源产业链", "生物质锅炉", Support, &["C3411"]),
    ("生物质能源产业链", "灰渣利用", Support, &["C3029"]),
];

/// (name, industry, province, city, size, tags, placed: (chain, link, local, 链主)).
type FirmRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    EnterpriseSize,
    &'static str,
    &'static [(&'static str, &'static str, bool, bool)],
);

const FIRMS: [FirmRow; 31] = [
    (
        "双鸭山龙煤矿业集团有限公司",
        "B0610",
        "黑龙江省",
        "双鸭山市",
        EnterpriseSize::Large,
        "行业龙头",
        &[("煤炭精深加工产业链", "煤炭开采洗选", true, true)],
    ),
    (
        "集贤县天泰焦化有限公司",
        "C2520",
        "黑龙江省",
        "双鸭山市",
        EnterpriseSize::Medium,
        "",
        &[("煤炭精深加工产业链", "煤焦化", true, false)],
    ),
    (
        "宝清县新润煤化工有限公司",
        "C2520",
        "黑龙江省",
        "双鸭山市",
        EnterpriseSize::Medium,
        "",
        &[("煤炭精深加工产业链", "煤焦化", true, false)],
    ),
    (
        "友谊县恒泰甲醇有限公司",
        "C2614",
        "黑龙江省",
        "双鸭山市",
        EnterpriseSize::Small,
        "",
        &[("煤炭精深加工产业链", "煤制甲醇", true, false)],
    ),
    (
        "北京中化新材科技股份有限公司",
        "C2651",
        "北京市",
        "北京市",
        EnterpriseSize::Large,
        "上市",
        &[("煤炭精深加工产业链", "煤基新材料", false, false)],
    ),
    (
        "建龙北满特殊钢有限责任公司",
        "C3110",
        "黑龙江省",
        "双鸭山市",
        EnterpriseSize::Large,
        "中国500强、行业龙头",
        &[("钢铁产业链", "钢铁冶炼", true, true)],
    ),
    (
        "双鸭山宝山铁矿有限公司",
        "B0810",
        "黑龙江省",
        "双鸭山市",
        EnterpriseSize::Medium,
        "",
        &[("钢铁产业链", "铁矿采选", true, false)],
    ),
    (
        "岭东区恒达钢材加工有限公司",
        "C3130",
        "黑龙江省",
        "双鸭山市",
        EnterpriseSize::Small,
        "",
        &[("钢铁产业链", "钢材压延", true, false)],
    ),
    (
        "江苏沙钢集团有限公司",
        "C3110",
        "江苏省",
        "苏州市",
        EnterpriseSize::Large,
        "世界500强",
        &[("钢铁产业链", "钢材压延", false, false)],
    ),
    (
        "共享铸钢有限公司",
        "C3391",
        "宁夏回族自治区",
        "银川市",
        EnterpriseSize::Large,
        "行业龙头",
        &[("钢铁产业链", "铸件与装备", false, false)],
    ),
    (
        "宝清县石墨矿业有限公司",
        "B1091",
        "黑龙江省",
        "双鸭山市",
        EnterpriseSize::Medium,
        "",
        &[("石墨产业链", "石墨采选", true, false)],
    ),
    (
        "双鸭山龙江石墨新材料有限公司",
        "C3091",
        "黑龙江省",
        "双鸭山市",
        EnterpriseSize::Medium,
        "行业龙头",
        &[("石墨产业链", "球形石墨", true, true)],
    ),
    (
        "青岛洛唯新材料有限公司",
        "C3091",
        "山东省",
        "青岛市",
        EnterpriseSize::Medium,
        "",
        &[("石墨产业链", "球形石墨", true, false)],
    ),
    (
        "浙江碳一新能源有限公司",
        "C3099",
        "浙江省",
        "湖州市",
        EnterpriseSize::Large,
        "",
        &[("石墨产业链", "负极材料", false, false)],
    ),
    (
        "贝特瑞新材料集团股份有限公司",
        "C3099",
        "广东省",
        "深圳市",
        EnterpriseSize::Large,
        "上市、行业龙头",
        &[("石墨产业链", "负极材料", false, false)],
    ),
    (
        "上海杉杉科技有限公司",
        "C3099",
        "上海市",
        "上海市",
        EnterpriseSize::Large,
        "上市",
        &[],
    ),
    (
        "宁德时代新能源科技股份有限公司",
        "C3841",
        "福建省",
        "宁德市",
        EnterpriseSize::Large,
        "世界500强、上市、行业龙头",
        &[("石墨产业链", "锂离子电池", false, false)],
    ),
    (
        "四川航天拓新玄武岩实业有限公司",
        "C3061",
        "四川省",
        "成都市",
        EnterpriseSize::Large,
        "行业龙头",
        &[("玄武岩纤维产业链", "连续纤维拉丝", true, true)],
    ),
    (
        "双鸭山玄武岩矿业有限公司",
        "B1019",
        "黑龙江省",
        "双鸭山市",
        EnterpriseSize::Small,
        "",
        &[("玄武岩纤维产业链", "玄武岩矿石", true, false)],
    ),
    (
        "浙江石金玄武岩纤维股份有限公司",
        "C3062",
        "浙江省",
        "杭州市",
        EnterpriseSize::Medium,
        "",
        &[("玄武岩纤维产业链", "复合材料制品", false, false)],
    ),
    (
        "中国船舶集团有限公司",
        "C3731",
        "上海市",
        "上海市",
        EnterpriseSize::Large,
        "世界500强",
        &[],
    ),
    (
        "中国船舶集团风电发展有限公司",
        "C3415",
        "北京市",
        "北京市",
        EnterpriseSize::Large,
        "世界500强、行业龙头",
        &[("清洁能源装备及新能源产业链", "风电装备", true, true)],
    ),
    (
        "集贤县中船风力发电有限公司",
        "D4415",
        "黑龙江省",
        "双鸭山市",
        EnterpriseSize::Medium,
        "",
        &[("清洁能源装备及新能源产业链", "风力发电", true, false)],
    ),
    (
        "双鸭山风光新能源有限公司",
        "D4416",
        "黑龙江省",
        "双鸭山市",
        EnterpriseSize::Small,
        "",
        &[("清洁能源装备及新能源产业链", "光伏发电", true, false)],
    ),
    (
        "隆基绿能科技股份有限公司",
        "C3825",
        "陕西省",
        "西安市",
        EnterpriseSize::Large,
        "中国500强、上市、行业龙头",
        &[("清洁能源装备及新能源产业链", "光伏组件", false, false)],
    ),
    (
        "万里润达生物科技有限公司",
        "C1391",
        "黑龙江省",
        "双鸭山市",
        EnterpriseSize::Medium,
        "",
        &[("玉米精深加工产业链", "玉米淀粉", true, true)],
    ),
    (
        "四川鸿展生物能源有限公司",
        "C2619",
        "四川省",
        "成都市",
        EnterpriseSize::Medium,
        "",
        &[("玉米精深加工产业链", "燃料乙醇", false, false)],
    ),
    (
        "北大荒粮食集团有限公司",
        "C1310",
        "黑龙江省",
        "哈尔滨市",
        EnterpriseSize::Large,
        "中国500强、行业龙头",
        &[("绿色食品产业链", "粮油加工", true, true)],
    ),
    (
        "宝清县绿源米业有限公司",
        "C1310",
        "黑龙江省",
        "双鸭山市",
        EnterpriseSize::Small,
        "",
        &[("绿色食品产业链", "粮油加工", true, false)],
    ),
    (
        "中船七〇三所生物质能源有限公司",
        "C4220",
        "黑龙江省",
        "哈尔滨市",
        EnterpriseSize::Medium,
        "",
        &[("生物质能源产业链", "成型燃料", true, true)],
    ),
    (
        "鸿展热电联产有限公司",
        "D4417",
        "黑龙江省",
        "双鸭山市",
        EnterpriseSize::Medium,
        "",
        &[("生物质能源产业链", "生物质发电", true, false)],
    ),
];

/// Firms' 主要产品, as a 画像 lists them (the search finds firms by them).
pub const PRODUCTS: &[(&str, &str)] = &[
    ("宝清县石墨矿业有限公司", "天然鳞片石墨、石墨精矿"),
    ("双鸭山龙江石墨新材料有限公司", "球形石墨、高纯石墨"),
    ("青岛洛唯新材料有限公司", "球形石墨、石墨精深加工产品"),
    ("浙江碳一新能源有限公司", "天然石墨负极材料"),
    ("贝特瑞新材料集团股份有限公司", "锂电池负极材料、正极材料"),
    ("上海杉杉科技有限公司", "人造石墨负极材料"),
    ("中国船舶集团有限公司", "船舶、海洋工程装备、风电装备"),
    ("中国船舶集团风电发展有限公司", "风电机组、风电场开发"),
    ("集贤县中船风力发电有限公司", "风力发电"),
    ("双鸭山风光新能源有限公司", "风电、光伏发电"),
    ("隆基绿能科技股份有限公司", "单晶硅片、光伏组件"),
    ("中船七〇三所生物质能源有限公司", "生物质成型燃料"),
    ("鸿展热电联产有限公司", "生物质热电联产"),
    ("万里润达生物科技有限公司", "燃料乙醇、玉米深加工产品"),
];

/// The groups the demo's firms belong to: (firm, its parent). The 703所 is named by its
/// project alone (no credit code), as the seed names it.
pub const GROUPS: &[(&str, &str)] = &[
    ("中国船舶集团风电发展有限公司", "中国船舶集团有限公司"),
    ("中国船舶集团有限公司第七〇三研究所", "中国船舶集团有限公司"),
    (
        "中船七〇三所生物质能源有限公司",
        "中国船舶集团有限公司第七〇三研究所",
    ),
    ("集贤县中船风力发电有限公司", "中国船舶集团风电发展有限公司"),
];

/// Contact persons of demo firms (firm, name, title), illustrative.
pub const CONTACTS: &[(&str, &str, &str)] = &[
    (
        "中国船舶集团风电发展有限公司",
        "王经理（示例）",
        "项目开发部经理",
    ),
    ("中国船舶集团风电发展有限公司", "李总（示例）", "副总经理"),
    ("浙江碳一新能源有限公司", "陈总（示例）", "董事长"),
    ("青岛洛唯新材料有限公司", "刘经理（示例）", "投资部经理"),
];

/// A demo firm and the links it is placed in: (chain, link, local, 链主).
pub struct DemoFirm {
    pub firm: Enterprise,
    pub placed: Vec<(&'static str, &'static str, bool, bool)>,
}

/// The demo's firms, each with a credit code made for it (division of its city, `MA` and a
/// serial), in the order of [`FIRMS`].
pub fn firms() -> Vec<DemoFirm> {
    FIRMS
        .iter()
        .enumerate()
        .filter_map(
            |(i, (name, industry, province, city, size, tags, placed))| {
                let mut firm = Enterprise::new(name).ok()?;
                firm.credit_code = CreditCode::with_check_char(&format!("91230500MA1D{i:05}"));
                firm.industry = IndustryCode::parse("行业代码", industry).ok();
                firm.province = Some((*province).to_owned());
                firm.city = Some((*city).to_owned());
                firm.size = Some(*size);
                firm.tags = Enterprise::split_tags(tags);
                firm.products = PRODUCTS
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, p)| Enterprise::split_tags(p))
                    .unwrap_or_default();
                firm.scope = Some(format!(
                    "示例企业：{}",
                    firm.industry.as_ref().map_or("", |c| c.section_name())
                ));
                Some(DemoFirm {
                    firm,
                    placed: placed.to_vec(),
                })
            },
        )
        .collect()
}

/// The seed's projects and the links they fill: (the project's name, chain, link).
pub const PROJECT_LINKS: [(&str, &str, &str); 10] = [
    (
        "中船集团清洁能源装备制造基地项目",
        "清洁能源装备及新能源产业链",
        "风电装备",
    ),
    (
        "中船集团风光发电项目",
        "清洁能源装备及新能源产业链",
        "光伏发电",
    ),
    (
        "集贤200兆瓦风力发电项目",
        "清洁能源装备及新能源产业链",
        "风力发电",
    ),
    ("中船703所生物质能源项目", "生物质能源产业链", "成型燃料"),
    (
        "四川航天拓新玄武岩精深加工项目",
        "玄武岩纤维产业链",
        "连续纤维拉丝",
    ),
    ("青岛洛唯石墨精深加工项目", "石墨产业链", "球形石墨"),
    ("鸿展热电联产项目", "生物质能源产业链", "生物质发电"),
    (
        "浙江碳一10万吨天然石墨高端负极材料项目",
        "石墨产业链",
        "负极材料",
    ),
    ("建龙钢铁500万吨产能提升项目", "钢铁产业链", "钢铁冶炼"),
    (
        "万里润达30万吨燃料乙醇项目",
        "玉米精深加工产业链",
        "燃料乙醇",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_firm_and_link_is_valid_and_placed_in_a_known_link() {
        let firms = firms();
        assert_eq!(firms.len(), FIRMS.len(), "every firm builds");
        assert!(
            firms
                .iter()
                .all(|f| f.firm.credit_code.is_some() && f.firm.industry.is_some())
        );
        for (_, _, _, codes) in SEGMENTS {
            for code in codes {
                assert!(IndustryCode::parse("行业代码", code).is_ok(), "{code}");
            }
        }
        for f in &firms {
            for (chain, link, local, leader) in &f.placed {
                assert!(
                    SEGMENTS.iter().any(|(c, l, _, _)| c == chain && l == link),
                    "{chain}/{link}"
                );
                assert!(*local || !*leader, "a 链主 is local");
            }
        }
    }
}
