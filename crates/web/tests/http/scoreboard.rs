//! The scoreboard over real HTTP on SQLite and PostgreSQL: its figures and their drill-down,
//! published sheets, and targets.

use crate::common::*;
use store::both_databases;
use store::testing::TestDb;

async fn the_scoreboard_shows_each_figure_and_its_drill_down_adds_up(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    let mut entrusted = domain::records::Project::new("JX-1", "集贤县风电项目", "集贤县").unwrap();
    entrusted.source_mode = Some("委托".into());
    tx.upsert_project(&entrusted).await.unwrap();
    tx.commit().await.unwrap();
    let (bureau, csrf) = app.sign_in("bureau").await;
    sign(&app, &bureau, &csrf, "JX-1", "2022-03-01", "12000").await;
    sign(&app, &bureau, &csrf, "BQ-1", "2022-05-01", "500").await;
    let target = [
        ("csrf", csrf.as_str()),
        ("year", "2022"),
        ("unit", "全市"),
        ("indicator", "signed_projects"),
        ("value", "4"),
    ];
    assert_eq!(
        app.post_form("/targets", Some(&bureau), &target)
            .await
            .status,
        303
    );
    let (leader, _) = app.sign_in("leader").await;
    let l = Some(leader.as_str());
    let page = app.get("/scoreboard?year=2022&period=H1", l).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("双鸭山市2022年上半年招商引资晒单"));
    assert!(
        page.body.contains("签约项目2项，签约额1.25亿元"),
        "the 成绩单 comes from the records"
    );
    assert!(page.body.contains("<svg") && page.body.contains("县区排名"));
    // By 招商方式: BQ-1 has none (未填); each figure drills to that mode's records.
    assert!(
        page.body.contains("按招商方式")
            && page.body.contains("<td>委托</td>")
            && page.body.contains("<td>未填</td>"),
        "{}",
        page.body
    );
    let by_mode = |mode: &str| {
        format!(
            "/scoreboard/drill?year=2022&period=H1&indicator=signed_amount&{}",
            serde_urlencoded::to_string([("source", mode)]).unwrap()
        )
    };
    assert!(page.body.contains(&by_mode("委托").replace('&', "&#38;")));
    let drill = app.get(&by_mode("委托"), l).await;
    assert!(
        drill.body.contains("JX-1")
            && !drill.body.contains("BQ-1")
            && drill.body.contains("（招商方式：委托）")
            && drill.body.contains("合计 <strong>12,000.00</strong>"),
        "{}",
        drill.body
    );
    let drill = app.get(&by_mode("未填"), l).await;
    assert!(drill.body.contains("BQ-1") && !drill.body.contains("JX-1"));
    let api = app
        .get("/api/v1/scoreboard?year=2022&period=H1", l)
        .await
        .json();
    assert_eq!(
        api["city"]["by_source"]["委托"]["signed_amount"],
        120_000_000i64
    );
    assert_eq!(api["city"]["by_source"]["未填"]["signed_projects"], 1);
    // The city's 签约额 drills down to both projects, whose amounts add up to it.
    let drill = app
        .get(
            "/scoreboard/drill?year=2022&period=H1&indicator=signed_amount",
            l,
        )
        .await;
    assert_eq!(drill.status, 200, "{}", drill.body);
    assert!(drill.body.contains("JX-1") && drill.body.contains("BQ-1"));
    assert!(
        drill.body.contains("合计 <strong>12,500.00</strong>"),
        "{}",
        drill.body
    );
    assert!(drill.body.contains("1.25 亿元"));
    // A unit's figure lists only its own projects.
    let drill = app.get("/scoreboard/drill?year=2022&period=H1&indicator=signed_projects&unit=%E5%AE%9D%E6%B8%85%E5%8E%BF", l).await;
    assert!(drill.body.contains("BQ-1") && !drill.body.contains("JX-1"));
    // A rate lists its numerator and denominator.
    let drill = app
        .get(
            "/scoreboard/drill?year=2022&period=H1&indicator=lead_conversion_rate",
            l,
        )
        .await;
    assert!(
        drill.body.contains("分子") && drill.body.contains("分母") && drill.body.contains("100.0%"),
        "{}",
        drill.body
    );
    // A quarter's 累计完成 counts from 1 January: its link lists Q1's signing too.
    let q2 = app.get("/scoreboard?year=2022&period=Q2", l).await;
    assert!(q2.body.contains("签约项目1项"), "only BQ-1 signed in Q2");
    let ytd = "/scoreboard/drill?year=2022&period=YTD&as_of=2022-06-30&indicator=signed_projects";
    assert!(
        q2.body.contains(&ytd.replace('&', "&amp;")),
        "the progress bars and 累计完成 link to the year to date"
    );
    let drill = app.get(ytd, l).await;
    assert!(drill.body.contains("JX-1") && drill.body.contains("BQ-1"));
    let unit = app
        .get(
            "/scoreboard/unit?year=2022&period=H1&name=%E9%9B%86%E8%B4%A4%E5%8E%BF",
            l,
        )
        .await;
    assert!(
        unit.status == 200
            && unit.body.contains("集贤县2022年上半年招商引资成绩")
            && unit.body.contains("<td>委托</td>")
            && !unit.body.contains("<td>未填</td>"),
        "{}",
        unit.body
    );
    let export = app.get("/scoreboard/export?year=2022&period=H1", l).await;
    assert_eq!(export.status, 200);
    assert!(
        export
            .header("content-type")
            .unwrap()
            .contains("spreadsheetml")
    );
    let api = app
        .get("/api/v1/scoreboard?year=2022&period=H1", l)
        .await
        .json();
    assert_eq!(
        (
            api["city"]["signed_amount"]["value"].as_i64(),
            api["end"].as_str()
        ),
        (Some(125_000_000), Some("2022-06-30"))
    );
    assert_eq!(api["units"][0]["group"], "县区");
    let print = app.get("/scoreboard/print?year=2022&period=H1", l).await;
    assert!(print.status == 200 && !print.body.contains("class=\"menu\""));
    // 大屏: the same figures in large type, refreshing itself without script.
    let screen = app.get("/scoreboard/screen?year=2022&period=H1", l).await;
    assert!(
        screen.status == 200
            && screen
                .body
                .contains("<meta http-equiv=\"refresh\" content=\"60\">")
            && screen.body.contains("<body class=\"screen\">")
            && !screen.body.contains("<script")
            && !screen.body.contains("class=\"menu\"")
            && screen.body.contains("签约额"),
        "{}",
        screen.body
    );
    // Bad periods are the reader's error, named.
    let bad = app.get("/scoreboard?year=2022&period=Q9", l).await;
    assert!(bad.status == 400 && bad.body.contains("Q9"), "{}", bad.body);
    let bad = app
        .get("/scoreboard/drill?year=2022&period=H1&indicator=gdp", l)
        .await;
    assert_eq!(bad.status, 400);
}

