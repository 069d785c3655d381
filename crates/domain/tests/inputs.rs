//! The parsers that forms and the API share: each names every bad field at once, by the name
//! the form shows, and builds the record through its checked constructor when all are good.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use domain::records::{FundInput, VisitInput};
use domain::stage::EventInput;
use domain::{Currency, EventKind, Stage};

fn fields(errors: Vec<domain::FieldError>) -> Vec<String> {
    errors.into_iter().map(|e| e.field).collect()
}

#[test]
fn an_event_names_every_bad_field_and_then_the_rule_it_breaks() {
    let bad = EventInput {
        kind: "开会",
        date: "2022-13-01",
        amount_wan: "十万",
        company_code: "123",
        ..EventInput::default()
    };
    assert_eq!(
        fields(bad.parse().unwrap_err()),
        ["阶段", "日期", "金额", "落地企业信用代码"]
    );
    let landed_nowhere = EventInput {
        kind: "落地",
        date: "2022-02-01",
        ..EventInput::default()
    };
    assert_eq!(
        fields(landed_nowhere.parse().unwrap_err()),
        ["落地企业信用代码"]
    );
    let signed = EventInput {
        kind: "签约",
        date: "2022/2/1",
        amount_wan: "1,200.5",
        ..EventInput::default()
    };
    let event = signed.parse().unwrap();
    assert_eq!(event.kind, EventKind::Stage(Stage::Signed));
    assert_eq!(event.amount.unwrap().units(), 12_005_000);
}

#[test]
fn a_fund_names_every_bad_field_and_defaults_to_renminbi() {
    let bad = FundInput {
        date: "昨天",
        amount_wan: "-5",
        currency: "日元",
        source: "",
    };
    assert_eq!(fields(bad.parse("JX-1").unwrap_err()).len(), 3);
    let fund = FundInput {
        date: "2022-03-01",
        amount_wan: "100",
        ..FundInput::default()
    }
    .parse("JX-1")
    .unwrap();
    assert_eq!(
        (fund.currency, fund.amount.units()),
        (Currency::Cny, 1_000_000)
    );
}

#[test]
fn a_visit_names_every_bad_field_and_asks_for_the_firm() {
    let bad = VisitInput {
        date: "2022-02-30",
        enterprise_code: "91230000XXXXXXXX",
        ..VisitInput::default()
    };
    assert_eq!(
        fields(bad.parse().unwrap_err()),
        ["日期", "企业名称", "统一社会信用代码"]
    );
    let visit = VisitInput {
        date: "2022-03-01",
        unit: "集贤县",
        enterprise: " 中船风电 ",
        ..VisitInput::default()
    }
    .parse()
    .unwrap();
    assert_eq!(visit.unit.as_deref(), Some("集贤县"));
    assert_eq!(visit.enterprise.as_deref(), Some("中船风电"));
    assert_eq!(visit.project_code, None);
}
