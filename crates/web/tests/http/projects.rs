//! Projects over real HTTP on SQLite and PostgreSQL: who sees which, the list and its export,
//! the project forms that keep what was typed, events, funds and their corrections, stale
//! edits, and every path the OpenAPI document lists.

use crate::common::*;
use store::both_databases;
use store::testing::TestDb;

async fn county_staff_see_only_their_countys_projects(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (cookie, _) = app.sign_in("jixian").await;
    let page = app.get("/projects", Some(&cookie)).await;
    assert!(
        page.body.contains("JX-1") && !page.body.contains("BQ-1"),
        "{}",
        page.body
    );
    assert!(page.body.contains("共 1 条"));
    let api = app.get("/api/v1/projects", Some(&cookie)).await.json();
    assert_eq!(api["total"], 1);
    assert_eq!(api["items"][0]["code"], "JX-1");
}

async fn county_staff_get_404_on_another_countys_project_on_every_route(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (cookie, csrf) = app.sign_in("jixian").await;
    let c = Some(cookie.as_str());
    assert_eq!(app.get("/projects/BQ-1", c).await.status, 404);
    let event = [
        ("csrf", csrf.as_str()),
        ("kind", "在谈"),
        ("date", "2022-02-01"),
    ];
    assert_eq!(
        app.post_form("/projects/BQ-1/events", c, &event)
            .await
            .status,
        404
    );
    assert_eq!(app.get("/api/v1/projects/BQ-1", c).await.status, 404);
    assert_eq!(app.get("/api/v1/projects/BQ-1/events", c).await.status, 404);
    let reply = app
        .post_json(
            "/api/v1/projects/BQ-1/events",
            c,
            r#"{"kind":"在谈","date":"2022-02-01"}"#,
        )
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["error"]["code"], "not_found");
    let token = [("csrf", csrf.as_str())];
    assert_eq!(app.get("/projects/BQ-1/edit", c).await.status, 404);
    let edit = [
        ("csrf", csrf.as_str()),
        ("name", "改名"),
        ("territory", "集贤县"),
        ("capital_origin", "内资"),
        ("currency", "人民币"),
    ];
    assert_eq!(app.edit_project("BQ-1", c, &edit).await.status, 404);
    let fund = [
        ("csrf", csrf.as_str()),
        ("date", "2022-03-01"),
        ("amount", "100"),
        ("currency", "人民币"),
    ];
    assert_eq!(
        app.post_form("/projects/BQ-1/funds", c, &fund).await.status,
        404
    );
    assert_eq!(
        app.post_form("/projects/BQ-1/funds/1/verify", c, &token)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/projects/BQ-1/events/1/correct", c).await.status,
        404
    );
    let correction = [
        ("csrf", csrf.as_str()),
        ("reason", "误录"),
        ("withdraw", "是"),
    ];
    assert_eq!(
        app.post_form("/projects/BQ-1/events/1/correct", c, &correction)
            .await
            .status,
        404
    );
    assert_eq!(app.get("/api/v1/projects/BQ-1/funds", c).await.status, 404);
    let reply = app
        .post_json(
            "/api/v1/projects/BQ-1/funds",
            c,
            r#"{"date":"2022-03-01","amount_wan":"100"}"#,
        )
        .await;
    assert_eq!(reply.status, 404);
    // Their own project answers on the same routes.
    assert_eq!(app.get("/projects/JX-1", c).await.status, 200);
    assert_eq!(app.get("/api/v1/projects/JX-1", c).await.status, 200);
    let reply = app
        .post_json(
            "/api/v1/projects/JX-1/events",
            c,
            r#"{"kind":"在谈","date":"2022-02-01"}"#,
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    // Nor can they create a project in another county.
    let reply = app
        .post_json(
            "/api/v1/projects",
            c,
            r#"{"code":"BQ-2","name":"石墨项目","territory":"宝清县"}"#,
        )
        .await;
    assert_eq!(reply.status, 403);
}

