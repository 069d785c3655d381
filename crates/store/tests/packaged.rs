//! The 谋划包装项目库 kept (issue 23.1): a packaged project written with its references, every
//! unknown one named at once; the breakdown adding up; the status rules; signing into a project
//! that keeps the link and counts once. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use domain::chains::Position;
use domain::enterprise::Enterprise;
use domain::packaged::{EstimateItem, Mu, PackagedProject, PackagedStatus, ResourceKind};
use domain::records::{Chain, Leader, Project, Unit, UnitKind};
use domain::{CreditCode, Money};
use store::testing::TestDb;
use store::{PackagedFilter, Store, StoreError, Upserted, both_databases};

fn wan(n: i64) -> Money {
    Money::from_units("", n * 10_000).unwrap()
}

fn d(text: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

async fn state(store: &Store, code: &str) -> String {
    let filter = store::ProjectFilter {
        code: Some(code.into()),
        ..store::ProjectFilter::default()
    };
    store.summaries(&filter).await.unwrap().pop().unwrap().state
}

async fn organisation(store: &Store) {
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_unit(&Unit::new("宝清县", UnitKind::County, None, None, None).unwrap())
        .await
        .unwrap();
    tx.upsert_leader(&Leader {
        name: "李明远".into(),
        title: None,
        illustrative: false,
    })
    .await
    .unwrap();
    tx.upsert_chain(&Chain::new("石墨产业链", None, Some("李明远".into())).unwrap())
        .await
        .unwrap();
    tx.upsert_segment("石墨产业链", "负极材料", Position::Midstream, &[])
        .await
        .unwrap();
    let mut firm = Enterprise::new("贝特瑞新材料集团股份有限公司").unwrap();
    firm.credit_code = CreditCode::with_check_char("91440300MA5ABCDE1");
    tx.upsert_enterprises(&[firm]).await.unwrap();
    tx.commit().await.unwrap();
}

fn packaged() -> PackagedProject {
    let mut p = PackagedProject::new("BZ-2022-001", "石墨负极材料项目", "宝清县").unwrap();
    p.content = Some("建设天然石墨球形化、提纯及负极材料生产线，配套研发中心与仓储物流设施".into());
    p.scale = Some("年产5万吨负极材料".into());
    p.years = Some(2);
    p.estimate = Some(wan(100_000));
    p.breakdown = vec![
        EstimateItem {
            item: "土建工程".into(),
            amount: wan(40_000),
        },
        EstimateItem {
            item: "设备购置".into(),
            amount: wan(60_000),
        },
    ];
    p.park = Some("宝清经济开发区".into());
    p.area = Some(Mu::parse("面积", "300.5").unwrap());
    p.resources = vec![
        (ResourceKind::RawMaterial, "宝清石墨矿".into()),
        (ResourceKind::Energy, "110千伏变电站".into()),
        (ResourceKind::Logistics, "佳木斯港".into()),
    ];
    p.approvals = vec!["立项备案".into(), "用地预审".into()];
    p.chain = Some("石墨产业链".into());
    p.segment = Some("负极材料".into());
    p.chain_leader = Some("李明远".into());
    p.targets = vec!["贝特瑞新材料集团股份有限公司".into()];
    p.status = PackagedStatus::Packaged;
    p
}

async fn a_packaged_project_is_kept_whole_and_signed_once(db: &TestDb) {
    let store = db.open().await.unwrap();
    organisation(&store).await;
    let p = packaged();

    // Unknown references, each named at once; nothing written.
    let mut wrong = p.clone();
    wrong.unit = "不存在县".into();
    wrong.segment = Some("不存在环节".into());
    wrong.targets = vec!["没有这家公司".into()];
    let mut tx = store.begin("test").await.unwrap();
    let Err(StoreError::InvalidFields(errors)) = tx.upsert_packaged(&wrong).await else {
        panic!("refused");
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["责任单位", "环节", "目标企业"]);
    tx.rollback().await.unwrap();

    let mut tx = store.begin("test").await.unwrap();
    assert_eq!(tx.upsert_packaged(&p).await.unwrap(), Upserted::Inserted);
    assert_eq!(tx.upsert_packaged(&p).await.unwrap(), Upserted::Unchanged);
    tx.commit().await.unwrap();
    let held = store.packaged("BZ-2022-001").await.unwrap().unwrap();
    let mut expected = p.clone();
    let code = CreditCode::with_check_char("91440300MA5ABCDE1").unwrap();
    expected.targets = vec![code.as_str().to_owned()];
    assert_eq!(
        held.packaged, expected,
        "read back whole, the target by its code"
    );
    assert_eq!(held.packaged.maturity().score(), 100);
    let listed = store
        .packaged_projects(&PackagedFilter {
            chain: Some("石墨产业链".into()),
            status: Some(PackagedStatus::Packaged),
            ..PackagedFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);

    // A breakdown that does not add up, and 已签约 by hand, are refused.
    let mut tx = store.begin("test").await.unwrap();
    let mut off = p.clone();
    off.breakdown[0].amount = wan(39_999);
    assert!(tx.upsert_packaged(&off).await.is_err());
    let mut by_hand = p.clone();
    by_hand.status = PackagedStatus::Signed;
    assert!(tx.upsert_packaged(&by_hand).await.is_err());
    let mut promoted = p.clone();
    promoted.status = PackagedStatus::Engaged;
    assert_eq!(
        tx.upsert_packaged(&promoted).await.unwrap(),
        Upserted::Updated
    );
    tx.commit().await.unwrap();

    // Signed into a project at 签约: linked, counted once, no longer edited here.
    let mut project = Project::new("BQ-2022-088", "贝特瑞石墨负极材料项目", "宝清县").unwrap();
    project.investor = Some("贝特瑞新材料集团股份有限公司".into());
    project.chain = Some("石墨产业链".into());
    let mut tx = store.begin("test").await.unwrap();
    tx.sign_packaged("BZ-2022-001", &project, d("2022-06-18"), Some(wan(100_000)))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let held = store.packaged("BZ-2022-001").await.unwrap().unwrap();
    assert_eq!(held.packaged.status, PackagedStatus::Signed);
    assert_eq!(held.project.as_deref(), Some("BQ-2022-088"));
    assert_eq!(state(&store, "BQ-2022-088").await, "签约");
    let signed = store.packaged_signed(None).await.unwrap();
    assert_eq!((signed.projects, signed.signed_amount), (1, 1_000_000_000));
    let mut tx = store.begin("test").await.unwrap();
    let again = tx
        .sign_packaged("BZ-2022-001", &project, d("2022-06-19"), None)
        .await
        .unwrap_err();
    assert!(
        again.to_string().contains("已签约为项目BQ-2022-088"),
        "{again}"
    );
    let edit = tx.upsert_packaged(&promoted).await.unwrap_err();
    assert!(edit.to_string().contains("请在项目中修改"), "{edit}");
    tx.rollback().await.unwrap();

    // Signed in talks: a second packaged project becomes a project in 在谈, not yet counted.
    let mut second = packaged();
    second.code = "BZ-2022-002".into();
    second.targets.clear();
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_packaged(&second).await.unwrap();
    let talks = Project::new("BQ-2022-089", "石墨提纯项目", "宝清县").unwrap();
    tx.sign_packaged("BZ-2022-002", &talks, d("2022-07-01"), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(state(&store, "BQ-2022-089").await, "在谈");
    assert_eq!(store.packaged_signed(None).await.unwrap().projects, 1);

    // Linked to a project the county recorded itself; a project takes one link.
    let mut third = packaged();
    third.code = "BZ-2022-003".into();
    third.targets.clear();
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_packaged(&third).await.unwrap();
    let taken = tx
        .link_packaged("BZ-2022-003", "BQ-2022-089")
        .await
        .unwrap_err();
    assert!(
        taken.to_string().contains("已关联项目库中的“BZ-2022-002”"),
        "{taken}"
    );
    tx.link_packaged("BZ-2022-003", "BQ-2022-088")
        .await
        .unwrap_err();
    tx.upsert_project(&Project::new("BQ-2022-090", "石墨深加工项目", "宝清县").unwrap())
        .await
        .unwrap();
    tx.link_packaged("BZ-2022-003", "BQ-2022-090")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let held = store.packaged("BZ-2022-003").await.unwrap().unwrap();
    assert_eq!(
        (held.packaged.status, held.project.as_deref()),
        (PackagedStatus::Signed, Some("BQ-2022-090"))
    );
}

both_databases!(a_packaged_project_is_kept_whole_and_signed_once);
