//! The demo served by the real binary and used in a real browser: headless Chromium driven over
//! WebDriver (Debian's `chromium` and `chromium-driver`), with JavaScript switched off, as
//! government desktops may have it. The bureau creates a project and moves it through its
//! stages; the scoreboard's drill-down counts it; a county's staff are refused another county's
//! project. Screenshots of the main pages go to `target/tmp/screenshots/`.
//!
//! A second walk does an office's daily work on both databases: the warnings filtered to a
//! reason, funds verified in a batch, a 督办 message opened to its record, a unit's home page
//! with its figures (also at phone width), the project workspace's tabs, the printout and the
//! 大屏, a firm found by its kind with its group, a visit recorded with the firm picked, a
//! returned visit mended and resent and the reviewer's batch approval.
//!
//! `scripts/test` runs these only where chromedriver is installed and says so when it is not.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

#[path = "../support/mod.rs"]
mod support;

mod before_investor;
mod driver;
mod firms;
mod review;

use driver::Browser;
use serde_json::json;
use store::testing::TestDb;
use support::demo_server;
/// What the drill-down of the city's signed projects in 集贤县 lists.
const DRILL: &str = "/scoreboard/drill?year=2022&period=Y&indicator=signed_projects&unit=%E9%9B%86%E8%B4%A4%E5%8E%BF";

/// Runs a browser test on a thread with room for its large futures (WebDriver's JSON in a
/// debug build overflows a test thread's default stack).
fn in_thread(test: impl std::future::Future<Output = ()> + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(test);
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn in_browser_a_project_is_created_moved_to_production_counted_and_kept_from_another_county() {
    in_thread(project_life());
}

async fn project_life() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, addr, passwords) = demo_server(
        &format!("sqlite:{}", dir.path().join("demo.db").display()),
        dir.path(),
    );
    let base = format!("http://{addr}");
    let browser = Browser::start().await;
    browser.sign_in(&base, "bureau", &passwords["bureau"]).await;
    browser.screenshot("my").await;

    browser.open(&format!("{base}{DRILL}")).await;
    let before = browser.source().await;
    assert!(!before.contains("BR-2022-01"));
    let count = |page: &str| -> u32 {
        page.split("由以下 ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count on the drill-down: {page}"))
    };

    // A new project, through the form.
    browser.open(&format!("{base}/projects/new")).await;
    browser.type_into("#code", "BR-2022-01").await;
    browser.type_into("#name", "集贤县石墨烯导热膜项目").await;
    browser.choose("territory", "集贤县").await;
    browser.type_into("#signed_amount", "8000").await;
    browser.screenshot("project_new").await;
    browser
        .click("form[method=post].form button[type=submit]")
        .await;
    browser
        .until("the project is created", |url, _| {
            url.ends_with("/projects/BR-2022-01")
        })
        .await;

    // Through its stages, one event form at a time, from the header's 记录阶段 to the records.
    browser
        .click("a[href='/projects/BR-2022-01?tab=records#event-form']")
        .await;
    browser
        .until("the records tab opens", |url, page| {
            url.contains("/projects/BR-2022-01?tab=records") && page.contains("记录阶段事件")
        })
        .await;
    for (stage, date, amount, parcel) in [
        ("在谈", "2022-03-01", "", ""),
        ("签约", "2022-04-15", "8000", ""),
        ("落地", "2022-06-01", "", "JX-2022-G07"),
        ("开工", "2022-07-10", "", ""),
        ("投产", "2022-11-20", "", ""),
    ] {
        browser.choose("kind", stage).await;
        browser.type_into("#date", date).await;
        browser.type_into("#amount", amount).await;
        browser.type_into("#parcel", parcel).await;
        browser
            .click("form[action='/projects/BR-2022-01/events'] button[type=submit]")
            .await;
        browser
            .until(&format!("{stage} is recorded"), |url, page| {
                url.ends_with("/projects/BR-2022-01?tab=records&saved=event")
                    && page.contains("已保存：阶段事件已记录")
                    && page.contains(date)
                    && !page.contains("error-summary")
            })
            .await;
    }
    let page = browser.source().await;
    assert!(page.contains("投产"), "{page}");
    browser.screenshot("project_records").await;
    browser.open(&format!("{base}/projects/BR-2022-01")).await;
    let overview = browser.source().await;
    assert!(
        overview.contains("<li class=\"current\" aria-current=\"step\"><span class=\"step-label\">投产</span><span class=\"step-date\">2022-11-20</span></li>"),
        "the step bar: {overview}"
    );
    browser.screenshot("project").await;

    // The scoreboard counts it.
    browser.open(&format!("{base}{DRILL}")).await;
    let after = browser.source().await;
    assert!(
        after.contains("BR-2022-01"),
        "the drill-down lists the new signing: {after}"
    );
    assert_eq!(
        count(&after),
        count(&before) + 1,
        "集贤县's 签约项目数 went up by one"
    );
    browser.screenshot("drill").await;
    browser
        .open(&format!("{base}/scoreboard?year=2022&period=Y"))
        .await;
    assert!(
        browser.source().await.contains("<svg"),
        "charts are drawn by the server"
    );
    browser.screenshot("scoreboard").await;

    // A project of 宝清县, which 集贤县's staff may not open.
    browser.open(&format!("{base}/projects/new")).await;
    browser.type_into("#code", "BR-2022-02").await;
    browser.type_into("#name", "宝清县大豆精深加工项目").await;
    browser.choose("territory", "宝清县").await;
    browser
        .click("form[method=post].form button[type=submit]")
        .await;
    browser
        .until("the second project is created", |url, _| {
            url.ends_with("/projects/BR-2022-02")
        })
        .await;
    browser.sign_out().await;

    browser.sign_in(&base, "jixian", &passwords["jixian"]).await;
    browser.open(&format!("{base}/projects/BR-2022-02")).await;
    let refused = browser.source().await;
    assert!(refused.contains("不存在或不在您的权限范围内"), "{refused}");
    browser.screenshot("refused").await;
    browser.open(&format!("{base}/projects/BR-2022-01")).await;
    assert!(
        browser.source().await.contains("集贤县石墨烯导热膜项目"),
        "their own county's project opens"
    );
    browser.open(&format!("{base}/projects")).await;
    let list = browser.source().await;
    assert!(
        list.contains("BR-2022-01") && !list.contains("BR-2022-02"),
        "the list is scoped"
    );
    browser.screenshot("projects").await;

    let _ = browser.command("DELETE", "", None).await;
}