async fn readers_read_and_cannot_change_and_the_system_administrator_sees_no_projects(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    for reader in ["auditor", "leader"] {
        let (cookie, csrf) = app.sign_in(reader).await;
        assert_eq!(
            csrf.len(),
            64,
            "a real token, so that the refusal below is about the role"
        );
        let c = Some(cookie.as_str());
        let page = app.get("/projects", c).await;
        assert!(
            page.body.contains("JX-1") && page.body.contains("BQ-1"),
            "{reader}"
        );
        assert_eq!(app.get("/projects/BQ-1", c).await.status, 200);
        let event = [
            ("csrf", csrf.as_str()),
            ("kind", "在谈"),
            ("date", "2022-02-01"),
        ];
        assert_eq!(
            app.post_form("/projects/BQ-1/events", c, &event)
                .await
                .status,
            403,
            "{reader}"
        );
        let reply = app
            .post_json(
                "/api/v1/projects/BQ-1/events",
                c,
                r#"{"kind":"在谈","date":"2022-02-01"}"#,
            )
            .await;
        assert_eq!(reply.status, 403, "{reader}");
        assert_eq!(app.get("/projects/new", c).await.status, 403);
    }
    for admin in ["sysadmin", "secadmin"] {
        let (cookie, _) = app.sign_in(admin).await;
        assert_eq!(
            app.get("/projects", Some(&cookie)).await.status,
            403,
            "{admin}"
        );
        assert_eq!(
            app.get("/api/v1/projects", Some(&cookie)).await.status,
            403,
            "{admin}"
        );
        assert_eq!(
            app.get("/api/v1/projects/JX-1", Some(&cookie)).await.status,
            404,
            "{admin}"
        );
        assert_eq!(
            app.get("/projects/export?format=csv", Some(&cookie))
                .await
                .status,
            403,
            "{admin}"
        );
    }
}

async fn a_bad_event_form_comes_back_with_the_message_beside_the_field_and_the_typed_values(
    db: &TestDb,
) {
    let app = start(db.open().await.unwrap()).await;
    let (cookie, csrf) = app.sign_in("bureau").await;
    let c = Some(cookie.as_str());
    let bad = [
        ("csrf", csrf.as_str()),
        ("kind", "签约"),
        ("date", "2022-13-01"),
        ("amount", "一百"),
    ];
    let reply = app.post_form("/projects/JX-1/events", c, &bad).await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("请修正以下问题"));
    assert!(
        reply.body.contains("“2022-13-01”不是有效日期"),
        "the message stands beside the field"
    );
    assert!(
        reply.body.contains("value=\"2022-13-01\"") && reply.body.contains("value=\"一百\""),
        "typed values are kept"
    );
    // A rule broken against the history is shown the same way.
    let backwards = [
        ("csrf", csrf.as_str()),
        ("kind", "在谈"),
        ("date", "2021-12-01"),
    ];
    let reply = app.post_form("/projects/JX-1/events", c, &backwards).await;
    assert_eq!(reply.status, 422);
    assert!(
        reply
            .body
            .contains("不能早于该项目上一事件的日期（2022-01-05）")
    );
    let good = [
        ("csrf", csrf.as_str()),
        ("kind", "签约"),
        ("date", "2022-03-01"),
        ("amount", "5000"),
    ];
    let reply = app.post_form("/projects/JX-1/events", c, &good).await;
    // Back on the workspace's records, saying what was saved.
    assert_eq!(
        (reply.status, reply.header("location")),
        (303, Some("/projects/JX-1?tab=records&saved=event"))
    );
    let page = app.get("/projects/JX-1?tab=records&saved=event", c).await;
    assert!(
        page.body.contains("5,000.00 万元")
            && page.body.contains(
                "<div class=\"notice\" role=\"status\"><p>已保存：阶段事件已记录。</p></div>"
            )
            && page
                .body
                .contains("aria-current=\"page\" class=\"current\">阶段与修改记录</a>"),
        "{}",
        page.body
    );
    // The menu marks where the page belongs, and only there.
    assert!(
        page.body
            .contains("<a href=\"/projects\" class=\"current\" aria-current=\"page\">项目列表</a>")
            && page
                .body
                .matches("class=\"current\" aria-current=\"page\"")
                .count()
                == 1,
        "{}",
        page.body
    );
    // The header carries the stage, the key figures and the step bar with the dates.
    assert!(
        page.body.contains("<span class=\"tag\">签约</span>")
            && page.body.contains("<li class=\"current\" aria-current=\"step\"><span class=\"step-label\">签约</span><span class=\"step-date\">2022-03-01</span></li>")
            && page.body.contains("<li class=\"done\"><span class=\"step-label\">线索</span><span class=\"step-date\">2022-01-05</span></li>"),
        "{}",
        page.body
    );
    // Unknown tabs and messages are the overview, without a message.
    let plain = app.get("/projects/JX-1?tab=x&saved=%3Cb%3E", c).await;
    assert!(
        plain.status == 200
            && !plain.body.contains("class=\"notice\"")
            && plain
                .body
                .contains("aria-current=\"page\" class=\"current\">基本信息</a>"),
        "{}",
        plain.body
    );
}

