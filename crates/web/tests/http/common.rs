//! The harness the HTTP tests share: a real server on a free port over a fresh database, with
//! two counties, a project each and one account per role, and a client that signs in and
//! sends forms, JSON and files as a browser or an API client would.

use std::net::SocketAddr;

use chrono::NaiveDate;
use domain::access::Role;
use domain::records::{Project, Unit, UnitKind};
use domain::stage::StageEvent;
use domain::{EventKind, Stage};
use store::Store;
use store::testing::TestDb;
use web::client::{Reply, csrf_field, form, post_sign_in, send, send_with, set_cookie};

/// The TOTP secret the test harness enrols for the three administrators.
pub const ADMIN_SECRET: &[u8] = b"12345678901234567890";

/// A server on a free port, with what a browser and an authenticator keep between requests.
pub struct App {
    pub addr: SocketAddr,
    /// Each session's CSRF token by its cookie, sent as `X-CSRF-Token` with API writes as a
    /// browser's script would.
    pub tokens: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// The last TOTP step each administrator used: a code is taken once.
    totp_steps: std::sync::Mutex<std::collections::HashMap<String, i64>>,
}

impl App {
    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        send(self.addr, "GET", path, cookie, None).await
    }

    pub async fn post_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        pairs: &[(&str, &str)],
    ) -> Reply {
        send(
            self.addr,
            "POST",
            path,
            cookie,
            Some(("application/x-www-form-urlencoded", form(pairs))),
        )
        .await
    }

    /// Posts a project's edit form as a browser does: opened first, so that it carries the
    /// version of the record it started from.
    pub async fn edit_project(
        &self,
        code: &str,
        cookie: Option<&str>,
        pairs: &[(&str, &str)],
    ) -> Reply {
        let version = self.version_of(code, cookie).await;
        let mut pairs = pairs.to_vec();
        pairs.push(("version", &version));
        self.post_form(&format!("/projects/{code}/edit"), cookie, &pairs)
            .await
    }

    /// The version the edit form of a project carries.
    pub async fn version_of(&self, code: &str, cookie: Option<&str>) -> String {
        let page = self.get(&format!("/projects/{code}/edit"), cookie).await;
        page.body
            .split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default()
            .to_owned()
    }

    /// A file upload as a browser sends it: multipart/form-data with the CSRF token.
    pub async fn upload(
        &self,
        path: &str,
        cookie: Option<&str>,
        csrf: &str,
        file_name: &str,
        content: &str,
    ) -> Reply {
        self.upload_with(path, cookie, csrf, file_name, content, &[])
            .await
    }

    /// As [`App::upload`], with more form fields (a checkbox, the button pressed).
    pub async fn upload_with(
        &self,
        path: &str,
        cookie: Option<&str>,
        csrf: &str,
        file_name: &str,
        content: &str,
        fields: &[(&str, &str)],
    ) -> Reply {
        let boundary = "----zhaoshang-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
        );
        for (name, value) in fields {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
        ));
        send(
            self.addr,
            "POST",
            path,
            cookie,
            Some((&format!("multipart/form-data; boundary={boundary}"), body)),
        )
        .await
    }

    pub async fn post_json(&self, path: &str, cookie: Option<&str>, json: &str) -> Reply {
        let token = cookie
            .and_then(|c| self.tokens.lock().unwrap().get(c).cloned())
            .unwrap_or_default();
        send_with(
            self.addr,
            "POST",
            path,
            cookie,
            &[("X-CSRF-Token", &token)],
            Some(("application/json", json.to_owned())),
        )
        .await
    }

    /// The code an administrator's authenticator shows: a step after the last one used (a
    /// code is taken once), waiting for the clock when three steps were used within one.
    pub async fn totp_code(&self, username: &str) -> String {
        self.totp_code_of(username, ADMIN_SECRET).await
    }

    pub async fn totp_code_of(&self, username: &str, secret: &[u8]) -> String {
        use domain::security::totp;
        loop {
            let now = totp::step_at(chrono::Utc::now().timestamp_millis());
            let taken = {
                let mut steps = self.totp_steps.lock().unwrap();
                let step = steps
                    .get(username)
                    .map_or(now - 1, |last| (last + 1).max(now - 1));
                (step <= now + 1).then(|| {
                    steps.insert(username.to_owned(), step);
                    step
                })
            };
            if let Some(step) = taken {
                return totp::code(secret, step);
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }

    /// Signs in (with the administrators' second factor) and returns the session cookie and
    /// the session's CSRF token.
    pub async fn sign_in(&self, username: &str) -> (String, String) {
        let reply = post_sign_in(self.addr, username, "correct horse").await;
        assert_eq!(
            reply.status, 303,
            "{username} could not sign in: {}",
            reply.body
        );
        let cookie = set_cookie(&reply, web::auth::COOKIE).unwrap();
        if reply.header("location") == Some("/login/totp") {
            let page = self.get("/login/totp", Some(&cookie)).await;
            let csrf = csrf_field(&page.body).unwrap();
            let code = self.totp_code(username).await;
            let done = self
                .post_form(
                    "/login/totp",
                    Some(&cookie),
                    &[("csrf", &csrf), ("code", &code)],
                )
                .await;
            assert_eq!(
                (done.status, done.header("location")),
                (303, Some("/my")),
                "{username}'s code was refused: {}",
                done.body
            );
        }
        // Every signed-in page carries the token in its sign-out form; every account may open /units.
        let page = self.get("/units", Some(&cookie)).await;
        let csrf = page
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default()
            .to_owned();
        self.tokens
            .lock()
            .unwrap()
            .insert(cookie.clone(), csrf.clone());
        (cookie, csrf)
    }
}

/// The date `text` names, written `2022-03-01`.
pub fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Two counties with a project each, and one account per role.
pub async fn start(store: Store) -> App {
    start_with(store, false).await
}

/// As [`start`], for a server behind TLS when `behind_tls` (Secure cookies, HSTS).
pub async fn start_with(store: Store, behind_tls: bool) -> App {
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_unit(&Unit::new("双鸭山市", UnitKind::City, None, None, None).unwrap())
        .await
        .unwrap();
    for name in ["集贤县", "宝清县"] {
        tx.upsert_unit(
            &Unit::new(name, UnitKind::County, None, None, Some("双鸭山市".into())).unwrap(),
        )
        .await
        .unwrap();
    }
    for (code, territory) in [("JX-1", "集贤县"), ("BQ-1", "宝清县")] {
        tx.upsert_project(&Project::new(code, &format!("{territory}风电项目"), territory).unwrap())
            .await
            .unwrap();
        let lead = StageEvent::new(
            EventKind::Stage(Stage::Lead),
            d("2022-01-05"),
            None,
            None,
            None,
            None,
        )
        .unwrap();
        tx.add_event(code, &lead).await.unwrap();
    }
    let hash = store::accounts::hash_password_cheaply("correct horse").unwrap();
    for (username, role, unit) in [
        ("sysadmin", Role::SysAdmin, None),
        ("secadmin", Role::SecAdmin, None),
        ("auditor", Role::Auditor, None),
        ("leader", Role::CityLeader, None),
        ("bureau", Role::Bureau, None),
        ("jixian", Role::UnitStaff, Some("集贤县")),
    ] {
        tx.add_user(username, username, role, unit, &hash)
            .await
            .unwrap();
        if role.needs_second_factor() {
            tx.enrol_totp(username, &hex_of(ADMIN_SECRET), 0)
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();
    serve_app(store, behind_tls).await
}

/// A server over `store` as it stands.
pub async fn serve_app(store: Store, behind_tls: bool) -> App {
    let state =
        web::AppState::new(store, behind_tls, search::SearchIndex::open(None).unwrap()).unwrap();
    let (bound, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        web::serve(state, "127.0.0.1:0".parse().unwrap(), |addr| {
            let _ = bound.send(addr);
        })
        .await
        .unwrap();
    });
    App {
        addr: rx.await.unwrap(),
        tokens: Default::default(),
        totp_steps: Default::default(),
    }
}

/// `bytes` as lower-case hexadecimal, as a TOTP secret is stored.
pub fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Signs a project through the event form, as a unit or the bureau would.
pub async fn sign(app: &App, cookie: &str, csrf: &str, code: &str, date: &str, wan: &str) {
    let form = [
        ("csrf", csrf),
        ("kind", "签约"),
        ("date", date),
        ("amount", wan),
    ];
    let reply = app
        .post_form(&format!("/projects/{code}/events"), Some(cookie), &form)
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
}

/// Adds a unit of kind `kind` under the city and an account for its staff.
pub async fn unit_with_staff(db: &TestDb, unit: &str, kind: UnitKind, username: &str) {
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_unit(&Unit::new(unit, kind, None, None, Some("双鸭山市".into())).unwrap())
        .await
        .unwrap();
    let hash = store::accounts::hash_password_cheaply("correct horse").unwrap();
    tx.add_user(username, username, Role::UnitStaff, Some(unit), &hash)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// 集贤县's 县区审核员 `jx-review`, for the reporting cycle's tests.
pub async fn add_county_reviewer(db: &TestDb) {
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    let hash = store::accounts::hash_password_cheaply("correct horse").unwrap();
    tx.add_user(
        "jx-review",
        "集贤县审核员",
        Role::UnitReviewer,
        Some("集贤县"),
        &hash,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// The id of the first event waiting in `cookie`'s review queue.
pub async fn first_event_in_review(app: &App, cookie: &str) -> String {
    let queue = app.get("/review", Some(cookie)).await;
    queue
        .body
        .split("/review/event/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no event waits for review: {}", queue.body))
        .to_owned()
}

/// The city's figure `indicator` for 2022 H1 over the API, counting pending records or not.
pub async fn city_value(app: &App, cookie: &str, indicator: &str, pending: bool) -> i64 {
    let path = format!(
        "/api/v1/scoreboard?year=2022&period=H1{}",
        if pending { "&pending=1" } else { "" }
    );
    let reply = app.get(&path, Some(cookie)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["city"][indicator]["value"]
        .as_i64()
        .unwrap_or(-1)
}

/// Signs in with a password and returns the reply and its session cookie.
pub async fn password_only(app: &App, username: &str, password: &str) -> (Reply, String) {
    let reply = post_sign_in(app.addr, username, password).await;
    let cookie = set_cookie(&reply, web::auth::COOKIE).unwrap_or_default();
    (reply, cookie)
}

/// The action of each audit log entry in `log`, in the order given.
pub fn actions_of(log: Vec<store::ChangeEntry>) -> Vec<String> {
    log.into_iter().map(|c| c.action).collect()
}
