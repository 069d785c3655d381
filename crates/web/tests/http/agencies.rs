//! 委托招商机构 over HTTP on SQLite and PostgreSQL (issue 23.4): the bureau adds an agency and a
//! contract, attributes a signed project, records a payment; the page shows each fee worked out
//! and what is owed; bad input is named and nothing is kept; leaders read, units may not.

use crate::common::*;
use store::both_databases;
use store::testing::TestDb;

async fn the_bureau_keeps_agencies_and_each_fee_is_worked_out_from_the_records(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (bureau, csrf) = app.sign_in("bureau").await;
    let b = Some(bureau.as_str());
    sign(&app, &bureau, &csrf, "JX-1", "2022-03-01", "12000").await;
    let reply = app
        .post_form(
            "/agencies",
            b,
            &[
                ("csrf", csrf.as_str()),
                ("name", "深圳某招商顾问有限公司"),
                ("contact", "王经理"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    // Every bad field of a contract at once, and nothing kept.
    let contract = |rate: &'static str, units: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("number", "WT-2022-01".to_owned()),
            ("agency", "深圳某招商顾问有限公司".to_owned()),
            ("starts_on", "2022-01-01".to_owned()),
            ("ends_on", "2022-12-31".to_owned()),
            ("basis", "签约额的比例".to_owned()),
            ("rate", rate.to_owned()),
            ("trigger", "签约".to_owned()),
            ("project_cap", "50".to_owned()),
            ("units", units.to_owned()),
        ]
    };
    let form = |fields: &[(&'static str, String)]| {
        fields
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<_>>()
    };
    let bad = form(&contract("0.125", "集贤县"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = app.post_form("/agencies/contracts", b, &bad).await;
    assert!(
        reply.status == 422 && reply.body.contains("比例") && reply.body.contains("至多两位小数"),
        "{} {}",
        reply.status,
        reply.body
    );
    let unknown = form(&contract("0.5", "不存在县"));
    let unknown: Vec<(&str, &str)> = unknown.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = app.post_form("/agencies/contracts", b, &unknown).await;
    assert!(
        reply.status == 422 && reply.body.contains("约定区域"),
        "{}",
        reply.body
    );
    let good = form(&contract("0.5", "集贤县"));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = app.post_form("/agencies/contracts", b, &good).await;
    assert_eq!(reply.status, 303, "{}", reply.body);

    let list = app.get("/agencies?as_of=2022-12-01", b).await;
    assert!(list.status == 200 && list.body.contains("深圳某招商顾问有限公司"));
    let id = list
        .body
        .split("href=\"/agencies/")
        .filter_map(|rest| rest.split(['?', '"']).next())
        .find(|id| id.parse::<i64>().is_ok())
        .unwrap()
        .to_owned();
    let page = format!("/agencies/{id}");
    // Outside the contract's area: refused, named.
    let reply = app
        .post_form(
            &format!("{page}/attribute"),
            b,
            &[
                ("csrf", &csrf),
                ("contract", "WT-2022-01"),
                ("project", "BQ-1"),
            ],
        )
        .await;
    assert!(
        reply.status == 422 && reply.body.contains("不在合同WT-2022-01约定的区域"),
        "{}",
        reply.body
    );
    let reply = app
        .post_form(
            &format!("{page}/attribute"),
            b,
            &[
                ("csrf", &csrf),
                ("contract", "WT-2022-01"),
                ("project", "JX-1"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let reply = app
        .post_form(
            &format!("{page}/payments"),
            b,
            &[
                ("csrf", &csrf),
                ("contract", "WT-2022-01"),
                ("project", "JX-1"),
                ("paid_on", "2022-06-30"),
                ("amount", "30"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    // Through this agency's page only its own contracts are written to.
    let elsewhere = app
        .post_form(
            &format!("{page}/payments"),
            b,
            &[
                ("csrf", &csrf),
                ("contract", "WT-OTHER"),
                ("paid_on", "2022-06-30"),
                ("amount", "1"),
            ],
        )
        .await;
    assert_eq!(elsewhere.status, 404, "{}", elsewhere.body);
    let bad_pay = app
        .post_form(
            &format!("{page}/payments"),
            b,
            &[
                ("csrf", &csrf),
                ("contract", "WT-2022-01"),
                ("paid_on", "明天"),
                ("amount", "10,5"),
            ],
        )
        .await;
    assert!(
        bad_pay.status == 422
            && bad_pay.body.contains("支付日期")
            && bad_pay.body.contains("支付金额"),
        "{}",
        bad_pay.body
    );

    // 0.5% of 12,000万 is 60万, capped at 50万; 30万 paid, 20万 owed; the contract ends in 30 days.
    let (leader, _) = app.sign_in("leader").await;
    let shown = app
        .get(&format!("{page}?as_of=2022-12-01"), Some(&leader))
        .await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    for text in [
        "签约于2022-03-01，签约额 12,000.00万元 × 0.5% = 60.00万元，单项封顶 50.00万元",
        "应付 50.00 万元，已付 30.00 万元，未付 20.00 万元",
        "30天后到期",
        "签约额的0.5%，签约后计付，单个项目封顶50.00万元",
    ] {
        assert!(shown.body.contains(text), "{text}: {}", shown.body);
    }
    assert!(!shown.body.contains("登记支付"), "leaders read only");
    let list = app.get("/agencies?as_of=2022-12-01", Some(&leader)).await;
    assert!(list.body.contains("WT-2022-01 30天后到期"), "{}", list.body);
    let export = app
        .get(
            "/agencies/export?as_of=2022-12-01&format=csv",
            Some(&leader),
        )
        .await;
    assert!(
        export.status == 200 && export.body.contains("60.00万元，单项封顶"),
        "{}",
        export.body
    );
    // The project says who brought it.
    let project = app.get("/projects/JX-1", Some(&leader)).await;
    assert!(
        project.body.contains(
            "委托招商机构：<a href=\"/agencies\">深圳某招商顾问有限公司</a>，合同WT-2022-01"
        ),
        "{}",
        project.body
    );
    // Before signing nothing was due.
    let early = app.get(&format!("{page}?as_of=2022-02-01"), b).await;
    assert!(
        early.body.contains("应付 0.00 万元，已付 0.00 万元"),
        "a payment of June is not made by February: {}",
        early.body
    );
    // Units do not see the city's contracts.
    let (staff, _) = app.sign_in("jixian").await;
    assert_eq!(app.get("/agencies", Some(&staff)).await.status, 403);
    assert_eq!(app.get(&page, Some(&staff)).await.status, 403);
    assert_eq!(app.get("/agencies/999999", b).await.status, 404);
}

both_databases!(the_bureau_keeps_agencies_and_each_fee_is_worked_out_from_the_records);