async fn a_new_project_form_keeps_what_was_typed_and_names_each_bad_field(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (cookie, csrf) = app.sign_in("jixian").await;
    let c = Some(cookie.as_str());
    let bad = [
        ("csrf", csrf.as_str()),
        ("code", "JX-1"),
        ("name", "玄武岩纤维项目"),
        ("territory", "集贤县"),
        ("investor_code", "91350100M000100Y44"),
    ];
    let reply = app.post_form("/projects/new", c, &bad).await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.body.contains("校验位（第18位）不符"),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("value=\"玄武岩纤维项目\""));
    let taken = [
        ("csrf", csrf.as_str()),
        ("code", "JX-1"),
        ("name", "玄武岩纤维项目"),
        ("territory", "集贤县"),
    ];
    let reply = app.post_form("/projects/new", c, &taken).await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("“JX-1”已被使用"));
    let good = [
        ("csrf", csrf.as_str()),
        ("code", "JX-2"),
        ("name", "玄武岩纤维项目"),
        ("territory", "集贤县"),
    ];
    let reply = app.post_form("/projects/new", c, &good).await;
    assert_eq!(
        (reply.status, reply.header("location")),
        (303, Some("/projects/JX-2"))
    );
}

async fn a_project_is_edited_through_its_form_and_cannot_be_moved_out_of_the_editors_unit(
    db: &TestDb,
) {
    let app = start(db.open().await.unwrap()).await;
    let (cookie, csrf) = app.sign_in("jixian").await;
    let c = Some(cookie.as_str());
    let page = app.get("/projects/JX-1/edit", c).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("value=\"集贤县风电项目\""),
        "the form starts from the record"
    );
    let renamed = [
        ("csrf", csrf.as_str()),
        ("name", "集贤县风电项目（一期）"),
        ("territory", "集贤县"),
        ("capital_origin", "内资"),
        ("currency", "人民币"),
        ("signed_amount", "12000"),
    ];
    let reply = app.edit_project("JX-1", c, &renamed).await;
    assert_eq!(
        (reply.status, reply.header("location")),
        (303, Some("/projects/JX-1"))
    );
    let page = app.get("/projects/JX-1?tab=records", c).await;
    assert!(
        page.body
            .contains("项目名称：集贤县风电项目 → 集贤县风电项目（一期）"),
        "the history shows before → after"
    );
    assert!(page.body.contains("签约额（元）：（空） → 120000000"));
    let moved = [
        ("csrf", csrf.as_str()),
        ("name", "x"),
        ("territory", "宝清县"),
        ("capital_origin", "内资"),
        ("currency", "人民币"),
    ];
    let reply = app.edit_project("JX-1", c, &moved).await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("修改后项目将不属于本单位"));
}

async fn funds_are_recorded_by_the_unit_and_verified_only_by_the_bureau(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (cookie, csrf) = app.sign_in("jixian").await;
    let c = Some(cookie.as_str());
    let bad = [
        ("csrf", csrf.as_str()),
        ("date", "2022-03-01"),
        ("amount", "-5"),
        ("currency", "人民币"),
        ("source", "自有"),
    ];
    let reply = app.post_form("/projects/JX-1/funds", c, &bad).await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.body.contains("金额：不能为负数") && reply.body.contains("value=\"-5\""),
        "{}",
        reply.body
    );
    let good = [
        ("csrf", csrf.as_str()),
        ("date", "2022-03-01"),
        ("amount", "500"),
        ("currency", "人民币"),
        ("source", "自有"),
    ];
    assert_eq!(
        app.post_form("/projects/JX-1/funds", c, &good).await.status,
        303
    );
    let funds = app.get("/api/v1/projects/JX-1/funds", c).await.json();
    let id = funds["items"][0]["id"].as_i64().unwrap();
    assert_eq!(funds["items"][0]["fund"]["amount"], 5_000_000);
    let verify = format!("/projects/JX-1/funds/{id}/verify");
    assert_eq!(
        app.post_form(&verify, c, &[("csrf", csrf.as_str())])
            .await
            .status,
        403,
        "units do not verify their own"
    );
    let (bureau, bureau_csrf) = app.sign_in("bureau").await;
    assert_eq!(
        app.post_form(&verify, Some(&bureau), &[("csrf", bureau_csrf.as_str())])
            .await
            .status,
        303
    );
    let funds = app.get("/api/v1/projects/JX-1/funds", c).await.json();
    assert_eq!(
        (
            funds["items"][0]["fund"]["verified"].as_bool(),
            funds["items"][0]["fund"]["verifier"].as_str()
        ),
        (Some(true), Some("bureau"))
    );
}

