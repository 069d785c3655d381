//! The demo served by the real binary and used in a real browser: headless Chromium driven over
//! WebDriver (Debian's `chromium` and `chromium-driver`), with JavaScript switched off, as
//! government desktops may have it. The bureau creates a project and moves it through its
//! stages; the scoreboard's drill-down counts it; a county's staff are refused another county's
//! project. Screenshots of the main pages go to `target/tmp/screenshots/`.
//!
//! A second walk does an office's daily work on both databases: the warnings filtered to a
//! reason, funds verified in a batch, a 督办 message opened to its record, a unit's home page
//! with its figures (also at phone width), the project workspace's tabs, the printout and the
//! 大屏.
//!
//! `scripts/test` runs these only where chromedriver is installed and says so when it is not.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};

mod support;

use serde_json::{Value, json};
use store::both_databases;
use store::testing::TestDb;
use support::{Process, demo_server, free_port};
use web::client::send;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Browser {
    driver: SocketAddr,
    session: String,
    _chromedriver: Process,
    _profile: tempfile::TempDir,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    async fn start() -> Browser {
        assert!(
            std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists(),
            "the browser suite needs Debian's chromium and chromium-driver"
        );
        let port = free_port();
        let chromedriver = Process(
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let driver: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        for _ in 0..100 {
            if send(driver, "GET", "/status", None, None).await.status == 200 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--window-size=1366,900", format!("--user-data-dir={}", profile.path().display())],
                "prefs": {"profile.managed_default_content_settings.javascript": 2}
            }
        }}});
        let reply = call(driver, "POST", "/session", Some(capabilities)).await;
        let session = reply["value"]["sessionId"].as_str().unwrap().to_owned();
        Browser {
            driver,
            session,
            _chromedriver: chromedriver,
            _profile: profile,
        }
    }

    async fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        call(self.driver, method, &path, body).await["value"].clone()
    }

    async fn open(&self, url: &str) {
        self.command("POST", "/url", Some(json!({"url": url})))
            .await;
    }

    /// Finds an element, waiting (up to ten seconds) while a page is still being replaced.
    async fn locate(&self, using: &str, value: &str) -> String {
        let path = format!("/session/{}/element", self.session);
        let body = json!({"using": using, "value": value}).to_string();
        let mut last = String::new();
        for _ in 0..100 {
            let reply = send(
                self.driver,
                "POST",
                &path,
                None,
                Some(("application/json; charset=utf-8", body.clone())),
            )
            .await;
            if reply.status == 200 {
                let found: Value = serde_json::from_str(&reply.body).unwrap();
                if let Some(id) = found["value"][ELEMENT].as_str() {
                    return id.to_owned();
                }
            }
            last = reply.body;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no element {value}: {last}");
    }

    /// Finds an element and acts on it, finding it again if the page was replaced in between
    /// (a page may load twice when a navigation settles).
    async fn act(&self, using: &str, value: &str, actions: &[(&str, Value)]) {
        for _ in 0..20 {
            let element = self.locate(using, value).await;
            let mut stale = false;
            for (action, body) in actions {
                let path = format!("/session/{}/element/{element}/{action}", self.session);
                let reply = send(
                    self.driver,
                    "POST",
                    &path,
                    None,
                    Some(("application/json; charset=utf-8", body.to_string())),
                )
                .await;
                if reply.body.contains("stale element reference") {
                    stale = true;
                    break;
                }
                assert_eq!(reply.status, 200, "{action} on {value}: {}", reply.body);
            }
            if !stale {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{value} kept going stale");
    }

    async fn type_into(&self, css: &str, text: &str) {
        self.act(
            "css selector",
            css,
            &[("clear", json!({})), ("value", json!({"text": text}))],
        )
        .await;
    }

    async fn click(&self, css: &str) {
        self.act("css selector", css, &[("click", json!({}))]).await;
    }

    /// Chooses the option showing `text` in the select `id`.
    async fn choose(&self, id: &str, text: &str) {
        let xpath = format!("//select[@id='{id}']/option[normalize-space(text())='{text}']");
        self.act("xpath", &xpath, &[("click", json!({}))]).await;
    }

    async fn source(&self) -> String {
        self.command("GET", "/source", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn url(&self) -> String {
        self.command("GET", "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn screenshot(&self, name: &str) {
        let png = self.command("GET", "/screenshot", None).await;
        let bytes = base64(png.as_str().unwrap());
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), bytes).unwrap();
    }

    /// Waits (up to ten seconds) for the page a submitted form leads to.
    async fn until(&self, what: &str, done: impl Fn(&str, &str) -> bool) {
        for _ in 0..100 {
            let (url, source) = (self.url().await, self.source().await);
            if done(&url, &source) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{what}: {}", self.source().await);
    }

    async fn sign_in(&self, base: &str, username: &str, password: &str) {
        self.open(&format!("{base}/login")).await;
        self.type_into("#username", username).await;
        self.type_into("#password", password).await;
        self.click("button[type=submit]").await;
        self.until(&format!("{username} signs in"), |url, _| {
            url.ends_with("/my")
        })
        .await;
    }
}

async fn call(driver: SocketAddr, method: &str, path: &str, body: Option<Value>) -> Value {
    let reply = send(
        driver,
        method,
        path,
        None,
        body.map(|b| ("application/json; charset=utf-8", b.to_string())),
    )
    .await;
    let value: Value = serde_json::from_str(&reply.body)
        .unwrap_or_else(|e| panic!("chromedriver {method} {path}: {e}: {}", reply.body));
    assert_eq!(reply.status, 200, "chromedriver {method} {path}: {value}");
    value
}

/// Standard base64, as WebDriver sends screenshots.
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= u32::from(value(*c)) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

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
    browser.click("form.form button[type=submit]").await;
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
    browser.click("form.form button[type=submit]").await;
    browser
        .until("the second project is created", |url, _| {
            url.ends_with("/projects/BR-2022-02")
        })
        .await;
    browser.click("form[action='/logout'] button").await;
    browser
        .until("signed out", |url, _| url.contains("/login"))
        .await;

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
async fn in_browser_daily_work(db: &TestDb) {
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
    let boxes = browser
        .command(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": "input[type=checkbox][name=id]"})),
        )
        .await;
    let boxes: Vec<String> = boxes
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|e| e[ELEMENT].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(boxes.len(), 2, "the demo has unverified funds");
    for id in &boxes {
        browser
            .command("POST", &format!("/element/{id}/click"), Some(json!({})))
            .await;
    }
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
    browser.open(&format!("{base}/my")).await;
    browser.click("form[action='/logout'] button").await;
    browser
        .until("signed out", |url, _| url.contains("/login"))
        .await;

    // A unit's home page: its to-dos and its own figures, at desk and at phone width.
    browser.sign_in(&base, "jixian", &passwords["jixian"]).await;
    let home = browser.source().await;
    assert!(
        home.contains("集贤县主要指标") && home.contains("县区第"),
        "{home}"
    );
    browser.screenshot(&format!("{shot}_my_unit")).await;
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

    let _ = browser.command("DELETE", "", None).await;
}

both_databases!(in_browser_daily_work);
