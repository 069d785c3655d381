//! One firm, one record (issue 22.6): a ledger naming an investor without its credit code and a
//! register carrying the code meet in the same firm, in either order; a name several coded
//! firms share is not guessed. On SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use domain::CreditCode;
use domain::enterprise::Enterprise;
use domain::records::{Project, Unit, UnitKind};
use store::testing::TestDb;
use store::{Store, Table, both_databases};

fn code(first17: &str) -> CreditCode {
    CreditCode::with_check_char(first17).unwrap()
}

fn coded(name: &str, first17: &str) -> Enterprise {
    let mut firm = Enterprise::new(name).unwrap();
    firm.credit_code = Some(code(first17));
    firm
}

async fn project(store: &Store, code: &str, investor: &str, preload: bool) {
    let mut tx = store.begin("test").await.unwrap();
    if preload {
        tx.preload_firms().await.unwrap();
    }
    let mut p = Project::new(code, &format!("{investor}项目"), "集贤县").unwrap();
    p.investor = Some(investor.into());
    tx.upsert_project(&p).await.unwrap();
    tx.commit().await.unwrap();
}

async fn investor_code(store: &Store, project: &str) -> Option<String> {
    store
        .project(project)
        .await
        .unwrap()
        .unwrap()
        .project
        .investor_code
        .map(|c| c.as_str().to_owned())
}

async fn a_firm_named_without_its_code_is_the_coded_firm_of_that_name(db: &TestDb) {
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_unit(&Unit::new("双鸭山市", UnitKind::City, None, None, None).unwrap())
        .await
        .unwrap();
    tx.upsert_unit(
        &Unit::new(
            "集贤县",
            UnitKind::County,
            None,
            None,
            Some("双鸭山市".into()),
        )
        .unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Named first, coded later: the register's code goes to the firm the ledger made.
    project(&store, "P-1", "中国船舶集团风电发展有限公司", false).await;
    let wind = coded("中国船舶集团风电发展有限公司", "91110000MA01ABCD1");
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_enterprises(std::slice::from_ref(&wind))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.count(Table::Enterprises).await.unwrap(), 1, "no twin");
    assert_eq!(
        investor_code(&store, "P-1").await.as_deref(),
        wind.credit_code.as_ref().map(CreditCode::as_str)
    );

    // Coded first, named later, with and without the import's preload: the same firm.
    let carbon = coded("浙江碳一新能源有限公司", "91330000MA2ABCDE1");
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_enterprises(std::slice::from_ref(&carbon))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    project(&store, "P-2", "浙江碳一新能源有限公司", false).await;
    project(&store, "P-3", "浙江碳一新能源有限公司", true).await;
    assert_eq!(store.count(Table::Enterprises).await.unwrap(), 2);
    for p in ["P-2", "P-3"] {
        assert_eq!(
            investor_code(&store, p).await.as_deref(),
            carbon.credit_code.as_ref().map(CreditCode::as_str),
            "{p}"
        );
    }

    // Two coded firms of one name: a name alone names neither, with or without the preload.
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_enterprises(&[
        coded("同名实业有限公司", "91230500MA1AAAAA1"),
        coded("同名实业有限公司", "91230500MA1BBBBB1"),
    ])
    .await
    .unwrap();
    tx.commit().await.unwrap();
    project(&store, "P-4", "同名实业有限公司", false).await;
    project(&store, "P-5", "同名实业有限公司", true).await;
    assert_eq!(store.count(Table::Enterprises).await.unwrap(), 5);
    for p in ["P-4", "P-5"] {
        assert_eq!(investor_code(&store, p).await, None, "{p}");
    }
}

both_databases!(a_firm_named_without_its_code_is_the_coded_firm_of_that_name);

async fn firm_id(store: &Store, name: &str) -> i64 {
    let ids = store.firms_named(name).await.unwrap();
    assert_eq!(ids.len(), 1, "{name}: {ids:?}");
    ids[0]
}