async fn unit_staff_see_the_ranking_but_drill_only_into_their_own_unit(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (staff, _) = app.sign_in("jixian").await;
    let s = Some(staff.as_str());
    assert_eq!(
        app.get("/scoreboard?year=2022&period=H1", s).await.status,
        200
    );
    let own = "/scoreboard/drill?year=2022&period=H1&indicator=signed_projects&unit=%E9%9B%86%E8%B4%A4%E5%8E%BF";
    assert_eq!(app.get(own, s).await.status, 200);
    let other = "/scoreboard/drill?year=2022&period=H1&indicator=signed_projects&unit=%E5%AE%9D%E6%B8%85%E5%8E%BF";
    assert_eq!(app.get(other, s).await.status, 403);
    assert_eq!(
        app.get(
            "/scoreboard/drill?year=2022&period=H1&indicator=signed_projects",
            s
        )
        .await
        .status,
        403
    );
    let (admin, _) = app.sign_in("sysadmin").await;
    assert_eq!(app.get("/scoreboard", Some(&admin)).await.status, 403);
}

async fn a_published_sheet_keeps_its_figures_and_shows_what_changed_since(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (bureau, csrf) = app.sign_in("bureau").await;
    let b = Some(bureau.as_str());
    sign(&app, &bureau, &csrf, "JX-1", "2022-03-01", "1000").await;
    let (staff, staff_csrf) = app.sign_in("jixian").await;
    let publish = "/scoreboard/publish?year=2022&period=H1";
    assert_eq!(
        app.post_form(publish, Some(&staff), &[("csrf", staff_csrf.as_str())])
            .await
            .status,
        403
    );
    assert_eq!(
        app.post_form(publish, b, &[("csrf", "forged")])
            .await
            .status,
        403
    );
    // First the bureau is told what publishing means, and nothing is published yet.
    let reply = app.post_form(publish, b, &[("csrf", csrf.as_str())]).await;
    assert!(
        reply.status == 200
            && reply.body.contains("发布后不可修改")
            && reply.body.contains("name=\"confirm\" value=\"1\""),
        "{} {}",
        reply.status,
        reply.body
    );
    let store = db.open().await.unwrap();
    assert!(store.published_sheets().await.unwrap().is_empty());
    let reply = app
        .post_form(publish, b, &[("csrf", csrf.as_str()), ("confirm", "1")])
        .await;
    assert_eq!(reply.status, 303);
    let sheet_path = reply.header("location").unwrap().to_owned();
    let sheet = app.get(&sheet_path, b).await;
    assert!(
        sheet.body.contains("发布以来本期数字没有变化"),
        "{}",
        sheet.body
    );
    assert!(sheet.body.contains("签约项目1项，签约额1000万元"));
    let hash = sheet
        .body
        .split("<code>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(hash.len(), 64);
    // A late entry: the sheet keeps its figures and lists the change.
    sign(&app, &bureau, &csrf, "BQ-1", "2022-04-01", "3000").await;
    let sheet = app.get(&sheet_path, b).await;
    assert!(
        sheet.body.contains("签约项目1项，签约额1000万元"),
        "the published 成绩单 is unchanged"
    );
    assert!(sheet.body.contains(&hash));
    let changes = sheet
        .body
        .split("class=\"changes\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(changes.contains("<td>双鸭山市</td><td>签约项目数</td><td class=\"num\">1</td><td class=\"num\">2</td><td class=\"num diff-up\">+1</td>"), "{changes}");
    assert!(changes.contains("<td>宝清县</td><td>签约额</td><td class=\"num\">0.00</td><td class=\"num\">0.30</td><td class=\"num diff-up\">+0.30</td>"), "{changes}");
    assert!(
        !changes.contains("集贤县"),
        "集贤县's figures did not change: {changes}"
    );
    // Rates move by percentage points: half the leads of 2022 were signed, now all are.
    assert!(changes.contains("<td>线索转化率</td><td class=\"num\">50.0%</td><td class=\"num\">100.0%</td><td class=\"num diff-up\">+50.0个百分点</td>"), "{changes}");
    let order: Vec<usize> = ["签约项目数", "签约额", "线索转化率"]
        .iter()
        .map(|k| {
            changes
                .find(&format!("<td>双鸭山市</td><td>{k}</td>"))
                .unwrap()
        })
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "changes are listed in the tables' order: {changes}"
    );
    let list = app.get("/sheets", Some(&staff)).await;
    assert!(list.status == 200 && list.body.contains(&hash));
    let export = app.get(&format!("{sheet_path}/export"), b).await;
    assert_eq!(export.status, 200);
    assert_eq!(app.get("/sheets/999", b).await.status, 404);

    // A printout is headed as a filed report, by its issuer; a published one says so with its
    // number and hash, a live one says it is not the published text.
    let id = sheet_path.rsplit('/').next().unwrap();
    let printed = app.get(&format!("{sheet_path}/print"), b).await.body;
    assert!(
        printed.contains("<h1>《2022年上半年全市招商引资工作晒单》</h1>")
            && printed.contains("<p class=\"office\">双鸭山市招商引资工作领导小组办公室</p>")
            && printed.contains(&format!("已发布 第{id}号"))
            && printed.contains(&hash)
            && printed.contains("印发日期："),
        "{printed}"
    );
    let live = app
        .get("/scoreboard/print?year=2022&period=H1", b)
        .await
        .body;
    assert!(
        live.contains("实时数据，未发布") && !live.contains("已发布 第"),
        "{live}"
    );
    let office = [("csrf", csrf.as_str()), ("office", "双鸭山市商务局")];
    assert_eq!(
        app.post_form("/sheets/office", b, &office).await.status,
        303
    );
    assert!(
        app.get(&format!("{sheet_path}/print"), b)
            .await
            .body
            .contains("<p class=\"office\">双鸭山市商务局</p>")
    );
    let (staff_cookie, staff_csrf) = app.sign_in("jixian").await;
    let theirs = [("csrf", staff_csrf.as_str()), ("office", "集贤县")];
    assert_eq!(
        app.post_form("/sheets/office", Some(&staff_cookie), &theirs)
            .await
            .status,
        403
    );
    let long = "办".repeat(41);
    let too_long = [("csrf", csrf.as_str()), ("office", long.as_str())];
    let reply = app.post_form("/sheets/office", b, &too_long).await;
    assert!(
        reply.status == 422 && reply.body.contains("发文单位"),
        "{}",
        reply.body
    );
}

