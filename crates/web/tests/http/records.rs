//! The city's reference records over real HTTP on SQLite and PostgreSQL: units, leaders, chains
//! and teams kept by the roles allowed, a leader's page and a work team's, the value lists that
//! forms and imports check, and files imported through the page.

use crate::common::*;
use store::both_databases;
use store::testing::TestDb;

async fn the_bureau_imports_files_through_the_page_and_unit_staff_cannot(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (cookie, csrf) = app.sign_in("bureau").await;
    let c = Some(cookie.as_str());
    let template = app.get("/import/units/template", c).await;
    assert_eq!(template.status, 200);
    assert!(template.body.starts_with("PK"), "an xlsx file is a zip");
    let good = "单位名称,类型,分组,行政区划代码,上级单位\n饶河县,县,,230524,双鸭山市\n";
    let reply = app
        .upload("/import/units", c, &csrf, "units.csv", good)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body.contains("导入完成") && reply.body.contains("新增1"));
    let bad = "单位名称,类型\n友谊县,乡\n";
    let reply = app
        .upload("/import/units", c, &csrf, "units.csv", bad)
        .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.body.contains("第2行 类型: “乡”不是可用的类型"),
        "{}",
        reply.body
    );
    let (staff, staff_csrf) = app.sign_in("jixian").await;
    assert_eq!(
        app.upload(
            "/import/units",
            Some(&staff),
            &staff_csrf,
            "units.csv",
            good
        )
        .await
        .status,
        403
    );
    assert_eq!(app.get("/import", Some(&staff)).await.status, 403);
    assert_eq!(
        app.upload("/import/units", c, "forged", "units.csv", good)
            .await
            .status,
        403
    );
}

/// A file with a bad row: 预检 imports nothing and hands back the bad rows as a workbook with
/// their row number and reason; "只导入无误的行" imports the rest and lists what it left out.
async fn the_import_page_checks_a_file_and_imports_the_good_rows_when_asked(db: &TestDb) {
    use calamine::Reader;
    let store = db.open().await.unwrap();
    let app = start(store.clone()).await;
    let (cookie, csrf) = app.sign_in("bureau").await;
    let c = Some(cookie.as_str());
    let file = "单位名称,类型,分组,行政区划代码,上级单位\n饶河县,县,,230524,双鸭山市\n友谊县,乡,,230522,双鸭山市\n";
    let held = |name: &'static str| {
        let store = store.clone();
        async move { store.units().await.unwrap().iter().any(|u| u.name == name) }
    };
    let send = |content: &'static str, fields: &'static [(&'static str, &'static str)]| {
        app.upload_with("/import/units", c, &csrf, "单位.csv", content, fields)
    };
    let reply = send(file, &[("action", "check")]).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply
            .header("content-disposition")
            .is_some_and(|d| d.contains("attachment") && d.contains(".xlsx")),
        "{:?}",
        reply.headers
    );
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(reply.bytes.clone())).unwrap();
    let sheet = book.worksheet_range("错误行").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0][5..], ["原行号".to_owned(), "错误原因".to_owned()]);
    assert_eq!(rows[1][0], "友谊县");
    assert_eq!(rows[1][5], "3");
    assert!(rows[1][6].starts_with("类型: “乡”"), "{rows:?}");
    assert!(!held("饶河县").await, "a check imports nothing");

    let reply = send(file, &[("rest", "1"), ("action", "import")]).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply.body.contains("部分导入")
            && reply.body.contains("有错误的1行未导入")
            && reply.body.contains("第3行 类型"),
        "{}",
        reply.body
    );
    assert!(held("饶河县").await && !held("友谊县").await);

    let good = "单位名称,类型,上级单位\n友谊县,县,双鸭山市\n";
    let reply = send(good, &[("action", "check")]).await;
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("预检通过") && reply.body.contains("没有发现错误"));
    assert!(!held("友谊县").await);
}