/// Two records of one firm merged by the bureau, and the merge undone: everything the merged
/// record held moves and comes back, and what was added to the kept firm since stays.
async fn a_merge_moves_everything_and_its_undo_puts_it_back(db: &TestDb) {
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_unit(&Unit::new("集贤县", UnitKind::County, None, None, None).unwrap())
        .await
        .unwrap();
    let wind = coded("中国船舶集团风电发展有限公司", "91110000MA01ABCD1");
    tx.upsert_enterprises(&[
        wind.clone(),
        Enterprise::new("中船风电").unwrap(),
        Enterprise::new("集贤县中船风力发电有限公司").unwrap(),
        coded("另一家风电有限公司", "91110000MA01ABCE1"),
    ])
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (kept, twin) = (
        firm_id(&store, &wind.name).await,
        firm_id(&store, "中船风电").await,
    );
    let (child, other) = (
        firm_id(&store, "集贤县中船风力发电有限公司").await,
        firm_id(&store, "另一家风电有限公司").await,
    );
    project(&store, "P-1", "中船风电", false).await;
    let mut tx = store.begin("test").await.unwrap();
    tx.set_parent(child, Some(twin)).await.unwrap();
    let contact = store::Contact {
        name: "王经理".into(),
        title: None,
        phone: None,
        note: None,
    };
    tx.add_contact(twin, &contact).await.unwrap();
    let mut visit =
        domain::records::Visit::new(chrono::NaiveDate::from_ymd_opt(2022, 6, 1).unwrap());
    visit.unit = Some("集贤县".into());
    visit.enterprise = Some("中船风电".into());
    visit.contact = Some("王经理".into());
    tx.add_visit(&visit).await.unwrap();
    // A contact of another firm is refused, naming the field.
    visit.contact = Some("李总".into());
    let refused = tx.add_visit(&visit).await.unwrap_err();
    assert!(refused.to_string().contains("接待联系人"), "{refused}");
    // A firm is not its own subsidiary's subsidiary.
    assert!(tx.set_parent(twin, Some(child)).await.is_err());
    tx.commit().await.unwrap();

    // Refused: two coded records, a record with itself, no reason.
    let mut tx = store.begin("test").await.unwrap();
    let two_codes = tx
        .merge_enterprises(kept, other, "同一家")
        .await
        .unwrap_err();
    assert!(
        two_codes.to_string().contains("统一社会信用代码不同"),
        "{two_codes}"
    );
    assert!(tx.merge_enterprises(kept, kept, "同一家").await.is_err());
    assert!(tx.merge_enterprises(kept, twin, " ").await.is_err());
    tx.rollback().await.unwrap();

    let mut tx = store.begin("test").await.unwrap();
    let (merge, moves) = tx
        .merge_enterprises(kept, twin, "简称录入，同一家企业")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (
            moves.projects,
            moves.visits,
            moves.contacts,
            moves.subsidiaries
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(
        investor_code(&store, "P-1").await.as_deref(),
        Some(wind.credit_code.as_ref().unwrap().as_str())
    );
    let visits = store
        .visits_to(
            &wind.name,
            Some(wind.credit_code.as_ref().unwrap().as_str()),
        )
        .await
        .unwrap();
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0].contact.as_deref(), Some("王经理"));
    assert_eq!(store.contacts(kept).await.unwrap().len(), 1);
    assert_eq!(
        store.group(kept).await.unwrap().ids(kept),
        vec![kept, child]
    );
    assert!(
        store
            .enterprises()
            .await
            .unwrap()
            .iter()
            .all(|f| f.name != "中船风电")
    );
    assert_eq!(store.merged_into(twin).await.unwrap(), Some(kept));
    let kept_firm = store.enterprise(kept).await.unwrap().unwrap();
    assert_eq!(kept_firm.former_names, ["中船风电"]);
    // The merged name, met again, is the firm kept: no new record, its fields untouched.
    project(&store, "P-2", "中船风电", true).await;
    project(&store, "P-3", "中船风电", false).await;
    let mut tx = store.begin("test").await.unwrap();
    let written = tx
        .upsert_enterprises(&[Enterprise::new("中船风电").unwrap()])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (written[0].id, written[0].outcome),
        (kept, store::Upserted::Unchanged)
    );
    assert_eq!(store.count(Table::Enterprises).await.unwrap(), 4);
    for p in ["P-2", "P-3"] {
        assert!(investor_code(&store, p).await.is_some(), "{p}");
    }

    let mut tx = store.begin("test").await.unwrap();
    tx.undo_merge(merge).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        investor_code(&store, "P-1").await,
        None,
        "P-1 is back with the twin"
    );
    assert!(
        investor_code(&store, "P-2").await.is_some(),
        "added since: stays"
    );
    assert_eq!(store.visits_to("中船风电", None).await.unwrap().len(), 1);
    assert_eq!(store.contacts(twin).await.unwrap().len(), 1);
    assert_eq!(
        store.group(twin).await.unwrap().ids(twin),
        vec![twin, child]
    );
    assert_eq!(store.merged_into(twin).await.unwrap(), None);
    assert!(
        store
            .enterprise(kept)
            .await
            .unwrap()
            .unwrap()
            .former_names
            .is_empty()
    );
    let merges = store.merges().await.unwrap();
    assert!(merges[0].undone_at.is_some());
    let mut tx = store.begin("test").await.unwrap();
    assert!(tx.undo_merge(merge).await.is_err(), "undone once");
}

