//! The reporting cycle in a browser (issue 22.2): a county's staff mend the visit their
//! reviewer returned and send it again; the reviewer approves what waits in one batch.

use std::collections::HashMap;

use crate::driver::Browser;

pub async fn returned_mended_and_approved(
    browser: &Browser,
    base: &str,
    shot: &str,
    passwords: &HashMap<String, String>,
) {
    // The staff (signed in): the returned visit opens with its reason, is mended and resent.
    browser.open(&format!("{base}/review")).await;
    browser.click("a[href^='/visits/'][href$='/edit']").await;
    browser
        .until("the returned visit opens with its reason", |url, page| {
            url.ends_with("/edit") && page.contains("退回理由：未填写对接内容和成果")
        })
        .await;
    browser
        .type_into("#v-content", "洽谈煤化工新材料项目，企业有意来双鸭山考察")
        .await;
    browser
        .type_into("#v-outcome", "约定2023年3月来访考察")
        .await;
    browser.screenshot(&format!("{shot}_visit_mended")).await;
    browser
        .click("form[action$='/edit'] button[type=submit]")
        .await;
    browser
        .until("the visit is resubmitted", |url, _| {
            url.contains("/review?done=1")
        })
        .await;
    browser.sign_out().await;

    // The county's reviewer: everything waiting, approved at once.
    browser
        .sign_in(base, "jixian-review", &passwords["jixian-review"])
        .await;
    browser.open(&format!("{base}/review")).await;
    assert!(
        browser.source().await.contains("洽谈煤化工新材料项目"),
        "the mended visit waits for the reviewer"
    );
    let ticked = browser
        .tick("input[type=checkbox][name=item]", usize::MAX)
        .await;
    assert!(ticked >= 2, "several records wait: {ticked}");
    browser
        .click("form#batch button[name=step][value=approve]")
        .await;
    let done = format!("done={ticked}");
    browser
        .until("all are approved", |url, _| url.contains(&done))
        .await;
    browser.screenshot(&format!("{shot}_review_done")).await;
    browser.sign_out().await;
}
