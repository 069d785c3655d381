//! 委托招商 fees computed by hand: each basis at each trigger, the term, the caps, rounding.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use chrono::NaiveDate;
use domain::Money;
use domain::agencies::{Contract, Expiry, FeeBasis, FeeInputs, FeeRule, FeeTrigger, Rate, fees};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn wan(n: i64) -> Money {
    Money::from_units("金额", n * 10_000).unwrap()
}

fn rule(basis: FeeBasis, trigger: FeeTrigger) -> FeeRule {
    FeeRule {
        basis,
        fixed: (basis == FeeBasis::Fixed).then(|| wan(20)),
        rate: (basis != FeeBasis::Fixed).then(|| Rate::parse_percent("比例", "0.5%").unwrap()),
        trigger,
        project_cap: None,
        total_cap: None,
    }
}

fn contract(rule: FeeRule) -> Contract {
    Contract::new(
        "WT-2022-01",
        "某招商咨询公司",
        day("2022-01-01"),
        day("2022-12-31"),
        rule,
    )
    .unwrap()
}

/// Signed 2022-03-01 for 12,000万元, started 2022-09-01, funds verified: 800万 in 2021 (before
/// the term), 1,000万 and 333.3333万 in 2022.
fn project() -> FeeInputs {
    FeeInputs {
        code: "P1".into(),
        name: "石墨深加工".into(),
        signed: Some((day("2022-03-01"), wan(12_000))),
        started_on: Some(day("2022-09-01")),
        funds: vec![
            (day("2021-12-01"), wan(800)),
            (day("2022-04-01"), wan(1_000)),
            (
                day("2022-10-01"),
                Money::parse_wan("到位资金", "333.3333").unwrap(),
            ),
        ],
    }
}

#[test]
fn percentages_are_read_exactly_and_shown_as_written() {
    let r = |s| Rate::parse_percent("比例", s);
    assert_eq!(r("0.5").unwrap().basis_points(), 50);
    assert_eq!(r("1.25％").unwrap().basis_points(), 125);
    assert_eq!(r("100").unwrap().basis_points(), 10_000);
    assert_eq!(r("0.5").unwrap().to_string(), "0.5%");
    assert_eq!(r("1.25").unwrap().to_string(), "1.25%");
    assert_eq!(r("3").unwrap().to_string(), "3%");
    for bad in ["0", "0.125", "101", "-1", "1,5", "", "abc", "1e2"] {
        let e = r(bad).unwrap_err();
        assert_eq!(e.field, "比例", "{bad}");
    }
    // Half up at the 元, once: 0.5% of 333.3333万 is 16,666.665 → 16,667.
    let third = Money::parse_wan("到位资金", "333.3333").unwrap();
    assert_eq!(r("0.5").unwrap().of(third).units(), 16_667);
}

#[test]
fn a_share_of_the_signed_amount_falls_due_at_signing_within_the_term() {
    let c = contract(rule(FeeBasis::SignedShare, FeeTrigger::Signed));
    let f = fees(&c, &[project()], day("2022-12-31"));
    assert_eq!(f.projects[0].due, wan(60), "0.5% of 12,000万");
    assert_eq!(f.projects[0].due_from, Some(day("2022-03-01")));
    assert!(
        f.projects[0]
            .working
            .contains("签约额 12,000.00万元 × 0.5% = 60.00万元")
    );
    // Before the signing day nothing is due; a signing outside the term earns nothing.
    let f = fees(&c, &[project()], day("2022-02-28"));
    assert_eq!(f.due, Money::ZERO);
    let mut late = project();
    late.signed = Some((day("2023-01-02"), wan(12_000)));
    let f = fees(&c, &[late], day("2023-06-30"));
    assert_eq!(f.due, Money::ZERO);
    assert!(f.projects[0].working.contains("不在合同期"));
    let mut unsigned = project();
    unsigned.signed = None;
    assert!(
        fees(&c, &[unsigned], day("2022-12-31")).projects[0]
            .working
            .contains("尚未签约")
    );
}

#[test]
fn a_share_of_funds_counts_verified_funds_within_the_term_up_to_the_day() {
    let c = contract(rule(FeeBasis::FundsShare, FeeTrigger::Funds));
    // 2021's 800万 is outside the term; by 30 June only April's 1,000万.
    let f = fees(&c, &[project()], day("2022-06-30"));
    assert_eq!(f.due, wan(5));
    assert_eq!(f.projects[0].due_from, Some(day("2022-04-01")));
    // By the year's end 1,333.3333万 × 0.5% = 66,666.665 元 → 66,667 元.
    let f = fees(&c, &[project()], day("2022-12-31"));
    assert_eq!(f.due.units(), 66_667);
    assert!(f.projects[0].working.contains("（2笔）"));
}

#[test]
fn a_fixed_fee_falls_due_at_its_trigger_and_caps_hold_per_project_then_per_contract() {
    let c = contract(rule(FeeBasis::Fixed, FeeTrigger::Started));
    assert_eq!(fees(&c, &[project()], day("2022-08-31")).due, Money::ZERO);
    assert_eq!(fees(&c, &[project()], day("2022-09-01")).due, wan(20));

    let mut capped = rule(FeeBasis::SignedShare, FeeTrigger::Signed);
    capped.project_cap = Some(wan(50));
    capped.total_cap = Some(wan(80));
    let c = contract(capped);
    let mut second = project();
    second.code = "P2".into();
    second.signed = Some((day("2022-05-01"), wan(1_000)));
    let f = fees(&c, &[project(), second.clone()], day("2022-12-31"));
    assert_eq!(f.projects[0].due, wan(50), "60万 capped at 50万");
    assert!(f.projects[0].working.contains("单项封顶 50.00万元"));
    assert_eq!(f.projects[1].due, wan(5));
    assert_eq!((f.sum, f.due, f.capped), (wan(55), wan(55), false));
    let mut third = second;
    third.code = "P3".into();
    third.signed = Some((day("2022-06-01"), wan(8_000)));
    let f = fees(&c, &[project(), third], day("2022-12-31"));
    assert_eq!((f.sum, f.due, f.capped), (wan(90), wan(80), true));
}