async fn an_event_is_corrected_with_a_reason_and_the_original_is_kept(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (cookie, csrf) = app.sign_in("bureau").await;
    let c = Some(cookie.as_str());
    let events = app.get("/api/v1/projects/JX-1/events", c).await.json();
    let id = events["items"][0]["id"].as_i64().unwrap();
    let path = format!("/projects/JX-1/events/{id}/correct");
    let page = app.get(&path, c).await;
    assert!(page.status == 200 && page.body.contains("value=\"2022-01-05\""));
    let no_reason = [
        ("csrf", csrf.as_str()),
        ("reason", ""),
        ("kind", "线索"),
        ("date", "2022-01-06"),
    ];
    let reply = app.post_form(&path, c, &no_reason).await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("更正须说明原因") && reply.body.contains("value=\"2022-01-06\""));
    let fixed = [
        ("csrf", csrf.as_str()),
        ("reason", "日期录错"),
        ("kind", "线索"),
        ("date", "2022-01-06"),
    ];
    assert_eq!(app.post_form(&path, c, &fixed).await.status, 303);
    let events = app.get("/api/v1/projects/JX-1/events", c).await.json();
    let items = events["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "the original stays beside its correction");
    assert_eq!(items[0]["event"]["date"], "2022-01-05");
    assert_eq!(items[1]["correction"]["reason"], "日期录错");
    let page = app.get("/projects/JX-1?tab=records", c).await;
    assert!(
        page.body.contains("更正2022-01-05的线索事件：日期录错") && !page.body.contains("事件#"),
        "a correction names what it corrects, no internal number: {}",
        page.body
    );
}

async fn a_stale_edit_is_refused_with_409_and_the_form_shows_what_the_other_edit_changed(
    db: &TestDb,
) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let (bureau, b_csrf) = app.sign_in("bureau").await;
    let (staff, s_csrf) = app.sign_in("jixian").await;
    let (b, s) = (Some(bureau.as_str()), Some(staff.as_str()));
    let opened = app.version_of("JX-1", b).await;
    let before = store.project("JX-1").await.unwrap().unwrap();
    assert_eq!(opened, before.version.to_string());
    let fields = |csrf: &str, name: &str, planned: &str| {
        vec![
            ("csrf".to_owned(), csrf.to_owned()),
            ("name".into(), name.into()),
            ("territory".into(), "集贤县".into()),
            ("capital_origin".into(), "内资".into()),
            ("currency".into(), "人民币".into()),
            ("planned_investment".into(), planned.into()),
        ]
    };
    // The county's staff save first.
    let theirs = fields(&s_csrf, "集贤县风电项目（一期）", "30000");
    let refs: Vec<(&str, &str)> = theirs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(app.edit_project("JX-1", s, &refs).await.status, 303);
    // The bureau saves from the form it opened before: refused, nothing overwritten.
    let mut mine = fields(&b_csrf, "集贤县风电项目", "50000");
    mine.push(("version".into(), opened.clone()));
    let refs: Vec<(&str, &str)> = mine.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let stale = app.post_form("/projects/JX-1/edit", b, &refs).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(
        stale.body.contains("此项目已被他人修改并保存（现为第"),
        "{}",
        stale.body
    );
    assert!(
        stale
            .body
            .contains("<td>项目名称</td><td>集贤县风电项目</td><td>集贤县风电项目（一期）</td>"),
        "{}",
        stale.body
    );
    assert!(
        stale
            .body
            .contains("<td>计划总投资（万元）</td><td>50000</td><td>30000</td>"),
        "{}",
        stale.body
    );
    assert!(
        !stale.body.contains("<td>所在县区</td>"),
        "fields alike are not listed"
    );
    assert!(
        stale.body.contains("value=\"50000\""),
        "what the bureau typed is kept"
    );
    let now = store.project("JX-1").await.unwrap().unwrap();
    assert_eq!(now.project.name, "集贤县风电项目（一期）");
    assert_eq!(now.version, before.version + 1);
    let carried = stale
        .body
        .split("name=\"version\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert_eq!(
        carried,
        now.version.to_string(),
        "the form now carries the version it was shown"
    );
    // Saving again from that page is a choice made knowing both.
    mine.last_mut().unwrap().1 = carried.to_owned();
    let refs: Vec<(&str, &str)> = mine.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        app.post_form("/projects/JX-1/edit", b, &refs).await.status,
        303
    );
    assert_eq!(
        store.project("JX-1").await.unwrap().unwrap().project.name,
        "集贤县风电项目"
    );
    // A form without its version is refused, not applied.
    let bare: Vec<(&str, &str)> = refs[..refs.len() - 1].to_vec();
    assert_eq!(
        app.post_form("/projects/JX-1/edit", b, &bare).await.status,
        400
    );
}