/// The office's daily work, JavaScript off, on the demo city (screenshots `{db}_…`).
async fn daily_work(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let (_server, addr, passwords) = demo_server(&db.url, dir.path());
    let shot = if db.url.starts_with("postgres") {
        "pg"
    } else {
        "sqlite"
    };
    let base = format!("http://{addr}");
    let browser = Browser::start().await;
    browser.sign_in(&base, "bureau", &passwords["bureau"]).await;

    // Warnings, filtered to one reason from the form.
    browser.open(&format!("{base}/warnings")).await;
    let all = browser.source().await;
    // The reason's option says how many it lights: 在谈无进展（N）.
    let count = all
        .split(">在谈无进展（")
        .nth(1)
        .and_then(|rest| rest.split('）').next())
        .unwrap()
        .to_owned();
    browser
        .choose("reason", &format!("在谈无进展（{count}）"))
        .await;
    browser.click("form.filters button[type=submit]").await;
    browser
        .until("the warnings are filtered", |url, page| {
            url.contains("reason=") && page.contains("<option value=\"在谈无进展\" selected")
        })
        .await;
    let filtered = browser.source().await;
    assert!(
        filtered.len() < all.len(),
        "fewer projects listed once filtered"
    );
    browser.screenshot(&format!("{shot}_warnings")).await;

    // Two funds verified at once from the 核实 queue.
    browser.open(&format!("{base}/funds")).await;
    let ticked = browser.tick("input[type=checkbox][name=id]", 2).await;
    assert_eq!(ticked, 2, "the demo has unverified funds");
    browser
        .click("form[action='/funds/verify'] button[type=submit]")
        .await;
    browser
        .until("two funds are verified", |url, _| url.contains("done=2"))
        .await;
    browser.screenshot(&format!("{shot}_funds")).await;

    // A 督办 message opens its record.
    browser.open(&format!("{base}/messages")).await;
    let messages = browser.source().await;
    assert!(
        messages.contains("未读"),
        "the demo's round posted messages: {messages}"
    );
    browser.screenshot(&format!("{shot}_messages")).await;
    browser.click("td a[href^='/messages/']").await;
    browser
        .until("the message leads to its record", |url, _| {
            !url.ends_with("/messages")
        })
        .await;

    // The workspace's tabs, the printout and the 大屏.
    browser.open(&format!("{base}/projects")).await;
    let list = browser.source().await;
    let code = list
        .split("<a href=\"/projects/SYS-")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    browser
        .open(&format!("{base}/projects/SYS-{code}?tab=funds"))
        .await;
    assert!(
        browser
            .source()
            .await
            .contains("aria-current=\"page\" class=\"current\">资金</a>")
    );
    browser.screenshot(&format!("{shot}_project_funds")).await;
    browser
        .open(&format!("{base}/scoreboard/print?year=2022&period=H1"))
        .await;
    assert!(
        browser
            .source()
            .await
            .contains("《2022年上半年全市招商引资工作晒单》")
    );
    browser.screenshot(&format!("{shot}_print")).await;
    browser
        .open(&format!("{base}/scoreboard/screen?year=2022&period=H1"))
        .await;
    browser.screenshot(&format!("{shot}_screen")).await;
    firms::found_and_grouped(&browser, &base, shot).await;
    before_investor::packaged_promoted_signed_and_counted(&browser, &base, shot).await;
    browser.open(&format!("{base}/my")).await;
    browser.sign_out().await;

    // A unit's home page: its to-dos and its own figures, at desk and at phone width.
    browser.sign_in(&base, "jixian", &passwords["jixian"]).await;
    let home = browser.source().await;
    assert!(
        home.contains("集贤县主要指标") && home.contains("县区第"),
        "{home}"
    );
    browser.screenshot(&format!("{shot}_my_unit")).await;
    firms::visit_with_a_contact(&browser, &base, shot).await;
    browser
        .command(
            "POST",
            "/window/rect",
            Some(json!({"width": 390, "height": 844})),
        )
        .await;
    browser.open(&format!("{base}/my")).await;
    browser.screenshot(&format!("{shot}_my_phone")).await;
    browser
        .open(&format!("{base}/scoreboard?year=2022&period=H1"))
        .await;
    browser
        .screenshot(&format!("{shot}_scoreboard_phone"))
        .await;
    // At phone width, as a reviewer on the move would.
    review::returned_mended_and_approved(&browser, &base, shot, &passwords).await;

    let _ = browser.command("DELETE", "", None).await;
}

/// `both_databases!`'s two tests, each on a thread with room for the walk's future.
mod in_browser_daily_work {
    use store::testing::TestDb;

    #[test]
    fn on_sqlite() {
        super::in_thread(async {
            let db = TestDb::sqlite();
            super::daily_work(&db).await;
            db.cleanup().await;
        });
    }

    #[test]
    fn on_postgres() {
        super::in_thread(async {
            let db = TestDb::postgres().await;
            super::daily_work(&db).await;
            db.cleanup().await;
        });
    }
}
