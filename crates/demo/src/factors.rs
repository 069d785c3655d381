//! The demo's 招商要素表 (issue 23.5): the factors a 双鸭山 promoter quotes, with illustrative
//! values (not the city's published prices); the power price changed in mid-2022, so the table
//! shows a value closed and kept.

use chrono::NaiveDate;
use domain::factors::{Factor, FactorCategory, FactorValue};

/// A value as the table writes it: (数值, 单位, 来源, 生效日期).
type Quoted = (&'static str, &'static str, &'static str, &'static str);

/// (factor, its values oldest first).
pub fn factors() -> Vec<(Factor, Vec<FactorValue>)> {
    use FactorCategory as C;
    let rows: [(&str, C, &str, &[Quoted]); 14] = [
        (
            "TD-01",
            C::Land,
            "工业用地出让价格（双鸭山经济开发区）",
            &[("16.8", "万元/亩", "开发区管委会（示例）", "2022-01-01")],
        ),
        (
            "TD-02",
            C::Land,
            "工业用地出让价格（宝清县工业园区）",
            &[("12.5", "万元/亩", "宝清县自然资源局（示例）", "2022-01-01")],
        ),
        (
            "TD-03",
            C::Land,
            "标准化厂房租金",
            &[("8", "元/平方米·月", "开发区管委会（示例）", "2022-01-01")],
        ),
        (
            "DL-01",
            C::Power,
            "大工业用电价格（1-10千伏）",
            &[
                (
                    "0.5488",
                    "元/千瓦时",
                    "省发展改革委电价文件（示例）",
                    "2021-01-01",
                ),
                (
                    "0.5612",
                    "元/千瓦时",
                    "省发展改革委电价文件（示例）",
                    "2022-07-01",
                ),
            ],
        ),
        (
            "DL-02",
            C::Power,
            "一般工商业用电价格",
            &[(
                "0.6810",
                "元/千瓦时",
                "省发展改革委电价文件（示例）",
                "2022-01-01",
            )],
        ),
        (
            "YS-01",
            C::Water,
            "工业用水价格",
            &[("4.20", "元/吨", "市水务局（示例）", "2022-01-01")],
        ),
        (
            "TR-01",
            C::Gas,
            "工业用天然气价格",
            &[("3.65", "元/立方米", "市发展改革委（示例）", "2022-01-01")],
        ),
        (
            "ZQ-01",
            C::Steam,
            "工业蒸汽价格（园区集中供热）",
            &[("185", "元/吨", "园区热电企业（示例）", "2022-01-01")],
        ),
        (
            "YG-01",
            C::Wages,
            "普通工人月工资",
            &[(
                "3200–3800",
                "元/月",
                "市人力资源和社会保障局（示例）",
                "2022-01-01",
            )],
        ),
        (
            "YG-02",
            C::Wages,
            "技术工人月工资",
            &[(
                "4500–6000",
                "元/月",
                "市人力资源和社会保障局（示例）",
                "2022-01-01",
            )],
        ),
        (
            "WL-01",
            C::Logistics,
            "公路运距：双鸭山—哈尔滨",
            &[("约490", "公里", "市交通运输局（示例）", "2022-01-01")],
        ),
        (
            "WL-02",
            C::Logistics,
            "铁路集装箱运价（至大连港）",
            &[("约5800", "元/标箱", "铁路货运中心（示例）", "2022-01-01")],
        ),
        (
            "ZY-01",
            C::Resources,
            "石墨资源储量",
            &[(
                "约1.2",
                "亿吨（矿物量）",
                "市自然资源局（示例）",
                "2022-01-01",
            )],
        ),
        (
            "ZY-02",
            C::Resources,
            "煤炭保有储量",
            &[("约100", "亿吨", "市自然资源局（示例）", "2022-01-01")],
        ),
    ];
    rows.iter()
        .filter_map(|(code, category, item, values)| {
            let factor = Factor::new(code, *category, item).ok()?;
            let mut kept: Vec<FactorValue> = Vec::new();
            for (value, unit, source, from) in values.iter() {
                let from = NaiveDate::parse_from_str(from, "%Y-%m-%d").ok()?;
                let next = domain::factors::with_new_value(
                    &kept,
                    FactorValue::new(value, unit, source, from, None).ok()?,
                )
                .ok()?;
                kept = next;
            }
            Some((factor, kept))
        })
        .collect()
}

/// The factors each demo packaged project's 推介书 quotes: land, power, water and wages, and the
/// graphite reserve for the graphite chain's.
pub fn quoted(chain: Option<&str>) -> Vec<String> {
    let mut codes: Vec<String> = ["TD-01", "DL-01", "YS-01", "YG-01", "WL-01"]
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    if chain.is_some_and(|c| c.contains("石墨")) {
        codes.push("ZY-01".into());
    }
    codes
}
