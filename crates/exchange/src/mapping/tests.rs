use std::collections::{HashMap, HashSet};

use super::amounts::{shift_decimal, to_wan};
use super::*;
fn ledger(headers: &[&str], rows: &[&[&str]]) -> Table {
    Table {
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, r)| Row {
                number: i + 2,
                cells: r
                    .iter()
                    .map(|c| {
                        if c.is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text((*c).to_owned())
                        }
                    })
                    .collect(),
            })
            .collect(),
        notes: Vec::new(),
        hidden: Vec::new(),
        filtered: Vec::new(),
        unevaluated: std::collections::BTreeSet::new(),
    }
}

#[test]
fn decimals_move_exactly() {
    assert_eq!(shift_decimal("1.5", 4).as_deref(), Some("15000"));
    assert_eq!(shift_decimal("0.000123456", 4).as_deref(), Some("1.23456"));
    assert_eq!(shift_decimal("12345678", -4).as_deref(), Some("1234.5678"));
    assert_eq!(shift_decimal("5", -4).as_deref(), Some("0.0005"));
    assert_eq!(shift_decimal("120", 0).as_deref(), Some("120"));
    assert_eq!(shift_decimal("1.2.3", 4), None);
    assert_eq!(shift_decimal("", 4), None);
}

#[test]
fn a_county_ledger_is_mapped_by_its_headers_and_values() {
    let table = ledger(
        &[
            "序号",
            "项目名称",
            "建设地点",
            "总投资（亿元）",
            "签约额",
            "备注",
        ],
        &[
            &["1", "秸秆综合利用项目", "集贤县福利镇", "1.25", "1.2", ""],
            &["2", "光伏农业项目", "集贤", "0.8", "0.75", "续建"],
        ],
    );
    let (mapping, notes) = suggest(Kind::Projects, &table, "集贤台账");
    let target = |source: &str| {
        mapping
            .columns
            .iter()
            .find(|c| c.source == source)
            .and_then(|c| c.target.clone())
    };
    assert_eq!(target("序号"), None);
    assert_eq!(target("项目名称").as_deref(), Some("项目名称"));
    assert_eq!(target("建设地点").as_deref(), Some("所在县区"));
    assert_eq!(target("总投资（亿元）").as_deref(), Some("计划总投资"));
    assert_eq!(target("备注"), None);
    assert_eq!(mapping.columns[3].scale, Scale::Yi);
    // No unit in the header: small numbers with decimals read as 亿元, and said so.
    assert_eq!(mapping.columns[4].scale, Scale::Yi);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("签约额") && n.contains("亿元"))
    );

    let held = Held {
        units: vec![
            ("集贤县".into(), Some("230521".into())),
            ("宝清县".into(), Some("230523".into())),
        ],
        projects: HashMap::from([(
            ("集贤县".to_owned(), "光伏农业项目".to_owned()),
            "JX-7".to_owned(),
        )]),
        codes: HashSet::from(["230521-0001".to_owned()]),
        parents: HashMap::new(),
    };
    let (table, errors) = apply(Kind::Projects, &mapping, &table, &held);
    assert!(errors.is_empty(), "{errors:?}");
    let column = |key: &str| {
        table
            .headers
            .iter()
            .position(|h| header_key(h) == key)
            .unwrap()
    };
    let cell = |row: usize, key: &str| table.rows[row].cells[column(key)].text();
    assert_eq!(cell(0, "所在县区"), "集贤县");
    assert_eq!(cell(1, "所在县区"), "集贤县");
    assert_eq!(cell(0, "计划总投资"), "12500");
    assert_eq!(cell(1, "签约额"), "7500");
    // A new project gets the next free code after the county's prefix; one held keeps its.
    assert_eq!(cell(0, "项目编号"), "230521-0002");
    assert_eq!(cell(1, "项目编号"), "JX-7");
}

#[test]
fn a_place_that_names_no_unit_is_refused_naming_the_ledgers_column() {
    let table = ledger(&["项目名称", "项目地点"], &[&["冷链项目", "哈尔滨"]]);
    let (mapping, _) = suggest(Kind::Projects, &table, "x");
    let held = Held {
        units: vec![("集贤县".into(), None)],
        ..Held::default()
    };
    let (_, errors) = apply(Kind::Projects, &mapping, &table, &held);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].column, "项目地点");
    assert!(errors[0].message.contains("哈尔滨"));
}

#[test]
fn a_unit_in_the_cell_says_more_than_the_columns() {
    for (text, wan) in [
        ("1.25亿元", "12500"),
        ("3500万", "3500"),
        ("500元", "0.05"),
        ("1.2亿", "12000"),
    ] {
        assert_eq!(
            to_wan(&Cell::Text(text.into()), Scale::Yi).unwrap().text(),
            wan,
            "{text}"
        );
    }
    assert_eq!(
        to_wan(&Cell::Text("12".into()), Scale::Yi).unwrap().text(),
        "120000"
    );
    assert!(to_wan(&Cell::Text("1,2亿".into()), Scale::Wan).is_err());
}

#[test]
fn a_countys_ledger_may_not_place_a_row_in_another_county() {
    let table = ledger(
        &["项目名称", "建设地点"],
        &[
            &["冷链项目", "饶河县西林子乡"],
            &["园区项目", "宝清经济开发区"],
        ],
    );
    let (mut mapping, _) = suggest(Kind::Projects, &table, "x");
    mapping.unit = Some("宝清县".into());
    let held = Held {
        units: vec![
            ("宝清县".into(), None),
            ("饶河县".into(), None),
            ("宝清经济开发区".into(), None),
        ],
        parents: HashMap::from([("宝清经济开发区".to_owned(), "宝清县".to_owned())]),
        ..Held::default()
    };
    let (mapped, errors) = apply(Kind::Projects, &mapping, &table, &held);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .message
            .contains("在饶河县，不是本台账所属的宝清县")
    );
    let place = mapped.headers.iter().position(|h| h == "所在县区").unwrap();
    assert_eq!(
        mapped.rows[1].cells[place].text(),
        "宝清经济开发区",
        "a zone of the county is its own"
    );
}

#[test]
fn a_mapping_travels_as_json() {
    let table = ledger(&["项目名称", "总投资（元）"], &[&["a", "100"]]);
    let (mapping, _) = suggest(Kind::Projects, &table, "台账");
    let json = serde_json::to_string(&mapping).unwrap();
    assert!(json.contains("\"元\""), "{json}");
    let back: Mapping = serde_json::from_str(&json).unwrap();
    assert_eq!(back, mapping);
}
