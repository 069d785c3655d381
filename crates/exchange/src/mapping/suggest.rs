//! The mapping suggested for a ledger: its headers read against a kind's columns and the
//! synonyms offices use, an amount column's unit from its header or its values.

use std::collections::HashSet;

use super::{ColumnMap, Mapping, Scale};
use crate::table::{Cell, Table, header_key};
use crate::{Kind, columns};

/// Headers offices use for each of a kind's columns, besides the column's own name.
pub(super) fn synonyms(kind: Kind, key: &str) -> &'static [&'static str] {
    match (kind, key) {
        (Kind::Projects, "项目编号") => &["编号", "项目代码", "项目编码"],
        (Kind::Projects, "项目名称") => &["项目", "名称", "招商项目", "项目名"],
        (Kind::Projects, "投资企业") => &[
            "投资主体",
            "投资方",
            "投资单位",
            "企业名称",
            "签约企业",
            "建设单位",
            "项目单位",
            "投资商",
        ],
        (Kind::Projects, "所在县区") => &[
            "县区",
            "所在地",
            "建设地点",
            "项目地点",
            "地点",
            "属地",
            "落地县区",
            "所属县区",
        ],
        (Kind::Projects, "计划总投资") => &["总投资", "投资总额", "投资额", "计划投资"],
        (Kind::Projects, "签约额") => {
            &["签约金额", "签约投资", "合同额", "协议投资额", "合同金额"]
        }
        (Kind::Projects, "产业链") => &["所属产业链", "产业", "所属产业", "行业"],
        (Kind::Projects, "分管领导") => &["包保领导", "责任领导", "包联领导"],
        (Kind::Projects, "招商方式") => &["引进方式"],
        (Kind::Projects, "资金来源") => &["内外资", "资金性质"],
        (Kind::Projects, "重点项目") => &["是否重点项目", "是否重点"],
        (Kind::Funds, "日期") => &["到位日期", "到账日期", "时间"],
        (Kind::Funds, "金额") => &["到位资金", "到位金额", "到账金额"],
        (Kind::Visits, "日期") => &["对接日期", "拜访日期", "时间"],
        (Kind::Visits, "企业名称") => &["企业", "对接企业", "拜访企业"],
        (Kind::Visits, "带队领导") => &["带队", "领导"],
        _ => &[],
    }
}

/// Headers that number rows and are never data.
fn is_row_number(header: &str) -> bool {
    matches!(
        header_key(header),
        "序号" | "序" | "No" | "No." | "NO" | "NO." | "编排序号" | "行号"
    )
}

/// Whether a kind's column holds an amount in 万元.
pub fn is_amount(kind: Kind, key: &str) -> bool {
    columns(kind)
        .iter()
        .any(|c| c.key() == key && c.header.contains("万元"))
}

/// A mapping suggested for `table` as `kind`, with a sentence for each guess worth checking.
pub fn suggest(kind: Kind, table: &Table, name: &str) -> (Mapping, Vec<String>) {
    let mut notes = Vec::new();
    let mut taken: HashSet<&'static str> = HashSet::new();
    let mut mapped = Vec::with_capacity(table.headers.len());
    for (at, header) in table.headers.iter().enumerate() {
        let key = header_key(header);
        let target = if key.is_empty() || is_row_number(header) {
            None
        } else {
            columns(kind)
                .iter()
                .map(|c| c.key())
                .find(|k| *k == key)
                .or_else(|| {
                    columns(kind)
                        .iter()
                        .map(|c| c.key())
                        .find(|k| synonyms(kind, k).contains(&key))
                })
        };
        let target = match target {
            Some(t) if !taken.insert(t) => {
                notes.push(format!(
                    "“{header}”也像“{t}”，已有前面的列对应“{t}”，此列不导入"
                ));
                None
            }
            other => other,
        };
        let scale = match target {
            Some(t) if is_amount(kind, t) => {
                let (scale, why) = scale_of(header, table, at);
                if let Some(why) = why {
                    notes.push(format!("“{header}”{why}"));
                }
                scale
            }
            _ => Scale::Wan,
        };
        mapped.push(ColumnMap {
            source: header.clone(),
            target: target.map(str::to_owned),
            scale,
        });
    }
    let mapping = Mapping {
        kind: kind.name().to_owned(),
        name: name.to_owned(),
        unit: None,
        columns: mapped,
        code_prefix: String::new(),
    };
    (mapping, notes)
}

/// An amount column's unit: from its header when it says (亿元, 万元, 元); otherwise guessed
/// from its values, and said so.
fn scale_of(header: &str, table: &Table, at: usize) -> (Scale, Option<String>) {
    let said = header.replace(' ', "");
    if said.contains("亿") {
        return (Scale::Yi, None);
    }
    if said.contains("万") {
        return (Scale::Wan, None);
    }
    if said.contains("(元)") || said.contains("（元）") || said.ends_with('元') {
        return (Scale::Yuan, None);
    }
    let values: Vec<f64> = table
        .rows
        .iter()
        .filter_map(|r| r.cells.get(at))
        .filter_map(|c| match c {
            Cell::Number(n) => Some(*n),
            other => domain::money::plain_number(&other.text())
                .ok()
                .and_then(|t| t.parse().ok()),
        })
        .collect();
    if values.is_empty() {
        return (Scale::Wan, None);
    }
    if values.iter().all(|v| *v < 1_000.0) && values.iter().any(|v| v.fract() != 0.0) {
        return (
            Scale::Yi,
            Some("未注明单位，数值都小于1000且有小数，按亿元理解，请核对".to_owned()),
        );
    }
    if values.iter().all(|v| *v >= 1_000_000.0) {
        return (
            Scale::Yuan,
            Some("未注明单位，数值都在百万以上，按元理解，请核对".to_owned()),
        );
    }
    (
        Scale::Wan,
        Some("未注明单位，按万元理解，请核对".to_owned()),
    )
}
