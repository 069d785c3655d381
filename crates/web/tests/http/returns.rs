//! A fund returned in the reporting cycle is mended by whoever entered it and resubmitted in
//! one step, over real HTTP on SQLite and PostgreSQL.

use crate::common::*;
use store::both_databases;
use store::testing::TestDb;

async fn a_returned_fund_is_mended_and_resubmitted_by_its_reporter(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    add_county_reviewer(db).await;
    let (staff, csrf) = app.sign_in("jixian").await;
    let s = Some(staff.as_str());
    let fund = [
        ("csrf", csrf.as_str()),
        ("date", "2022-03-10"),
        ("amount", "50"),
        ("currency", "人民币"),
        ("source", ""),
    ];
    assert_eq!(
        app.post_form("/projects/JX-1/funds", s, &fund).await.status,
        303
    );
    let (reviewer, reviewer_csrf) = app.sign_in("jx-review").await;
    let r = Some(reviewer.as_str());
    let queue = app.get("/review", r).await.body;
    let id = queue
        .split("/review/fund/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let back = [
        ("csrf", reviewer_csrf.as_str()),
        ("reason", "金额应为60万元"),
    ];
    let reply = app
        .post_form(&format!("/review/fund/{id}/return"), r, &back)
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);

    let edit = format!("/projects/JX-1/funds/{id}/edit");
    let mine = app.get("/review", s).await.body;
    assert!(mine.contains(&edit), "the return offers the mend: {mine}");
    let page = app.get(&edit, s).await;
    assert!(
        page.status == 200
            && page.body.contains("退回理由：金额应为60万元")
            && page.body.contains("value=\"50\"")
            && page.body.contains("value=\"2022-03-10\""),
        "prefilled with the reason: {}",
        page.body
    );
    // A bad amount is named and nothing is saved.
    let bad = [
        ("csrf", csrf.as_str()),
        ("date", "2022-03-10"),
        ("amount", "六十"),
        ("currency", "人民币"),
    ];
    let reply = app.post_form(&edit, s, &bad).await;
    assert!(
        reply.status == 422 && reply.body.contains("金额"),
        "{} {}",
        reply.status,
        reply.body
    );
    assert!(
        !app.get("/review", r)
            .await
            .body
            .contains(&format!("/review/fund/{id}/")),
        "still with its reporter"
    );
    // The reviewer may not mend it; the reporter does, and it is back with the county.
    let theirs = [
        ("csrf", reviewer_csrf.as_str()),
        ("date", "2022-03-10"),
        ("amount", "60"),
        ("currency", "人民币"),
    ];
    assert_eq!(app.post_form(&edit, r, &theirs).await.status, 403);
    let mended = [
        ("csrf", csrf.as_str()),
        ("date", "2022-03-10"),
        ("amount", "60"),
        ("currency", "人民币"),
        ("source", ""),
    ];
    let reply = app.post_form(&edit, s, &mended).await;
    assert_eq!(
        reply.header("location"),
        Some("/projects/JX-1?tab=funds&saved=fund-resubmitted"),
        "{}",
        reply.body
    );
    let county = app.get("/review", r).await.body;
    assert!(
        county.contains(&format!("/review/fund/{id}/")) && county.contains("60.00"),
        "back with the county at the mended amount: {county}"
    );
    assert_eq!(
        app.get(&edit, s).await.status,
        403,
        "no longer returned: nothing to mend"
    );
    // Another county's fund is not there to mend.
    assert_eq!(
        app.get(&format!("/projects/BQ-1/funds/{id}/edit"), s)
            .await
            .status,
        404
    );
    // The amendment is logged with before and after, by its reporter.
    let store = db.open().await.unwrap();
    let log = store.changes_of("fund", &id).await.unwrap();
    let amend = log.iter().find(|c| c.action == "amend").unwrap();
    assert_eq!(amend.actor, "jixian");
    assert!(
        amend
            .before
            .as_deref()
            .unwrap_or_default()
            .contains("500000")
            && amend
                .after
                .as_deref()
                .unwrap_or_default()
                .contains("600000"),
        "{amend:?}"
    );
}

both_databases!(a_returned_fund_is_mended_and_resubmitted_by_its_reporter);
