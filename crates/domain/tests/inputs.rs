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

#[test]
fn a_packaged_project_form_is_read_whole_or_every_bad_box_named() {
    use domain::packaged::{PackagedStatus, ResourceKind};
    use domain::records::PackagedInput;
    let input = PackagedInput {
        code: "BZ-2022-001",
        name: "石墨负极材料项目",
        unit: "宝清县",
        years: "2",
        estimate_wan: "100,000",
        breakdown: "土建工程 40000\n设备购置：60000\n",
        area: "300.5亩",
        resources: ["宝清石墨矿", "", "已收储工业用地", ""],
        approvals: "立项备案、用地预审",
        targets: "贝特瑞新材料集团股份有限公司\n上海杉杉科技有限公司",
        status: "推介中",
        ..PackagedInput::default()
    };
    let p = input.parse().unwrap();
    assert_eq!(p.breakdown.len(), 2);
    assert_eq!(p.breakdown[1].item, "设备购置");
    assert_eq!(p.area.map(|a| a.to_string()), Some("300.5".into()));
    assert_eq!(
        p.resources.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        [ResourceKind::RawMaterial, ResourceKind::Land]
    );
    assert_eq!(p.approvals, ["立项备案", "用地预审"]);
    assert_eq!(p.targets.len(), 2);
    assert_eq!(p.status, PackagedStatus::Promoting);

    let bad = PackagedInput {
        name: "",
        years: "两年",
        estimate_wan: "abc",
        breakdown: "土建工程",
        area: "-1",
        status: "搁置",
        ..input.clone()
    };
    let fields: Vec<String> = bad
        .parse()
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        [
            "项目名称",
            "建设年限",
            "投资概算",
            "概算构成",
            "用地面积",
            "状态"
        ]
    );
    let off = PackagedInput {
        breakdown: "土建工程 40000\n设备购置 50000",
        ..input
    };
    assert_eq!(
        off.parse().unwrap_err()[0].field,
        "概算构成",
        "adds up to the estimate"
    );
}
