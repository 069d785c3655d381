//! Review over real HTTP on SQLite and PostgreSQL: a unit's records approved at two levels or
//! returned, closed months, and suspected duplicates held until the bureau judges them; none
//! counts until cleared.

use crate::common::*;
use domain::access::Role;
use store::both_databases;
use store::testing::TestDb;

async fn a_units_report_counts_once_approved_at_both_levels_and_a_return_takes_it_out(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    add_county_reviewer(db).await;
    let (staff, csrf) = app.sign_in("jixian").await;
    let (reviewer, reviewer_csrf) = app.sign_in("jx-review").await;
    let (bureau, bureau_csrf) = app.sign_in("bureau").await;
    let (s, r, b) = (
        Some(staff.as_str()),
        Some(reviewer.as_str()),
        Some(bureau.as_str()),
    );

    sign(&app, &staff, &csrf, "JX-1", "2022-03-01", "1000").await;
    assert!(
        app.get("/projects/JX-1?tab=records", s)
            .await
            .body
            .contains("未审核，暂不计入统计")
    );
    assert_eq!(
        city_value(&app, &bureau, "signed_projects", false).await,
        0,
        "not counted while in review"
    );
    assert_eq!(
        city_value(&app, &bureau, "signed_projects", true).await,
        1,
        "the pending view counts it"
    );
    let queue = app.get("/review", s).await;
    assert!(
        queue.body.contains("待县区审核") && queue.body.contains("签约 1,000.00 万元"),
        "{}",
        queue.body
    );
    let id = queue
        .body
        .split("/review/event/")
        .nth(1)
        .map(|rest| rest.split('/').next().unwrap().to_owned());
    assert!(
        id.is_none(),
        "the staff get no approve button for their own report"
    );
    let review_queue = app.get("/review", r).await;
    let id = review_queue
        .body
        .split("/review/event/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let event = format!("/review/event/{id}");
    // The reporter cannot approve their own record, nor can the city before the county.
    assert_eq!(
        app.post_form(&format!("{event}/approve"), s, &[("csrf", csrf.as_str())])
            .await
            .status,
        403
    );
    assert_eq!(
        app.post_form(
            &format!("{event}/approve"),
            b,
            &[("csrf", bureau_csrf.as_str())]
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.post_form(
            &format!("{event}/approve"),
            r,
            &[("csrf", reviewer_csrf.as_str())]
        )
        .await
        .status,
        303
    );
    assert_eq!(
        city_value(&app, &bureau, "signed_projects", false).await,
        0,
        "the county's approval is not the city's"
    );
    assert!(app.get("/review", b).await.body.contains("待市级审核"));
    // The city returns it with a reason: it leaves even the pending view.
    let no_reason = app
        .post_form(
            &format!("{event}/return"),
            b,
            &[("csrf", bureau_csrf.as_str()), ("reason", " ")],
        )
        .await;
    assert!(
        no_reason.status == 422 && no_reason.body.contains("退回理由：退回须说明理由"),
        "{} {}",
        no_reason.status,
        no_reason.body
    );
    let back = [
        ("csrf", bureau_csrf.as_str()),
        ("reason", "签约金额与合同不符，请核实"),
    ];
    assert_eq!(
        app.post_form(&format!("{event}/return"), b, &back)
            .await
            .status,
        303
    );
    let queue = app.get("/review", s).await;
    assert!(
        queue.body.contains("已退回")
            && queue.body.contains("退回理由：签约金额与合同不符，请核实")
            && queue.body.contains("重新报送"),
        "{}",
        queue.body
    );
    assert_eq!(
        city_value(&app, &bureau, "signed_projects", false).await,
        0,
        "a returned record does not count"
    );
    assert_eq!(
        app.post_form(
            &format!("{event}/approve"),
            b,
            &[("csrf", bureau_csrf.as_str())]
        )
        .await
        .status,
        403,
        "nothing to approve once returned"
    );
    // Resubmitted, it climbs both levels again and then counts.
    assert_eq!(
        app.post_form(&format!("{event}/resubmit"), s, &[("csrf", csrf.as_str())])
            .await
            .status,
        303
    );
    assert_eq!(
        app.post_form(
            &format!("{event}/approve"),
            r,
            &[("csrf", reviewer_csrf.as_str())]
        )
        .await
        .status,
        303
    );
    assert_eq!(
        app.post_form(
            &format!("{event}/approve"),
            b,
            &[("csrf", bureau_csrf.as_str())]
        )
        .await
        .status,
        303
    );
    assert_eq!(city_value(&app, &bureau, "signed_projects", false).await, 1);
    assert_eq!(
        city_value(&app, &bureau, "signed_amount", false).await,
        10_000_000
    );
    assert!(
        !app.get("/projects/JX-1?tab=records", s)
            .await
            .body
            .contains("未审核")
    );
    // What the bureau enters counts at once.
    sign(&app, &bureau, &bureau_csrf, "BQ-1", "2022-04-01", "500").await;
    assert_eq!(city_value(&app, &bureau, "signed_projects", false).await, 2);
    // Another county's record is not this reviewer's to see.
    assert_eq!(
        app.post_form(
            "/review/event/999999/approve",
            r,
            &[("csrf", reviewer_csrf.as_str())]
        )
        .await
        .status,
        404
    );
}

async fn a_closed_month_refuses_the_units_records_until_the_city_reopens_it(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (staff, csrf) = app.sign_in("jixian").await;
    let (bureau, bureau_csrf) = app.sign_in("bureau").await;
    let (s, b) = (Some(staff.as_str()), Some(bureau.as_str()));
    let bad = app
        .post_form(
            "/review/window/close",
            b,
            &[("csrf", bureau_csrf.as_str()), ("month", "2022-13")],
        )
        .await;
    assert!(
        bad.status == 422 && bad.body.contains("月份：“2022-13”不是月份"),
        "{} {}",
        bad.status,
        bad.body
    );
    assert_eq!(
        app.post_form(
            "/review/window/close",
            s,
            &[("csrf", csrf.as_str()), ("month", "2022-03")]
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.post_form(
            "/review/window/close",
            b,
            &[("csrf", bureau_csrf.as_str()), ("month", "2022-3")]
        )
        .await
        .status,
        303
    );
    assert!(
        app.get("/review", s)
            .await
            .body
            .contains("已关闭的月份：2022-03")
    );
    let talks = [
        ("csrf", csrf.as_str()),
        ("kind", "在谈"),
        ("date", "2022-03-15"),
    ];
    let refused = app.post_form("/projects/JX-1/events", s, &talks).await;
    assert!(
        refused.status == 409 && refused.body.contains("2022-03的填报窗口已关闭"),
        "{} {}",
        refused.status,
        refused.body
    );
    let april = [
        ("csrf", csrf.as_str()),
        ("kind", "在谈"),
        ("date", "2022-04-02"),
    ];
    assert_eq!(
        app.post_form("/projects/JX-1/events", s, &april)
            .await
            .status,
        303,
        "other months stay open"
    );
    let city = [
        ("csrf", bureau_csrf.as_str()),
        ("kind", "在谈"),
        ("date", "2022-03-15"),
    ];
    assert_eq!(
        app.post_form("/projects/BQ-1/events", b, &city)
            .await
            .status,
        303,
        "the city still records a closed month"
    );
    assert_eq!(
        app.post_form(
            "/review/window/reopen",
            b,
            &[("csrf", bureau_csrf.as_str()), ("month", "2022-03")]
        )
        .await
        .status,
        303
    );
    let fund = [
        ("csrf", csrf.as_str()),
        ("date", "2022-03-20"),
        ("amount", "10"),
        ("currency", "人民币"),
        ("source", ""),
    ];
    assert_eq!(
        app.post_form("/projects/JX-1/funds", s, &fund).await.status,
        303
    );
    let page = app.get("/projects/JX-1?tab=funds", s).await.body;
    let funds = page
        .split("<h2>到位资金</h2>")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(
        funds.contains("未审核，暂不计入统计"),
        "the unit's fund waits for review: {funds}"
    );
    let page = app.get("/projects/BQ-1?tab=records", b).await.body;
    assert!(
        !page.contains("未审核"),
        "what the city enters counts at once"
    );
}

async fn a_suspected_duplicate_is_held_for_review_and_not_counted_until_cleared(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (bureau, csrf) = app.sign_in("bureau").await;
    let b = Some(bureau.as_str());
    let code = "91110000710935732K";
    let create = |project: &'static str,
                  name: &'static str,
                  territory: &'static str,
                  investor_code: &'static str| {
        let (app, csrf) = (&app, csrf.clone());
        async move {
            let reply = app
                .post_form(
                    "/projects/new",
                    b,
                    &[
                        ("csrf", &csrf),
                        ("code", project),
                        ("name", name),
                        ("territory", territory),
                        ("investor", "中国船舶集团有限公司"),
                        ("investor_code", investor_code),
                        ("capital_origin", "内资"),
                        ("currency", "人民币"),
                    ],
                )
                .await;
            assert_eq!(reply.status, 303, "{}", reply.body);
        }
    };
    create("ZC-1", "集贤200兆瓦风电项目", "集贤县", code).await;
    sign(&app, &bureau, &csrf, "ZC-1", "2022-03-01", "1000").await;
    assert_eq!(city_value(&app, &bureau, "signed_projects", false).await, 1);
    // The same investor reports it again in the same county under a slightly other name.
    create("ZC-2", "集贤200兆瓦风电", "集贤县", code).await;
    sign(&app, &bureau, &csrf, "ZC-2", "2022-03-05", "1000").await;
    // Different county, or a different investor: not suspected.
    create("ZC-3", "集贤200兆瓦风电项目", "宝清县", code).await;
    create(
        "ZC-4",
        "集贤200兆瓦风电项目",
        "集贤县",
        "91110000101696839W",
    )
    .await;
    let list = app.get("/duplicates", b).await;
    assert!(
        list.body.contains("ZC-2") && list.body.contains("疑似重复，待研判"),
        "{}",
        list.body
    );
    assert!(!list.body.contains("ZC-3") && !list.body.contains("ZC-4"));
    assert_eq!(
        city_value(&app, &bureau, "signed_projects", false).await,
        1,
        "held: not counted"
    );
    assert_eq!(
        city_value(&app, &bureau, "signed_amount", false).await,
        10_000_000,
        "nor its amount"
    );
    let page = app.get("/projects/ZC-2", b).await;
    assert!(
        page.body.contains("重复研判：疑似重复，待研判")
            && page.body.contains("本项目不计入任何统计"),
        "the project page says so"
    );
    assert!(
        !app.get("/projects/ZC-1", b)
            .await
            .body
            .contains("重复研判："),
        "the original is not marked"
    );
    // The project list marks it; it raises no warning while it counts in no figure.
    let projects = app.get("/projects", b).await.body;
    assert!(
        projects.contains("ZC-2</a> <a class=\"badge\" href=\"/duplicates\">疑似重复·待研判</a>"),
        "{projects}"
    );
    assert!(
        !projects.contains("ZC-1</a> <a class=\"badge\""),
        "the original is not marked"
    );
    let store = db.open().await.unwrap();
    let situations = |code: &str| {
        let filter = store::ProjectFilter {
            code: Some(code.into()),
            ..Default::default()
        };
        let store = &store;
        async move {
            store
                .project_situations(
                    &filter,
                    chrono::NaiveDate::from_ymd_opt(2023, 6, 30).unwrap(),
                )
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!(
        (situations("ZC-1").await, situations("ZC-2").await),
        (1, 0),
        "held: no warnings of its own"
    );

    let (staff, staff_csrf) = app.sign_in("jixian").await;
    let refused = app
        .post_form(
            "/duplicates/ZC-2/distinct",
            Some(&staff),
            &[("csrf", &staff_csrf)],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(
        app.get("/duplicates", Some(&staff))
            .await
            .body
            .contains("ZC-2"),
        "the county sees its suspicion"
    );

    let cleared = app
        .post_form("/duplicates/ZC-2/distinct", b, &[("csrf", &csrf)])
        .await;
    assert_eq!(cleared.status, 303);
    assert_eq!(
        city_value(&app, &bureau, "signed_projects", false).await,
        2,
        "cleared: counted"
    );
    assert_eq!(
        situations("ZC-2").await,
        1,
        "cleared: warned like any project"
    );
    let again = app
        .post_form("/duplicates/ZC-2/duplicate", b, &[("csrf", &csrf)])
        .await;
    assert_eq!(again.status, 409, "judged once");

    create("ZC-5", "集贤200兆瓦风电项目二期", "集贤县", code).await;
    let confirmed = app
        .post_form("/duplicates/ZC-5/duplicate", b, &[("csrf", &csrf)])
        .await;
    assert_eq!(confirmed.status, 303);
    assert!(
        app.get("/duplicates", b)
            .await
            .body
            .contains("已确认重复，不计入统计")
    );

    // A project edited into a second report of another is held like a new one: ZC-4 (another
    // investor) now names ZC-1's investor. An edit of anything else holds nothing, and the
    // bureau's judgement of ZC-2 stands through a rename.
    let edit = |project: &'static str,
                name: &'static str,
                investor_code: &'static str,
                planned: &'static str| {
        let (app, csrf) = (&app, csrf.clone());
        async move {
            let reply = app
                .edit_project(
                    project,
                    b,
                    &[
                        ("csrf", &csrf),
                        ("name", name),
                        ("territory", "集贤县"),
                        ("investor", "中国船舶集团有限公司"),
                        ("investor_code", investor_code),
                        ("capital_origin", "内资"),
                        ("currency", "人民币"),
                        ("planned_investment", planned),
                    ],
                )
                .await;
            assert_eq!(reply.status, 303, "{}", reply.body);
        }
    };
    sign(&app, &bureau, &csrf, "ZC-4", "2022-04-01", "500").await;
    assert_eq!(
        city_value(&app, &bureau, "signed_projects", false).await,
        3,
        "ZC-1, ZC-2, ZC-4"
    );
    edit("ZC-4", "集贤200兆瓦风电项目", "91110000101696839W", "800").await;
    assert!(
        !app.get("/duplicates", b).await.body.contains("ZC-4"),
        "its investor is another"
    );
    edit("ZC-4", "集贤200兆瓦风电项目", code, "800").await;
    assert!(app.get("/duplicates", b).await.body.contains("ZC-4"));
    assert!(
        app.get("/projects/ZC-4", b)
            .await
            .body
            .contains("重复研判：疑似重复，待研判")
    );
    assert_eq!(
        city_value(&app, &bureau, "signed_projects", false).await,
        2,
        "held after the edit: not counted"
    );
    edit("ZC-2", "集贤200兆瓦风电工程", code, "900").await;
    assert_eq!(
        city_value(&app, &bureau, "signed_projects", false).await,
        2,
        "ZC-2 stays cleared"
    );
}

/// 宝清县's signed amount (元) in 2022 H1 over the API.
/// A reviewer reads a record in full before deciding, and works many at once: a county's two
/// visits approved together, then returned together by the city with one reason.
async fn a_reviewer_reads_each_visit_in_full_and_decides_many_at_once(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    add_county_reviewer(db).await;
    let (staff, csrf) = app.sign_in("jixian").await;
    let s = Some(staff.as_str());
    for (date, firm) in [
        ("2022-05-06", "浙江碳一新能源有限公司"),
        ("2022-05-07", "青岛洛唯新材料有限公司"),
    ] {
        let visit = [
            ("csrf", csrf.as_str()),
            ("date", date),
            ("enterprise", firm),
            ("content", "洽谈负极材料项目落地条件"),
            ("outcome", "达成初步意向"),
        ];
        let reply = app.post_form("/visits", s, &visit).await;
        assert_eq!(reply.status, 303, "{}", reply.body);
    }
    let (reviewer, reviewer_csrf) = app.sign_in("jx-review").await;
    let r = Some(reviewer.as_str());
    let queue = app.get("/review", r).await;
    assert!(
        queue.body.contains("查看全部内容") && queue.body.contains("洽谈负极材料项目落地条件"),
        "the content itself is on the queue: {}",
        queue.body
    );
    assert!(
        queue.body.contains("未关联项目"),
        "a visit tied to no project says so, not an empty cell"
    );
    let items: Vec<String> = queue
        .body
        .split("name=\"item\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect();
    assert_eq!(items.len(), 2, "{}", queue.body);
    let mut form: Vec<(&str, &str)> = vec![("csrf", reviewer_csrf.as_str()), ("step", "approve")];
    form.extend(items.iter().map(|i| ("item", i.as_str())));
    let reply = app.post_form("/review/batch", r, &form).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert!(
        app.get("/review?done=2", r)
            .await
            .body
            .contains("已办理 2 条")
    );

    // The city returns both with one reason; the staff see it on each.
    let (bureau, bureau_csrf) = app.sign_in("bureau").await;
    let b = Some(bureau.as_str());
    let mut form: Vec<(&str, &str)> = vec![
        ("csrf", bureau_csrf.as_str()),
        ("step", "return"),
        ("reason", "请补充带队领导"),
    ];
    form.extend(items.iter().map(|i| ("item", i.as_str())));
    let reply = app.post_form("/review/batch", b, &form).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let mine = app.get("/review", s).await.body;
    assert_eq!(
        mine.matches("退回理由：请补充带队领导").count(),
        2,
        "{mine}"
    );
    // The reporter mends one in place and sends it again: back with the county, reason gone.
    let id = items[0].trim_start_matches("visit:");
    assert!(mine.contains(&format!("/visits/{id}/edit")), "{mine}");
    let edit_page = app.get(&format!("/visits/{id}/edit"), s).await;
    assert!(
        edit_page.status == 200
            && edit_page.body.contains("退回理由：请补充带队领导")
            && edit_page.body.contains("list=\"leader-names\""),
        "{}",
        edit_page.body
    );
    assert!(
        edit_page
            .body
            .contains("value=\"洽谈负极材料项目落地条件\""),
        "prefilled: {}",
        edit_page.body
    );
    let mended = [
        ("csrf", csrf.as_str()),
        ("date", "2022-05-06"),
        ("enterprise", "浙江碳一新能源有限公司"),
        ("leaders", "王建国"),
        ("content", "洽谈负极材料项目落地条件及用地"),
        ("outcome", "达成初步意向"),
    ];
    let reply = app
        .post_form(&format!("/visits/{id}/edit"), s, &mended)
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let county = app.get("/review", r).await.body;
    assert!(
        county.contains("洽谈负极材料项目落地条件及用地"),
        "{county}"
    );
    assert_eq!(
        app.get(&format!("/visits/{id}/edit"), s).await.status,
        403,
        "no longer returned: nothing to mend"
    );
    // A bad date is named, nothing saved.
    let (_, other) = items[1].split_once(':').unwrap();
    let bad = [
        ("csrf", csrf.as_str()),
        ("date", "2022-13-01"),
        ("enterprise", "x"),
    ];
    let reply = app
        .post_form(&format!("/visits/{other}/edit"), s, &bad)
        .await;
    assert!(
        reply.status == 422 && reply.body.contains("日期"),
        "{} {}",
        reply.status,
        reply.body
    );
    // Decided already: a second batch with them is refused whole, nothing changed.
    let reply = app.post_form("/review/batch", b, &form).await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    let nothing: Vec<(&str, &str)> = vec![("csrf", bureau_csrf.as_str()), ("step", "approve")];
    assert_eq!(
        app.post_form("/review/batch", b, &nothing).await.status,
        422
    );
}

async fn baoqing_signed(app: &App, cookie: &str) -> i64 {
    let reply = app
        .get("/api/v1/scoreboard?year=2022&period=H1", Some(cookie))
        .await;
    let board = reply.json();
    board["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "宝清县")
        .map_or(-1, |u| {
            u["indicators"]["signed_amount"]["value"]
                .as_i64()
                .unwrap_or(0)
        })
}

async fn a_project_put_in_another_county_counts_there_only_once_that_county_confirms(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    let hash = store::accounts::hash_password_cheaply("correct horse").unwrap();
    tx.add_user(
        "bq-review",
        "宝清县审核员",
        Role::UnitReviewer,
        Some("宝清县"),
        &hash,
    )
    .await
    .unwrap();
    tx.add_user(
        "bq-staff",
        "宝清县填报员",
        Role::UnitStaff,
        Some("宝清县"),
        &hash,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (staff, _) = app.sign_in("jixian").await;
    let (bureau, bureau_csrf) = app.sign_in("bureau").await;
    // 集贤县's staff put a project into 宝清县's territory, credited to themselves.
    let created = app
        .post_json(
            "/api/v1/projects",
            Some(&staff),
            r#"{"code":"JX-IN-BQ","name":"跨县项目","territory":"宝清县","credited":["集贤县"]}"#,
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    // The bureau signs it (approved at once): still it counts nowhere, 宝清县 has not confirmed.
    sign(
        &app,
        &bureau,
        &bureau_csrf,
        "JX-IN-BQ",
        "2022-03-01",
        "1000000",
    )
    .await;
    assert_eq!(baoqing_signed(&app, &bureau).await, 0);
    let page = app.get("/projects/JX-IN-BQ", Some(&bureau)).await;
    assert!(page.body.contains("待宝清县确认归属"), "{}", page.body);
    // 宝清县's reviewer sees it waiting; 宝清县's staff and 集贤县 may not confirm it.
    let (reviewer, reviewer_csrf) = app.sign_in("bq-review").await;
    let queue = app.get("/review", Some(&reviewer)).await;
    assert!(queue.body.contains("JX-IN-BQ") && queue.body.contains("确认归属"));
    let (bq_staff, bq_csrf) = app.sign_in("bq-staff").await;
    let refused = app
        .post_form(
            "/placements/JX-IN-BQ/confirm",
            Some(&bq_staff),
            &[("csrf", &bq_csrf)],
        )
        .await;
    assert_eq!(refused.status, 403);
    let (jx_staff, jx_csrf) = app.sign_in("jixian").await;
    let refused = app
        .post_form(
            "/placements/JX-IN-BQ/confirm",
            Some(&jx_staff),
            &[("csrf", &jx_csrf)],
        )
        .await;
    assert_eq!(refused.status, 404);
    let confirmed = app
        .post_form(
            "/placements/JX-IN-BQ/confirm",
            Some(&reviewer),
            &[("csrf", &reviewer_csrf)],
        )
        .await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    assert_eq!(baoqing_signed(&app, &bureau).await, 10_000_000_000);
    // Moving a project of its own into 宝清县 asks 宝清县 again.
    let moved = app
        .edit_project(
            "JX-1",
            Some(&jx_staff),
            &[
                ("csrf", &jx_csrf),
                ("code", "JX-1"),
                ("name", "集贤县风电项目"),
                ("territory", "宝清县"),
                ("credited", "集贤县"),
                ("capital_origin", "内资"),
                ("currency", "人民币"),
            ],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    assert_eq!(store.placements_of("JX-1").await.unwrap(), vec!["宝清县"]);
    // The bureau places without asking.
    let own = app
        .post_json(
            "/api/v1/projects",
            Some(&bureau),
            r#"{"code":"BU-1","name":"市本级项目","territory":"宝清县"}"#,
        )
        .await;
    assert_eq!(own.status, 201, "{}", own.body);
    assert!(store.placements_of("BU-1").await.unwrap().is_empty());
}

both_databases!(
    a_reviewer_reads_each_visit_in_full_and_decides_many_at_once,
    a_project_put_in_another_county_counts_there_only_once_that_county_confirms,
    a_units_report_counts_once_approved_at_both_levels_and_a_return_takes_it_out,
    a_closed_month_refuses_the_units_records_until_the_city_reopens_it,
    a_suspected_duplicate_is_held_for_review_and_not_counted_until_cleared,
);
