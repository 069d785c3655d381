//! The store's behaviour, the same on SQLite and PostgreSQL: each test runs on both.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use chrono::NaiveDate;
use domain::figures::Indicator;
use domain::records::{Chain, Fund, Leader, Project, Target, Team, Unit, UnitKind, Visit};
use domain::stage::StageEvent;
use domain::{CreditCode, Currency, EventKind, Money, Stage};
use store::testing::TestDb;
use store::{Added, Store, StoreError, Table, Tx, Upserted, both_databases};

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn wan(text: &str) -> Money {
    Money::parse_wan("金额", text).unwrap()
}

async fn begin(store: &Store) -> Tx {
    let mut tx = store.begin("test").await.unwrap();
    tx.set_today(d("2022-07-01"));
    tx
}

/// A small city: the root, two counties, a department, a leader, a chain and a team.
async fn small_city(store: &Store) {
    let mut tx = begin(store).await;
    tx.upsert_unit(
        &Unit::new(
            "双鸭山市",
            UnitKind::City,
            None,
            Some("230500".into()),
            None,
        )
        .unwrap(),
    )
    .await
    .unwrap();
    for (name, code) in [("集贤县", "230521"), ("友谊县", "230522")] {
        let unit = Unit::new(
            name,
            UnitKind::County,
            None,
            Some(code.into()),
            Some("双鸭山市".into()),
        )
        .unwrap();
        tx.upsert_unit(&unit).await.unwrap();
    }
    let department = Unit::new(
        "市发展和改革委员会",
        UnitKind::Department,
        None,
        None,
        Some("双鸭山市".into()),
    )
    .unwrap();
    tx.upsert_unit(&department).await.unwrap();
    tx.upsert_leader(&Leader::new("王建国", Some("副市长".into())).unwrap())
        .await
        .unwrap();
    tx.upsert_chain(
        &Chain::new("新能源产业链", Some("新能源".into()), Some("王建国".into())).unwrap(),
    )
    .await
    .unwrap();
    tx.upsert_team(&Team::new("新能源专班", Some("王建国".into())).unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn wind_farm() -> Project {
    let mut p = Project::new("SYS-2022-001", "集贤200兆瓦风电项目", "集贤县").unwrap();
    p.investor = Some("中船风电双鸭山新能源开发有限公司".into());
    p.investor_code = Some(CreditCode::with_check_char("91230521MA1CXX7Q0").unwrap());
    p.chain = Some("新能源产业链".into());
    p.credited = vec!["市发展和改革委员会".into()];
    p.leader = Some("王建国".into());
    p.team = Some("新能源专班".into());
    p.source_mode = Some("政府团队".into());
    p.planned_investment = Some(wan("120000"));
    p.signed_amount = Some(wan("120000"));
    p.key_project = true;
    p
}

/// The small city with its wind farm, priced at 100 万元 before signing.
async fn priced_wind_farm(store: &Store) -> Project {
    small_city(store).await;
    let mut tx = begin(store).await;
    let mut p = wind_farm();
    p.signed_amount = Some(wan("100"));
    tx.upsert_project(&p).await.unwrap();
    tx.commit().await.unwrap();
    p
}

fn event(kind: EventKind, date: &str) -> StageEvent {
    StageEvent::new(kind, d(date), None, None, None, None).unwrap()
}

async fn a_placement_waits_for_its_unit_and_counts_once_confirmed(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let counted = store.figure_facts().await.unwrap().projects.len();
    let mut tx = begin(&store).await;
    let project = Project::new("P-MOVED", "跨县项目", "友谊县").unwrap();
    tx.upsert_project(&project).await.unwrap();
    tx.request_placements("P-MOVED", &["友谊县".to_owned()])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.placements_of("P-MOVED").await.unwrap(),
        vec!["友谊县"]
    );
    assert_eq!(
        store
            .pending_placements(Some("友谊县"))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .pending_placements(Some("集贤县"))
            .await
            .unwrap()
            .is_empty()
    );
    let facts = store.figure_facts().await.unwrap();
    assert_eq!(facts.projects.len(), counted, "not counted while waiting");
    let mut tx = begin(&store).await;
    tx.confirm_placement("P-MOVED", "友谊县").await.unwrap();
    tx.commit().await.unwrap();
    assert!(store.placements_of("P-MOVED").await.unwrap().is_empty());
    let facts = store.figure_facts().await.unwrap();
    assert_eq!(facts.projects.len(), counted + 1, "counted once confirmed");
    // Confirming twice is a 404, not a silent success.
    let mut tx = begin(&store).await;
    assert!(matches!(
        tx.confirm_placement("P-MOVED", "友谊县").await,
        Err(StoreError::NotFound(_))
    ));
}

/// A ledger names a firm on many rows: the firm is looked up once per transaction, and a firm
/// made in it is compared only with the projects the transaction gave it — new ones, and an
/// existing project moved to it — so the duplicate check still holds a second report.
async fn a_second_report_is_held_whether_its_firm_is_new_old_or_just_given_to_a_project(
    db: &TestDb,
) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let project = |code: &str, name: &str, investor: &str| {
        let mut p = Project::new(code, name, "集贤县").unwrap();
        p.investor = Some(investor.into());
        p
    };
    let mut tx = begin(&store).await;
    tx.upsert_project(&project("OLD-1", "集贤石墨深加工项目", "老牌石墨有限公司"))
        .await
        .unwrap();
    tx.upsert_project(&Project::new("OLD-2", "集贤玄武岩纤维项目", "集贤县").unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = begin(&store).await;
    for p in [
        // A firm held before: compared with the stored OLD-1.
        project("A-1", "集贤石墨深加工项目（二期）", "老牌石墨有限公司"),
        // A firm new in this file, twice.
        project("B-1", "集贤光伏组件项目", "新来光伏有限公司"),
        project("B-2", "集贤光伏组件项目二期", "新来光伏有限公司"),
        // An existing project given a firm new in this file, then a second report of it.
        project("OLD-2", "集贤玄武岩纤维项目", "新来玄武岩有限公司"),
        project("C-1", "集贤玄武岩纤维项目（续报）", "新来玄武岩有限公司"),
        // The same firm in another county is no duplicate.
        {
            let mut p = project("B-3", "集贤光伏组件项目", "新来光伏有限公司");
            p.territory = "友谊县".into();
            p
        },
    ] {
        tx.upsert_project(&p).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut held: Vec<(String, String)> = store
        .suspected_duplicates(None)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.code, d.original_code))
        .collect();
    held.sort();
    assert_eq!(
        held,
        [
            ("A-1".to_owned(), "OLD-1".to_owned()),
            ("B-2".to_owned(), "B-1".to_owned()),
            ("C-1".to_owned(), "OLD-2".to_owned()),
        ]
    );
    let firms = store.enterprises().await.unwrap();
    assert_eq!(
        firms
            .iter()
            .filter(|e| e.name == "新来光伏有限公司")
            .count(),
        1,
        "one firm however many rows name it"
    );
}