both_databases!(a_merge_moves_everything_and_its_undo_puts_it_back);

/// The record kept is the registered one; merges chain; a merged record takes no change; a
/// visit naming a merged record is the kept firm's, one naming a name several firms share is
/// refused.
async fn merges_keep_the_registered_record_and_chain(db: &TestDb) {
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_unit(&Unit::new("集贤县", UnitKind::County, None, None, None).unwrap())
        .await
        .unwrap();
    let coded_firm = coded("双鸭山风光新能源有限公司", "91230500MA1CCCCC1");
    let written = tx
        .upsert_enterprises(&[
            coded_firm.clone(),
            Enterprise::new("风光新能源").unwrap(),
            Enterprise::new("风光新能源（双鸭山）").unwrap(),
            coded("同名实业有限公司", "91230500MA1AAAAA1"),
            coded("同名实业有限公司", "91230500MA1BBBBB1"),
        ])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let [kept, short, older] = [written[0].id, written[1].id, written[2].id];

    let mut tx = store.begin("test").await.unwrap();
    let wrong_way = tx
        .merge_enterprises(short, kept, "同一家")
        .await
        .unwrap_err();
    assert!(wrong_way.to_string().contains("应保留它"), "{wrong_way}");
    // 风光新能源（双鸭山） into 风光新能源, then that into the registered firm.
    tx.merge_enterprises(short, older, "旧称").await.unwrap();
    tx.merge_enterprises(kept, short, "简称").await.unwrap();
    tx.commit().await.unwrap();
    let firm = store.enterprise(kept).await.unwrap().unwrap();
    assert_eq!(firm.former_names, ["风光新能源", "风光新能源（双鸭山）"]);
    assert_eq!(
        store.merged_into(older).await.unwrap(),
        Some(kept),
        "chained"
    );
    project(&store, "P-1", "风光新能源（双鸭山）", false).await;
    assert_eq!(
        investor_code(&store, "P-1").await.as_deref(),
        coded_firm.credit_code.as_ref().map(CreditCode::as_str)
    );

    let mut tx = store.begin("test").await.unwrap();
    let contact = store::Contact {
        name: "孙经理".into(),
        title: None,
        phone: None,
        note: None,
    };
    assert!(tx.add_contact(short, &contact).await.is_err(), "merged");
    assert!(tx.set_parent(short, Some(kept)).await.is_err(), "merged");
    assert!(tx.set_parent(kept, Some(short)).await.is_err(), "merged");
    tx.add_contact(kept, &contact).await.unwrap();
    let mut visit =
        domain::records::Visit::new(chrono::NaiveDate::from_ymd_opt(2022, 6, 1).unwrap());
    visit.unit = Some("集贤县".into());
    visit.enterprise = Some("风光新能源".into());
    visit.contact = Some("孙经理".into());
    tx.add_visit(&visit).await.unwrap();
    visit.enterprise = Some("同名实业有限公司".into());
    visit.contact = None;
    let shared = tx.add_visit(&visit).await.unwrap_err();
    assert!(shared.to_string().contains("有2家企业名为"), "{shared}");
    visit.enterprise = Some("风光新能源".into());
    visit.date = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
    let slip = tx.add_visit(&visit).await.unwrap_err();
    assert!(slip.to_string().contains("不能早于2000年"), "{slip}");
    tx.commit().await.unwrap();
    let code = coded_firm.credit_code.as_ref().map(CreditCode::as_str);
    let visits = store.visits_to(&coded_firm.name, code).await.unwrap();
    assert_eq!(visits.len(), 1, "the visit is the kept firm's");
    assert_eq!(visits[0].contact.as_deref(), Some("孙经理"));
}

both_databases!(merges_keep_the_registered_record_and_chain);
