//! What waits for whom, over real HTTP on SQLite and PostgreSQL: each person's home page with
//! its to-dos and figures, and the 督办 messages posted to each account.

use crate::common::*;
use domain::records::UnitKind;
use domain::stage::StageEvent;
use domain::{EventKind, Stage};
use store::both_databases;
use store::testing::TestDb;
use web::client::post_sign_in;

/// Records one event on a project through the store.
async fn event(tx: &mut store::Tx, code: &str, kind: EventKind, date: &str, wan: Option<i64>) {
    let amount = wan.map(|w| domain::Money::from_units("金额", w * 10_000).unwrap());
    let e = StageEvent::new(kind, d(date), amount, None, None, None).unwrap();
    tx.add_event(code, &e).await.unwrap();
}

/// 集贤县's reviewer, the leader 王建国 (the `leader` account) over 集贤县 and JX-1, an
/// overdue blocker on JX-1 owned by 市自然资源局 (staff `ziran`), an overdue 用地指标 item for
/// it, and BQ-1 signed by the city; the records stand on 2022-07-01.
async fn follow_up_city(db: &TestDb) {
    unit_with_staff(db, "市自然资源局", UnitKind::Department, "ziran").await;
    add_county_reviewer(db).await;
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    tx.set_records_as_of(d("2022-07-01")).await.unwrap();
    tx.upsert_leader(&domain::records::Leader {
        name: "王建国".into(),
        title: None,
        illustrative: false,
    })
    .await
    .unwrap();
    assert!(
        tx.link_leader("jixian", Some("王建国")).await.is_err(),
        "only a leader account speaks for a leader"
    );
    tx.link_leader("leader", Some("王建国")).await.unwrap();
    tx.set_leader_units("王建国", &["集贤县".to_owned()])
        .await
        .unwrap();
    let mut project = store.project("JX-1").await.unwrap().unwrap().project;
    project.leader = Some("王建国".into());
    tx.upsert_project(&project).await.unwrap();
    let blocker = domain::blockers::NewBlocker::new(
        "JX-1",
        "用地指标未落实",
        "用地",
        d("2022-06-01"),
        "市自然资源局",
        None,
        d("2022-06-20"),
        d("2022-07-01"),
    )
    .unwrap();
    tx.raise_blocker(&blocker).await.unwrap();
    use domain::responsibility::{ElementItem, ElementStatus, ElementSupport};
    let land = ElementSupport::new(
        ElementItem::LandQuota,
        ElementStatus::InProgress,
        Some("市自然资源局".into()),
        Some(d("2022-06-01")),
        None,
    )
    .unwrap();
    tx.set_element("JX-1", &land).await.unwrap();
    event(
        &mut tx,
        "BQ-1",
        EventKind::Stage(Stage::Signed),
        "2022-06-15",
        Some(2_000),
    )
    .await;
    tx.commit().await.unwrap();
}

