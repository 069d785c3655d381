//! The 招商路线图 kept (issue 23.2): the four sets with their references resolved (every unknown
//! one named), and plan against done read from the visit log and the projects — on SQLite and
//! PostgreSQL.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use domain::enterprise::Enterprise;
use domain::packaged::PackagedProject;
use domain::records::{Chain, Leader, Project, Unit, UnitKind, Visit};
use domain::roadmap::{ClientProgress, OwnerKind, SetKind, VisitOutcome, visit_outcome};
use domain::stage::StageEvent;
use domain::{EventKind, Stage};
use store::testing::TestDb;
use store::{ItemInput, StoreError, both_databases};

fn d(text: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

async fn a_roadmap_holds_four_sets_and_its_plan_is_judged_by_the_records(db: &TestDb) {
    let store = db.open().await.unwrap();
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
    tx.upsert_packaged(&PackagedProject::new("BZ-1", "石墨负极材料项目", "宝清县").unwrap())
        .await
        .unwrap();
    for name in ["甲石墨有限公司", "乙新材料有限公司"] {
        tx.upsert_enterprises(&[Enterprise::new(name).unwrap()])
            .await
            .unwrap();
    }
    let mut project = Project::new("BQ-1", "负极材料项目", "宝清县").unwrap();
    project.investor = Some("乙新材料有限公司".into());
    tx.upsert_project(&project).await.unwrap();
    let talks = StageEvent::new(
        EventKind::Stage(Stage::Negotiating),
        d("2022-05-01"),
        None,
        None,
        None,
        None,
    )
    .unwrap();
    tx.add_event("BQ-1", &talks).await.unwrap();
    let mut visit = Visit::new(d("2022-04-20"));
    visit.enterprise = Some("甲石墨有限公司".into());
    tx.add_visit(&visit).await.unwrap();

    let id = tx
        .roadmap_for(2022, OwnerKind::Chain, "石墨产业链")
        .await
        .unwrap();
    assert_eq!(
        tx.roadmap_for(2022, OwnerKind::Chain, "石墨产业链")
            .await
            .unwrap(),
        id,
        "one roadmap per chain and year"
    );
    let item = |reference, month, leader| ItemInput {
        reference,
        month,
        leader,
    };
    tx.add_roadmap_item(id, SetKind::Project, &item("BZ-1", None, None))
        .await
        .unwrap();
    for firm in ["甲石墨有限公司", "乙新材料有限公司"] {
        tx.add_roadmap_item(id, SetKind::Client, &item(firm, None, None))
            .await
            .unwrap();
    }
    tx.add_roadmap_item(
        id,
        SetKind::Policy,
        &item("双鸭山市招商引资优惠政策（2022）", None, None),
    )
    .await
    .unwrap();
    tx.add_roadmap_item(
        id,
        SetKind::Visit,
        &item("甲石墨有限公司", Some(3), Some("李明远")),
    )
    .await
    .unwrap();
    tx.add_roadmap_item(id, SetKind::Visit, &item("乙新材料有限公司", Some(6), None))
        .await
        .unwrap();
    // Every unknown reference is named: the firm, the month, the leader.
    match tx
        .add_roadmap_item(
            id,
            SetKind::Visit,
            &item("丙公司", Some(13), Some("无名氏")),
        )
        .await
    {
        Err(StoreError::InvalidFields(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["企业", "计划月份", "带队领导"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        tx.roadmap_for(2022, OwnerKind::Unit, "不存在县")
            .await
            .is_err()
    );
    tx.commit().await.unwrap();

    let record = store.roadmap(id).await.unwrap().unwrap();
    assert_eq!((record.owner.as_str(), record.year), ("石墨产业链", 2022));
    let count = |k: SetKind| record.items.iter().filter(|i| i.kind == k).count();
    assert_eq!(
        [
            SetKind::Project,
            SetKind::Client,
            SetKind::Policy,
            SetKind::Visit
        ]
        .map(count),
        [1, 2, 1, 2]
    );
    let activity = store.firm_activity(&record).await.unwrap();
    let outcome = |firm: &str, month| {
        let (id, ..) = record
            .items
            .iter()
            .filter_map(|i| i.firm.as_ref())
            .find(|f| f.1 == firm)
            .unwrap();
        visit_outcome(2022, month, &activity.visits[id], d("2022-12-31"))
    };
    // Planned for March, visited 20 April: held late; planned for June, never visited: missed.
    assert_eq!(
        outcome("甲石墨有限公司", 3),
        VisitOutcome::Late(d("2022-04-20"))
    );
    assert_eq!(outcome("乙新材料有限公司", 6), VisitOutcome::Missed);
    let progress = |firm: &str| {
        let (id, ..) = record
            .items
            .iter()
            .filter_map(|i| i.firm.as_ref())
            .find(|f| f.1 == firm)
            .unwrap();
        ClientProgress::of(
            !activity.visits[id].is_empty(),
            &activity.projects[id],
            2022,
            d("2022-12-31"),
        )
    };
    assert_eq!(progress("甲石墨有限公司"), ClientProgress::Approached);
    assert_eq!(progress("乙新材料有限公司"), ClientProgress::InTalks);

    let mut tx = store.begin("test").await.unwrap();
    let policy = record
        .items
        .iter()
        .find(|i| i.kind == SetKind::Policy)
        .unwrap();
    tx.remove_roadmap_item(id, policy.id).await.unwrap();
    assert!(tx.remove_roadmap_item(id, policy.id).await.is_err());
    tx.commit().await.unwrap();
    assert_eq!(store.roadmap(id).await.unwrap().unwrap().items.len(), 5);
    assert_eq!(store.roadmaps().await.unwrap().len(), 1);
}

both_databases!(a_roadmap_holds_four_sets_and_its_plan_is_judged_by_the_records);