async fn every_path_the_openapi_document_lists_answers(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let document = app.get("/api/v1/openapi.json", None).await.json();
    assert_eq!(document["openapi"], "3.1.0");
    let (cookie, _) = app.sign_in("bureau").await;
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= 7);
    for (path, operations) in paths {
        let concrete = path.replace("{code}", "JX-1");
        for method in operations.as_object().unwrap().keys() {
            let reply = match method.as_str() {
                "get" => app.get(&concrete, Some(&cookie)).await,
                "post" => app.post_json(&concrete, Some(&cookie), "{}").await,
                other => panic!("undocumented method {other}"),
            };
            // An empty body is refused on its content, never because the route is missing.
            assert!(
                matches!(reply.status, 200 | 400 | 422),
                "{method} {path}: {} {}",
                reply.status,
                reply.body
            );
        }
    }
}

async fn a_list_exports_exactly_what_its_filters_show_within_the_scope(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (cookie, _) = app.sign_in("jixian").await;
    let reply = app.get("/projects/export?format=csv", Some(&cookie)).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    let lines: Vec<&str> = reply.body.lines().collect();
    assert!(
        lines[0]
            .trim_start_matches('\u{feff}')
            .starts_with("项目编号,项目名称")
    );
    assert_eq!(
        lines.len(),
        2,
        "the header and 集贤县's one project: {lines:?}"
    );
    assert!(lines[1].starts_with("JX-1,"));
    let (bureau, _) = app.sign_in("bureau").await;
    let reply = app
        .get(
            "/projects/export?format=csv&q=%E5%AE%9D%E6%B8%85",
            Some(&bureau),
        )
        .await;
    let lines: Vec<&str> = reply.body.lines().collect();
    assert_eq!(
        (lines.len(), lines[1].split(',').next()),
        (2, Some("BQ-1")),
        "the text filter 宝清 applies"
    );
    let xlsx = app.get("/projects/export?format=xlsx", Some(&bureau)).await;
    assert_eq!(
        xlsx.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
}

both_databases!(
    county_staff_see_only_their_countys_projects,
    county_staff_get_404_on_another_countys_project_on_every_route,
    readers_read_and_cannot_change_and_the_system_administrator_sees_no_projects,
    a_bad_event_form_comes_back_with_the_message_beside_the_field_and_the_typed_values,
    a_new_project_form_keeps_what_was_typed_and_names_each_bad_field,
    a_project_is_edited_through_its_form_and_cannot_be_moved_out_of_the_editors_unit,
    funds_are_recorded_by_the_unit_and_verified_only_by_the_bureau,
    an_event_is_corrected_with_a_reason_and_the_original_is_kept,
    a_stale_edit_is_refused_with_409_and_the_form_shows_what_the_other_edit_changed,
    every_path_the_openapi_document_lists_answers,
    a_list_exports_exactly_what_its_filters_show_within_the_scope,
);
