//! Who answers for what, over real HTTP on SQLite and PostgreSQL: schedule plans and the six
//! ones, element support worked off by departments, and blockers escalated to the leader in
//! charge and closed with a resolution.

use crate::common::*;
use domain::access::Role;
use domain::records::UnitKind;
use store::both_databases;
use store::testing::TestDb;
use web::client::Reply;

async fn a_schedule_plan_is_kept_against_actual_dates_and_six_ones_gaps_are_listed(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (bureau, _) = app.sign_in("bureau").await;
    // The 六个一 are asked of a project from its signing on.
    let list = app.get("/six-ones", Some(&bureau)).await;
    assert!(!list.body.contains("JX-1"), "a lead lacks none of them");
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    for code in ["JX-1", "BQ-1"] {
        let signed = domain::stage::StageEvent::new(
            domain::EventKind::Stage(domain::Stage::Signed),
            d("2022-02-01"),
            Some(domain::Money::from_units("签约额", 10_000_000).unwrap()),
            None,
            None,
            None,
        )
        .unwrap();
        tx.add_event(code, &signed).await.unwrap();
    }
    tx.commit().await.unwrap();
    let list = app.get("/six-ones", Some(&bureau)).await;
    assert!(
        list.status == 200 && list.body.contains("JX-1") && list.body.contains("BQ-1"),
        "{}",
        list.body
    );
    assert!(list.body.contains("包保领导、工作专班、进度计划"));
    let (staff, csrf) = app.sign_in("jixian").await;
    let s = Some(staff.as_str());
    let own = app.get("/six-ones", s).await;
    assert!(
        own.body.contains("JX-1") && !own.body.contains("BQ-1"),
        "unit staff see their unit's only"
    );
    let backwards = [
        ("csrf", csrf.as_str()),
        ("signed", "2022-03-01"),
        ("landed", "2022-05-01"),
        ("started", "2022-04-01"),
    ];
    let reply = app.post_form("/projects/JX-1/plan", s, &backwards).await;
    assert_eq!(reply.status, 422);
    assert!(
        reply
            .body
            .contains("计划开工日期：不能早于计划落地日期（2022-05-01）")
            && reply.body.contains("value=\"2022-04-01\""),
        "{}",
        reply.body
    );
    let bad_date = [("csrf", csrf.as_str()), ("signed", "2022-13-01")];
    let reply = app.post_form("/projects/JX-1/plan", s, &bad_date).await;
    assert!(
        reply.status == 422 && reply.body.contains("计划签约日期"),
        "{}",
        reply.body
    );
    let plan = [
        ("csrf", csrf.as_str()),
        ("signed", "2022-03-01"),
        ("landed", "2022/4/1"),
    ];
    assert_eq!(
        app.post_form("/projects/JX-1/plan", s, &plan).await.status,
        303
    );
    let page = app.get("/projects/JX-1?tab=plan", s).await;
    assert!(
        page.body
            .contains("<td>签约</td><td>2022-03-01</td><td>2022-02-01</td>"),
        "signed before its planned date: {}",
        page.body
    );
    let overview = app.get("/projects/JX-1", s).await;
    assert!(
        overview.body.contains("缺少：包保领导、工作专班"),
        "the plan is no longer missing"
    );
    let own = app.get("/six-ones", s).await;
    assert!(
        own.body.contains("包保领导、工作专班</td>") && !own.body.contains("进度计划</td>"),
        "{}",
        own.body
    );
    // Another unit's project is not there to plan.
    assert_eq!(
        app.post_form("/projects/BQ-1/plan", s, &plan).await.status,
        404
    );
    let (leader, leader_csrf) = app.sign_in("leader").await;
    let leader_plan = [("csrf", leader_csrf.as_str()), ("signed", "2022-03-01")];
    assert_eq!(
        app.post_form("/projects/JX-1/plan", Some(&leader), &leader_plan)
            .await
            .status,
        403,
        "leaders read, they do not edit"
    );
}