#[test]
fn a_rule_needs_its_parts_and_a_contract_its_term_and_scope() {
    let mut bad = rule(FeeBasis::Fixed, FeeTrigger::Signed);
    bad.fixed = None;
    bad.rate = Some(Rate::from_basis_points("比例", 10).unwrap());
    bad.project_cap = Some(wan(10));
    bad.total_cap = Some(wan(5));
    let errors = bad.check().unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["固定金额", "比例", "单项封顶"]);
    let errors = Contract::new(
        " ",
        "某公司",
        day("2022-12-31"),
        day("2022-01-01"),
        rule(FeeBasis::Fixed, FeeTrigger::Signed),
    )
    .unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["合同编号", "合同截止日期"]);

    let mut c = contract(rule(FeeBasis::Fixed, FeeTrigger::Signed));
    assert!(
        c.covers("宝清县", &[], None).is_ok(),
        "no scope: the whole city"
    );
    c.units = vec!["集贤县".into()];
    c.chains = vec!["石墨".into()];
    assert!(c.covers("集贤县", &[], Some("石墨")).is_ok());
    assert!(c.covers("宝清县", &["集贤县".into()], Some("石墨")).is_ok());
    let e = c.covers("宝清县", &[], Some("石墨")).unwrap_err();
    assert!(
        e.message
            .contains("不在合同WT-2022-01约定的区域（集贤县）内"),
        "{e}"
    );
    let e = c.covers("集贤县", &[], None).unwrap_err();
    assert!(e.message.contains("产业链（未填）"), "{e}");

    assert_eq!(c.expiry(day("2021-12-31")), Expiry::NotStarted);
    assert_eq!(c.expiry(day("2022-06-30")), Expiry::Running);
    assert_eq!(c.expiry(day("2022-11-01")), Expiry::EndingIn(60));
    assert!(c.expiry(day("2022-12-31")).warns());
    assert_eq!(c.expiry(day("2023-01-01")), Expiry::Ended);
    assert_eq!(
        rule(FeeBasis::FundsShare, FeeTrigger::Funds).describe(),
        "合同期内已核实到位资金的0.5%，资金到位后计付"
    );
}

#[test]
fn a_contract_typed_in_is_read_by_one_parser_naming_every_bad_field() {
    use domain::agencies::ContractInput;
    let good = ContractInput {
        number: "WT-2022-01",
        agency: "某招商咨询公司",
        starts_on: "2022-01-01",
        ends_on: "2022年12月31日",
        basis: "签约额比例",
        rate: "0.5%",
        trigger: "签约",
        project_cap: "50",
        units: "宝清县、集贤县",
        chains: "石墨产业链",
        ..ContractInput::default()
    };
    let c = good.parse().unwrap();
    assert_eq!(c.units, ["宝清县", "集贤县"]);
    assert_eq!(c.rule.project_cap, Some(wan(50)));
    assert_eq!(c.ends_on, day("2022-12-31"));
    let bad = ContractInput {
        number: "",
        fixed: "10,5",
        rate: "0.125",
        basis: "固定",
        trigger: "明天",
        ..good
    };
    let fields: Vec<String> = bad
        .parse()
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, ["计付时点", "固定金额", "比例", "合同编号"]);
    // A bad percentage is named once, not again as missing.
    let once = ContractInput {
        rate: "0.125",
        ..good
    };
    let fields: Vec<String> = once
        .parse()
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, ["比例"]);
}

#[test]
fn a_project_signed_before_the_contract_earns_nothing_whatever_the_trigger() {
    let mut early = project();
    early.signed = Some((day("2021-07-12"), wan(35_000)));
    for (basis, trigger) in [
        (FeeBasis::SignedShare, FeeTrigger::Signed),
        (FeeBasis::Fixed, FeeTrigger::Started),
        (FeeBasis::FundsShare, FeeTrigger::Funds),
    ] {
        let f = fees(
            &contract(rule(basis, trigger)),
            &[early.clone()],
            day("2022-12-31"),
        );
        assert_eq!(f.due, Money::ZERO, "{basis:?} {trigger:?}");
        assert!(f.projects[0].working.contains("早于合同开始（2022-01-01）"));
    }
    // Money in place only before the term: said as such, not as none at all.
    let mut before = project();
    before.funds = vec![(day("2021-12-01"), wan(800))];
    let f = fees(
        &contract(rule(FeeBasis::FundsShare, FeeTrigger::Funds)),
        &[before],
        day("2022-12-31"),
    );
    assert!(f.projects[0].working.contains("合同期内无已核实到位资金"));
    // A share of funds is paid as funds arrive; a cap of nothing is no cap.
    let mut odd = rule(FeeBasis::FundsShare, FeeTrigger::Signed);
    odd.total_cap = Some(Money::ZERO);
    let fields: Vec<String> = odd
        .check()
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, ["计付时点", "合同封顶"]);
}