async fn each_home_page_lists_what_waits_for_that_person(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    follow_up_city(db).await;
    let (staff, csrf) = app.sign_in("jixian").await;
    sign(&app, &staff, &csrf, "JX-1", "2022-03-01", "1000").await;

    let home = |who: &'static str| {
        let app = &app;
        async move {
            let (cookie, csrf) = app.sign_in(who).await;
            let page = app.get("/my", Some(&cookie)).await;
            assert_eq!(page.status, 200, "{who}: {}", page.body);
            (cookie, csrf, page.body)
        }
    };
    let (reviewer, reviewer_csrf, page) = home("jx-review").await;
    assert!(
        page.contains("待我审核（县区审核）（1条）") && page.contains("签约 1,000.00 万元"),
        "{page}"
    );
    let event = first_event_in_review(&app, &reviewer).await;
    assert_eq!(
        app.post_form(
            &format!("/review/event/{event}/approve"),
            Some(&reviewer),
            &[("csrf", reviewer_csrf.as_str())]
        )
        .await
        .status,
        303
    );
    let (bureau, bureau_csrf, page) = home("bureau").await;
    assert!(page.contains("待我审核（市级审核）（1条）"), "{page}");
    // Each home page opens with its counted to-dos and its own figures: the city's for the
    // bureau (BQ-1's 2,000万 signed in June; JX-1 still in review counts nowhere).
    let text = |page: &str| -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in page.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    out.push(' ');
                }
                _ if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let words = text(&page);
    assert!(
        words.contains("待我审核（市级审核） 1")
            && words.contains("到位资金待核实 0")
            && words.contains("全市主要指标")
            && words.contains("2022年1月1日至7月1日 签约项目 1 项")
            && words.contains("签约额 0.20 亿元"),
        "{words}"
    );
    assert!(page.contains("<a href=\"/review\">待我审核"), "{page}");
    assert!(
        page.contains("逾期未解决的堵点问题（1项）") && page.contains("用地指标未落实"),
        "{page}"
    );
    assert!(
        page.contains("全市各单位和项目的红黄绿灯见"),
        "the city's lights are one click away: {page}"
    );
    let back = [("csrf", bureau_csrf.as_str()), ("reason", "请附合同扫描件")];
    assert_eq!(
        app.post_form(
            &format!("/review/event/{event}/return"),
            Some(&bureau),
            &back
        )
        .await
        .status,
        303
    );
    let (_, _, page) = home("jixian").await;
    assert!(
        page.contains("被退回、待重新报送的记录（1条）")
            && page.contains("退回理由：请附合同扫描件"),
        "{page}"
    );
    assert!(
        page.contains("本单位负责或已逾期的堵点问题（1项）"),
        "the overdue blocker on its project: {page}"
    );
    assert!(
        page.contains("亮红灯的项目（1个）")
            && page.contains("堵点问题“用地指标未落实”逾期11天未解决"),
        "{page}"
    );
    // A unit's own figures, not the city's: BQ-1 is 宝清县's.
    let words = text(&page);
    assert!(
        words.contains("集贤县主要指标")
            && words.contains("2022年1月1日至7月1日 签约项目 0 项")
            && words.contains("亮红灯的项目 1"),
        "{words}"
    );
    assert!(
        page.contains("href=\"/warnings?light=%E7%BA%A2%E7%81%AF\""),
        "the count leads to the filtered queue: {page}"
    );
    let (leader, _, page) = home("leader").await;
    assert!(
        text(&page).contains("包保范围主要指标") && !text(&page).contains("对接企业"),
        "{page}"
    );
    assert!(
        page.contains("本账号对应领导")
            && page.contains("待我协调的堵点问题（1项）")
            && page.contains("已升级"),
        "{page}"
    );
    // The leader's own 包保 scope stands out in the lists.
    let list = app.get("/projects", Some(&leader)).await.body;
    let row = |code: &str| {
        list.split("<tr")
            .find(|r| r.contains(&format!(">{code}</a>")))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        row("JX-1").contains("我包保") && !row("BQ-1").contains("我包保"),
        "{list}"
    );
    let board = app
        .get("/scoreboard?year=2022&period=H1", Some(&leader))
        .await
        .body;
    assert!(
        board.contains("<tr class=\"mine\">") && board.matches("我包保").count() == 1,
        "{board}"
    );
    assert!(
        !app.get("/projects", Some(&bureau))
            .await
            .body
            .contains("我包保"),
        "other accounts have no scope of their own"
    );
    let (_, _, page) = home("ziran").await;
    assert!(
        page.contains("本部门要素保障待办（1项）") && page.contains("用地指标"),
        "{page}"
    );
    assert!(
        page.contains("本单位负责或已逾期的堵点问题（1项）"),
        "the department owns the blocker: {page}"
    );
    let (_, _, page) = home("sysadmin").await;
    assert!(
        page.contains("不处理业务数据") && !page.contains("堵点"),
        "{page}"
    );
    // Signing in lands on the home page.
    let reply = post_sign_in(app.addr, "bureau", "correct horse").await;
    assert_eq!(reply.header("location"), Some("/my"));
}

/// Posts what is due on the records' day; how many messages were new.
async fn post_due(db: &TestDb) -> usize {
    let store = db.open().await.unwrap();
    let today = store.follow_up_date().await.unwrap();
    let due = store.due_messages(today).await.unwrap();
    let mut tx = store.begin("督办提醒").await.unwrap();
    let posted = tx.post_messages(&due).await.unwrap();
    tx.commit().await.unwrap();
    posted
}

