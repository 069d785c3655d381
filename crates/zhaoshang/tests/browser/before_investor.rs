//! The work before the investor in a browser (issue 23): a packaged project put up for
//! promotion, its 推介书 printed with the 要素表's factors, signed into a project that an agency
//! brought (委托), and the signing found in the 晒单 by 招商方式 down to its record — without
//! script.

use crate::driver::Browser;

pub async fn packaged_promoted_signed_and_counted(browser: &Browser, base: &str, shot: &str) {
    // A packaged project at 已包装, from the library's filter.
    browser
        .open(&format!(
            "{base}/packaged?status=%E5%B7%B2%E5%8C%85%E8%A3%85"
        ))
        .await;
    let list = browser.source().await;
    let code = list
        .split("<a href=\"/packaged/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    browser.open(&format!("{base}/packaged/{code}")).await;
    browser.choose("status", "推介中").await;
    browser
        .click(&format!("form[action='/packaged/{code}/status'] button"))
        .await;
    browser
        .until("promoted", |url, page| {
            url.contains("saved=status") && page.contains("已更新状态") && page.contains(">推介中<")
        })
        .await;
    browser.open(&format!("{base}/packaged/{code}/print")).await;
    let print = browser.source().await;
    assert!(
        print.contains("项目推介书") && print.contains("投资要素") && print.contains("元/千瓦时"),
        "{print}"
    );
    browser.screenshot(&format!("{shot}_brochure")).await;

    // Signed: a project at 签约 for 8,000万元, linked to the library.
    browser.open(&format!("{base}/packaged/{code}")).await;
    browser.type_into("#project_code", "WT-FLOW-1").await;
    browser.type_into("#date", "2022-12-20").await;
    browser.type_into("#amount", "8000").await;
    browser
        .click(&format!("form[action='/packaged/{code}/sign'] button"))
        .await;
    browser
        .until("signed into a project", |url, page| {
            url.contains("saved=signed") && page.contains("/projects/WT-FLOW-1")
        })
        .await;
    // Brought by an agency: 招商方式 委托.
    browser
        .open(&format!("{base}/projects/WT-FLOW-1/edit"))
        .await;
    browser.choose("source_mode", "委托").await;
    browser
        .click("form[action='/projects/WT-FLOW-1/edit'] button[type=submit]")
        .await;
    browser
        .until("the mode is saved", |url, page| {
            url.ends_with("/projects/WT-FLOW-1") && page.contains("<dd>委托")
        })
        .await;

    // The year's 晒单 by 招商方式: 委托's 签约额 leads to the records, the new one among them.
    browser
        .open(&format!("{base}/scoreboard?year=2022&period=Y"))
        .await;
    let board = browser.source().await;
    assert!(board.contains("按招商方式"), "{board}");
    browser.screenshot(&format!("{shot}_by_source")).await;
    let link = board
        .split("<td>委托</td>")
        .nth(1)
        .and_then(|row| row.split("href=\"").nth(2))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    assert!(link.contains("indicator=signed_amount"), "{link}");
    browser.open(&format!("{base}{link}")).await;
    browser
        .until("the drill-down lists the signing", |_, page| {
            page.contains("（招商方式：委托）") && page.contains("WT-FLOW-1")
        })
        .await;
}
