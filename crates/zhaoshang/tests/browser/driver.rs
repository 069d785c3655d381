//! A headless Chromium driven over WebDriver (Debian's `chromium` and `chromium-driver`), with
//! JavaScript switched off, as government desktops may have it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use web::client::send;

use crate::support::{Process, free_port};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

pub struct Browser {
    driver: SocketAddr,
    session: String,
    _chromedriver: Process,
    _profile: tempfile::TempDir,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    pub async fn start() -> Browser {
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

    pub async fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        call(self.driver, method, &path, body).await["value"].clone()
    }

    pub async fn open(&self, url: &str) {
        self.command("POST", "/url", Some(json!({"url": url})))
            .await;
    }

    /// Finds an element, waiting (up to ten seconds) while a page is still being replaced.
    pub async fn locate(&self, using: &str, value: &str) -> String {
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
    pub async fn act(&self, using: &str, value: &str, actions: &[(&str, Value)]) {
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

    pub async fn type_into(&self, css: &str, text: &str) {
        self.act(
            "css selector",
            css,
            &[("clear", json!({})), ("value", json!({"text": text}))],
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        self.act("css selector", css, &[("click", json!({}))]).await;
    }

    /// Chooses the option showing `text` in the select `id`.
    pub async fn choose(&self, id: &str, text: &str) {
        let xpath = format!("//select[@id='{id}']/option[normalize-space(text())='{text}']");
        self.act("xpath", &xpath, &[("click", json!({}))]).await;
    }

    pub async fn source(&self) -> String {
        self.command("GET", "/source", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn url(&self) -> String {
        self.command("GET", "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn screenshot(&self, name: &str) {
        let png = self.command("GET", "/screenshot", None).await;
        let bytes = base64(png.as_str().unwrap());
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), bytes).unwrap();
    }

    /// Waits (up to ten seconds) for the page a submitted form leads to.
    pub async fn until(&self, what: &str, done: impl Fn(&str, &str) -> bool) {
        for _ in 0..100 {
            let (url, source) = (self.url().await, self.source().await);
            if done(&url, &source) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{what}: {}", self.source().await);
    }

    pub async fn sign_out(&self) {
        self.click("form[action='/logout'] button").await;
        self.until("signed out", |url, _| url.contains("/login"))
            .await;
    }

    /// Ticks the first `at_most` boxes `css` finds; returns how many it ticked.
    pub async fn tick(&self, css: &str, at_most: usize) -> usize {
        let boxes = self
            .command(
                "POST",
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        let ids: Vec<String> = boxes
            .as_array()
            .unwrap()
            .iter()
            .take(at_most)
            .map(|e| e[ELEMENT].as_str().unwrap().to_owned())
            .collect();
        for id in &ids {
            self.command("POST", &format!("/element/{id}/click"), Some(json!({})))
                .await;
        }
        ids.len()
    }

    pub async fn sign_in(&self, base: &str, username: &str, password: &str) {
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