async fn element_support_items_are_set_by_editors_and_worked_off_by_their_department(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (bureau, csrf) = app.sign_in("bureau").await;
    let b = Some(bureau.as_str());
    let department = [
        ("csrf", csrf.as_str()),
        ("name", "市住房和城乡建设局"),
        ("kind", "部门"),
        ("parent", "双鸭山市"),
    ];
    let reply = app.post_form("/units", b, &department).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    let hash = store::accounts::hash_password_cheaply("correct horse").unwrap();
    tx.add_user(
        "zhujian",
        "住建局",
        Role::UnitStaff,
        Some("市住房和城乡建设局"),
        &hash,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let page = app.get("/projects/JX-1?tab=elements", b).await;
    assert_eq!(
        page.body.matches("未填报").count(),
        13,
        "all thirteen items are listed"
    );
    let no_done = [
        ("csrf", csrf.as_str()),
        ("item", "施工许可"),
        ("status", "已完成"),
        ("department", "市住房和城乡建设局"),
        ("due", "2022-05-01"),
        ("done", ""),
    ];
    let reply = app.post_form("/projects/JX-1/elements", b, &no_done).await;
    assert!(
        reply.status == 422 && reply.body.contains("完成日期：已完成的事项须填写完成日期"),
        "{} {}",
        reply.status,
        reply.body
    );
    let open = [
        ("csrf", csrf.as_str()),
        ("item", "施工许可"),
        ("status", "办理中"),
        ("department", "市住房和城乡建设局"),
        ("due", "2022-05-01"),
        ("done", ""),
    ];
    assert_eq!(
        app.post_form("/projects/JX-1/elements", b, &open)
            .await
            .status,
        303
    );
    let page = app.get("/projects/JX-1?tab=elements", b).await;
    assert!(
        page.body
            .contains("<td>施工许可</td><td>办理中</td><td>市住房和城乡建设局</td>")
            && page.body.contains("2022-05-01 已逾期"),
        "{}",
        page.body
    );
    // The department works through its queue, without seeing the rest of the project.
    let (dept, dept_csrf) = app.sign_in("zhujian").await;
    let d = Some(dept.as_str());
    let queue = app.get("/elements", d).await;
    assert!(
        queue.body.contains("JX-1") && queue.body.contains("已逾期"),
        "{}",
        queue.body
    );
    assert_eq!(app.get("/projects/JX-1", d).await.status, 404);
    let not_theirs = [
        ("csrf", dept_csrf.as_str()),
        ("item", "环评"),
        ("status", "已完成"),
        ("department", "市住房和城乡建设局"),
        ("due", ""),
        ("done", "2022-06-01"),
    ];
    assert_eq!(
        app.post_form("/projects/JX-1/elements", d, &not_theirs)
            .await
            .status,
        404
    );
    // Its own item marked 已完成 without the date: told what to mend, not that the project is
    // missing.
    let undated = [
        ("csrf", dept_csrf.as_str()),
        ("item", "施工许可"),
        ("status", "已完成"),
        ("department", "市住房和城乡建设局"),
        ("due", "2022-05-01"),
        ("done", ""),
    ];
    let reply = app.post_form("/projects/JX-1/elements", d, &undated).await;
    assert!(
        reply.status == 422 && reply.body.contains("已完成的事项须填写完成日期"),
        "{} {}",
        reply.status,
        reply.body
    );
    let finished = [
        ("csrf", dept_csrf.as_str()),
        ("item", "施工许可"),
        ("status", "已完成"),
        ("department", "市住房和城乡建设局"),
        ("due", "2022-05-01"),
        ("done", "2022-06-01"),
    ];
    let reply = app.post_form("/projects/JX-1/elements", d, &finished).await;
    assert_eq!(
        (reply.status, reply.header("location")),
        (303, Some("/elements"))
    );
    assert!(
        app.get("/elements", d)
            .await
            .body
            .contains("未完成事项 0 项")
    );
    let page = app.get("/projects/JX-1?tab=elements", b).await;
    assert!(
        page.body.contains("<td>施工许可</td><td>已完成</td>") && page.body.contains("2022-06-01")
    );
    // The county's staff edit their project's items; readers look at any department's queue.
    let (staff, staff_csrf) = app.sign_in("jixian").await;
    let water = [
        ("csrf", staff_csrf.as_str()),
        ("item", "水"),
        ("status", "不涉及"),
        ("department", ""),
        ("due", ""),
        ("done", ""),
    ];
    assert_eq!(
        app.post_form("/projects/JX-1/elements", Some(&staff), &water)
            .await
            .status,
        303
    );
    let (leader, _) = app.sign_in("leader").await;
    let queue = app.get("/elements?unit=%E5%B8%82%E4%BD%8F%E6%88%BF%E5%92%8C%E5%9F%8E%E4%B9%A1%E5%BB%BA%E8%AE%BE%E5%B1%80", Some(&leader)).await;
    assert!(
        queue.status == 200 && queue.body.contains("要素保障待办：市住房和城乡建设局"),
        "{}",
        queue.body
    );
}

fn blocker_id(reply: &Reply) -> String {
    let location = reply.header("location").unwrap_or_default();
    assert!(
        location.starts_with("/blockers/"),
        "{} {location}",
        reply.status
    );
    location.trim_start_matches("/blockers/").to_owned()
}

async fn an_overdue_blocker_is_escalated_to_the_leader_in_charge_and_closed_with_a_resolution(
    db: &TestDb,
) {
    let app = start(db.open().await.unwrap()).await;
    unit_with_staff(db, "市自然资源局", UnitKind::Department, "ziran").await;
    unit_with_staff(db, "宝清县工信局", UnitKind::Department, "gongxin").await;
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_leader(&domain::records::Leader {
        name: "王建国".into(),
        title: Some("副市长".into()),
        illustrative: false,
    })
    .await
    .unwrap();
    let mut project = store.project("JX-1").await.unwrap().unwrap().project;
    project.leader = Some("王建国".into());
    tx.upsert_project(&project).await.unwrap();
    tx.commit().await.unwrap();

    let (staff, csrf) = app.sign_in("jixian").await;
    let s = Some(staff.as_str());
    assert!(
        app.get("/projects/JX-1?tab=blockers", s)
            .await
            .body
            .contains("登记堵点问题")
    );
    let form = app.get("/projects/JX-1/blockers/new", s).await;
    assert!(
        form.status == 200 && form.body.contains("<option value=\"王建国\" selected>"),
        "the project's leader is proposed: {}",
        form.body
    );
    let bad = [
        ("csrf", csrf.as_str()),
        ("description", " "),
        ("category", "用地"),
        ("raised_on", "2022-06-01"),
        ("owner_unit", "市自然资源局"),
        ("leader", ""),
        ("deadline", "2022-05-01"),
    ];
    let reply = app.post_form("/projects/JX-1/blockers", s, &bad).await;
    assert!(
        reply.status == 422
            && reply.body.contains("问题描述：不能为空")
            && reply
                .body
                .contains("办结时限：不能早于提出日期（2022-06-01）"),
        "{} {}",
        reply.status,
        reply.body
    );
    // A bad date does not hide the other bad fields.
    let bad_date = [
        ("csrf", csrf.as_str()),
        ("description", " "),
        ("category", "用地"),
        ("raised_on", "2022-06-01"),
        ("owner_unit", " "),
        ("leader", ""),
        ("deadline", "下周"),
    ];
    let reply = app.post_form("/projects/JX-1/blockers", s, &bad_date).await;
    assert!(
        reply.status == 422
            && reply.body.contains("办结时限")
            && reply.body.contains("问题描述：不能为空")
            && reply.body.contains("责任单位：不能为空"),
        "{} {}",
        reply.status,
        reply.body
    );
    let unknown = [
        ("csrf", csrf.as_str()),
        ("description", "缺电"),
        ("category", "天气"),
        ("raised_on", "2022-06-01"),
        ("owner_unit", "市自然资源局"),
        ("leader", ""),
        ("deadline", "2022-06-20"),
    ];
    let reply = app.post_form("/projects/JX-1/blockers", s, &unknown).await;
    assert!(
        reply.status == 422 && reply.body.contains("问题类别"),
        "{}",
        reply.body
    );
    assert!(
        app.get("/blockers", s).await.body.contains("未解决 0 项"),
        "nothing was half-written"
    );
    // One overdue (its deadline long past), one in time.
    let overdue = [
        ("csrf", csrf.as_str()),
        ("description", "用地指标未落实"),
        ("category", "用地"),
        ("raised_on", "2022-06-01"),
        ("owner_unit", "市自然资源局"),
        ("leader", ""),
        ("deadline", "2022-06-20"),
    ];
    let overdue_id = blocker_id(&app.post_form("/projects/JX-1/blockers", s, &overdue).await);
    let in_time = [
        ("csrf", csrf.as_str()),
        ("description", "施工用电报装"),
        ("category", "水电气暖"),
        ("raised_on", "2022-06-01"),
        ("owner_unit", "市自然资源局"),
        ("leader", ""),
        ("deadline", "2099-12-31"),
    ];
    let in_time_id = blocker_id(&app.post_form("/projects/JX-1/blockers", s, &in_time).await);
    let page = app.get(&format!("/blockers/{overdue_id}"), s).await;
    assert!(
        page.body.contains("已逾期") && page.body.contains("已升级至王建国"),
        "{}",
        page.body
    );
    let page = app.get(&format!("/blockers/{in_time_id}"), s).await;
    assert!(
        !page.body.contains("已升级至"),
        "an in-time blocker is not escalated"
    );
    let list = app.get("/blockers", s).await;
    assert!(
        list.body.contains("未解决 2 项，其中逾期 1 项"),
        "{}",
        list.body
    );

    // The leader in charge finds the overdue one on their page, and only that one.
    let (leader, leader_csrf) = app.sign_in("leader").await;
    let l = Some(leader.as_str());
    let leader_page = "/leader/%E7%8E%8B%E5%BB%BA%E5%9B%BD";
    let page = app.get(leader_page, l).await;
    assert!(
        page.body.contains("1项未解决，其中逾期升级1项")
            && page.body.contains("用地指标未落实")
            && page.body.contains("逾期升级"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("施工用电报装"),
        "the in-time blocker is not the leader's yet"
    );
    // 批示: leaders only, and it must say something.
    let empty = [("csrf", leader_csrf.as_str()), ("text", " ")];
    let reply = app
        .post_form(&format!("/blockers/{overdue_id}/instruction"), l, &empty)
        .await;
    assert!(
        reply.status == 422 && reply.body.contains("批示内容：不能为空"),
        "{} {}",
        reply.status,
        reply.body
    );
    let said = [
        ("csrf", leader_csrf.as_str()),
        ("text", "请自然资源局一周内落实用地指标"),
    ];
    assert_eq!(
        app.post_form(&format!("/blockers/{overdue_id}/instruction"), l, &said)
            .await
            .status,
        303
    );
    let staff_says = [("csrf", csrf.as_str()), ("text", "同意")];
    assert_eq!(
        app.post_form(
            &format!("/blockers/{overdue_id}/instruction"),
            s,
            &staff_says
        )
        .await
        .status,
        403
    );
    let close = [
        ("csrf", leader_csrf.as_str()),
        ("status", "已解决"),
        ("resolution", "已落实"),
    ];
    assert_eq!(
        app.post_form(&format!("/blockers/{overdue_id}/status"), l, &close)
            .await
            .status,
        403,
        "leaders instruct; they do not close"
    );

    // The owner department works it without seeing the rest of the project.
    let (dept, dept_csrf) = app.sign_in("ziran").await;
    let dp = Some(dept.as_str());
    assert_eq!(app.get("/projects/JX-1", dp).await.status, 404);
    let page = app.get(&format!("/blockers/{overdue_id}"), dp).await;
    assert!(
        page.status == 200 && page.body.contains("请自然资源局一周内落实用地指标"),
        "{}",
        page.body
    );
    assert!(
        app.get("/blockers", dp)
            .await
            .body
            .contains("用地指标未落实"),
        "the owner's list holds it"
    );
    let working = [
        ("csrf", dept_csrf.as_str()),
        ("status", "处理中"),
        ("resolution", ""),
    ];
    assert_eq!(
        app.post_form(&format!("/blockers/{overdue_id}/status"), dp, &working)
            .await
            .status,
        303
    );
    let no_text = [
        ("csrf", dept_csrf.as_str()),
        ("status", "已解决"),
        ("resolution", "  "),
    ];
    let reply = app
        .post_form(&format!("/blockers/{overdue_id}/status"), dp, &no_text)
        .await;
    assert!(
        reply.status == 422 && reply.body.contains("解决情况：办结须填写解决情况"),
        "{} {}",
        reply.status,
        reply.body
    );
    let done = [
        ("csrf", dept_csrf.as_str()),
        ("status", "已解决"),
        ("resolution", "已调剂用地指标120亩"),
    ];
    assert_eq!(
        app.post_form(&format!("/blockers/{overdue_id}/status"), dp, &done)
            .await
            .status,
        303
    );
    let page = app.get(&format!("/blockers/{overdue_id}"), s).await;
    assert!(
        page.body.contains("已调剂用地指标120亩") && !page.body.contains("已升级至"),
        "{}",
        page.body
    );
    for entry in [
        "登记",
        "领导批示",
        "状态变更</td><td>处理中",
        "状态变更</td><td>已解决",
    ] {
        assert!(
            page.body.contains(entry),
            "history holds {entry}: {}",
            page.body
        );
    }
    assert_eq!(
        app.post_form(&format!("/blockers/{overdue_id}/status"), dp, &working)
            .await
            .status,
        422,
        "a resolved blocker stays resolved"
    );
    let page = app.get(leader_page, l).await;
    assert!(page.body.contains("0项未解决"), "{}", page.body);
    // Another unit's staff do not learn it exists.
    let (other, _) = app.sign_in("gongxin").await;
    assert_eq!(
        app.get(&format!("/blockers/{overdue_id}"), Some(&other))
            .await
            .status,
        404
    );
    assert_eq!(app.get("/blockers/999999", s).await.status, 404);
    // The city-wide file is for the accounts that read everything.
    let file = app.get("/export/blockers?format=csv", l).await;
    assert!(
        file.status == 200
            && file.body.contains("已调剂用地指标120亩")
            && file.body.contains("施工用电报装"),
        "{} {}",
        file.status,
        file.body
    );
    assert_eq!(app.get("/export/blockers", s).await.status, 403);
}

/// On a database whose records stand on 2022-12-31 (the demo's), a blocker raised without a
/// date is raised that day, so a deadline in January 2023 is accepted (the form once took the
/// real clock and refused it as before the raising).
async fn a_blocker_raised_without_a_date_is_raised_on_the_day_the_records_stand_on(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    unit_with_staff(db, "市自然资源局", UnitKind::Department, "ziran").await;
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    tx.set_records_as_of(chrono::NaiveDate::from_ymd_opt(2022, 12, 31).unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (staff, csrf) = app.sign_in("jixian").await;
    let s = Some(staff.as_str());
    let form = app.get("/projects/JX-1/blockers/new", s).await;
    assert!(form.body.contains("不填即 2022-12-31"), "{}", form.body);
    let raise = [
        ("csrf", csrf.as_str()),
        ("description", "用地指标待落实"),
        ("category", "用地"),
        ("raised_on", ""),
        ("owner_unit", "市自然资源局"),
        ("leader", ""),
        ("deadline", "2023-01-15"),
    ];
    let reply = app.post_form("/projects/JX-1/blockers", s, &raise).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let id: i64 = reply
        .header("location")
        .and_then(|l| l.rsplit('/').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    let view = store.blocker(id).await.unwrap().unwrap();
    assert_eq!(view.blocker.raised.raised_on.to_string(), "2022-12-31");
}

both_databases!(
    a_blocker_raised_without_a_date_is_raised_on_the_day_the_records_stand_on,
    a_schedule_plan_is_kept_against_actual_dates_and_six_ones_gaps_are_listed,
    element_support_items_are_set_by_editors_and_worked_off_by_their_department,
    an_overdue_blocker_is_escalated_to_the_leader_in_charge_and_closed_with_a_resolution,
);
