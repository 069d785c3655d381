//! 委托招商机构 kept (issue 23.4): contracts with scope and rule, attribution within the scope and
//! once per project, payments, and the fees computed from what the store reads — on SQLite and
//! PostgreSQL.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use domain::agencies::{Agency, Contract, FeeBasis, FeePayment, FeeRule, FeeTrigger, Rate, fees};
use domain::records::{Chain, Fund, Project, Unit, UnitKind};
use domain::stage::StageEvent;
use domain::{Currency, EventKind, Money, Stage};
use store::testing::TestDb;
use store::{Store, StoreError, both_databases};

fn wan(n: i64) -> Money {
    Money::from_units("", n * 10_000).unwrap()
}

fn d(text: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

async fn city(store: &Store) {
    let mut tx = store.begin("test").await.unwrap();
    for name in ["宝清县", "集贤县"] {
        tx.upsert_unit(&Unit::new(name, UnitKind::County, None, None, None).unwrap())
            .await
            .unwrap();
    }
    tx.upsert_chain(&Chain::new("石墨产业链", None, None).unwrap())
        .await
        .unwrap();
    for (code, unit, chain) in [
        ("BQ-1", "宝清县", Some("石墨产业链")),
        ("BQ-2", "宝清县", None),
        ("JX-1", "集贤县", Some("石墨产业链")),
    ] {
        let mut p = Project::new(code, &format!("{unit}项目{code}"), unit).unwrap();
        p.chain = chain.map(str::to_owned);
        p.source_mode = Some("委托".into());
        tx.upsert_project(&p).await.unwrap();
    }
    let signed = StageEvent::new(
        EventKind::Stage(Stage::Signed),
        d("2022-03-01"),
        Some(wan(12_000)),
        None,
        None,
        None,
    )
    .unwrap();
    tx.add_event("BQ-1", &signed).await.unwrap();
    for (date, amount, verify) in [
        ("2022-04-01", 1_000, true),
        ("2022-05-01", 500, false),
        ("2023-02-01", 700, true),
    ] {
        let fund = Fund::new("BQ-1", d(date), wan(amount), Currency::Cny).unwrap();
        let store::Added::Added(id) = tx.add_fund(&fund).await.unwrap() else {
            panic!("added")
        };
        if verify {
            tx.verify_fund(id).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
}

fn contract(number: &str, basis: FeeBasis, trigger: FeeTrigger) -> Contract {
    let rule = FeeRule {
        basis,
        fixed: (basis == FeeBasis::Fixed).then(|| wan(20)),
        rate: (basis != FeeBasis::Fixed).then(|| Rate::parse_percent("比例", "0.5").unwrap()),
        trigger,
        project_cap: Some(wan(50)),
        total_cap: None,
    };
    let mut c = Contract::new(
        number,
        "深圳某招商顾问有限公司",
        d("2022-01-01"),
        d("2022-12-31"),
        rule,
    )
    .unwrap();
    c.units = vec!["宝清县".into()];
    c.chains = vec!["石墨产业链".into()];
    c
}

async fn an_agencys_fees_are_computed_from_its_projects_records(db: &TestDb) {
    let store = db.open().await.unwrap();
    city(&store).await;
    let mut tx = store.begin("test").await.unwrap();
    // A contract names an agency, units and chains that exist: every unknown one at once.
    let mut unknown = contract("WT-0", FeeBasis::Fixed, FeeTrigger::Signed);
    unknown.agency = "不存在的公司".into();
    unknown.units.push("不存在县".into());
    match tx.upsert_contract(&unknown).await {
        Err(StoreError::InvalidFields(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["机构名称", "约定区域"]);
        }
        other => panic!("{other:?}"),
    }
    tx.rollback().await.unwrap();

    let mut tx = store.begin("test").await.unwrap();
    let mut agency = Agency::new("深圳某招商顾问有限公司").unwrap();
    agency.contact = Some("王经理".into());
    tx.upsert_agency(&agency).await.unwrap();
    tx.upsert_contract(&contract("WT-1", FeeBasis::SignedShare, FeeTrigger::Signed))
        .await
        .unwrap();
    tx.upsert_contract(&contract("WT-2", FeeBasis::FundsShare, FeeTrigger::Funds))
        .await
        .unwrap();
    tx.attribute_project("BQ-1", "WT-1").await.unwrap();
    // Outside the scope: another county, or no chain.
    for code in ["JX-1", "BQ-2"] {
        let refused = tx.attribute_project(code, "WT-1").await.unwrap_err();
        assert!(
            refused.to_string().contains("不在合同WT-1约定的"),
            "{refused}"
        );
    }
    tx.add_fee_payment(&FeePayment {
        contract: "WT-1".into(),
        project: None,
        paid_on: d("2022-06-30"),
        amount: wan(30),
        note: Some("按合同预付".into()),
    })
    .await
    .unwrap();
    let not_ours = tx
        .add_fee_payment(&FeePayment {
            contract: "WT-1".into(),
            project: Some("JX-1".into()),
            paid_on: d("2022-06-30"),
            amount: wan(1),
            note: None,
        })
        .await
        .unwrap_err();
    assert!(
        not_ours.to_string().contains("未归属合同WT-1"),
        "{not_ours}"
    );
    tx.commit().await.unwrap();

    let agencies = store.agencies(None).await.unwrap();
    assert_eq!(agencies.len(), 1);
    let [wt1, _] = &agencies[0].contracts[..] else {
        panic!("two contracts")
    };
    assert_eq!(wt1.contract.units, ["宝清县"]);
    assert_eq!(wt1.contract.chains, ["石墨产业链"]);
    assert_eq!(wt1.contract.rule.rate.unwrap().basis_points(), 50);
    assert_eq!(wt1.payments.len(), 1);
    // 0.5% of 12,000万 = 60万, capped at 50万.
    let f = fees(
        &wt1.contract,
        &wt1.projects
            .iter()
            .map(|p| p.inputs.clone())
            .collect::<Vec<_>>(),
        d("2022-12-31"),
    );
    assert_eq!(f.due, wan(50));
    assert_eq!(wt1.projects[0].source_mode.as_deref(), Some("委托"));

    // Moving the project to the funds contract: one agency per project. Only the verified
    // 人民币 fund within the term counts: 1,000万 × 0.5% = 5万.
    let mut tx = store.begin("test").await.unwrap();
    tx.attribute_project("BQ-1", "WT-2").await.unwrap();
    tx.commit().await.unwrap();
    let agencies = store.agencies(Some(agencies[0].id)).await.unwrap();
    let [wt1, wt2] = &agencies[0].contracts[..] else {
        panic!("two contracts")
    };
    assert!(wt1.projects.is_empty());
    assert_eq!(wt2.projects[0].inputs.funds.len(), 2, "verified only");
    let inputs: Vec<_> = wt2.projects.iter().map(|p| p.inputs.clone()).collect();
    assert_eq!(fees(&wt2.contract, &inputs, d("2023-06-30")).due, wan(5));
    assert_eq!(
        store.agency_of("BQ-1").await.unwrap(),
        Some(("深圳某招商顾问有限公司".into(), "WT-2".into()))
    );
    assert!(store.agencies(Some(-1)).await.unwrap().is_empty());

    // At 开工: a fixed 20万 once the project has started (approved events), not before.
    let mut tx = store.begin("test").await.unwrap();
    for (stage, date) in [
        (Stage::Landed, "2022-04-01"),
        (Stage::Started, "2022-06-01"),
    ] {
        let parcel = (stage == Stage::Landed).then(|| "宝清-2022-07".to_owned());
        let event =
            StageEvent::new(EventKind::Stage(stage), d(date), None, None, parcel, None).unwrap();
        tx.add_event("BQ-1", &event).await.unwrap();
    }
    tx.upsert_contract(&contract("WT-3", FeeBasis::Fixed, FeeTrigger::Started))
        .await
        .unwrap();
    tx.attribute_project("BQ-1", "WT-3").await.unwrap();
    tx.commit().await.unwrap();
    let agencies = store.agencies(None).await.unwrap();
    let wt3 = agencies[0]
        .contracts
        .iter()
        .find(|c| c.contract.number == "WT-3")
        .unwrap();
    let inputs: Vec<_> = wt3.projects.iter().map(|p| p.inputs.clone()).collect();
    assert_eq!(inputs[0].started_on, Some(d("2022-06-01")));
    assert_eq!(
        fees(&wt3.contract, &inputs, d("2022-05-31")).due,
        Money::ZERO
    );
    assert_eq!(fees(&wt3.contract, &inputs, d("2022-06-01")).due, wan(20));

    // Paid for under WT-3, the project stays with WT-3.
    let mut tx = store.begin("test").await.unwrap();
    tx.add_fee_payment(&FeePayment {
        contract: "WT-3".into(),
        project: Some("BQ-1".into()),
        paid_on: d("2022-07-01"),
        amount: wan(20),
        note: None,
    })
    .await
    .unwrap();
    let refused = tx.attribute_project("BQ-1", "WT-1").await.unwrap_err();
    assert!(
        matches!(refused, StoreError::Refused(ref m) if m.contains("在合同WT-3下已有支付记录")),
        "{refused}"
    );
}

both_databases!(an_agencys_fees_are_computed_from_its_projects_records);
