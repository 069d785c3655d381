//! The 招商路线图 over HTTP on SQLite and PostgreSQL (issue 23.2): a county's staff draw their
//! roadmap's four sets; plan against done follows the visit log; bad input is named; another
//! county's roadmap is not found; the 链长's page lists their chains' roadmaps.

use crate::common::*;
use store::both_databases;
use store::testing::TestDb;

async fn a_county_draws_its_roadmap_and_plan_follows_the_visit_log(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_enterprises(&[domain::enterprise::Enterprise::new("甲石墨有限公司").unwrap()])
        .await
        .unwrap();
    tx.upsert_packaged(
        &domain::packaged::PackagedProject::new("BZ-1", "石墨负极材料项目", "集贤县").unwrap(),
    )
    .await
    .unwrap();
    tx.upsert_packaged(
        &domain::packaged::PackagedProject::new("BZ-BQ", "宝清县石墨项目", "宝清县").unwrap(),
    )
    .await
    .unwrap();
    let mut visit = domain::records::Visit::new(d("2022-05-10"));
    visit.enterprise = Some("甲石墨有限公司".into());
    visit.unit = Some("集贤县".into());
    tx.add_visit(&visit).await.unwrap();
    tx.commit().await.unwrap();

    let (staff, csrf) = app.sign_in("jixian").await;
    let s = Some(staff.as_str());
    let made = app
        .post_form(
            "/roadmaps",
            s,
            &[
                ("csrf", csrf.as_str()),
                ("year", "2022"),
                ("owner", "单位:集贤县"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let page = made.header("location").unwrap().to_owned();
    // Another county's roadmap may not be made by 集贤县's staff.
    let other = app
        .post_form(
            "/roadmaps",
            s,
            &[
                ("csrf", csrf.as_str()),
                ("year", "2022"),
                ("owner", "单位:宝清县"),
            ],
        )
        .await;
    assert_eq!(other.status, 403);
    let add = |kind: &'static str, reference: &'static str, month: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("kind", kind.to_owned()),
            ("reference", reference.to_owned()),
            ("month", month.to_owned()),
            ("leader", String::new()),
        ]
    };
    for (kind, reference, month) in [
        ("重点招商项目", "BZ-1", ""),
        ("重要客户", "甲石墨有限公司", ""),
        ("招商政策", "双鸭山市招商引资若干优惠政策", ""),
        ("对接计划", "甲石墨有限公司", "4"),
    ] {
        let form = add(kind, reference, month);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let reply = app.post_form(&format!("{page}/items"), s, &form).await;
        assert_eq!(reply.status, 303, "{kind}: {}", reply.body);
    }
    // Another county's packaged project is not this county's to promote.
    let form = add("重点招商项目", "BZ-BQ", "");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let other_unit = app.post_form(&format!("{page}/items"), s, &form).await;
    assert!(
        other_unit.status == 422 && other_unit.body.contains("项目库中没有本单位的“BZ-BQ”"),
        "{}",
        other_unit.body
    );
    let form = add("对接计划", "不存在的公司", "13");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let bad = app.post_form(&format!("{page}/items"), s, &form).await;
    assert!(
        bad.status == 422 && bad.body.contains("计划月份"),
        "{} {}",
        bad.status,
        bad.body
    );

    let shown = app.get(&page, s).await;
    for text in [
        "集贤县2022年招商路线图",
        "逾期对接（2022-05-10）",
        "已对接",
        "双鸭山市招商引资若干优惠政策",
        "<svg",
        "按期 0 次，逾期对接 1 次，逾期未对接 0 次",
    ] {
        assert!(shown.body.contains(text), "{text}: {}", shown.body);
    }
    let export = app.get(&format!("{page}/export?format=csv"), s).await;
    assert!(
        export.status == 200 && export.body.contains("逾期对接"),
        "{}",
        export.body
    );
    // 宝清县 has no business here; the leader reads.
    unit_with_staff(db, "饶河县", domain::records::UnitKind::County, "raohe").await;
    let (other, _) = app.sign_in("raohe").await;
    assert_eq!(app.get(&page, Some(&other)).await.status, 404);
    let (leader, _) = app.sign_in("leader").await;
    let list = app.get("/roadmaps?year=2022", Some(&leader)).await;
    assert!(
        list.body.contains("集贤县2022年招商路线图"),
        "{}",
        list.body
    );
}

both_databases!(a_county_draws_its_roadmap_and_plan_follows_the_visit_log);