/// An office's own ledger through the page: read and mapped by its headers, every error shown
/// before anything is written, the mapping changed in the form, saved for the county,
/// downloaded and loaded back as a file, and the good rows imported.
async fn a_ledger_is_mapped_previewed_saved_and_imported_through_the_page(db: &TestDb) {
    let store = db.open().await.unwrap();
    let app = start(store.clone()).await;
    let (cookie, csrf) = app.sign_in("bureau").await;
    let c = Some(cookie.as_str());
    assert_eq!(app.get("/import/ledger", c).await.status, 200);
    let ledger = "序号,项目名称,建设地点,总投资,备注\n1,秸秆综合利用项目,集贤县福利镇,1.25,\n2,冷链物流园项目,哈尔滨市,2,续建\n";
    let reply = app
        .upload_with(
            "/import/ledger",
            c,
            &csrf,
            "集贤台账.csv",
            ledger,
            &[("kind", "projects"), ("unit", "集贤县"), ("action", "read")],
        )
        .await;
    assert_eq!(reply.status, 422, "an error is shown, nothing written");
    for said in [
        "第3行 建设地点: “哈尔滨市”中没有可识别的县区或单位名称",
        "“总投资”未注明单位",
        "集贤县-0001",
        "发现1处错误（尚未导入）",
    ] {
        assert!(reply.body.contains(said), "{said}: {}", reply.body);
    }
    assert!(store.project("集贤县-0001").await.unwrap().is_none());
    let content = reply
        .body
        .split("name=\"content\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    // The amounts were 亿元: the office says so in the form, and saves the mapping.
    let form = |action: &'static str| {
        vec![
            ("kind", "projects".to_owned()),
            ("unit", "集贤县".to_owned()),
            ("file_name", "集贤台账.csv".to_owned()),
            ("content", content.clone()),
            ("map1", "项目名称".to_owned()),
            ("map2", "所在县区".to_owned()),
            ("map3", "计划总投资".to_owned()),
            ("scale3", "亿元".to_owned()),
            ("name", "集贤台账".to_owned()),
            ("rest", "1".to_owned()),
            ("action", action.to_owned()),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        let csrf = csrf.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.upload_with("/import/ledger", c, &csrf, "", "", &fields)
                .await
        }
    };
    let reply = send(form("save")).await;
    assert!(
        reply.body.contains("已保存映射“集贤台账”"),
        "{}",
        reply.body
    );
    assert!(
        reply.body.contains("12500"),
        "1.25亿元 is 12500万元: {}",
        reply.body
    );
    let saved = store
        .mapping(Some("集贤县"), "projects", "集贤台账")
        .await
        .unwrap()
        .unwrap();
    assert!(saved.body.contains("亿元"));

    let reply = send(form("import")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply.body.contains("部分导入") && reply.body.contains("新增1"),
        "{}",
        reply.body
    );
    let project = store.project("集贤县-0001").await.unwrap().unwrap().project;
    assert_eq!(
        project.planned_investment.map(|m| m.units()),
        Some(125_000_000)
    );

    // The mapping as a file, and back under another name.
    let file = app
        .get(&format!("/import/mappings/{}/export", saved.id), c)
        .await;
    assert_eq!(file.status, 200);
    assert!(
        file.header("content-disposition")
            .is_some_and(|d| d.contains(".json"))
    );
    let renamed = file.body.replace("\"集贤台账\"", "\"集贤台账二\"");
    let reply = app
        .upload_with("/import/mappings", c, &csrf, "映射.json", &renamed, &[])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        store
            .mapping(Some("集贤县"), "projects", "集贤台账二")
            .await
            .unwrap()
            .is_some()
    );
    let reply = app
        .upload_with("/import/mappings", c, &csrf, "映射.json", "{不是映射", &[])
        .await;
    assert_eq!(reply.status, 422);
    // Unit staff do not take over ledgers.
    let (staff, _) = app.sign_in("jixian").await;
    assert_eq!(app.get("/import/ledger", Some(&staff)).await.status, 403);
}