/// A blocker naming an unknown category, unit and leader is refused naming all three at once.
async fn a_blocker_with_three_unknown_names_is_refused_naming_all_three(db: &TestDb) {
    let store = db.open().await.unwrap();
    priced_wind_farm(&store).await;
    let blocker = domain::blockers::NewBlocker::new(
        "SYS-2022-001",
        "用地指标未落实",
        "天气",
        d("2022-04-01"),
        "不存在局",
        Some("无名氏".into()),
        d("2022-05-01"),
        d("2022-07-01"),
    )
    .unwrap();
    let mut tx = begin(&store).await;
    let refused = tx.raise_blocker(&blocker).await.unwrap_err();
    let fields: Vec<&str> = refused
        .field_errors()
        .iter()
        .map(|e| e.field.as_str())
        .collect();
    assert_eq!(fields, ["问题类别", "责任单位", "责任领导"]);
}

async fn migrations_apply_once_and_reopening_is_harmless(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    store.close().await;
    let again = db.open().await.unwrap();
    assert_eq!(again.count(Table::Units).await.unwrap(), 4);
    assert_eq!(again.value_list("source_mode").await.unwrap().len(), 8);
}

async fn a_project_reads_back_exactly_as_written(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    assert_eq!(
        tx.upsert_project(&wind_farm()).await.unwrap(),
        Upserted::Inserted
    );
    tx.commit().await.unwrap();
    let stored = store.project("SYS-2022-001").await.unwrap().unwrap();
    assert_eq!(stored.project, wind_farm());
    assert_eq!(store.projects().await.unwrap(), vec![wind_farm()]);
}

async fn an_unchanged_upsert_writes_nothing_and_a_change_is_logged_with_before_and_after(
    db: &TestDb,
) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    tx.upsert_project(&wind_farm()).await.unwrap();
    assert_eq!(
        tx.upsert_project(&wind_farm()).await.unwrap(),
        Upserted::Unchanged
    );
    let mut changed = wind_farm();
    changed.signed_amount = Some(wan("150000"));
    changed.credited = vec![];
    assert_eq!(
        tx.upsert_project(&changed).await.unwrap(),
        Upserted::Updated
    );
    tx.commit().await.unwrap();

    let log = store.changes_of("project", "SYS-2022-001").await.unwrap();
    assert_eq!(
        log.iter().map(|c| c.action.as_str()).collect::<Vec<_>>(),
        ["create", "update"]
    );
    assert_eq!(log[1].actor, "test");
    assert!(
        log[1].before.as_deref().unwrap().contains("1200000000"),
        "{:?}",
        log[1].before
    );
    assert!(
        log[1].after.as_deref().unwrap().contains("1500000000"),
        "{:?}",
        log[1].after
    );
    assert_eq!(
        store
            .project("SYS-2022-001")
            .await
            .unwrap()
            .unwrap()
            .project,
        changed
    );
}

async fn a_project_naming_a_missing_unit_is_rejected_with_the_field(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    let mut p = wind_farm();
    p.territory = "不存在县".into();
    let err = tx.upsert_project(&p).await.unwrap_err();
    assert_eq!(
        err.field_error().unwrap().to_string(),
        "所在县区: 单位“不存在县”不存在，请先录入或导入"
    );
    let mut p = wind_farm();
    p.source_mode = Some("抽签".into());
    let err = tx.upsert_project(&p).await.unwrap_err();
    assert_eq!(err.field_error().unwrap().field, "招商方式");
    tx.commit().await.unwrap();
    assert_eq!(store.count(Table::Projects).await.unwrap(), 0);
    assert_eq!(store.count(Table::Enterprises).await.unwrap(), 0);
}

async fn a_rolled_back_change_leaves_neither_record_nor_log(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let logged = store.count(Table::ChangeLog).await.unwrap();
    let mut tx = begin(&store).await;
    tx.upsert_project(&wind_farm()).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(store.count(Table::Projects).await.unwrap(), 0);
    assert_eq!(store.count(Table::ChangeLog).await.unwrap(), logged);
}

async fn events_obey_the_stage_rules_in_the_store(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    tx.upsert_project(&wind_farm()).await.unwrap();
    let signed = event(EventKind::Stage(Stage::Signed), "2022-01-20");
    assert!(matches!(
        tx.add_event("SYS-2022-001", &signed).await.unwrap(),
        Added::Added(_)
    ));
    assert_eq!(
        tx.add_event("SYS-2022-001", &signed).await.unwrap(),
        Added::Duplicate
    );
    let back = event(EventKind::Stage(Stage::Started), "2022-01-10");
    let err = tx.add_event("SYS-2022-001", &back).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "日期: 不能早于该项目上一事件的日期（2022-01-20）"
    );
    let future = event(EventKind::Stage(Stage::Started), "2022-07-02");
    assert_eq!(
        tx.add_event("SYS-2022-001", &future)
            .await
            .unwrap_err()
            .to_string(),
        "日期: 不能晚于今天（2022-07-01）"
    );
    let err = tx.add_event("SYS-9", &signed).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "项目编号: 项目编号“SYS-9”不存在，请先录入或导入"
    );
    tx.add_event(
        "SYS-2022-001",
        &event(EventKind::Stage(Stage::Started), "2022-04-01"),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let events = store.events_of("SYS-2022-001").await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].event, signed);
}

