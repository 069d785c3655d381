//! The firm records in a browser (issue 22.6): what officials type finds the firm and its 画像
//! shows its group; a unit's staff record a visit with the firm picked from the 招商大数据库 and
//! one of its contacts — all without script.

use crate::driver::Browser;

/// The bureau: 清洁能源 finds the wind-power firm by its kind; its 画像 shows the 中船 group.
pub async fn found_and_grouped(browser: &Browser, base: &str, shot: &str) {
    browser
        .open(&format!(
            "{base}/enterprises?q=%E6%B8%85%E6%B4%81%E8%83%BD%E6%BA%90"
        ))
        .await;
    let found = browser.source().await;
    assert!(
        found.contains(">中国船舶集团风电发展有限公司</a>"),
        "清洁能源 finds the wind-power firm: {found}"
    );
    let id = found
        .split(">中国船舶集团风电发展有限公司</a>")
        .next()
        .and_then(|before| before.rsplit("/enterprises/").next())
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    browser.click(&format!("a[href='/enterprises/{id}']")).await;
    browser
        .until("the 画像 shows the group", |url, page| {
            url.ends_with(&format!("/enterprises/{id}"))
                && page.contains("所属集团")
                && page.contains("中国船舶集团有限公司</a> <span class=\"tag\">集团</span>")
                && page.contains("集贤县中船风力发电有限公司")
        })
        .await;
    browser.screenshot(&format!("{shot}_enterprise")).await;
}

/// A county's staff: 风电 in the picker, the firm chosen, its contact, the visit saved.
pub async fn visit_with_a_contact(browser: &Browser, base: &str, shot: &str) {
    browser.open(&format!("{base}/visits")).await;
    browser.type_into("#find", "风电").await;
    browser.click("form#picker button[type=submit]").await;
    browser
        .until("the picker lists firms", |url, page| {
            url.contains("find=") && page.contains("?enterprise=")
        })
        .await;
    let page = browser.source().await;
    let link = page
        .split("<a href=\"/visits?enterprise=")
        .skip(1)
        .find(|rest| rest.contains("\">中国船舶集团风电发展有限公司<"))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    browser
        .click(&format!("a[href='/visits?enterprise={link}']"))
        .await;
    browser
        .until("the firm is filled in", |_, page| {
            page.contains("已选择") && page.contains("<option>王经理（示例）</option>")
        })
        .await;
    browser.type_into("#v-date", "2022-12-28").await;
    browser.choose("v-contact", "王经理（示例）").await;
    browser.choose("v-mode", "上门拜访").await;
    browser.type_into("#v-content", "洽谈风电装备配套").await;
    browser.screenshot(&format!("{shot}_visit_picked")).await;
    browser
        .click("form[action='/visits'] button[type=submit]")
        .await;
    browser
        .until("the visit is saved", |url, page| {
            url.contains("/visits?saved=visit")
                && page.contains("已登记对接记录")
                && page.contains("洽谈风电装备配套")
        })
        .await;
}