/// 到位资金核实 as a queue: the unverified funds of the viewer's scope, several verified at once
/// by 招商局 with who and when shown, the batch refused whole when one fund is not open to it.
async fn funds_are_verified_from_one_queue_many_at_once(db: &TestDb) {
    use domain::records::Fund;
    use domain::{Currency, Money};
    let store = db.open().await.unwrap();
    let app = start(store.clone()).await;
    let mut tx = store.begin("test").await.unwrap();
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let mut ids = Vec::new();
    for (code, date, wan) in [
        ("JX-1", "2022-03-01", 100),
        ("JX-1", "2022-04-01", 200),
        ("BQ-1", "2022-05-01", 300),
    ] {
        let fund = Fund::new(
            code,
            day(date),
            Money::from_units("", wan * 10_000).unwrap(),
            Currency::Cny,
        )
        .unwrap();
        let store::Added::Added(id) = tx.add_fund(&fund).await.unwrap() else {
            panic!("fund not added")
        };
        ids.push(id);
    }
    tx.commit().await.unwrap();

    // A county's staff see their own funds only, and cannot verify.
    let (staff, staff_csrf) = app.sign_in("jixian").await;
    let page = app.get("/funds", Some(&staff)).await;
    assert!(
        page.body.contains("未核实 2 笔") && !page.body.contains("BQ-1"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("核实所选"));
    let form = [("csrf", staff_csrf.as_str()), ("id", &ids[0].to_string())];
    assert_eq!(
        app.post_form("/funds/verify", Some(&staff), &form)
            .await
            .status,
        403
    );

    let (bureau, csrf) = app.sign_in("bureau").await;
    let b = Some(bureau.as_str());
    let page = app.get("/funds", b).await;
    assert!(
        page.body.contains("未核实 3 笔，人民币合计 600.00 万元"),
        "{}",
        page.body
    );
    let (a, c) = (ids[0].to_string(), ids[2].to_string());
    let form = [
        ("csrf", csrf.as_str()),
        ("status", "unverified"),
        ("id", a.as_str()),
        ("id", c.as_str()),
    ];
    let reply = app.post_form("/funds/verify", b, &form).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let back = reply.header("location").unwrap().to_owned();
    assert!(back.contains("done=2"), "{back}");
    let page = app.get(&back, b).await;
    assert!(
        page.body.contains("已核实 2 笔") && page.body.contains("未核实 1 笔"),
        "{}",
        page.body
    );
    let verified = app.get("/funds?status=verified", b).await;
    assert!(
        verified.body.contains("已核实</span> bureau"),
        "who verified: {}",
        verified.body
    );
    // One fund already verified: the batch is refused whole.
    let (a, b2) = (ids[0].to_string(), ids[1].to_string());
    let form = [
        ("csrf", csrf.as_str()),
        ("id", b2.as_str()),
        ("id", a.as_str()),
    ];
    assert_eq!(app.post_form("/funds/verify", b, &form).await.status, 409);
    assert!(app.get("/funds", b).await.body.contains("未核实 1 笔"));
    let export = app.get("/funds/export?status=verified&format=csv", b).await;
    assert_eq!(export.status, 200);
    assert_eq!(export.body.lines().count(), 3, "{}", export.body);
    assert!(export.body.contains("已核实,bureau,"), "{}", export.body);
    let bad_year = app.get("/funds?year=twenty", b).await;
    assert_eq!(bad_year.status, 400);
}

async fn units_leaders_chains_and_teams_are_kept_by_the_roles_allowed(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (bureau, csrf) = app.sign_in("bureau").await;
    let b = Some(bureau.as_str());
    let leader = [
        ("csrf", csrf.as_str()),
        ("name", "王建国"),
        ("title", "副市长"),
    ];
    assert_eq!(app.post_form("/leaders", b, &leader).await.status, 303);
    let chain = [
        ("csrf", csrf.as_str()),
        ("name", "石墨产业链"),
        ("industry", "新材料"),
        ("leader", "王建国"),
    ];
    assert_eq!(app.post_form("/chains", b, &chain).await.status, 303);
    let page = app.get("/chains", b).await;
    assert!(page.body.contains("石墨产业链") && page.body.contains("王建国"));
    let bad = [
        ("csrf", csrf.as_str()),
        ("name", "饶河县"),
        ("kind", "县"),
        ("division_code", "2305"),
    ];
    let reply = app.post_form("/units", b, &bad).await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.body.contains("“2305”应为6位数字") && reply.body.contains("value=\"2305\""),
        "{}",
        reply.body
    );
    let export = app.get("/chains/export?format=csv", b).await;
    assert!(
        export.body.contains("石墨产业链,新材料,王建国"),
        "{}",
        export.body
    );

    let (staff, staff_csrf) = app.sign_in("jixian").await;
    assert_eq!(
        app.get("/chains", Some(&staff)).await.status,
        200,
        "readers of projects read these"
    );
    let mine = [("csrf", staff_csrf.as_str()), ("name", "另一条链")];
    assert_eq!(
        app.post_form("/chains", Some(&staff), &mine).await.status,
        403
    );
    let (admin, admin_csrf) = app.sign_in("sysadmin").await;
    assert_eq!(
        app.get("/chains", Some(&admin)).await.status,
        403,
        "no business data for the system administrator"
    );
    let unit = [
        ("csrf", admin_csrf.as_str()),
        ("name", "饶河县"),
        ("kind", "县"),
        ("division_code", "230524"),
        ("parent", "双鸭山市"),
    ];
    assert_eq!(
        app.post_form("/units", Some(&admin), &unit).await.status,
        303,
        "but units are theirs"
    );
    assert_eq!(app.get("/nonsense", Some(&admin)).await.status, 404);
}

