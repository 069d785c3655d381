//! The 谋划包装项目库 over real HTTP on SQLite and PostgreSQL (issue 23.1): a county's staff
//! package a project through the form (every bad box named, their own unit only), see its
//! maturity, move it to 推介中 and sign it into a project that the library then counts; the
//! 推介书 prints; another county's packaged projects stay out of reach.

use crate::common::*;
use store::testing::TestDb;
use store::{Store, both_databases};

async fn organisation(store: &Store) {
    use domain::records::{Chain, Leader};
    let mut tx = store.begin("test").await.unwrap();
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
    tx.upsert_segment(
        "石墨产业链",
        "负极材料",
        domain::chains::Position::Midstream,
        &[],
    )
    .await
    .unwrap();
    let firm = domain::enterprise::Enterprise::new("贝特瑞新材料集团股份有限公司").unwrap();
    tx.upsert_enterprises(&[firm]).await.unwrap();
    let other =
        domain::packaged::PackagedProject::new("BZ-BQ-1", "宝清县石墨项目", "宝清县").unwrap();
    tx.upsert_packaged(&other).await.unwrap();
    tx.commit().await.unwrap();
}

fn fields<'a>(
    csrf: &'a str,
    code: &'a str,
    unit: &'a str,
    breakdown: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("code", code),
        ("name", "石墨负极材料项目"),
        ("unit", unit),
        (
            "content",
            "建设天然石墨球形化、提纯及负极材料生产线，配套研发中心与仓储物流设施",
        ),
        ("scale", "年产5万吨负极材料"),
        ("years", "2"),
        ("estimate", "100000"),
        ("breakdown", breakdown),
        ("park", "集贤经济开发区"),
        ("area", "300"),
        ("raw", "宝清石墨矿"),
        ("energy", "110千伏变电站"),
        ("logistics", "佳木斯港"),
        ("approvals", "立项备案"),
        ("chain", "石墨产业链"),
        ("segment", "负极材料"),
        ("chain_leader", "李明远"),
        ("targets", "贝特瑞新材料集团股份有限公司"),
        ("status", "已包装"),
    ]
}

async fn a_county_packages_promotes_and_signs_a_project(db: &TestDb) {
    let store = db.open().await.unwrap();
    let app = start(store).await;
    let store = db.open().await.unwrap();
    organisation(&store).await;
    let (staff, csrf) = app.sign_in("jixian").await;
    let s = Some(staff.as_str());
    assert_eq!(app.get("/packaged/new", s).await.status, 200);

    let wrong_sum = app
        .post_form(
            "/packaged/new",
            s,
            &fields(&csrf, "BZ-1", "集贤县", "土建工程 40000\n设备购置 50000"),
        )
        .await;
    assert_eq!(wrong_sum.status, 422);
    assert!(
        wrong_sum
            .body
            .contains("概算构成：各项合计90,000.00万元，与投资概算100,000.00万元不符")
    );
    let elsewhere = app
        .post_form(
            "/packaged/new",
            s,
            &fields(&csrf, "BZ-1", "宝清县", "土建工程 40000\n设备购置 60000"),
        )
        .await;
    assert_eq!(elsewhere.status, 422);
    assert!(elsewhere.body.contains("只能为本单位建立谋划包装项目"));
    assert!(
        store.packaged("BZ-1").await.unwrap().is_none(),
        "nothing written"
    );

    let made = app
        .post_form(
            "/packaged/new",
            s,
            &fields(&csrf, "BZ-1", "集贤县", "土建工程 40000\n设备购置 60000"),
        )
        .await;
    assert_eq!(
        made.header("location"),
        Some("/packaged/BZ-1?saved=saved"),
        "{}",
        made.body
    );
    let page = app.get("/packaged/BZ-1", s).await;
    assert!(
        page.body.contains("成熟度 100 分 · 达到项目建议书深度"),
        "{}",
        page.body
    );
    let again = app
        .post_form(
            "/packaged/new",
            s,
            &fields(&csrf, "BZ-1", "集贤县", "土建工程 40000\n设备购置 60000"),
        )
        .await;
    assert!(again.status == 422 && again.body.contains("已存在"));

    // Another county's: not listed, not reachable.
    let list = app.get("/packaged", s).await;
    assert!(list.body.contains("BZ-1") && !list.body.contains("BZ-BQ-1"));
    assert_eq!(app.get("/packaged/BZ-BQ-1", s).await.status, 404);
    let file = app.get("/packaged/export?format=csv", s).await;
    assert!(
        file.status == 200
            && file
                .body
                .contains("BZ-1,石墨负极材料项目,石墨产业链,负极材料,集贤县")
    );
    assert!(!file.body.contains("BZ-BQ-1"), "the export keeps the scope");

    // 推介中 by hand; 已签约 only by signing.
    let status = |label: &'static str| {
        let (app, csrf) = (&app, csrf.clone());
        async move {
            app.post_form(
                "/packaged/BZ-1/status",
                s,
                &[("csrf", &csrf), ("status", label)],
            )
            .await
        }
    };
    assert_eq!(status("推介中").await.status, 303);
    let by_hand = status("已签约").await;
    assert!(by_hand.status == 422 && by_hand.body.contains("由签约登记产生"));

    let signed = app
        .post_form(
            "/packaged/BZ-1/sign",
            s,
            &[
                ("csrf", &csrf),
                ("project_code", "JX-PK-1"),
                ("investor", "贝特瑞新材料集团股份有限公司"),
                ("date", "2022-06-18"),
                ("amount", "50000"),
            ],
        )
        .await;
    assert_eq!(
        signed.header("location"),
        Some("/packaged/BZ-1?saved=signed"),
        "{}",
        signed.body
    );
    let page = app.get("/packaged/BZ-1", s).await;
    assert!(
        page.body
            .contains("已签约为项目 <a href=\"/projects/JX-PK-1\">")
    );
    assert_eq!(app.get("/projects/JX-PK-1", s).await.status, 200);
    let list = app.get("/packaged", s).await;
    assert!(
        list.body
            .contains("已签约转为正式项目的包装项目 1 个，签约额 50,000.00万元"),
        "{}",
        list.body
    );
    let edit = app
        .post_form(
            "/packaged/BZ-1/edit",
            s,
            &fields(&csrf, "BZ-1", "集贤县", "土建工程 40000\n设备购置 60000"),
        )
        .await;
    assert_eq!(edit.status, 409, "a signed one is the project's now");

    let print = app.get("/packaged/BZ-1/print", s).await;
    assert_eq!(print.status, 200);
    for part in [
        "项目推介书",
        "100,000.00万元",
        "土建工程40,000.00万元",
        "用地300亩",
        "原材料：宝清石墨矿",
    ] {
        assert!(print.body.contains(part), "{part}");
    }
}

both_databases!(a_county_packages_promotes_and_signs_a_project);
