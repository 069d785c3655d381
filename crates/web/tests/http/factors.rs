//! The 招商要素表 over HTTP on SQLite and PostgreSQL (issue 23.3): the bureau adds a factor and
//! its values; the table shows the value on a day and keeps the old one; print and export; a
//! packaged project's 推介书 quotes the chosen factors as they stand on the printing day.

use crate::common::*;
use store::both_databases;
use store::testing::TestDb;

async fn the_factor_table_keeps_its_values_by_date_and_the_brochure_quotes_them(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (bureau, csrf) = app.sign_in("bureau").await;
    let b = Some(bureau.as_str());
    let reply = app
        .post_form(
            "/factors",
            b,
            &[
                ("csrf", &csrf),
                ("code", "DL-01"),
                ("category", "电力"),
                ("item", "大工业用电价格"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let value = |value: &'static str, from: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("code", "DL-01".to_owned()),
            ("value", value.to_owned()),
            ("unit", "元/千瓦时".to_owned()),
            ("source", "省发展改革委".to_owned()),
            ("valid_from", from.to_owned()),
        ]
    };
    for (v, from) in [("0.5488", "2021-01-01"), ("0.5612", "2022-07-01")] {
        let form = value(v, from);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let reply = app.post_form("/factors/values", b, &form).await;
        assert_eq!(reply.status, 303, "{}", reply.body);
    }
    // Back-dated into the history: refused, named, nothing kept.
    let form = value("0.50", "2022-03-01");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = app.post_form("/factors/values", b, &form).await;
    assert!(
        reply.status == 422 && reply.body.contains("生效日期"),
        "{}",
        reply.body
    );

    let (leader, _) = app.sign_in("leader").await;
    let l = Some(leader.as_str());
    let june = app.get("/factors?as_of=2022-06-30", l).await;
    assert!(
        june.body.contains("0.5488 元/千瓦时") && june.body.contains("2021-01-01 至 2022-06-30"),
        "{}",
        june.body
    );
    let july = app.get("/factors?as_of=2022-07-01", l).await;
    assert!(
        july.body
            .contains("<td class=\"nowrap\">0.5612 元/千瓦时</td>")
    );
    assert!(july.body.contains("2 个数值"), "the old value is kept");
    let print = app.get("/factors/print?as_of=2022-07-01", l).await;
    assert!(
        print.status == 200 && print.body.contains("招商要素表") && print.body.contains("0.5612")
    );
    let export = app.get("/factors/export?format=csv", l).await;
    assert!(
        export.status == 200
            && export.body.contains("0.5488")
            && export.body.contains("2022-06-30"),
        "{}",
        export.body
    );
    // The unit's staff choose the factors of their packaged project's 推介书.
    let (staff, staff_csrf) = app.sign_in("jixian").await;
    let s = Some(staff.as_str());
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_packaged(
        &domain::packaged::PackagedProject::new("BZ-1", "石墨负极材料项目", "集贤县").unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let reply = app
        .post_form(
            "/packaged/BZ-1/factors",
            s,
            &[("csrf", staff_csrf.as_str()), ("factor", "DL-01")],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let unknown = app
        .post_form(
            "/packaged/BZ-1/factors",
            s,
            &[("csrf", staff_csrf.as_str()), ("factor", "ZZ-9")],
        )
        .await;
    assert!(unknown.status == 422 && unknown.body.contains("要素表中没有ZZ-9"));
    let page = app.get("/packaged/BZ-1", s).await;
    assert!(
        page.body.contains("value=\"DL-01\" checked"),
        "{}",
        page.body
    );
    let print = app.get("/packaged/BZ-1/print", s).await;
    assert!(
        print.body.contains("投资要素") && print.body.contains("大工业用电价格"),
        "{}",
        print.body
    );
    // Units read the table but do not change it.
    assert_eq!(app.get("/factors", s).await.status, 200);
    let refused = app
        .post_form(
            "/factors",
            s,
            &[
                ("csrf", staff_csrf.as_str()),
                ("code", "X"),
                ("category", "电力"),
                ("item", "x"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
}

both_databases!(the_factor_table_keeps_its_values_by_date_and_the_brochure_quotes_them);