async fn a_correction_keeps_the_original_and_changes_what_counts(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    let mut project = wind_farm();
    project.signed_amount = None;
    tx.upsert_project(&project).await.unwrap();
    let wrong = StageEvent::new(
        EventKind::Stage(Stage::Signed),
        d("2022-01-20"),
        Some(wan("12000")),
        None,
        None,
        None,
    )
    .unwrap();
    let Added::Added(id) = tx.add_event("SYS-2022-001", &wrong).await.unwrap() else {
        panic!("not added")
    };
    let right = StageEvent {
        amount: Some(wan("120000")),
        ..wrong.clone()
    };
    let err = tx
        .correct_event("SYS-2022-001", id, Some(&right), " ")
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "更正原因: 更正须说明原因");
    tx.correct_event("SYS-2022-001", id, Some(&right), "金额少录一个零")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let recorded = store.events_of("SYS-2022-001").await.unwrap();
    assert_eq!(
        recorded.len(),
        2,
        "the original is kept beside its correction"
    );
    assert_eq!(recorded[0].event, wrong);
    let correction = recorded[1].correction.as_ref().unwrap();
    assert_eq!(
        (correction.corrects, correction.reason.as_str()),
        (id, "金额少录一个零")
    );
    let progress = domain::stage::progress_of(
        &recorded,
        &domain::stage::RuleContext {
            today: d("2022-07-01"),
            project_signed_amount: None,
        },
    )
    .unwrap();
    assert_eq!(progress.signed, Some((d("2022-01-20"), wan("120000"))));
    let log = store.changes_of("event", &id.to_string()).await.unwrap();
    assert_eq!(
        log.iter().map(|c| c.action.as_str()).collect::<Vec<_>>(),
        ["create", "correct"]
    );
}

async fn funds_are_appended_once_and_verified_by_name(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    tx.upsert_project(&wind_farm()).await.unwrap();
    let mut fund = Fund::new("SYS-2022-001", d("2022-03-01"), wan("5000"), Currency::Cny).unwrap();
    fund.source = Some("自有".into());
    let Added::Added(id) = tx.add_fund(&fund).await.unwrap() else {
        panic!("not added")
    };
    assert_eq!(tx.add_fund(&fund).await.unwrap(), Added::Duplicate);
    let dollars = Fund::new(
        "SYS-2022-001",
        d("2022-03-01"),
        Money::from_units("金额", 2_000_000).unwrap(),
        Currency::Usd,
    )
    .unwrap();
    tx.add_fund(&dollars).await.unwrap();
    let mut bad = fund.clone();
    bad.source = Some("捐赠".into());
    assert_eq!(
        tx.add_fund(&bad)
            .await
            .unwrap_err()
            .field_error()
            .unwrap()
            .field,
        "来源"
    );
    tx.verify_fund(id).await.unwrap();
    assert_eq!(
        tx.verify_fund(id).await.unwrap_err().to_string(),
        "已核实: 该记录已核实"
    );
    tx.commit().await.unwrap();
    let funds = store.funds().await.unwrap();
    assert_eq!(funds.len(), 2);
    let (_, cny) = funds.iter().find(|(i, _)| *i == id).unwrap();
    assert!(cny.verified);
    assert_eq!(cny.verifier.as_deref(), Some("test"));
    assert_eq!(cny.amount.units(), 50_000_000);
}

async fn visits_are_appended_once_and_may_have_no_unit(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    let mut visit = Visit::new(d("2022-05-06"));
    visit.enterprise = Some("浙江碳一新能源有限公司".into());
    visit.mode = Some("上门拜访".into());
    visit.leaders = Some("王建国".into());
    assert!(matches!(
        tx.add_visit(&visit).await.unwrap(),
        Added::Added(_)
    ));
    assert_eq!(tx.add_visit(&visit).await.unwrap(), Added::Duplicate);
    let mut county_visit = visit.clone();
    county_visit.unit = Some("集贤县".into());
    assert!(matches!(
        tx.add_visit(&county_visit).await.unwrap(),
        Added::Added(_)
    ));
    tx.commit().await.unwrap();
    assert_eq!(store.visits().await.unwrap(), vec![visit, county_visit]);
}

async fn targets_are_set_per_year_unit_and_indicator_with_the_city_apart(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    let city = Target::new(2022, None, Indicator::SignedProjects, 160).unwrap();
    let county = Target::new(2022, Some("集贤县".into()), Indicator::SignedProjects, 30).unwrap();
    assert_eq!(tx.upsert_target(&city).await.unwrap(), Upserted::Inserted);
    assert_eq!(tx.upsert_target(&county).await.unwrap(), Upserted::Inserted);
    assert_eq!(tx.upsert_target(&city).await.unwrap(), Upserted::Unchanged);
    let raised = Target {
        value: 170,
        ..city.clone()
    };
    assert_eq!(tx.upsert_target(&raised).await.unwrap(), Upserted::Updated);
    tx.commit().await.unwrap();
    assert_eq!(store.targets().await.unwrap(), vec![raised, county]);
}

async fn many_events_in_one_transaction_keep_their_ids_and_order(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    let mut first_ids = Vec::new();
    for i in 0..150 {
        let mut p = wind_farm();
        p.code = format!("P-{i:03}");
        tx.upsert_project(&p).await.unwrap();
        let signed = event(EventKind::Stage(Stage::Signed), "2022-01-20");
        let Added::Added(id) = tx.add_event(&p.code, &signed).await.unwrap() else {
            panic!()
        };
        first_ids.push(id);
        tx.add_event(
            &p.code,
            &event(EventKind::Stage(Stage::Started), "2022-03-01"),
        )
        .await
        .unwrap();
        tx.add_event(&p.code, &event(EventKind::Suspend, "2022-03-02"))
            .await
            .unwrap();
    }
    // The first project's history is read again after hundreds of queued writes.
    let fixed = event(EventKind::Stage(Stage::Signed), "2022-01-21");
    tx.correct_event("P-000", first_ids[0], Some(&fixed), "日期录错")
        .await
        .unwrap();
    let err = tx
        .add_event(
            "P-000",
            &event(EventKind::Stage(Stage::Production), "2022-04-01"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "阶段: 项目停工中，须先记录复工");
    tx.commit().await.unwrap();

    assert_eq!(store.count(Table::Events).await.unwrap(), 451);
    let all = store.all_events().await.unwrap();
    let ids: Vec<i64> = all.iter().map(|(_, r)| r.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 451, "ids are unique");
    let p0: Vec<_> = all
        .iter()
        .filter(|(c, _)| c == "P-000")
        .map(|(_, r)| r.clone())
        .collect();
    assert_eq!(p0[0].id, first_ids[0]);
    assert_eq!(
        p0[3].correction.as_ref().map(|c| c.corrects),
        Some(first_ids[0])
    );
    assert!(
        p0.windows(2).all(|w| w[0].id < w[1].id),
        "recorded order is kept"
    );
    // A later transaction continues after the reserved ids.
    let mut tx = begin(&store).await;
    let Added::Added(next) = tx
        .add_event("P-001", &event(EventKind::Resume, "2022-04-01"))
        .await
        .unwrap()
    else {
        panic!()
    };
    tx.commit().await.unwrap();
    assert!(next > *ids.iter().max().unwrap());
    assert!(store.count(Table::ChangeLog).await.unwrap() > 600);
}

async fn a_project_queued_in_a_transaction_can_be_updated_and_referenced_before_commit(
    db: &TestDb,
) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    tx.upsert_project(&wind_farm()).await.unwrap();
    let mut renamed = wind_farm();
    renamed.name = "集贤200兆瓦风电项目（一期）".into();
    renamed.credited = vec!["市发展和改革委员会".into(), "友谊县".into()];
    assert_eq!(
        tx.upsert_project(&renamed).await.unwrap(),
        Upserted::Updated
    );
    let fund = Fund::new("SYS-2022-001", d("2022-03-01"), wan("5000"), Currency::Cny).unwrap();
    assert!(matches!(tx.add_fund(&fund).await.unwrap(), Added::Added(_)));
    let mut visit = Visit::new(d("2022-03-02"));
    visit.project_code = Some("SYS-2022-001".into());
    assert!(matches!(
        tx.add_visit(&visit).await.unwrap(),
        Added::Added(_)
    ));
    tx.add_event(
        "SYS-2022-001",
        &event(EventKind::Stage(Stage::Signed), "2022-01-20"),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store
            .project("SYS-2022-001")
            .await
            .unwrap()
            .unwrap()
            .project,
        renamed
    );
    assert_eq!(store.count(Table::Projects).await.unwrap(), 1);
    let log = store.changes_of("project", "SYS-2022-001").await.unwrap();
    assert_eq!(
        log.iter().map(|c| c.action.as_str()).collect::<Vec<_>>(),
        ["create", "update"]
    );
}