/// The unread count in the top bar ("消息" alone when none).
fn unread(page: &str) -> usize {
    page.split("<a class=\"messages\" href=\"/messages\">消息")
        .nth(1)
        .and_then(|rest| rest.strip_prefix("<span class=\"count\""))
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|rest| rest.split('<').next())
        .map_or(0, |n| n.parse().unwrap())
}

async fn each_reminder_reaches_whom_it_concerns_once_and_opens_its_record(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    follow_up_city(db).await;
    let (staff, csrf) = app.sign_in("jixian").await;
    sign(&app, &staff, &csrf, "JX-1", "2022-03-01", "1000").await;

    let first = post_due(db).await;
    assert!(first >= 5, "{first}");
    assert_eq!(post_due(db).await, 0, "the same situations are posted once");
    let (leader, _) = app.sign_in("leader").await;
    let page = app.get("/messages", Some(&leader)).await;
    assert!(
        page.status == 200
            && unread(&page.body) == 1
            && page.body.contains("升级督办")
            && page.body.contains(
                "项目“集贤县风电项目”的堵点问题“用地指标未落实”逾期11天未解决（时限2022-06-20），已升级至您协调"
            ),
        "{}",
        page.body
    );
    let (ziran, _) = app.sign_in("ziran").await;
    let page = app.get("/messages", Some(&ziran)).await.body;
    assert!(
        page.contains("由本单位负责")
            && page.contains("的要素保障“用地指标”由本单位办理，应于2022-06-01完成")
            && page.contains("的要素保障“用地指标”已逾期30天（应于2022-06-01完成）")
            && unread(&page) == 3,
        "{page}"
    );
    let (reviewer, reviewer_csrf) = app.sign_in("jx-review").await;
    let page = app.get("/my", Some(&reviewer)).await.body;
    assert_eq!(unread(&page), 1, "{page}");
    assert!(
        app.get("/messages", Some(&reviewer))
            .await
            .body
            .contains("2022-07-01：待我审核（县区审核）共1条")
    );

    // Opening a message reads it and leads to its record; another's leads nowhere.
    let leaders = app.get("/messages", Some(&leader)).await.body;
    let id = leaders
        .split("<a href=\"/messages/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let stranger = app.get(&format!("/messages/{id}"), Some(&ziran)).await;
    assert_eq!(stranger.header("location"), Some("/messages"));
    assert_eq!(
        unread(&app.get("/my", Some(&leader)).await.body),
        1,
        "another account opening it reads nothing"
    );
    let opened = app.get(&format!("/messages/{id}"), Some(&leader)).await;
    assert_eq!(opened.status, 303);
    assert!(
        opened
            .header("location")
            .is_some_and(|l| l.starts_with("/blockers/")),
        "{:?}",
        opened.header("location")
    );
    assert_eq!(unread(&app.get("/my", Some(&leader)).await.body), 0);

    // A return reaches who entered the record, when it happens.
    let event = first_event_in_review(&app, &reviewer).await;
    let approve = [("csrf", reviewer_csrf.as_str())];
    let path = format!("/review/event/{event}/approve");
    assert_eq!(
        app.post_form(&path, Some(&reviewer), &approve).await.status,
        303
    );
    let (bureau, bureau_csrf) = app.sign_in("bureau").await;
    let back = [("csrf", bureau_csrf.as_str()), ("reason", "请附合同扫描件")];
    let path = format!("/review/event/{event}/return");
    assert_eq!(app.post_form(&path, Some(&bureau), &back).await.status, 303);
    assert!(post_due(db).await >= 1);
    let page = app.get("/messages", Some(&staff)).await.body;
    assert!(
        page.contains("退回补充")
            && page.contains(
                "项目JX-1的阶段事件（2022-03-01，签约 1,000.00 万元）被退回：请附合同扫描件"
            ),
        "{page}"
    );
    // Read all at once.
    let read = app
        .post_form("/messages/read", Some(&staff), &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(read.status, 303);
    let page = app.get("/messages", Some(&staff)).await.body;
    assert!(
        unread(&page) == 0 && !page.contains("<strong>未读</strong>"),
        "{page}"
    );
}

both_databases!(
    each_home_page_lists_what_waits_for_that_person,
    each_reminder_reaches_whom_it_concerns_once_and_opens_its_record,
);