async fn targets_are_set_by_the_bureau_and_units_not_adding_up_are_shown(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (bureau, csrf) = app.sign_in("bureau").await;
    let b = Some(bureau.as_str());
    for (unit, value) in [("全市", "10"), ("集贤县", "4"), ("宝清县", "5")] {
        let form = [
            ("csrf", csrf.as_str()),
            ("year", "2022"),
            ("unit", unit),
            ("indicator", "signed_projects"),
            ("value", value),
        ];
        assert_eq!(app.post_form("/targets", b, &form).await.status, 303);
    }
    let form = [
        ("csrf", csrf.as_str()),
        ("year", "2022"),
        ("unit", "集贤县"),
        ("indicator", "signed_amount"),
        ("value", "2000.5"),
    ];
    assert_eq!(app.post_form("/targets", b, &form).await.status, 303);
    let page = app.get("/targets?year=2022", b).await;
    assert!(
        page.body.contains("不一致") && page.body.contains("−1"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("0.20"),
        "2000.5万元 shows as 0.20亿元: {}",
        page.body
    );
    let bad = [
        ("csrf", csrf.as_str()),
        ("year", "2022"),
        ("unit", "集贤县"),
        ("indicator", "signed_projects"),
        ("value", "十"),
    ];
    let reply = app.post_form("/targets", b, &bad).await;
    assert!(
        reply.status == 422 && reply.body.contains("目标值"),
        "{} {}",
        reply.status,
        reply.body
    );
    let rate = [
        ("csrf", csrf.as_str()),
        ("year", "2022"),
        ("unit", "集贤县"),
        ("indicator", "landing_rate"),
        ("value", "1"),
    ];
    assert_eq!(app.post_form("/targets", b, &rate).await.status, 422);
    let (staff, staff_csrf) = app.sign_in("jixian").await;
    let form = [
        ("csrf", staff_csrf.as_str()),
        ("year", "2022"),
        ("unit", "集贤县"),
        ("indicator", "signed_projects"),
        ("value", "1"),
    ];
    assert_eq!(
        app.post_form("/targets", Some(&staff), &form).await.status,
        403
    );
    // The target shows on the unit's scoreboard as task and time progress.
    sign(&app, &bureau, &csrf, "JX-1", "2022-03-01", "100").await;
    let unit = app
        .get(
            "/scoreboard/unit?year=2022&period=H1&name=%E9%9B%86%E8%B4%A4%E5%8E%BF",
            b,
        )
        .await;
    assert!(
        unit.body.contains("25.0%") && unit.body.contains("49.6%"),
        "1 of 4 against 181/365: {}",
        unit.body
    );
}

both_databases!(
    the_scoreboard_shows_each_figure_and_its_drill_down_adds_up,
    unit_staff_see_the_ranking_but_drill_only_into_their_own_unit,
    a_published_sheet_keeps_its_figures_and_shows_what_changed_since,
    targets_are_set_by_the_bureau_and_units_not_adding_up_are_shown,
);