async fn a_changed_unit_is_logged_with_what_it_was(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    let moved = Unit::new(
        "集贤县",
        UnitKind::County,
        None,
        Some("230521".into()),
        None,
    )
    .unwrap();
    assert_eq!(tx.upsert_unit(&moved).await.unwrap(), Upserted::Updated);
    tx.commit().await.unwrap();
    let log = store.changes_of("unit", "集贤县").await.unwrap();
    assert_eq!(log.len(), 2);
    assert!(
        log[1].before.as_deref().unwrap().contains("双鸭山市"),
        "{:?}",
        log[1].before
    );
    assert!(
        !log[1].after.as_deref().unwrap().contains("双鸭山市"),
        "{:?}",
        log[1].after
    );
}

async fn a_projects_status_says_where_it_stands_and_what_is_missing(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    let mut bare = Project::new("P-1", "玄武岩纤维项目", "集贤县").unwrap();
    bare.investor = None;
    tx.upsert_project(&bare).await.unwrap();
    tx.add_event(
        "P-1",
        &event(EventKind::Stage(Stage::Negotiating), "2022-03-01"),
    )
    .await
    .unwrap();
    tx.upsert_project(&wind_farm()).await.unwrap();
    tx.add_event(
        "SYS-2022-001",
        &event(EventKind::Stage(Stage::Signed), "2022-01-20"),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let today = d("2022-07-01");
    let status = store.project_status("P-1", today).await.unwrap().unwrap();
    assert_eq!(status.progress.stage, Some(Stage::Negotiating));
    assert_eq!(status.next_step.next, Some(EventKind::Stage(Stage::Signed)));
    let missing: Vec<&str> = status
        .next_step
        .missing
        .iter()
        .map(|m| m.field.as_str())
        .collect();
    assert_eq!(missing, ["分管领导", "工作专班", "投资企业", "金额"]);

    let signed = store
        .project_status("SYS-2022-001", today)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(signed.next_step.next, Some(EventKind::Stage(Stage::Landed)));
    let missing: Vec<&str> = signed
        .next_step
        .missing
        .iter()
        .map(|m| m.field.as_str())
        .collect();
    assert_eq!(missing, ["落地企业信用代码"]);
    assert!(
        store
            .project_status("P-404", today)
            .await
            .unwrap()
            .is_none()
    );
}

async fn the_project_list_filters_sorts_and_pages_in_the_database_within_the_scope(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    for (code, name, territory, credited, amount) in [
        ("A-1", "石墨负极材料项目", "集贤县", None, "5000"),
        ("A-2", "风电项目_二期", "友谊县", Some("集贤县"), "9000"),
        ("A-3", "玉米深加工项目", "友谊县", None, "100"),
    ] {
        let mut p = Project::new(code, name, territory).unwrap();
        p.credited = credited.into_iter().map(Into::into).collect();
        p.signed_amount = Some(wan(amount));
        tx.upsert_project(&p).await.unwrap();
    }
    tx.add_event("A-1", &event(EventKind::Stage(Stage::Signed), "2022-02-01"))
        .await
        .unwrap();
    tx.add_event("A-2", &event(EventKind::Stage(Stage::Signed), "2022-03-01"))
        .await
        .unwrap();
    tx.add_event(
        "A-2",
        &event(EventKind::Stage(Stage::Started), "2022-04-01"),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let list = |filter: store::ProjectFilter| {
        let store = store.clone();
        async move {
            let (total, rows) = store
                .list_projects(&store::ProjectFilter {
                    limit: 50,
                    ..filter
                })
                .await
                .unwrap();
            (total, rows.into_iter().map(|r| r.code).collect::<Vec<_>>())
        }
    };
    assert_eq!(
        list(Default::default()).await,
        (3, vec!["A-1".into(), "A-2".into(), "A-3".into()])
    );
    let scoped = store::ProjectFilter {
        scope_unit: Some("集贤县".into()),
        ..Default::default()
    };
    assert_eq!(
        list(scoped.clone()).await.1,
        ["A-1", "A-2"],
        "held by territory or credited"
    );
    let started = store::ProjectFilter {
        stage: Some(Stage::Started),
        ..scoped.clone()
    };
    assert_eq!(list(started).await.1, ["A-2"]);
    let by_amount = store::ProjectFilter {
        sort: store::ProjectSort::SignedAmount,
        ..Default::default()
    };
    assert_eq!(list(by_amount).await.1, ["A-2", "A-1", "A-3"]);
    let underscore = store::ProjectFilter {
        text: Some("_二".into()),
        ..Default::default()
    };
    assert_eq!(
        list(underscore).await.1,
        ["A-2"],
        "a LIKE wildcard in the text is taken literally"
    );
    let paged = store::ProjectFilter {
        offset: 1,
        limit: 1,
        ..Default::default()
    };
    let (total, rows) = store.list_projects(&paged).await.unwrap();
    assert_eq!(
        (total, rows[0].code.as_str(), rows[0].state.as_str()),
        (3, "A-2", "开工")
    );
    assert_eq!(rows[0].signed_on, Some(d("2022-03-01")));
    assert!(
        store
            .project_states_disagreeing(d("2022-07-01"))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_correction_and_a_changed_signed_amount_update_the_projects_state(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    let mut p = wind_farm();
    p.signed_amount = Some(wan("100"));
    tx.upsert_project(&p).await.unwrap();
    let signed = event(EventKind::Stage(Stage::Signed), "2022-01-20");
    let Added::Added(id) = tx.add_event(&p.code, &signed).await.unwrap() else {
        panic!()
    };
    tx.commit().await.unwrap();
    let state = |store: Store| async move {
        let (_, rows) = store
            .list_projects(&store::ProjectFilter {
                limit: 5,
                ..Default::default()
            })
            .await
            .unwrap();
        (
            rows[0].state.clone(),
            rows[0].signed_amount.map(Money::units),
        )
    };
    assert_eq!(state(store.clone()).await, ("签约".into(), Some(1_000_000)));
    let mut tx = begin(&store).await;
    p.signed_amount = Some(wan("300"));
    tx.upsert_project(&p).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        state(store.clone()).await,
        ("签约".into(), Some(3_000_000)),
        "the signing takes the new 签约额"
    );
    let mut tx = begin(&store).await;
    tx.correct_event(&p.code, id, None, "误录").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(state(store.clone()).await.0, "未开始");
    assert!(
        store
            .project_states_disagreeing(d("2022-07-01"))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_unit_cannot_become_its_own_ancestor(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    let root = Unit::new(
        "双鸭山市",
        UnitKind::City,
        None,
        Some("230500".into()),
        Some("集贤县".into()),
    )
    .unwrap();
    let err = tx.upsert_unit(&root).await.unwrap_err();
    assert_eq!(err.to_string(), "上级单位: 上级单位不能是本单位的下级");
}

both_databases!(
    a_placement_waits_for_its_unit_and_counts_once_confirmed,
    a_second_report_is_held_whether_its_firm_is_new_old_or_just_given_to_a_project,
    a_blocker_with_three_unknown_names_is_refused_naming_all_three,
    migrations_apply_once_and_reopening_is_harmless,
    a_project_reads_back_exactly_as_written,
    an_unchanged_upsert_writes_nothing_and_a_change_is_logged_with_before_and_after,
    a_project_naming_a_missing_unit_is_rejected_with_the_field,
    a_rolled_back_change_leaves_neither_record_nor_log,
    events_obey_the_stage_rules_in_the_store,
    a_correction_keeps_the_original_and_changes_what_counts,
    funds_are_appended_once_and_verified_by_name,
    visits_are_appended_once_and_may_have_no_unit,
    targets_are_set_per_year_unit_and_indicator_with_the_city_apart,
    many_events_in_one_transaction_keep_their_ids_and_order,
    a_project_queued_in_a_transaction_can_be_updated_and_referenced_before_commit,
    a_changed_unit_is_logged_with_what_it_was,
    a_projects_status_says_where_it_stands_and_what_is_missing,
    the_project_list_filters_sorts_and_pages_in_the_database_within_the_scope,
    a_correction_and_a_changed_signed_amount_update_the_projects_state,
    a_unit_cannot_become_its_own_ancestor,
);

#[test]
fn a_store_error_keeps_the_field_for_the_caller() {
    let err = StoreError::invalid("签约额", "必须大于0");
    assert_eq!(err.field_error().map(|e| e.field.as_str()), Some("签约额"));
}

async fn a_published_sheet_cannot_be_changed_and_tampering_is_detected(db: &TestDb) {
    let store = db.open().await.unwrap();
    let mut tx = begin(&store).await;
    let (id, hash) = tx
        .publish_sheet(2022, "H1", None, r#"{"year":2022}"#)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(hash, store::sha256_hex(r#"{"year":2022}"#));
    let (info, content) = store.published_sheet(id).await.unwrap().unwrap();
    assert_eq!(
        (
            info.period.as_str(),
            content.as_str(),
            info.published_by.as_str()
        ),
        ("H1", r#"{"year":2022}"#, "test")
    );
    let update =
        format!("UPDATE published_sheets SET content = '{{\"year\":2023}}' WHERE id = {id}");
    let refused = db.execute_behind_the_store(&update).await.unwrap_err();
    assert!(refused.contains("已发布的晒单不能"), "{refused}");
    let refused = db
        .execute_behind_the_store(&format!("DELETE FROM published_sheets WHERE id = {id}"))
        .await
        .unwrap_err();
    assert!(refused.contains("已发布的晒单不能"), "{refused}");
    assert_eq!(store.published_sheets().await.unwrap().len(), 1);
    // Someone who can drop the guard can change the row, but not without the hash showing it.
    let drop_guard = match store.backend() {
        store::Backend::Sqlite => "DROP TRIGGER published_sheets_no_update",
        store::Backend::Postgres => "DROP TRIGGER published_sheets_no_change ON published_sheets",
    };
    db.execute_behind_the_store(drop_guard).await.unwrap();
    db.execute_behind_the_store(&update).await.unwrap();
    let err = store.published_sheet(id).await.unwrap_err();
    assert!(err.to_string().contains("可能被篡改"), "{err}");
}

both_databases!(a_published_sheet_cannot_be_changed_and_tampering_is_detected,);

async fn the_figures_read_follows_every_committed_change_and_nothing_else(db: &TestDb) {
    let store = db.open().await.unwrap();
    let p = priced_wind_farm(&store).await;
    let before = store.figure_facts().await.unwrap();
    let version = store.data_version().await.unwrap();
    assert_eq!(before.projects.len(), 1);
    assert_eq!(before.projects[0].milestones.signed, None);
    assert!(
        std::sync::Arc::ptr_eq(&before, &store.figure_facts().await.unwrap()),
        "unchanged records are read once"
    );
    // A rolled-back change moves nothing.
    let mut tx = begin(&store).await;
    tx.add_event(
        &p.code,
        &event(EventKind::Stage(Stage::Signed), "2022-01-20"),
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(store.data_version().await.unwrap(), version);
    // A committed one is seen at once, by this handle and by another on the same database.
    let mut tx = begin(&store).await;
    tx.add_event(
        &p.code,
        &event(EventKind::Stage(Stage::Signed), "2022-01-20"),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.data_version().await.unwrap(), version + 1);
    let after = store.figure_facts().await.unwrap();
    assert_eq!(
        after.projects[0].milestones.signed,
        Some((d("2022-01-20"), 1_000_000))
    );
    let other = db.open().await.unwrap();
    assert_eq!(
        other.figure_facts().await.unwrap().projects[0]
            .milestones
            .signed,
        Some((d("2022-01-20"), 1_000_000))
    );
    let mut tx = begin(&other).await;
    let fund = Fund::new(&p.code, d("2022-03-01"), wan("50"), Currency::Cny).unwrap();
    tx.add_fund(&fund).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.figure_facts().await.unwrap().funds.len(),
        1,
        "a change made through another handle is seen too"
    );
}

both_databases!(the_figures_read_follows_every_committed_change_and_nothing_else,);

async fn only_approved_records_reach_the_figures_and_the_stored_milestones_keep_up(db: &TestDb) {
    use domain::review::ReviewState;
    use store::{Counted, ReportKind, ReviewStep};
    let store = db.open().await.unwrap();
    let p = priced_wind_farm(&store).await;
    // As a county's staff would enter them: an event, a fund, a visit.
    let mut tx = begin(&store).await;
    tx.enter_as(ReviewState::County);
    let signed = tx
        .add_event(
            &p.code,
            &event(EventKind::Stage(Stage::Signed), "2022-01-20"),
        )
        .await
        .unwrap();
    let fund = Fund::new(&p.code, d("2022-03-01"), wan("50"), Currency::Cny).unwrap();
    tx.add_fund(&fund).await.unwrap();
    tx.commit().await.unwrap();
    let approved = store.figure_facts().await.unwrap();
    assert_eq!(
        (approved.projects[0].milestones.signed, approved.funds.len()),
        (None, 0)
    );
    let pending = store
        .figure_facts_counting(Counted::WithPending)
        .await
        .unwrap();
    assert_eq!(
        (pending.projects[0].milestones.signed, pending.funds.len()),
        (Some((d("2022-01-20"), 1_000_000)), 1)
    );
    let store::Added::Added(event_id) = signed else {
        panic!("the event was added")
    };
    let today = store::today_in_china();
    for _ in 0..2 {
        let mut tx = begin(&store).await;
        tx.review(ReportKind::Event, event_id, &ReviewStep::Approve)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(
            store
                .project_states_disagreeing(today)
                .await
                .unwrap()
                .is_empty(),
            "both milestone sets follow the review"
        );
    }
    let approved = store.figure_facts().await.unwrap();
    assert_eq!(
        approved.projects[0].milestones.signed,
        Some((d("2022-01-20"), 1_000_000))
    );
    assert_eq!(approved.funds.len(), 0, "the fund is still in review");
    // A third approval has nothing to approve; the failed step leaves the record as it was.
    let mut tx = begin(&store).await;
    let err = tx
        .review(ReportKind::Event, event_id, &ReviewStep::Approve)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("不能审核通过"), "{err}");
    drop(tx);
    let record = store
        .reported(ReportKind::Event, event_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.state, ReviewState::Approved);
}

both_databases!(only_approved_records_reach_the_figures_and_the_stored_milestones_keep_up,);

async fn firms_are_written_in_batches_added_once_and_updated_by_credit_code(db: &TestDb) {
    use domain::enterprise::Enterprise;
    let store = db.open().await.unwrap();
    let firm = |name: &str, code: Option<&str>, city: &str| {
        let mut e = Enterprise::new(name).unwrap();
        e.credit_code = code.map(|c| CreditCode::parse("统一社会信用代码", c).unwrap());
        e.city = Some(city.into());
        e
    };
    let mut tx = begin(&store).await;
    let outcomes = tx
        .upsert_enterprises(&[
            firm("中国船舶集团有限公司", Some("91310000710924478P"), "上海市"),
            firm("无代码商行", None, "双鸭山市"),
            firm("中国船舶集团有限公司", Some("91310000710924478P"), "北京市"),
        ])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let what = |written: &[store::Written]| written.iter().map(|w| w.outcome).collect::<Vec<_>>();
    assert_eq!(
        what(&outcomes),
        [Upserted::Inserted, Upserted::Inserted, Upserted::Updated]
    );
    // Each firm comes back with its own id (the search index follows imports by them).
    let first: Vec<i64> = outcomes.iter().map(|w| w.id).collect();
    assert_eq!(first[0], first[2], "the firm met twice is one firm");
    assert_ne!(first[0], first[1]);
    let all = store.enterprises_by_id(&first[..2]).await.unwrap();
    assert_eq!(all[0].firm.name, "中国船舶集团有限公司");
    assert_eq!(all[1].firm.name, "无代码商行");
    assert_eq!(store.count(Table::Enterprises).await.unwrap(), 2);
    let mut tx = begin(&store).await;
    let outcomes = tx
        .upsert_enterprises(&[
            firm("中国船舶集团有限公司", Some("91310000710924478P"), "北京市"),
            firm("无代码商行", None, "宝清县"),
        ])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(what(&outcomes), [Upserted::Unchanged, Upserted::Updated]);
    assert_eq!(
        outcomes.iter().map(|w| w.id).collect::<Vec<_>>(),
        first[..2]
    );
    assert_eq!(store.count(Table::Enterprises).await.unwrap(), 2);
    let kept = store
        .enterprise_by_code("91310000710924478P")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.city.as_deref(), Some("北京市"));
    let all = store.enterprises().await.unwrap();
    assert_eq!(all[1].city.as_deref(), Some("宝清县"));
    // A firm's log is found by its id, with or without a credit code, each entry with its
    // key and what the firm was before.
    let actions =
        |log: &[store::ChangeEntry]| log.iter().map(|c| c.action.clone()).collect::<Vec<_>>();
    let log = store.firm_changes(first[0]).await.unwrap();
    assert_eq!(actions(&log), ["create", "update"]);
    assert_eq!(log[1].entity_key, "91310000710924478P");
    assert!(log[1].before.as_deref().unwrap().contains("上海市"));
    assert!(log[1].after.as_deref().unwrap().contains("北京市"));
    let log = store.firm_changes(first[1]).await.unwrap();
    assert_eq!(actions(&log), ["create", "update"]);
    assert_eq!(log[1].entity_key, "无代码商行");
    assert!(log[1].before.as_deref().unwrap().contains("双鸭山市"));
}

both_databases!(firms_are_written_in_batches_added_once_and_updated_by_credit_code,);

/// A first load into an empty table builds the enterprises' secondary indexes after its rows
/// (SQLite): dropped inside the transaction, built again at commit, back after a rollback; a
/// firm without a credit code is still found by its name in the meantime.
#[tokio::test]
async fn a_first_load_builds_the_enterprise_indexes_at_commit() {
    use domain::enterprise::Enterprise;
    use sqlx::{Connection, Row};
    let db = store::testing::TestDb::sqlite();
    let store = db.open().await.unwrap();
    let indexes = async || {
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'enterprises' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect::<Vec<_>>()
    };
    let before = indexes().await;
    for name in [
        "enterprises_industry",
        "enterprises_name",
        "enterprises_revision",
        "enterprises_uncoded_name",
    ] {
        assert!(before.iter().any(|i| i == name), "{name}: {before:?}");
    }
    let firm = |city: &str| {
        let mut e = Enterprise::new("无代码商行").unwrap();
        e.city = Some(city.into());
        e
    };
    for commit in [false, true] {
        let mut tx = begin(&store).await;
        tx.defer_enterprise_indexes().await.unwrap();
        tx.upsert_enterprises(&[firm("双鸭山市")]).await.unwrap();
        let again = tx.upsert_enterprises(&[firm("宝清县")]).await.unwrap();
        assert_eq!(
            again[0].outcome,
            Upserted::Updated,
            "found by name in a later batch"
        );
        if commit {
            tx.commit().await.unwrap();
        } else {
            tx.rollback().await.unwrap();
        }
        assert_eq!(indexes().await, before, "commit: {commit}");
    }
    assert_eq!(store.count(Table::Enterprises).await.unwrap(), 1);
    db.cleanup().await;
}

/// Migration 16 gives the firm entries already in the change log their firm's id — by credit
/// code, else by the name of a firm without one — so a firm's history stays whole across it.
#[tokio::test]
async fn migration_16_gives_logged_firms_their_ids() {
    use sqlx::{Connection, Executor};
    let db = store::testing::TestDb::sqlite();
    let path = db.url.trim_start_matches("sqlite:").to_owned();
    std::fs::create_dir_all(std::path::Path::new(&path).parent().unwrap()).unwrap();
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let mut before = sqlx::migrate::Migrator::new(folder).await.unwrap();
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < 16)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before.run(&mut conn).await.unwrap();
    conn.execute(
        "INSERT INTO enterprises (id, name, credit_code, created_at) VALUES \
         (7, '中国船舶集团有限公司', '91310000710924478P', 0), (8, '无代码商行', NULL, 0); \
         INSERT INTO change_log (at, actor, entity, entity_key, action, before_json, after_json) VALUES \
         (1, 'a', 'enterprise', '91310000710924478P', 'create', NULL, '{}'), \
         (2, 'a', 'enterprise', '无代码商行', 'create', NULL, '{}'), \
         (3, 'a', 'enterprise', '91310000710924478P', 'update', '{}', '{}'), \
         (4, 'a', 'unit', '集贤县', 'create', NULL, '{}');",
    )
    .await
    .unwrap();
    conn.close().await.unwrap();

    let store = db.open().await.unwrap();
    let actions =
        |log: Vec<store::ChangeEntry>| log.into_iter().map(|c| c.action).collect::<Vec<_>>();
    assert_eq!(
        actions(store.firm_changes(7).await.unwrap()),
        ["create", "update"]
    );
    assert_eq!(actions(store.firm_changes(8).await.unwrap()), ["create"]);
    assert_eq!(
        actions(store.changes_of("unit", "集贤县").await.unwrap()),
        ["create"]
    );
    // Migration 17 chained the entries written before it, in the order they were written.
    let verdict = store.verify_audit().await.unwrap();
    assert_eq!((verdict.breach, verdict.checked), (None, 4));
    assert_eq!(
        sqlx_id(&db, "(SELECT seq FROM change_log WHERE at = 3)").await,
        3
    );
}

async fn the_audit_log_is_append_only_and_every_tampering_breaks_its_chain(db: &TestDb) {
    use domain::audit::Breach;
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    tx.upsert_project(&wind_farm()).await.unwrap();
    tx.commit().await.unwrap();
    let verdict = store.verify_audit().await.unwrap();
    assert_eq!(verdict.breach, None);
    let entries = verdict.checked as i64;
    assert!(entries >= 8, "{entries}");
    assert_eq!(verdict.head.seq, entries);

    // The application's own connection is refused as well as anyone else's.
    let alter = "UPDATE change_log SET after_json = '{}' WHERE seq = 3";
    let refused = db.execute_behind_the_store(alter).await.unwrap_err();
    assert!(refused.contains("审计日志只能追加"), "{refused}");
    let refused = db
        .execute_behind_the_store("DELETE FROM change_log WHERE seq = 3")
        .await
        .unwrap_err();
    assert!(refused.contains("审计日志只能追加"), "{refused}");
    if store.backend() == store::Backend::Postgres {
        let refused = db
            .execute_behind_the_store("TRUNCATE change_log")
            .await
            .unwrap_err();
        assert!(refused.contains("审计日志只能追加"), "{refused}");
    }

    // Someone who can drop the guards can change rows, but the chain shows where.
    let drop_guards = match store.backend() {
        store::Backend::Sqlite => {
            "DROP TRIGGER change_log_no_update; DROP TRIGGER change_log_no_delete"
        }
        store::Backend::Postgres => {
            "DROP TRIGGER change_log_no_update ON change_log; DROP TRIGGER change_log_no_delete ON change_log"
        }
    };
    db.execute_behind_the_store(drop_guards).await.unwrap();
    let id_of = |seq: i64| format!("(SELECT id FROM change_log WHERE seq = {seq})");
    let third = sqlx_id(db, &id_of(3)).await;

    // Altered: one field of one entry.
    db.execute_behind_the_store("UPDATE change_log SET actor = 'someone' WHERE seq = 3")
        .await
        .unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap().breach,
        Some(Breach::Altered { id: third, seq: 3 })
    );
    db.execute_behind_the_store("UPDATE change_log SET actor = 'test' WHERE seq = 3")
        .await
        .unwrap();
    assert_eq!(store.verify_audit().await.unwrap().breach, None);

    // Removed: an entry in the middle, then the last ones.
    let fourth = sqlx_id(db, &id_of(4)).await;
    db.execute_behind_the_store(
        "CREATE TABLE kept AS SELECT * FROM change_log WHERE seq = 3; DELETE FROM change_log WHERE seq = 3",
    ).await.unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap().breach,
        Some(Breach::Removed {
            from: 3,
            to: 3,
            next_id: Some(fourth)
        })
    );
    db.execute_behind_the_store("INSERT INTO change_log SELECT * FROM kept; DROP TABLE kept")
        .await
        .unwrap();
    assert_eq!(store.verify_audit().await.unwrap().breach, None);
    db.execute_behind_the_store(&format!(
        "CREATE TABLE kept AS SELECT * FROM change_log WHERE seq >= {}; DELETE FROM change_log WHERE seq >= {}",
        entries - 1, entries - 1
    )).await.unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap().breach,
        Some(Breach::Removed {
            from: entries - 1,
            to: entries,
            next_id: None
        })
    );
    db.execute_behind_the_store("INSERT INTO change_log SELECT * FROM kept; DROP TABLE kept")
        .await
        .unwrap();
    assert_eq!(store.verify_audit().await.unwrap().breach, None);

    // Inserted: a row without a number, and one given the next number with a made-up hash.
    db.execute_behind_the_store(
        "INSERT INTO change_log (at, actor, entity, entity_key, action, before_json, after_json) \
             VALUES (1, 'someone', 'project', 'SYS-2022-001', 'delete', NULL, NULL)",
    )
    .await
    .unwrap();
    let stray = sqlx_id(db, "(SELECT MAX(id) FROM change_log)").await;
    assert_eq!(
        store.verify_audit().await.unwrap().breach,
        Some(Breach::Inserted { id: stray })
    );
    db.execute_behind_the_store(&format!("DELETE FROM change_log WHERE id = {stray}"))
        .await
        .unwrap();
    db.execute_behind_the_store(&format!(
        "INSERT INTO change_log (at, actor, entity, entity_key, action, seq, hash) \
             VALUES (1, 'someone', 'project', 'SYS-2022-001', 'delete', {}, '{}')",
        entries + 1,
        "ab".repeat(32)
    ))
    .await
    .unwrap();
    let stray = sqlx_id(db, "(SELECT MAX(id) FROM change_log)").await;
    assert_eq!(
        store.verify_audit().await.unwrap().breach,
        Some(Breach::Altered {
            id: stray,
            seq: entries + 1
        })
    );
    db.execute_behind_the_store(&format!("DELETE FROM change_log WHERE id = {stray}"))
        .await
        .unwrap();
    assert_eq!(store.verify_audit().await.unwrap().breach, None);

    // The chain goes on from where it was after all that.
    let mut tx = begin(&store).await;
    let mut renamed = wind_farm();
    renamed.planned_investment = Some(wan("1000"));
    tx.upsert_project(&renamed).await.unwrap();
    tx.commit().await.unwrap();
    let verdict = store.verify_audit().await.unwrap();
    assert_eq!(
        (verdict.breach, verdict.checked as i64),
        (None, entries + 1)
    );
}

both_databases!(the_audit_log_is_append_only_and_every_tampering_breaks_its_chain,);

/// One integer a query gives, read behind the store's back.
async fn sqlx_id(db: &store::testing::TestDb, select: &str) -> i64 {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {select}")))
        .fetch_one(&mut conn)
        .await
        .unwrap();
    row.try_get::<i64, _>(0).unwrap()
}

/// The reads a unit's pages make are scoped in SQL: a unit's visits, the city's overdue
/// blockers; nothing is read whole and filtered after.
async fn lists_are_scoped_in_sql(db: &TestDb) {
    let store = db.open().await.unwrap();
    small_city(&store).await;
    let mut tx = begin(&store).await;
    tx.upsert_project(&wind_farm()).await.unwrap();
    for (unit, day) in [
        ("集贤县", "2022-03-01"),
        ("友谊县", "2022-03-02"),
        ("集贤县", "2022-04-01"),
    ] {
        let mut visit = domain::records::Visit::new(d(day));
        visit.unit = Some(unit.into());
        visit.enterprise = Some(format!("{unit}对接企业"));
        tx.add_visit(&visit).await.unwrap();
    }
    let mut unplaced = domain::records::Visit::new(d("2022-05-01"));
    unplaced.enterprise = Some("无单位对接".into());
    tx.add_visit(&unplaced).await.unwrap();
    for (description, deadline) in [
        ("用地指标未落实", "2022-05-01"),
        ("电网接入待批", "2022-09-01"),
    ] {
        let blocker = domain::blockers::NewBlocker::new(
            "SYS-2022-001",
            description,
            "用地",
            d("2022-04-01"),
            "集贤县",
            None,
            d(deadline),
            d("2022-07-01"),
        )
        .unwrap();
        tx.raise_blocker(&blocker).await.unwrap();
    }
    tx.commit().await.unwrap();

    let units = |visits: Vec<domain::records::Visit>| -> Vec<Option<String>> {
        visits.into_iter().map(|v| v.unit).collect()
    };
    assert_eq!(
        units(store.visits_of(Some("集贤县")).await.unwrap()),
        [Some("集贤县".to_owned()), Some("集贤县".to_owned())]
    );
    assert_eq!(store.visits_of(None).await.unwrap().len(), 4);
    assert!(
        store
            .visits_of(Some("市发展和改革委员会"))
            .await
            .unwrap()
            .is_empty()
    );

    let overdue = store
        .blockers(&store::BlockerFilter {
            open_only: true,
            overdue_on: Some(d("2022-07-01")),
            ..store::BlockerFilter::default()
        })
        .await
        .unwrap();
    let described: Vec<&str> = overdue
        .iter()
        .map(|b| b.blocker.raised.description.as_str())
        .collect();
    assert_eq!(described, ["用地指标未落实"]);
    assert!(
        overdue
            .iter()
            .all(|b| b.blocker.is_overdue(d("2022-07-01")))
    );
    assert!(
        store
            .suspected_duplicates(Some("友谊县"))
            .await
            .unwrap()
            .is_empty()
    );
}

both_databases!(lists_are_scoped_in_sql);
