//! The 招商要素表's versions by date (issue 23.3).

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use chrono::NaiveDate;
use domain::factors::{Factor, FactorCategory, FactorValue, value_on, with_new_value};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn price(value: &str, from: &str) -> FactorValue {
    FactorValue::new(value, "元/千瓦时", "省发改委电价文件", day(from), None).unwrap()
}

#[test]
fn a_new_value_closes_the_old_one_which_is_kept_and_read_back_by_date() {
    let v = with_new_value(&[], price("0.5488", "2021-01-01")).unwrap();
    let v = with_new_value(&v, price("0.5612", "2022-07-01")).unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].valid_to, Some(day("2022-06-30")));
    assert_eq!(v[0].validity(), "2021-01-01 至 2022-06-30");
    assert_eq!(v[1].validity(), "2022-07-01 起");
    assert_eq!(value_on(&v, day("2022-06-30")).unwrap().value, "0.5488");
    assert_eq!(value_on(&v, day("2022-07-01")).unwrap().value, "0.5612");
    assert_eq!(value_on(&v, day("2026-12-08")).unwrap().value, "0.5612");
    assert!(
        value_on(&v, day("2020-12-31")).is_none(),
        "before any value"
    );
    // Back-dating into the history is refused; the same day too.
    for from in ["2022-07-01", "2022-01-01"] {
        let e = with_new_value(&v, price("0.6", from)).unwrap_err();
        assert_eq!(e.field, "生效日期");
    }
    // A value that ended: nothing holds after it until a new one starts.
    let ended = FactorValue::new(
        "18",
        "万元/亩",
        "管委会",
        day("2022-01-01"),
        Some(day("2022-12-31")),
    )
    .unwrap();
    assert!(value_on(std::slice::from_ref(&ended), day("2023-01-01")).is_none());
    let v = with_new_value(&[ended], price("20", "2023-03-01")).unwrap();
    assert_eq!(
        v[0].valid_to,
        Some(day("2022-12-31")),
        "an earlier end stays"
    );
}

#[test]
fn factors_and_values_name_every_missing_field() {
    let e = Factor::new("", FactorCategory::Land, " ").unwrap_err();
    let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["要素编号", "要素名称"]);
    let e = FactorValue::new("", "", "", day("2022-02-01"), Some(day("2022-01-01"))).unwrap_err();
    let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["数值", "单位", "来源", "有效期至"]);
    assert_eq!(
        FactorCategory::parse("类别", "电价").unwrap(),
        FactorCategory::Power
    );
    assert!(
        FactorCategory::parse("类别", "GDP")
            .unwrap_err()
            .message
            .contains("土地、电力")
    );
}
