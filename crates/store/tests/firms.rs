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