async fn a_leaders_page_rolls_up_the_counties_and_chains_they_answer_for(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (bureau, csrf) = app.sign_in("bureau").await;
    let b = Some(bureau.as_str());
    let leader = [
        ("csrf", csrf.as_str()),
        ("name", "王建国"),
        ("title", "副市长"),
    ];
    assert_eq!(app.post_form("/leaders", b, &leader).await.status, 303);
    let chain = [
        ("csrf", csrf.as_str()),
        ("name", "石墨产业链"),
        ("industry", "新材料"),
        ("leader", "王建国"),
    ];
    assert_eq!(app.post_form("/chains", b, &chain).await.status, 303);
    assert!(
        app.get("/leaders", b)
            .await
            .body
            .contains("href=\"/leader/王建国\"")
    );
    let path = "/leader/%E7%8E%8B%E5%BB%BA%E5%9B%BD";
    let page = app.get(path, b).await;
    assert!(
        page.status == 200 && page.body.contains("包保范围内项目</dt><dd>0 个"),
        "{}",
        page.body
    );
    let bad = [("csrf", csrf.as_str()), ("units", "集贤县、不存在县")];
    let reply = app.post_form(&format!("{path}/units"), b, &bad).await;
    assert!(
        reply.status == 422 && reply.body.contains("包保县区") && reply.body.contains("不存在县"),
        "{} {}",
        reply.status,
        reply.body
    );
    assert!(
        app.get(path, b)
            .await
            .body
            .contains("包保县区</dt><dd>（无）"),
        "nothing was saved"
    );
    let good = [("csrf", csrf.as_str()), ("units", "集贤县")];
    assert_eq!(
        app.post_form(&format!("{path}/units"), b, &good)
            .await
            .status,
        303
    );
    let (leader_account, _) = app.sign_in("leader").await;
    let page = app.get(path, Some(&leader_account)).await;
    assert!(
        page.body.contains("包保县区</dt><dd>集贤县")
            && page.body.contains("链长</dt><dd>石墨产业链"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("包保范围内项目</dt><dd>1 个")
            && page.body.contains("JX-1")
            && !page.body.contains("BQ-1"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("包保县区的") && page.body.contains("<td>集贤县</td>"),
        "the county's figures are shown"
    );
    // The chain they lead is figured over its own projects.
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    let mut project = store.project("BQ-1").await.unwrap().unwrap().project;
    project.chain = Some("石墨产业链".into());
    tx.upsert_project(&project).await.unwrap();
    tx.commit().await.unwrap();
    sign(&app, &bureau, &csrf, "BQ-1", "2022-03-01", "25000").await;
    sign(&app, &bureau, &csrf, "JX-1", "2022-03-02", "1000").await;
    let page = app.get(path, Some(&leader_account)).await;
    let chain_row = page
        .body
        .split("<tr><td>石墨产业链</td>")
        .nth(1)
        .unwrap_or_default()
        .split("</tr>")
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(
        chain_row.starts_with("<td class=\"num\">1</td><td class=\"num\">2.50</td>"),
        "only the chain's project counts: {chain_row}"
    );
    let (staff, staff_csrf) = app.sign_in("jixian").await;
    let form = [("csrf", staff_csrf.as_str()), ("units", "宝清县")];
    assert_eq!(
        app.post_form(&format!("{path}/units"), Some(&staff), &form)
            .await
            .status,
        403
    );
    assert_eq!(
        app.get("/leader/%E6%97%A0%E6%AD%A4%E4%BA%BA", b)
            .await
            .status,
        404
    );
}

async fn a_work_team_has_its_leader_members_projects_and_their_blockers(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_leader(&domain::records::Leader {
        name: "陈立新".into(),
        title: None,
        illustrative: false,
    })
    .await
    .unwrap();
    tx.upsert_team(&domain::records::Team::new("石墨专班", Some("陈立新".into())).unwrap())
        .await
        .unwrap();
    let mut project = store.project("JX-1").await.unwrap().unwrap().project;
    project.team = Some("石墨专班".into());
    tx.upsert_project(&project).await.unwrap();
    let blocker = domain::blockers::NewBlocker::new(
        "JX-1",
        "石墨提纯用电价格高",
        "水电气暖",
        d("2022-06-01"),
        "集贤县",
        None,
        d("2099-06-20"),
        d("2022-07-01"),
    )
    .unwrap();
    tx.raise_blocker(&blocker).await.unwrap();
    tx.commit().await.unwrap();
    let (bureau, csrf) = app.sign_in("bureau").await;
    let b = Some(bureau.as_str());
    assert!(
        app.get("/teams", b)
            .await
            .body
            .contains("href=\"/team/石墨专班\"")
    );
    let path = "/team/%E7%9F%B3%E5%A2%A8%E4%B8%93%E7%8F%AD";
    let page = app.get(path, b).await;
    assert!(
        page.status == 200
            && page.body.contains("尚未登记成员")
            && page.body.contains("JX-1")
            && !page.body.contains("BQ-1"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("石墨提纯用电价格高") && page.body.contains("href=\"/leader/陈立新\""),
        "{}",
        page.body
    );
    let members = format!("{path}/members");
    let no_name = [
        ("csrf", csrf.as_str()),
        ("members", "孙立军，集贤县，专班办公室主任\n，宝清县"),
    ];
    let reply = app.post_form(&members, b, &no_name).await;
    assert!(
        reply.status == 422 && reply.body.contains("专班成员：第2行没有姓名"),
        "{} {}",
        reply.status,
        reply.body
    );
    let unknown_unit = [("csrf", csrf.as_str()), ("members", "孙立军，不存在局")];
    let reply = app.post_form(&members, b, &unknown_unit).await;
    assert!(
        reply.status == 422 && reply.body.contains("成员单位") && reply.body.contains("不存在局"),
        "{} {}",
        reply.status,
        reply.body
    );
    assert!(
        app.get(path, b).await.body.contains("尚未登记成员"),
        "nothing was half-saved"
    );
    let good = [
        ("csrf", csrf.as_str()),
        ("members", "孙立军，集贤县，专班办公室主任\n马红梅，宝清县"),
    ];
    assert_eq!(app.post_form(&members, b, &good).await.status, 303);
    let page = app.get(path, b).await;
    assert!(
        page.body
            .contains("<td>孙立军</td><td>集贤县</td><td>专班办公室主任</td>")
            && page.body.contains("成员</dt><dd>2 人"),
        "{}",
        page.body
    );
    let (staff, staff_csrf) = app.sign_in("jixian").await;
    let theirs = [("csrf", staff_csrf.as_str()), ("members", "张三")];
    assert_eq!(
        app.post_form(&members, Some(&staff), &theirs).await.status,
        403
    );
    assert_eq!(app.get("/team/%E6%97%A0", b).await.status, 404);
}

async fn the_bureau_edits_the_value_lists_that_forms_and_imports_check(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (bureau, csrf) = app.sign_in("bureau").await;
    let b = Some(bureau.as_str());
    let reply = app
        .post_json(
            "/api/v1/projects",
            b,
            r#"{"code":"JX-5","name":"基金项目","territory":"集贤县"}"#,
        )
        .await;
    assert_eq!(reply.status, 201);
    let edit = |mode: &'static str, csrf: String| {
        vec![
            ("csrf", csrf),
            ("name", "基金项目".to_owned()),
            ("territory", "集贤县".to_owned()),
            ("source_mode", mode.to_owned()),
            ("capital_origin", "内资".to_owned()),
            ("currency", "人民币".to_owned()),
        ]
    };
    let form_of = |pairs: &Vec<(&'static str, String)>| {
        pairs
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<_>>()
    };
    let pairs = form_of(&edit("基金招商", csrf.clone()));
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = app.edit_project("JX-5", b, &refs).await;
    assert_eq!(reply.status, 422, "not yet a listed 招商方式");
    assert!(reply.body.contains("“基金招商”不在可选值中"));
    let add = [("csrf", csrf.as_str()), ("value", "基金招商")];
    assert_eq!(
        app.post_form("/settings/lists/source_mode/add", b, &add)
            .await
            .status,
        303
    );
    assert!(
        app.get("/settings/lists", b)
            .await
            .body
            .contains("基金招商")
    );
    assert_eq!(app.edit_project("JX-5", b, &refs).await.status, 303);
    let (staff, staff_csrf) = app.sign_in("jixian").await;
    assert_eq!(app.get("/settings/lists", Some(&staff)).await.status, 403);
    let remove = [("csrf", staff_csrf.as_str()), ("value", "基金招商")];
    assert_eq!(
        app.post_form("/settings/lists/source_mode/remove", Some(&staff), &remove)
            .await
            .status,
        403
    );
}

async fn an_absurd_amount_is_refused_and_a_wrong_fund_or_visit_is_withdrawn_with_a_reason(
    db: &TestDb,
) {
    let app = start(db.open().await.unwrap()).await;
    let (staff, csrf) = app.sign_in("jixian").await;
    let (bureau, bureau_csrf) = app.sign_in("bureau").await;
    let fund = |amount: &'static str| {
        [
            ("date", "2022-04-01"),
            ("amount", amount),
            ("currency", "人民币"),
            ("source", "自有"),
        ]
    };
    // The amount that once overflowed every total is refused, naming the field.
    for who in [(&staff, &csrf), (&bureau, &bureau_csrf)] {
        let mut form = fund("922337203685477").to_vec();
        form.push(("csrf", who.1));
        let refused = app
            .post_form("/projects/JX-1/funds", Some(who.0), &form)
            .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(
            refused.body.contains("单笔不超过1万亿元"),
            "{}",
            refused.body
        );
    }
    let api = app
        .post_json(
            "/api/v1/projects/JX-1/funds",
            Some(&bureau),
            r#"{"date":"2022-04-01","amount_wan":"922337203685477"}"#,
        )
        .await;
    assert_eq!(api.status, 422, "{}", api.body);
    assert_eq!(api.json()["error"]["field"], "amount_wan");
    // A wrong fund of the bureau's counts until withdrawn; then it counts nowhere and stays on
    // the page with its reason.
    let mut form = fund("500").to_vec();
    form.push(("csrf", &bureau_csrf));
    let added = app
        .post_form("/projects/JX-1/funds", Some(&bureau), &form)
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    assert_eq!(
        city_value(&app, &bureau, "funds_in_place", false).await,
        5_000_000
    );
    let page = app.get("/projects/JX-1?tab=funds", Some(&staff)).await;
    let id = page
        .body
        .split("/funds/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_owned();
    let path = format!("/projects/JX-1/funds/{id}/withdraw");
    let no_reason = app
        .post_form(&path, Some(&staff), &[("csrf", &csrf), ("reason", " ")])
        .await;
    assert_eq!(no_reason.status, 422, "{}", no_reason.body);
    assert!(no_reason.body.contains("撤回理由"));
    let (auditor, auditor_csrf) = app.sign_in("auditor").await;
    let refused = app
        .post_form(
            &path,
            Some(&auditor),
            &[("csrf", &auditor_csrf), ("reason", "错")],
        )
        .await;
    assert_eq!(refused.status, 403);
    let done = app
        .post_form(
            &path,
            Some(&staff),
            &[("csrf", &csrf), ("reason", "金额录错，应为50万元")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(city_value(&app, &bureau, "funds_in_place", false).await, 0);
    let page = app.get("/projects/JX-1?tab=records", Some(&bureau)).await;
    assert!(page.body.contains("已撤回的记录") && page.body.contains("金额录错，应为50万元"));
    let again = app
        .post_form(&path, Some(&staff), &[("csrf", &csrf), ("reason", "再撤")])
        .await;
    assert_eq!(again.status, 404);
    // A visit likewise.
    let visit = app
        .post_form(
            "/visits",
            Some(&staff),
            &[
                ("csrf", &csrf),
                ("date", "2022-05-01"),
                ("enterprise", "某公司"),
                ("project", "JX-1"),
                ("content", "洽谈"),
            ],
        )
        .await;
    assert_eq!(visit.status, 303, "{}", visit.body);
    let page = app.get("/projects/JX-1?tab=visits", Some(&staff)).await;
    let visit_id = page
        .body
        .split("/visits/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_owned();
    let withdrawn = app
        .post_form(
            &format!("/projects/JX-1/visits/{visit_id}/withdraw"),
            Some(&staff),
            &[("csrf", &csrf), ("reason", "重复录入")],
        )
        .await;
    assert_eq!(withdrawn.status, 303, "{}", withdrawn.body);
    let page = app.get("/projects/JX-1?tab=records", Some(&staff)).await;
    assert!(page.body.contains("重复录入"));
    let queue = app.get("/review", Some(&staff)).await;
    assert!(
        !queue.body.contains("某公司"),
        "a withdrawn visit leaves the review queue"
    );
}

both_databases!(
    an_absurd_amount_is_refused_and_a_wrong_fund_or_visit_is_withdrawn_with_a_reason,
    the_bureau_imports_files_through_the_page_and_unit_staff_cannot,
    the_import_page_checks_a_file_and_imports_the_good_rows_when_asked,
    a_ledger_is_mapped_previewed_saved_and_imported_through_the_page,
    funds_are_verified_from_one_queue_many_at_once,
    units_leaders_chains_and_teams_are_kept_by_the_roles_allowed,
    a_leaders_page_rolls_up_the_counties_and_chains_they_answer_for,
    a_work_team_has_its_leader_members_projects_and_their_blockers,
    the_bureau_edits_the_value_lists_that_forms_and_imports_check,
);
