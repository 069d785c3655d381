//! The web server driven over real HTTP, as a browser and an API client would, on SQLite and
//! PostgreSQL: who may see and change what, forms that keep what was typed, the API's errors.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use std::net::SocketAddr;

use chrono::NaiveDate;
use domain::access::Role;
use domain::records::{Project, Unit, UnitKind};
use domain::stage::StageEvent;
use domain::{EventKind, Stage};
use store::{Store, both_databases};
use web::client::{Reply, csrf_field, form, post_sign_in, send, send_with, set_cookie};

/// The TOTP secret the test harness enrols for the three administrators.
const ADMIN_SECRET: &[u8] = b"12345678901234567890";

struct App {
    addr: SocketAddr,
    /// Each session's CSRF token by its cookie, sent as `X-CSRF-Token` with API writes as a
    /// browser's script would.
    tokens: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// The last TOTP step each administrator used: a code is taken once.
    totp_steps: std::sync::Mutex<std::collections::HashMap<String, i64>>,
}

impl App {
    async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        send(self.addr, "GET", path, cookie, None).await
    }

    async fn post_form(&self, path: &str, cookie: Option<&str>, pairs: &[(&str, &str)]) -> Reply {
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
    async fn edit_project(
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
    async fn version_of(&self, code: &str, cookie: Option<&str>) -> String {
        let page = self.get(&format!("/projects/{code}/edit"), cookie).await;
        page.body
            .split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default()
            .to_owned()
    }

    /// A file upload as a browser sends it: multipart/form-data with the CSRF token.
    async fn upload(
        &self,
        path: &str,
        cookie: Option<&str>,
        csrf: &str,
        file_name: &str,
        content: &str,
    ) -> Reply {
        let boundary = "----zhaoshang-test-boundary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
        );
        send(
            self.addr,
            "POST",
            path,
            cookie,
            Some((&format!("multipart/form-data; boundary={boundary}"), body)),
        )
        .await
    }

    async fn post_json(&self, path: &str, cookie: Option<&str>, json: &str) -> Reply {
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
    async fn totp_code(&self, username: &str) -> String {
        self.totp_code_of(username, ADMIN_SECRET).await
    }

    async fn totp_code_of(&self, username: &str, secret: &[u8]) -> String {
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
    async fn sign_in(&self, username: &str) -> (String, String) {
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

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Two counties with a project each, and one account per role.
async fn start(store: Store) -> App {
    start_with(store, false).await
}

/// As [`start`], for a server behind TLS when `behind_tls` (Secure cookies, HSTS).
async fn start_with(store: Store, behind_tls: bool) -> App {
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
async fn serve_app(store: Store, behind_tls: bool) -> App {
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

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

both_databases! {
    async fn strangers_are_sent_to_sign_in_and_the_api_answers_401(db) {
        let app = start(db.open().await.unwrap()).await;
        let page = app.get("/projects", None).await;
        assert_eq!((page.status, page.header("location")), (303, Some("/login")));
        let api = app.get("/api/v1/projects", None).await;
        assert_eq!(api.status, 401);
        assert_eq!(api.json()["error"]["code"], "unauthenticated");
        let login = app.get("/login", None).await;
        assert_eq!(login.status, 200);
        assert!(login.body.contains("用户名"));
    }

    async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong(db) {
        let app = start(db.open().await.unwrap()).await;
        for (user, password) in [("jixian", "wrong"), ("nobody", "correct horse")] {
            let reply = post_sign_in(app.addr, user, password).await;
            assert_eq!(reply.status, 401);
            assert!(reply.body.contains("用户名或密码错误"));
            assert!(set_cookie(&reply, web::auth::COOKIE).is_none());
        }
    }

    async fn the_session_cookie_is_http_only_and_strict_and_pages_carry_security_headers(db) {
        let app = start(db.open().await.unwrap()).await;
        let reply = post_sign_in(app.addr, "bureau", "correct horse").await;
        let cookie = reply.headers.iter().find(|(n, v)| n.eq_ignore_ascii_case("set-cookie") && v.starts_with("zs_session=")).map(|(_, v)| v.as_str()).unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        let page = app.get("/projects", Some(cookie.split(';').next().unwrap())).await;
        assert_eq!(page.header("x-frame-options"), Some("DENY"));
        assert!(page.header("content-security-policy").unwrap().contains("default-src 'self'"));
    }

    async fn county_staff_see_only_their_countys_projects(db) {
        let app = start(db.open().await.unwrap()).await;
        let (cookie, _) = app.sign_in("jixian").await;
        let page = app.get("/projects", Some(&cookie)).await;
        assert!(page.body.contains("JX-1") && !page.body.contains("BQ-1"), "{}", page.body);
        assert!(page.body.contains("共 1 条"));
        let api = app.get("/api/v1/projects", Some(&cookie)).await.json();
        assert_eq!(api["total"], 1);
        assert_eq!(api["items"][0]["code"], "JX-1");
    }

    async fn county_staff_get_404_on_another_countys_project_on_every_route(db) {
        let app = start(db.open().await.unwrap()).await;
        let (cookie, csrf) = app.sign_in("jixian").await;
        let c = Some(cookie.as_str());
        assert_eq!(app.get("/projects/BQ-1", c).await.status, 404);
        let event = [("csrf", csrf.as_str()), ("kind", "在谈"), ("date", "2022-02-01")];
        assert_eq!(app.post_form("/projects/BQ-1/events", c, &event).await.status, 404);
        assert_eq!(app.get("/api/v1/projects/BQ-1", c).await.status, 404);
        assert_eq!(app.get("/api/v1/projects/BQ-1/events", c).await.status, 404);
        let reply = app.post_json("/api/v1/projects/BQ-1/events", c, r#"{"kind":"在谈","date":"2022-02-01"}"#).await;
        assert_eq!(reply.status, 404);
        assert_eq!(reply.json()["error"]["code"], "not_found");
        let token = [("csrf", csrf.as_str())];
        assert_eq!(app.get("/projects/BQ-1/edit", c).await.status, 404);
        let edit = [("csrf", csrf.as_str()), ("name", "改名"), ("territory", "集贤县"), ("capital_origin", "内资"), ("currency", "人民币")];
        assert_eq!(app.edit_project("BQ-1", c, &edit).await.status, 404);
        let fund = [("csrf", csrf.as_str()), ("date", "2022-03-01"), ("amount", "100"), ("currency", "人民币")];
        assert_eq!(app.post_form("/projects/BQ-1/funds", c, &fund).await.status, 404);
        assert_eq!(app.post_form("/projects/BQ-1/funds/1/verify", c, &token).await.status, 404);
        assert_eq!(app.get("/projects/BQ-1/events/1/correct", c).await.status, 404);
        let correction = [("csrf", csrf.as_str()), ("reason", "误录"), ("withdraw", "是")];
        assert_eq!(app.post_form("/projects/BQ-1/events/1/correct", c, &correction).await.status, 404);
        assert_eq!(app.get("/api/v1/projects/BQ-1/funds", c).await.status, 404);
        let reply = app.post_json("/api/v1/projects/BQ-1/funds", c, r#"{"date":"2022-03-01","amount_wan":"100"}"#).await;
        assert_eq!(reply.status, 404);
        // Their own project answers on the same routes.
        assert_eq!(app.get("/projects/JX-1", c).await.status, 200);
        assert_eq!(app.get("/api/v1/projects/JX-1", c).await.status, 200);
        let reply = app.post_json("/api/v1/projects/JX-1/events", c, r#"{"kind":"在谈","date":"2022-02-01"}"#).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        // Nor can they create a project in another county.
        let reply = app
            .post_json("/api/v1/projects", c, r#"{"code":"BQ-2","name":"石墨项目","territory":"宝清县"}"#)
            .await;
        assert_eq!(reply.status, 403);
    }

    async fn readers_read_and_cannot_change_and_the_system_administrator_sees_no_projects(db) {
        let app = start(db.open().await.unwrap()).await;
        for reader in ["auditor", "leader"] {
            let (cookie, csrf) = app.sign_in(reader).await;
            assert_eq!(csrf.len(), 64, "a real token, so that the refusal below is about the role");
            let c = Some(cookie.as_str());
            let page = app.get("/projects", c).await;
            assert!(page.body.contains("JX-1") && page.body.contains("BQ-1"), "{reader}");
            assert_eq!(app.get("/projects/BQ-1", c).await.status, 200);
            let event = [("csrf", csrf.as_str()), ("kind", "在谈"), ("date", "2022-02-01")];
            assert_eq!(app.post_form("/projects/BQ-1/events", c, &event).await.status, 403, "{reader}");
            let reply = app.post_json("/api/v1/projects/BQ-1/events", c, r#"{"kind":"在谈","date":"2022-02-01"}"#).await;
            assert_eq!(reply.status, 403, "{reader}");
            assert_eq!(app.get("/projects/new", c).await.status, 403);
        }
        for admin in ["sysadmin", "secadmin"] {
            let (cookie, _) = app.sign_in(admin).await;
            assert_eq!(app.get("/projects", Some(&cookie)).await.status, 403, "{admin}");
            assert_eq!(app.get("/api/v1/projects", Some(&cookie)).await.status, 403, "{admin}");
            assert_eq!(app.get("/api/v1/projects/JX-1", Some(&cookie)).await.status, 404, "{admin}");
            assert_eq!(app.get("/projects/export?format=csv", Some(&cookie)).await.status, 403, "{admin}");
        }
    }

    async fn a_bad_event_form_comes_back_with_the_message_beside_the_field_and_the_typed_values(db) {
        let app = start(db.open().await.unwrap()).await;
        let (cookie, csrf) = app.sign_in("bureau").await;
        let c = Some(cookie.as_str());
        let bad = [("csrf", csrf.as_str()), ("kind", "签约"), ("date", "2022-13-01"), ("amount", "一百")];
        let reply = app.post_form("/projects/JX-1/events", c, &bad).await;
        assert_eq!(reply.status, 422);
        assert!(reply.body.contains("请修正以下问题"));
        assert!(reply.body.contains("“2022-13-01”不是有效日期"), "the message stands beside the field");
        assert!(reply.body.contains("value=\"2022-13-01\"") && reply.body.contains("value=\"一百\""), "typed values are kept");
        // A rule broken against the history is shown the same way.
        let backwards = [("csrf", csrf.as_str()), ("kind", "在谈"), ("date", "2021-12-01")];
        let reply = app.post_form("/projects/JX-1/events", c, &backwards).await;
        assert_eq!(reply.status, 422);
        assert!(reply.body.contains("不能早于该项目上一事件的日期（2022-01-05）"));
        let good = [("csrf", csrf.as_str()), ("kind", "签约"), ("date", "2022-03-01"), ("amount", "5000")];
        let reply = app.post_form("/projects/JX-1/events", c, &good).await;
        assert_eq!((reply.status, reply.header("location")), (303, Some("/projects/JX-1")));
        let page = app.get("/projects/JX-1", c).await;
        assert!(page.body.contains("5,000.00 万元"));
    }

    async fn a_form_without_the_sessions_token_is_refused(db) {
        let app = start(db.open().await.unwrap()).await;
        let (cookie, _) = app.sign_in("bureau").await;
        let forged = [("csrf", "forged"), ("kind", "在谈"), ("date", "2022-02-01")];
        assert_eq!(app.post_form("/projects/JX-1/events", Some(&cookie), &forged).await.status, 403);
    }

    async fn a_new_project_form_keeps_what_was_typed_and_names_each_bad_field(db) {
        let app = start(db.open().await.unwrap()).await;
        let (cookie, csrf) = app.sign_in("jixian").await;
        let c = Some(cookie.as_str());
        let bad = [
            ("csrf", csrf.as_str()),
            ("code", "JX-1"),
            ("name", "玄武岩纤维项目"),
            ("territory", "集贤县"),
            ("investor_code", "91350100M000100Y44"),
        ];
        let reply = app.post_form("/projects/new", c, &bad).await;
        assert_eq!(reply.status, 422);
        assert!(reply.body.contains("校验位（第18位）不符"), "{}", reply.body);
        assert!(reply.body.contains("value=\"玄武岩纤维项目\""));
        let taken = [("csrf", csrf.as_str()), ("code", "JX-1"), ("name", "玄武岩纤维项目"), ("territory", "集贤县")];
        let reply = app.post_form("/projects/new", c, &taken).await;
        assert_eq!(reply.status, 422);
        assert!(reply.body.contains("“JX-1”已被使用"));
        let good = [("csrf", csrf.as_str()), ("code", "JX-2"), ("name", "玄武岩纤维项目"), ("territory", "集贤县")];
        let reply = app.post_form("/projects/new", c, &good).await;
        assert_eq!((reply.status, reply.header("location")), (303, Some("/projects/JX-2")));
    }

    async fn the_api_reports_errors_with_code_message_and_field(db) {
        let app = start(db.open().await.unwrap()).await;
        let (cookie, csrf) = app.sign_in("bureau").await;
        let c = Some(cookie.as_str());
        let reply = app.post_json("/api/v1/projects/JX-1/events", c, "{not json").await;
        assert_eq!(reply.status, 400);
        assert_eq!(reply.json()["error"]["code"], "bad_request");
        let reply = app.post_json("/api/v1/projects/JX-1/events", c, r#"{"kind":"签约","date":"2022-02-01"}"#).await;
        assert_eq!(reply.status, 422);
        let error = &reply.json()["error"];
        assert_eq!(
            (error["code"].as_str(), error["field"].as_str()),
            (Some("invalid"), Some("amount_wan")),
            "fields are named by the request's JSON keys"
        );
        assert_eq!(error["message"], "签约须有大于0的签约额");
        let reply = app.post_json("/api/v1/projects/JX-1/events", c, r#"{"kind":"在谈","date":"2022-13-01"}"#).await;
        assert_eq!((reply.status, reply.json()["error"]["field"].as_str()), (422, Some("date")));
        // Every bad member at once, as the form shows them, by the same parser.
        let bad_event = r#"{"kind":"开会","date":"2022-13-01","amount_wan":"十万","company_code":"123"}"#;
        let reply = app.post_json("/api/v1/projects/JX-1/events", c, bad_event).await;
        assert_eq!(reply.status, 422);
        let fields: Vec<String> = reply.json()["error"]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
        assert_eq!(fields, ["kind", "date", "amount_wan", "company_code"], "{}", reply.body);
        let reply = app.post_json("/api/v1/projects/JX-1/funds", c, r#"{"date":"昨天","amount_wan":"-5","currency":"日元"}"#).await;
        let fields: Vec<String> = reply.json()["error"]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
        assert_eq!((reply.status, fields.len()), (422, 3), "{}", reply.body);
        let form = [("csrf", csrf.as_str()), ("kind", "开会"), ("date", "2022-13-01"), ("amount", "十万"), ("company", "123")];
        let reply = app.post_form("/projects/JX-1/events", c, &form).await;
        assert_eq!(reply.status, 422);
        for name in ["阶段", "日期", "金额", "落地企业信用代码"] {
            assert!(reply.body.contains(name), "the form names {name}: {}", reply.body);
        }
        let reply = app.post_json("/api/v1/projects", c, r#"{"code":"JX-8","name":"新项目","territory":"火星县"}"#).await;
        assert_eq!(reply.status, 422);
        assert_eq!(reply.json()["error"]["field"], "territory");
        assert_eq!(reply.json()["error"]["message"], "单位“火星县”不存在，请先录入或导入");
        let reply = app.post_json("/api/v1/projects", c, r#"{"code":"JX-1","name":"重复","territory":"集贤县"}"#).await;
        assert_eq!(reply.status, 409);
        assert_eq!(reply.json()["error"]["code"], "conflict");
        let reply = app.post_json("/api/v1/projects", c, r#"{"code":"JX-9","name":"新项目","territory":"集贤县"}"#).await;
        assert_eq!(reply.status, 201);
        let project = app.get("/api/v1/projects/JX-9", c).await.json();
        assert_eq!(project["next_step"]["next"], "线索");
        assert_eq!(app.get("/api/v1/projects/NOPE", c).await.status, 404);
    }

    async fn signing_out_ends_the_session(db) {
        let app = start(db.open().await.unwrap()).await;
        let (cookie, csrf) = app.sign_in("bureau").await;
        let reply = app.post_form("/logout", Some(&cookie), &[("csrf", csrf.as_str())]).await;
        assert_eq!(reply.status, 303);
        assert_eq!(app.get("/projects", Some(&cookie)).await.status, 303, "the old cookie no longer works");
    }

    async fn a_project_is_edited_through_its_form_and_cannot_be_moved_out_of_the_editors_unit(db) {
        let app = start(db.open().await.unwrap()).await;
        let (cookie, csrf) = app.sign_in("jixian").await;
        let c = Some(cookie.as_str());
        let page = app.get("/projects/JX-1/edit", c).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("value=\"集贤县风电项目\""), "the form starts from the record");
        let renamed = [
            ("csrf", csrf.as_str()),
            ("name", "集贤县风电项目（一期）"),
            ("territory", "集贤县"),
            ("capital_origin", "内资"),
            ("currency", "人民币"),
            ("signed_amount", "12000"),
        ];
        let reply = app.edit_project("JX-1", c, &renamed).await;
        assert_eq!((reply.status, reply.header("location")), (303, Some("/projects/JX-1")));
        let page = app.get("/projects/JX-1", c).await;
        assert!(page.body.contains("项目名称：集贤县风电项目 → 集贤县风电项目（一期）"), "the history shows before → after");
        assert!(page.body.contains("签约额（元）：（空） → 120000000"));
        let moved = [("csrf", csrf.as_str()), ("name", "x"), ("territory", "宝清县"), ("capital_origin", "内资"), ("currency", "人民币")];
        let reply = app.edit_project("JX-1", c, &moved).await;
        assert_eq!(reply.status, 422);
        assert!(reply.body.contains("修改后项目将不属于本单位"));
    }

    async fn funds_are_recorded_by_the_unit_and_verified_only_by_the_bureau(db) {
        let app = start(db.open().await.unwrap()).await;
        let (cookie, csrf) = app.sign_in("jixian").await;
        let c = Some(cookie.as_str());
        let bad = [("csrf", csrf.as_str()), ("date", "2022-03-01"), ("amount", "-5"), ("currency", "人民币"), ("source", "自有")];
        let reply = app.post_form("/projects/JX-1/funds", c, &bad).await;
        assert_eq!(reply.status, 422);
        assert!(reply.body.contains("金额：不能为负数") && reply.body.contains("value=\"-5\""), "{}", reply.body);
        let good = [("csrf", csrf.as_str()), ("date", "2022-03-01"), ("amount", "500"), ("currency", "人民币"), ("source", "自有")];
        assert_eq!(app.post_form("/projects/JX-1/funds", c, &good).await.status, 303);
        let funds = app.get("/api/v1/projects/JX-1/funds", c).await.json();
        let id = funds["items"][0]["id"].as_i64().unwrap();
        assert_eq!(funds["items"][0]["fund"]["amount"], 5_000_000);
        let verify = format!("/projects/JX-1/funds/{id}/verify");
        assert_eq!(app.post_form(&verify, c, &[("csrf", csrf.as_str())]).await.status, 403, "units do not verify their own");
        let (bureau, bureau_csrf) = app.sign_in("bureau").await;
        assert_eq!(app.post_form(&verify, Some(&bureau), &[("csrf", bureau_csrf.as_str())]).await.status, 303);
        let funds = app.get("/api/v1/projects/JX-1/funds", c).await.json();
        assert_eq!((funds["items"][0]["fund"]["verified"].as_bool(), funds["items"][0]["fund"]["verifier"].as_str()), (Some(true), Some("bureau")));
    }

    async fn an_event_is_corrected_with_a_reason_and_the_original_is_kept(db) {
        let app = start(db.open().await.unwrap()).await;
        let (cookie, csrf) = app.sign_in("bureau").await;
        let c = Some(cookie.as_str());
        let events = app.get("/api/v1/projects/JX-1/events", c).await.json();
        let id = events["items"][0]["id"].as_i64().unwrap();
        let path = format!("/projects/JX-1/events/{id}/correct");
        let page = app.get(&path, c).await;
        assert!(page.status == 200 && page.body.contains("value=\"2022-01-05\""));
        let no_reason = [("csrf", csrf.as_str()), ("reason", ""), ("kind", "线索"), ("date", "2022-01-06")];
        let reply = app.post_form(&path, c, &no_reason).await;
        assert_eq!(reply.status, 422);
        assert!(reply.body.contains("更正须说明原因") && reply.body.contains("value=\"2022-01-06\""));
        let fixed = [("csrf", csrf.as_str()), ("reason", "日期录错"), ("kind", "线索"), ("date", "2022-01-06")];
        assert_eq!(app.post_form(&path, c, &fixed).await.status, 303);
        let events = app.get("/api/v1/projects/JX-1/events", c).await.json();
        let items = events["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "the original stays beside its correction");
        assert_eq!(items[0]["event"]["date"], "2022-01-05");
        assert_eq!(items[1]["correction"]["reason"], "日期录错");
        let page = app.get("/projects/JX-1", c).await;
        assert!(page.body.contains("更正事件#"));
    }

    async fn every_path_the_openapi_document_lists_answers(db) {
        let app = start(db.open().await.unwrap()).await;
        let document = app.get("/api/v1/openapi.json", None).await.json();
        assert_eq!(document["openapi"], "3.1.0");
        let (cookie, _) = app.sign_in("bureau").await;
        let paths = document["paths"].as_object().unwrap();
        assert!(paths.len() >= 7);
        for (path, operations) in paths {
            let concrete = path.replace("{code}", "JX-1");
            for method in operations.as_object().unwrap().keys() {
                let reply = match method.as_str() {
                    "get" => app.get(&concrete, Some(&cookie)).await,
                    "post" => app.post_json(&concrete, Some(&cookie), "{}").await,
                    other => panic!("undocumented method {other}"),
                };
                // An empty body is refused on its content, never because the route is missing.
                assert!(matches!(reply.status, 200 | 400 | 422), "{method} {path}: {} {}", reply.status, reply.body);
            }
        }
    }

    async fn a_list_exports_exactly_what_its_filters_show_within_the_scope(db) {
        let app = start(db.open().await.unwrap()).await;
        let (cookie, _) = app.sign_in("jixian").await;
        let reply = app.get("/projects/export?format=csv", Some(&cookie)).await;
        assert_eq!(reply.status, 200);
        assert!(reply.header("content-disposition").unwrap().starts_with("attachment"));
        let lines: Vec<&str> = reply.body.lines().collect();
        assert!(lines[0].trim_start_matches('\u{feff}').starts_with("项目编号,项目名称"));
        assert_eq!(lines.len(), 2, "the header and 集贤县's one project: {lines:?}");
        assert!(lines[1].starts_with("JX-1,"));
        let (bureau, _) = app.sign_in("bureau").await;
        let reply = app.get("/projects/export?format=csv&q=%E5%AE%9D%E6%B8%85", Some(&bureau)).await;
        let lines: Vec<&str> = reply.body.lines().collect();
        assert_eq!((lines.len(), lines[1].split(',').next()), (2, Some("BQ-1")), "the text filter 宝清 applies");
        let xlsx = app.get("/projects/export?format=xlsx", Some(&bureau)).await;
        assert_eq!(xlsx.header("content-type"), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    }

    async fn the_bureau_imports_files_through_the_page_and_unit_staff_cannot(db) {
        let app = start(db.open().await.unwrap()).await;
        let (cookie, csrf) = app.sign_in("bureau").await;
        let c = Some(cookie.as_str());
        let template = app.get("/import/units/template", c).await;
        assert_eq!(template.status, 200);
        assert!(template.body.starts_with("PK"), "an xlsx file is a zip");
        let good = "单位名称,类型,分组,行政区划代码,上级单位\n饶河县,县,,230524,双鸭山市\n";
        let reply = app.upload("/import/units", c, &csrf, "units.csv", good).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert!(reply.body.contains("导入完成") && reply.body.contains("新增1"));
        let bad = "单位名称,类型\n友谊县,乡\n";
        let reply = app.upload("/import/units", c, &csrf, "units.csv", bad).await;
        assert_eq!(reply.status, 422);
        assert!(reply.body.contains("第2行 类型: “乡”不是可用的类型"), "{}", reply.body);
        let (staff, staff_csrf) = app.sign_in("jixian").await;
        assert_eq!(app.upload("/import/units", Some(&staff), &staff_csrf, "units.csv", good).await.status, 403);
        assert_eq!(app.get("/import", Some(&staff)).await.status, 403);
        assert_eq!(app.upload("/import/units", c, "forged", "units.csv", good).await.status, 403);
    }

    async fn units_leaders_chains_and_teams_are_kept_by_the_roles_allowed(db) {
        let app = start(db.open().await.unwrap()).await;
        let (bureau, csrf) = app.sign_in("bureau").await;
        let b = Some(bureau.as_str());
        let leader = [("csrf", csrf.as_str()), ("name", "王建国"), ("title", "副市长")];
        assert_eq!(app.post_form("/leaders", b, &leader).await.status, 303);
        let chain = [("csrf", csrf.as_str()), ("name", "石墨产业链"), ("industry", "新材料"), ("leader", "王建国")];
        assert_eq!(app.post_form("/chains", b, &chain).await.status, 303);
        let page = app.get("/chains", b).await;
        assert!(page.body.contains("石墨产业链") && page.body.contains("王建国"));
        let bad = [("csrf", csrf.as_str()), ("name", "饶河县"), ("kind", "县"), ("division_code", "2305")];
        let reply = app.post_form("/units", b, &bad).await;
        assert_eq!(reply.status, 422);
        assert!(reply.body.contains("“2305”应为6位数字") && reply.body.contains("value=\"2305\""), "{}", reply.body);
        let export = app.get("/chains/export?format=csv", b).await;
        assert!(export.body.contains("石墨产业链,新材料,王建国"), "{}", export.body);

        let (staff, staff_csrf) = app.sign_in("jixian").await;
        assert_eq!(app.get("/chains", Some(&staff)).await.status, 200, "readers of projects read these");
        let mine = [("csrf", staff_csrf.as_str()), ("name", "另一条链")];
        assert_eq!(app.post_form("/chains", Some(&staff), &mine).await.status, 403);
        let (admin, admin_csrf) = app.sign_in("sysadmin").await;
        assert_eq!(app.get("/chains", Some(&admin)).await.status, 403, "no business data for the system administrator");
        let unit = [("csrf", admin_csrf.as_str()), ("name", "饶河县"), ("kind", "县"), ("division_code", "230524"), ("parent", "双鸭山市")];
        assert_eq!(app.post_form("/units", Some(&admin), &unit).await.status, 303, "but units are theirs");
        assert_eq!(app.get("/nonsense", Some(&admin)).await.status, 404);
    }

    async fn the_bureau_edits_the_value_lists_that_forms_and_imports_check(db) {
        let app = start(db.open().await.unwrap()).await;
        let (bureau, csrf) = app.sign_in("bureau").await;
        let b = Some(bureau.as_str());
        let reply = app.post_json("/api/v1/projects", b, r#"{"code":"JX-5","name":"基金项目","territory":"集贤县"}"#).await;
        assert_eq!(reply.status, 201);
        let edit = |mode: &'static str, csrf: String| {
            vec![("csrf", csrf), ("name", "基金项目".to_owned()), ("territory", "集贤县".to_owned()), ("source_mode", mode.to_owned()),
                 ("capital_origin", "内资".to_owned()), ("currency", "人民币".to_owned())]
        };
        let form_of = |pairs: &Vec<(&'static str, String)>| pairs.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
        let pairs = form_of(&edit("基金招商", csrf.clone()));
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let reply = app.edit_project("JX-5", b, &refs).await;
        assert_eq!(reply.status, 422, "not yet a listed 招商方式");
        assert!(reply.body.contains("“基金招商”不在可选值中"));
        let add = [("csrf", csrf.as_str()), ("value", "基金招商")];
        assert_eq!(app.post_form("/settings/lists/source_mode/add", b, &add).await.status, 303);
        assert!(app.get("/settings/lists", b).await.body.contains("基金招商"));
        assert_eq!(app.edit_project("JX-5", b, &refs).await.status, 303);
        let (staff, staff_csrf) = app.sign_in("jixian").await;
        assert_eq!(app.get("/settings/lists", Some(&staff)).await.status, 403);
        let remove = [("csrf", staff_csrf.as_str()), ("value", "基金招商")];
        assert_eq!(app.post_form("/settings/lists/source_mode/remove", Some(&staff), &remove).await.status, 403);
    }
}

/// Signs a project through the event form, as a unit or the bureau would.
async fn sign(app: &App, cookie: &str, csrf: &str, code: &str, date: &str, wan: &str) {
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

both_databases! {
    async fn the_scoreboard_shows_each_figure_and_its_drill_down_adds_up(db) {
        let app = start(db.open().await.unwrap()).await;
        let (bureau, csrf) = app.sign_in("bureau").await;
        sign(&app, &bureau, &csrf, "JX-1", "2022-03-01", "12000").await;
        sign(&app, &bureau, &csrf, "BQ-1", "2022-05-01", "500").await;
        let target = [("csrf", csrf.as_str()), ("year", "2022"), ("unit", "全市"), ("indicator", "signed_projects"), ("value", "4")];
        assert_eq!(app.post_form("/targets", Some(&bureau), &target).await.status, 303);
        let (leader, _) = app.sign_in("leader").await;
        let l = Some(leader.as_str());
        let page = app.get("/scoreboard?year=2022&period=H1", l).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("双鸭山市2022年上半年招商引资晒单"));
        assert!(page.body.contains("签约项目2项，签约额1.25亿元"), "the 成绩单 comes from the records");
        assert!(page.body.contains("<svg") && page.body.contains("县区排名"));
        // The city's 签约额 drills down to both projects, whose amounts add up to it.
        let drill = app.get("/scoreboard/drill?year=2022&period=H1&indicator=signed_amount", l).await;
        assert_eq!(drill.status, 200, "{}", drill.body);
        assert!(drill.body.contains("JX-1") && drill.body.contains("BQ-1"));
        assert!(drill.body.contains("合计 <strong>12,500.00</strong>"), "{}", drill.body);
        assert!(drill.body.contains("1.25 亿元"));
        // A unit's figure lists only its own projects.
        let drill = app.get("/scoreboard/drill?year=2022&period=H1&indicator=signed_projects&unit=%E5%AE%9D%E6%B8%85%E5%8E%BF", l).await;
        assert!(drill.body.contains("BQ-1") && !drill.body.contains("JX-1"));
        // A rate lists its numerator and denominator.
        let drill = app.get("/scoreboard/drill?year=2022&period=H1&indicator=lead_conversion_rate", l).await;
        assert!(drill.body.contains("分子") && drill.body.contains("分母") && drill.body.contains("100.0%"), "{}", drill.body);
        // A quarter's 累计完成 counts from 1 January: its link lists Q1's signing too.
        let q2 = app.get("/scoreboard?year=2022&period=Q2", l).await;
        assert!(q2.body.contains("签约项目1项"), "only BQ-1 signed in Q2");
        let ytd = "/scoreboard/drill?year=2022&period=YTD&as_of=2022-06-30&indicator=signed_projects";
        assert!(q2.body.contains(&ytd.replace('&', "&amp;")), "the progress bars and 累计完成 link to the year to date");
        let drill = app.get(ytd, l).await;
        assert!(drill.body.contains("JX-1") && drill.body.contains("BQ-1"));
        let unit = app.get("/scoreboard/unit?year=2022&period=H1&name=%E9%9B%86%E8%B4%A4%E5%8E%BF", l).await;
        assert!(unit.status == 200 && unit.body.contains("集贤县2022年上半年招商引资成绩"), "{}", unit.body);
        let export = app.get("/scoreboard/export?year=2022&period=H1", l).await;
        assert_eq!(export.status, 200);
        assert!(export.header("content-type").unwrap().contains("spreadsheetml"));
        let api = app.get("/api/v1/scoreboard?year=2022&period=H1", l).await.json();
        assert_eq!((api["city"]["signed_amount"]["value"].as_i64(), api["end"].as_str()), (Some(125_000_000), Some("2022-06-30")));
        assert_eq!(api["units"][0]["group"], "县区");
        let print = app.get("/scoreboard/print?year=2022&period=H1", l).await;
        assert!(print.status == 200 && !print.body.contains("class=\"menu\""));
        // Bad periods are the reader's error, named.
        let bad = app.get("/scoreboard?year=2022&period=Q9", l).await;
        assert!(bad.status == 400 && bad.body.contains("Q9"), "{}", bad.body);
        let bad = app.get("/scoreboard/drill?year=2022&period=H1&indicator=gdp", l).await;
        assert_eq!(bad.status, 400);
    }

    async fn unit_staff_see_the_ranking_but_drill_only_into_their_own_unit(db) {
        let app = start(db.open().await.unwrap()).await;
        let (staff, _) = app.sign_in("jixian").await;
        let s = Some(staff.as_str());
        assert_eq!(app.get("/scoreboard?year=2022&period=H1", s).await.status, 200);
        let own = "/scoreboard/drill?year=2022&period=H1&indicator=signed_projects&unit=%E9%9B%86%E8%B4%A4%E5%8E%BF";
        assert_eq!(app.get(own, s).await.status, 200);
        let other = "/scoreboard/drill?year=2022&period=H1&indicator=signed_projects&unit=%E5%AE%9D%E6%B8%85%E5%8E%BF";
        assert_eq!(app.get(other, s).await.status, 403);
        assert_eq!(app.get("/scoreboard/drill?year=2022&period=H1&indicator=signed_projects", s).await.status, 403);
        let (admin, _) = app.sign_in("sysadmin").await;
        assert_eq!(app.get("/scoreboard", Some(&admin)).await.status, 403);
    }

    async fn a_published_sheet_keeps_its_figures_and_shows_what_changed_since(db) {
        let app = start(db.open().await.unwrap()).await;
        let (bureau, csrf) = app.sign_in("bureau").await;
        let b = Some(bureau.as_str());
        sign(&app, &bureau, &csrf, "JX-1", "2022-03-01", "1000").await;
        let (staff, staff_csrf) = app.sign_in("jixian").await;
        let publish = "/scoreboard/publish?year=2022&period=H1";
        assert_eq!(app.post_form(publish, Some(&staff), &[("csrf", staff_csrf.as_str())]).await.status, 403);
        assert_eq!(app.post_form(publish, b, &[("csrf", "forged")]).await.status, 403);
        let reply = app.post_form(publish, b, &[("csrf", csrf.as_str())]).await;
        assert_eq!(reply.status, 303);
        let sheet_path = reply.header("location").unwrap().to_owned();
        let sheet = app.get(&sheet_path, b).await;
        assert!(sheet.body.contains("发布以来本期数字没有变化"), "{}", sheet.body);
        assert!(sheet.body.contains("签约项目1项，签约额1000万元"));
        let hash = sheet.body.split("<code>").nth(1).unwrap().split('<').next().unwrap().to_owned();
        assert_eq!(hash.len(), 64);
        // A late entry: the sheet keeps its figures and lists the change.
        sign(&app, &bureau, &csrf, "BQ-1", "2022-04-01", "3000").await;
        let sheet = app.get(&sheet_path, b).await;
        assert!(sheet.body.contains("签约项目1项，签约额1000万元"), "the published 成绩单 is unchanged");
        assert!(sheet.body.contains(&hash));
        let changes = sheet.body.split("class=\"changes\"").nth(1).unwrap().split("</table>").next().unwrap();
        assert!(changes.contains("<td>双鸭山市</td><td>签约项目数</td><td class=\"num\">1</td><td class=\"num\">2</td><td class=\"num diff-up\">+1</td>"), "{changes}");
        assert!(changes.contains("<td>宝清县</td><td>签约额</td><td class=\"num\">0.00</td><td class=\"num\">0.30</td><td class=\"num diff-up\">+0.30</td>"), "{changes}");
        assert!(!changes.contains("集贤县"), "集贤县's figures did not change: {changes}");
        // Rates move by percentage points: half the leads of 2022 were signed, now all are.
        assert!(changes.contains("<td>线索转化率</td><td class=\"num\">50.0%</td><td class=\"num\">100.0%</td><td class=\"num diff-up\">+50.0个百分点</td>"), "{changes}");
        let order: Vec<usize> = ["签约项目数", "签约额", "线索转化率"].iter().map(|k| changes.find(&format!("<td>双鸭山市</td><td>{k}</td>")).unwrap()).collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "changes are listed in the tables' order: {changes}");
        let list = app.get("/sheets", Some(&staff)).await;
        assert!(list.status == 200 && list.body.contains(&hash));
        let export = app.get(&format!("{sheet_path}/export"), b).await;
        assert_eq!(export.status, 200);
        assert_eq!(app.get("/sheets/999", b).await.status, 404);
    }

    async fn targets_are_set_by_the_bureau_and_units_not_adding_up_are_shown(db) {
        let app = start(db.open().await.unwrap()).await;
        let (bureau, csrf) = app.sign_in("bureau").await;
        let b = Some(bureau.as_str());
        for (unit, value) in [("全市", "10"), ("集贤县", "4"), ("宝清县", "5")] {
            let form = [("csrf", csrf.as_str()), ("year", "2022"), ("unit", unit), ("indicator", "signed_projects"), ("value", value)];
            assert_eq!(app.post_form("/targets", b, &form).await.status, 303);
        }
        let form = [("csrf", csrf.as_str()), ("year", "2022"), ("unit", "集贤县"), ("indicator", "signed_amount"), ("value", "2000.5")];
        assert_eq!(app.post_form("/targets", b, &form).await.status, 303);
        let page = app.get("/targets?year=2022", b).await;
        assert!(page.body.contains("不一致") && page.body.contains("−1"), "{}", page.body);
        assert!(page.body.contains("0.20"), "2000.5万元 shows as 0.20亿元: {}", page.body);
        let bad = [("csrf", csrf.as_str()), ("year", "2022"), ("unit", "集贤县"), ("indicator", "signed_projects"), ("value", "十")];
        let reply = app.post_form("/targets", b, &bad).await;
        assert!(reply.status == 422 && reply.body.contains("目标值"), "{} {}", reply.status, reply.body);
        let rate = [("csrf", csrf.as_str()), ("year", "2022"), ("unit", "集贤县"), ("indicator", "landing_rate"), ("value", "1")];
        assert_eq!(app.post_form("/targets", b, &rate).await.status, 422);
        let (staff, staff_csrf) = app.sign_in("jixian").await;
        let form = [("csrf", staff_csrf.as_str()), ("year", "2022"), ("unit", "集贤县"), ("indicator", "signed_projects"), ("value", "1")];
        assert_eq!(app.post_form("/targets", Some(&staff), &form).await.status, 403);
        // The target shows on the unit's scoreboard as task and time progress.
        sign(&app, &bureau, &csrf, "JX-1", "2022-03-01", "100").await;
        let unit = app.get("/scoreboard/unit?year=2022&period=H1&name=%E9%9B%86%E8%B4%A4%E5%8E%BF", b).await;
        assert!(unit.body.contains("25.0%") && unit.body.contains("49.6%"), "1 of 4 against 181/365: {}", unit.body);
    }
}

both_databases! {
    async fn a_schedule_plan_is_kept_against_actual_dates_and_six_ones_gaps_are_listed(db) {
        let app = start(db.open().await.unwrap()).await;
        let (bureau, _) = app.sign_in("bureau").await;
        let list = app.get("/six-ones", Some(&bureau)).await;
        assert!(list.status == 200 && list.body.contains("JX-1") && list.body.contains("BQ-1"), "{}", list.body);
        assert!(list.body.contains("包保领导、工作专班、进度计划"));
        let (staff, csrf) = app.sign_in("jixian").await;
        let s = Some(staff.as_str());
        let own = app.get("/six-ones", s).await;
        assert!(own.body.contains("JX-1") && !own.body.contains("BQ-1"), "unit staff see their unit's only");
        let backwards = [("csrf", csrf.as_str()), ("signed", "2022-03-01"), ("landed", "2022-05-01"), ("started", "2022-04-01")];
        let reply = app.post_form("/projects/JX-1/plan", s, &backwards).await;
        assert_eq!(reply.status, 422);
        assert!(reply.body.contains("计划开工日期：不能早于计划落地日期（2022-05-01）") && reply.body.contains("value=\"2022-04-01\""), "{}", reply.body);
        let bad_date = [("csrf", csrf.as_str()), ("signed", "2022-13-01")];
        let reply = app.post_form("/projects/JX-1/plan", s, &bad_date).await;
        assert!(reply.status == 422 && reply.body.contains("计划签约日期"), "{}", reply.body);
        let plan = [("csrf", csrf.as_str()), ("signed", "2022-03-01"), ("landed", "2022/4/1")];
        assert_eq!(app.post_form("/projects/JX-1/plan", s, &plan).await.status, 303);
        let page = app.get("/projects/JX-1", s).await;
        assert!(page.body.contains("<td>签约</td><td>2022-03-01</td><td></td><td><span class=\"light red\">逾期"), "not signed by its planned date: {}", page.body);
        assert!(page.body.contains("缺少：包保领导、工作专班"), "the plan is no longer missing");
        let own = app.get("/six-ones", s).await;
        assert!(own.body.contains("包保领导、工作专班</td>") && !own.body.contains("进度计划</td>"), "{}", own.body);
        // Another unit's project is not there to plan.
        assert_eq!(app.post_form("/projects/BQ-1/plan", s, &plan).await.status, 404);
        let (leader, leader_csrf) = app.sign_in("leader").await;
        let leader_plan = [("csrf", leader_csrf.as_str()), ("signed", "2022-03-01")];
        assert_eq!(app.post_form("/projects/JX-1/plan", Some(&leader), &leader_plan).await.status, 403, "leaders read, they do not edit");
    }
}

both_databases! {
    async fn a_leaders_page_rolls_up_the_counties_and_chains_they_answer_for(db) {
        let app = start(db.open().await.unwrap()).await;
        let (bureau, csrf) = app.sign_in("bureau").await;
        let b = Some(bureau.as_str());
        let leader = [("csrf", csrf.as_str()), ("name", "王建国"), ("title", "副市长")];
        assert_eq!(app.post_form("/leaders", b, &leader).await.status, 303);
        let chain = [("csrf", csrf.as_str()), ("name", "石墨产业链"), ("industry", "新材料"), ("leader", "王建国")];
        assert_eq!(app.post_form("/chains", b, &chain).await.status, 303);
        assert!(app.get("/leaders", b).await.body.contains("href=\"/leader/王建国\""));
        let path = "/leader/%E7%8E%8B%E5%BB%BA%E5%9B%BD";
        let page = app.get(path, b).await;
        assert!(page.status == 200 && page.body.contains("包保范围内项目</dt><dd>0 个"), "{}", page.body);
        let bad = [("csrf", csrf.as_str()), ("units", "集贤县、不存在县")];
        let reply = app.post_form(&format!("{path}/units"), b, &bad).await;
        assert!(reply.status == 422 && reply.body.contains("包保县区") && reply.body.contains("不存在县"), "{} {}", reply.status, reply.body);
        assert!(app.get(path, b).await.body.contains("包保县区</dt><dd>（无）"), "nothing was saved");
        let good = [("csrf", csrf.as_str()), ("units", "集贤县")];
        assert_eq!(app.post_form(&format!("{path}/units"), b, &good).await.status, 303);
        let (leader_account, _) = app.sign_in("leader").await;
        let page = app.get(path, Some(&leader_account)).await;
        assert!(page.body.contains("包保县区</dt><dd>集贤县") && page.body.contains("链长</dt><dd>石墨产业链"), "{}", page.body);
        assert!(page.body.contains("包保范围内项目</dt><dd>1 个") && page.body.contains("JX-1") && !page.body.contains("BQ-1"), "{}", page.body);
        assert!(page.body.contains("包保县区的") && page.body.contains("<td>集贤县</td>"), "the county's figures are shown");
        // The chain they lead is figured over its own projects.
        let store = db.open().await.unwrap();
        let mut tx = store.begin("test").await.unwrap();
        let mut project = store.project("BQ-1").await.unwrap().unwrap().project;
        project.chain = Some("石墨产业链".into());
        tx.upsert_project(&project).await.unwrap();
        tx.commit().await.unwrap();
        sign(&app, &bureau, &csrf, "BQ-1", "2022-03-01", "25000").await;
        sign(&app, &bureau, &csrf, "JX-1", "2022-03-02", "1000").await;
        let page = app.get(path, Some(&leader_account)).await;
        let chain_row = page.body.split("<tr><td>石墨产业链</td>").nth(1).unwrap_or_default().split("</tr>").next().unwrap_or_default().to_owned();
        assert!(chain_row.starts_with("<td class=\"num\">1</td><td class=\"num\">2.50</td>"), "only the chain's project counts: {chain_row}");
        let (staff, staff_csrf) = app.sign_in("jixian").await;
        let form = [("csrf", staff_csrf.as_str()), ("units", "宝清县")];
        assert_eq!(app.post_form(&format!("{path}/units"), Some(&staff), &form).await.status, 403);
        assert_eq!(app.get("/leader/%E6%97%A0%E6%AD%A4%E4%BA%BA", b).await.status, 404);
    }
}

both_databases! {
    async fn element_support_items_are_set_by_editors_and_worked_off_by_their_department(db) {
        let app = start(db.open().await.unwrap()).await;
        let (bureau, csrf) = app.sign_in("bureau").await;
        let b = Some(bureau.as_str());
        let department = [("csrf", csrf.as_str()), ("name", "市住房和城乡建设局"), ("kind", "部门"), ("parent", "双鸭山市")];
        let reply = app.post_form("/units", b, &department).await;
        assert_eq!(reply.status, 303, "{}", reply.body);
        let store = db.open().await.unwrap();
        let mut tx = store.begin("test").await.unwrap();
        let hash = store::accounts::hash_password_cheaply("correct horse").unwrap();
        tx.add_user("zhujian", "住建局", Role::UnitStaff, Some("市住房和城乡建设局"), &hash).await.unwrap();
        tx.commit().await.unwrap();
        let page = app.get("/projects/JX-1", b).await;
        assert_eq!(page.body.matches("未填报").count(), 13, "all thirteen items are listed");
        let no_done = [("csrf", csrf.as_str()), ("item", "施工许可"), ("status", "已完成"), ("department", "市住房和城乡建设局"), ("due", "2022-05-01"), ("done", "")];
        let reply = app.post_form("/projects/JX-1/elements", b, &no_done).await;
        assert!(reply.status == 422 && reply.body.contains("完成日期：已完成的事项须填写完成日期"), "{} {}", reply.status, reply.body);
        let open = [("csrf", csrf.as_str()), ("item", "施工许可"), ("status", "办理中"), ("department", "市住房和城乡建设局"), ("due", "2022-05-01"), ("done", "")];
        assert_eq!(app.post_form("/projects/JX-1/elements", b, &open).await.status, 303);
        let page = app.get("/projects/JX-1", b).await;
        assert!(page.body.contains("<td>施工许可</td><td>办理中</td><td>市住房和城乡建设局</td>") && page.body.contains("2022-05-01 已逾期"), "{}", page.body);
        // The department works through its queue, without seeing the rest of the project.
        let (dept, dept_csrf) = app.sign_in("zhujian").await;
        let d = Some(dept.as_str());
        let queue = app.get("/elements", d).await;
        assert!(queue.body.contains("JX-1") && queue.body.contains("已逾期"), "{}", queue.body);
        assert_eq!(app.get("/projects/JX-1", d).await.status, 404);
        let not_theirs = [("csrf", dept_csrf.as_str()), ("item", "环评"), ("status", "已完成"), ("department", "市住房和城乡建设局"), ("due", ""), ("done", "2022-06-01")];
        assert_eq!(app.post_form("/projects/JX-1/elements", d, &not_theirs).await.status, 404);
        let finished = [("csrf", dept_csrf.as_str()), ("item", "施工许可"), ("status", "已完成"), ("department", "市住房和城乡建设局"), ("due", "2022-05-01"), ("done", "2022-06-01")];
        let reply = app.post_form("/projects/JX-1/elements", d, &finished).await;
        assert_eq!((reply.status, reply.header("location")), (303, Some("/elements")));
        assert!(app.get("/elements", d).await.body.contains("未完成事项 0 项"));
        let page = app.get("/projects/JX-1", b).await;
        assert!(page.body.contains("<td>施工许可</td><td>已完成</td>") && page.body.contains("2022-06-01"));
        // The county's staff edit their project's items; readers look at any department's queue.
        let (staff, staff_csrf) = app.sign_in("jixian").await;
        let water = [("csrf", staff_csrf.as_str()), ("item", "水"), ("status", "不涉及"), ("department", ""), ("due", ""), ("done", "")];
        assert_eq!(app.post_form("/projects/JX-1/elements", Some(&staff), &water).await.status, 303);
        let (leader, _) = app.sign_in("leader").await;
        let queue = app.get("/elements?unit=%E5%B8%82%E4%BD%8F%E6%88%BF%E5%92%8C%E5%9F%8E%E4%B9%A1%E5%BB%BA%E8%AE%BE%E5%B1%80", Some(&leader)).await;
        assert!(queue.status == 200 && queue.body.contains("要素保障待办：市住房和城乡建设局"), "{}", queue.body);
    }
}

/// Adds a unit of kind `kind` under the city and an account for its staff.
async fn unit_with_staff(db: &store::testing::TestDb, unit: &str, kind: UnitKind, username: &str) {
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

fn blocker_id(reply: &Reply) -> String {
    let location = reply.header("location").unwrap_or_default();
    assert!(
        location.starts_with("/blockers/"),
        "{} {location}",
        reply.status
    );
    location.trim_start_matches("/blockers/").to_owned()
}

both_databases! {
    async fn an_overdue_blocker_is_escalated_to_the_leader_in_charge_and_closed_with_a_resolution(db) {
        let app = start(db.open().await.unwrap()).await;
        unit_with_staff(db, "市自然资源局", UnitKind::Department, "ziran").await;
        unit_with_staff(db, "宝清县工信局", UnitKind::Department, "gongxin").await;
        let store = db.open().await.unwrap();
        let mut tx = store.begin("test").await.unwrap();
        tx.upsert_leader(&domain::records::Leader { name: "王建国".into(), title: Some("副市长".into()), illustrative: false }).await.unwrap();
        let mut project = store.project("JX-1").await.unwrap().unwrap().project;
        project.leader = Some("王建国".into());
        tx.upsert_project(&project).await.unwrap();
        tx.commit().await.unwrap();

        let (staff, csrf) = app.sign_in("jixian").await;
        let s = Some(staff.as_str());
        assert!(app.get("/projects/JX-1", s).await.body.contains("登记堵点问题"));
        let form = app.get("/projects/JX-1/blockers/new", s).await;
        assert!(form.status == 200 && form.body.contains("<option value=\"王建国\" selected>"), "the project's leader is proposed: {}", form.body);
        let bad = [("csrf", csrf.as_str()), ("description", " "), ("category", "用地"), ("raised_on", "2022-06-01"), ("owner_unit", "市自然资源局"), ("leader", ""), ("deadline", "2022-05-01")];
        let reply = app.post_form("/projects/JX-1/blockers", s, &bad).await;
        assert!(reply.status == 422 && reply.body.contains("问题描述：不能为空") && reply.body.contains("办结时限：不能早于提出日期（2022-06-01）"), "{} {}", reply.status, reply.body);
        let unknown = [("csrf", csrf.as_str()), ("description", "缺电"), ("category", "天气"), ("raised_on", "2022-06-01"), ("owner_unit", "市自然资源局"), ("leader", ""), ("deadline", "2022-06-20")];
        let reply = app.post_form("/projects/JX-1/blockers", s, &unknown).await;
        assert!(reply.status == 422 && reply.body.contains("问题类别"), "{}", reply.body);
        assert!(app.get("/blockers", s).await.body.contains("未解决 0 项"), "nothing was half-written");
        // One overdue (its deadline long past), one in time.
        let overdue = [("csrf", csrf.as_str()), ("description", "用地指标未落实"), ("category", "用地"), ("raised_on", "2022-06-01"), ("owner_unit", "市自然资源局"), ("leader", ""), ("deadline", "2022-06-20")];
        let overdue_id = blocker_id(&app.post_form("/projects/JX-1/blockers", s, &overdue).await);
        let in_time = [("csrf", csrf.as_str()), ("description", "施工用电报装"), ("category", "水电气暖"), ("raised_on", "2022-06-01"), ("owner_unit", "市自然资源局"), ("leader", ""), ("deadline", "2099-12-31")];
        let in_time_id = blocker_id(&app.post_form("/projects/JX-1/blockers", s, &in_time).await);
        let page = app.get(&format!("/blockers/{overdue_id}"), s).await;
        assert!(page.body.contains("已逾期") && page.body.contains("已升级至王建国"), "{}", page.body);
        let page = app.get(&format!("/blockers/{in_time_id}"), s).await;
        assert!(!page.body.contains("已升级至"), "an in-time blocker is not escalated");
        let list = app.get("/blockers", s).await;
        assert!(list.body.contains("未解决 2 项，其中逾期 1 项"), "{}", list.body);

        // The leader in charge finds the overdue one on their page, and only that one.
        let (leader, leader_csrf) = app.sign_in("leader").await;
        let l = Some(leader.as_str());
        let leader_page = "/leader/%E7%8E%8B%E5%BB%BA%E5%9B%BD";
        let page = app.get(leader_page, l).await;
        assert!(page.body.contains("1项未解决，其中逾期升级1项") && page.body.contains("用地指标未落实") && page.body.contains("逾期升级"), "{}", page.body);
        assert!(!page.body.contains("施工用电报装"), "the in-time blocker is not the leader's yet");
        // 批示: leaders only, and it must say something.
        let empty = [("csrf", leader_csrf.as_str()), ("text", " ")];
        let reply = app.post_form(&format!("/blockers/{overdue_id}/instruction"), l, &empty).await;
        assert!(reply.status == 422 && reply.body.contains("批示内容：不能为空"), "{} {}", reply.status, reply.body);
        let said = [("csrf", leader_csrf.as_str()), ("text", "请自然资源局一周内落实用地指标")];
        assert_eq!(app.post_form(&format!("/blockers/{overdue_id}/instruction"), l, &said).await.status, 303);
        let staff_says = [("csrf", csrf.as_str()), ("text", "同意")];
        assert_eq!(app.post_form(&format!("/blockers/{overdue_id}/instruction"), s, &staff_says).await.status, 403);
        let close = [("csrf", leader_csrf.as_str()), ("status", "已解决"), ("resolution", "已落实")];
        assert_eq!(app.post_form(&format!("/blockers/{overdue_id}/status"), l, &close).await.status, 403, "leaders instruct; they do not close");

        // The owner department works it without seeing the rest of the project.
        let (dept, dept_csrf) = app.sign_in("ziran").await;
        let dp = Some(dept.as_str());
        assert_eq!(app.get("/projects/JX-1", dp).await.status, 404);
        let page = app.get(&format!("/blockers/{overdue_id}"), dp).await;
        assert!(page.status == 200 && page.body.contains("请自然资源局一周内落实用地指标"), "{}", page.body);
        assert!(app.get("/blockers", dp).await.body.contains("用地指标未落实"), "the owner's list holds it");
        let working = [("csrf", dept_csrf.as_str()), ("status", "处理中"), ("resolution", "")];
        assert_eq!(app.post_form(&format!("/blockers/{overdue_id}/status"), dp, &working).await.status, 303);
        let no_text = [("csrf", dept_csrf.as_str()), ("status", "已解决"), ("resolution", "  ")];
        let reply = app.post_form(&format!("/blockers/{overdue_id}/status"), dp, &no_text).await;
        assert!(reply.status == 422 && reply.body.contains("解决情况：办结须填写解决情况"), "{} {}", reply.status, reply.body);
        let done = [("csrf", dept_csrf.as_str()), ("status", "已解决"), ("resolution", "已调剂用地指标120亩")];
        assert_eq!(app.post_form(&format!("/blockers/{overdue_id}/status"), dp, &done).await.status, 303);
        let page = app.get(&format!("/blockers/{overdue_id}"), s).await;
        assert!(page.body.contains("已调剂用地指标120亩") && !page.body.contains("已升级至"), "{}", page.body);
        for entry in ["登记", "领导批示", "状态变更</td><td>处理中", "状态变更</td><td>已解决"] {
            assert!(page.body.contains(entry), "history holds {entry}: {}", page.body);
        }
        assert_eq!(app.post_form(&format!("/blockers/{overdue_id}/status"), dp, &working).await.status, 422, "a resolved blocker stays resolved");
        let page = app.get(leader_page, l).await;
        assert!(page.body.contains("0项未解决"), "{}", page.body);
        // Another unit's staff do not learn it exists.
        let (other, _) = app.sign_in("gongxin").await;
        assert_eq!(app.get(&format!("/blockers/{overdue_id}"), Some(&other)).await.status, 404);
        assert_eq!(app.get("/blockers/999999", s).await.status, 404);
        // The city-wide file is for the accounts that read everything.
        let file = app.get("/export/blockers?format=csv", l).await;
        assert!(file.status == 200 && file.body.contains("已调剂用地指标120亩") && file.body.contains("施工用电报装"), "{} {}", file.status, file.body);
        assert_eq!(app.get("/export/blockers", s).await.status, 403);
    }
}

/// One event of a fixture: its kind, date and signed amount in 万元.
type Step = (EventKind, &'static str, Option<i64>);

/// Records one event on a project through the store.
async fn event(tx: &mut store::Tx, code: &str, kind: EventKind, date: &str, wan: Option<i64>) {
    let amount = wan.map(|w| domain::Money::from_units("金额", w * 10_000).unwrap());
    let parcel = (kind == EventKind::Stage(Stage::Landed)).then(|| "地块-1".to_owned());
    let note = matches!(kind, EventKind::Stall | EventKind::Terminate)
        .then(|| "投资方资金链紧张".to_owned());
    let e = StageEvent::new(kind, d(date), amount, None, parcel, note).unwrap();
    tx.add_event(code, &e).await.unwrap();
}

both_databases! {
    async fn each_warning_lights_on_the_project_built_for_it_and_not_on_its_twin(db) {
        use EventKind::Stage as S;
        let app = start(db.open().await.unwrap()).await;
        let store = db.open().await.unwrap();
        let mut tx = store.begin("test").await.unwrap();
        tx.set_records_as_of(d("2022-07-01")).await.unwrap();
        tx.upsert_unit(&Unit::new("市住房和城乡建设局", UnitKind::Department, None, None, Some("双鸭山市".into())).unwrap()).await.unwrap();
        // Each fixture and its twin differ only in what should light one warning.
        let fixtures: [(&str, &[Step]); 16] = [
            ("IDLE", &[(S(Stage::Negotiating), "2022-05-20", None)]),
            ("IDLE-OK", &[(S(Stage::Negotiating), "2022-06-15", None)]),
            ("SIGN", &[(S(Stage::Signed), "2022-03-01", Some(5_000))]),
            ("SIGN-OK", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
            ("LAND", &[(S(Stage::Signed), "2021-10-01", Some(5_000)), (S(Stage::Landed), "2021-12-01", None)]),
            ("LAND-OK", &[(S(Stage::Signed), "2022-03-01", Some(5_000)), (S(Stage::Landed), "2022-04-01", None)]),
            ("PLAN", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
            ("PLAN-OK", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
            ("ELEM", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
            ("ELEM-OK", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
            ("BLOCK", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
            ("BLOCK-OK", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
            ("FUNDS", &[(S(Stage::Signed), "2021-06-01", Some(10_000)), (S(Stage::Started), "2021-08-01", None)]),
            ("FUNDS-OK", &[(S(Stage::Signed), "2021-06-01", Some(10_000)), (S(Stage::Started), "2021-08-01", None)]),
            ("STALL", &[(S(Stage::Signed), "2022-05-01", Some(5_000)), (EventKind::Stall, "2022-06-01", None)]),
            ("STALL-OK", &[(S(Stage::Signed), "2022-05-01", Some(5_000))]),
        ];
        for (code, events) in fixtures {
            tx.upsert_project(&Project::new(code, &format!("预警样例{code}"), "集贤县").unwrap()).await.unwrap();
            for (kind, date, wan) in events {
                event(&mut tx, code, *kind, date, *wan).await;
            }
        }
        let plan = |started: &str| domain::responsibility::SchedulePlan::new(vec![(Stage::Started, d(started))]).unwrap();
        tx.set_plan("PLAN", &plan("2022-06-21")).await.unwrap();
        tx.set_plan("PLAN-OK", &plan("2022-12-01")).await.unwrap();
        // LAND has no financing plan and has landed: it also lacks one before 开工; its twin has one.
        let financing = domain::financing::FinancingPlan::new(domain::Money::from_units("", 10_000_000).unwrap(), "自有", None, domain::financing::FinancingStatus::Drafting).unwrap();
        tx.set_financing("LAND-OK", &financing).await.unwrap();
        use domain::responsibility::{ElementItem, ElementStatus, ElementSupport};
        let permit = |due: &str| ElementSupport::new(ElementItem::ConstructionPermit, ElementStatus::InProgress, Some("市住房和城乡建设局".into()), Some(d(due)), None).unwrap();
        tx.set_element("ELEM", &permit("2022-06-01")).await.unwrap();
        tx.set_element("ELEM-OK", &permit("2022-07-01")).await.unwrap();
        let blocker = |code: &str, deadline: &str| domain::blockers::NewBlocker::new(code, "电力接入", "水电气暖", d("2022-06-01"), "市住房和城乡建设局", None, d(deadline), d("2022-07-01")).unwrap();
        tx.raise_blocker(&blocker("BLOCK", "2022-06-30")).await.unwrap();
        tx.raise_blocker(&blocker("BLOCK-OK", "2022-07-01")).await.unwrap();
        for (code, wan) in [("FUNDS", 2_900), ("FUNDS-OK", 3_000)] {
            let fund = domain::records::Fund::new(code, d("2021-09-01"), domain::Money::from_units("", wan * 10_000).unwrap(), domain::Currency::Cny).unwrap();
            tx.add_fund(&fund).await.unwrap();
        }
        tx.commit().await.unwrap();

        let (bureau, csrf) = app.sign_in("bureau").await;
        let b = Some(bureau.as_str());
        let page = app.get("/warnings", b).await;
        assert!(page.status == 200 && page.body.contains("预警基准日 2022-07-01"), "{}", page.body);
        let row_of = |code: &str| -> String {
            page.body
                .split("<tr>")
                .find(|row| row.contains(&format!("<a href=\"/projects/{code}\">{code}</a>")))
                .unwrap_or_default()
                .to_owned()
        };
        let expected = [
            ("IDLE", "黄灯", "在谈已42天无进展"),
            ("SIGN", "黄灯", "签约122天仍未落地"),
            ("LAND", "黄灯", "落地212天仍未开工"),
            ("PLAN", "红灯", "计划开工日期2022-06-21已过10天，尚未开工"),
            ("ELEM", "黄灯", "要素保障“施工许可”逾期30天"),
            ("BLOCK", "红灯", "堵点问题“电力接入”逾期1天未解决"),
            ("FUNDS", "黄灯", "到位资金2,900.00万元，仅为签约额10,000.00万元的29.0%（低于30%）"),
            ("STALL", "红灯", "项目处于停滞状态"),
        ];
        for (code, light, reason) in expected {
            let row = row_of(code);
            assert!(row.contains(light) && row.contains(reason), "{code} should be {light}: {reason}; row: {row}");
            assert_eq!(row_of(&format!("{code}-OK")), "", "{code}-OK should not be lit");
        }
        assert!(row_of("LAND").contains("临近开工，尚无融资方案"), "{}", row_of("LAND"));
        // A project page says the same.
        let project = app.get("/projects/PLAN", b).await;
        assert!(project.body.contains("预警：<span class=\"light red\">红灯</span>") && project.body.contains("计划开工日期2022-06-21已过10天"), "{}", project.body);
        assert!(app.get("/projects/PLAN-OK", b).await.body.contains("无预警"));

        // A financing plan clears the flag; a bad one is refused naming its fields.
        let bad = [("csrf", csrf.as_str()), ("need", "0"), ("sources", ""), ("bank", ""), ("status", "已获批")];
        let reply = app.post_form("/projects/LAND/financing", b, &bad).await;
        assert!(reply.status == 422 && reply.body.contains("融资需求：须大于0") && reply.body.contains("资金来源构成：不能为空") && reply.body.contains("合作金融机构"), "{} {}", reply.status, reply.body);
        let good = [("csrf", csrf.as_str()), ("need", "3000"), ("sources", "自有30%、贷款70%"), ("bank", "龙江银行"), ("status", "已对接金融机构")];
        assert_eq!(app.post_form("/projects/LAND/financing", b, &good).await.status, 303);
        let project = app.get("/projects/LAND", b).await;
        assert!(project.body.contains("龙江银行") && !project.body.contains("尚无融资方案（"), "{}", project.body);

        // The thresholds are the bureau's to change: a 60-day idle line puts IDLE out.
        let mut rules = vec![("csrf", csrf.as_str())];
        let values = ["10", "30", "60", "90", "180", "30", "365", "60"];
        let names = ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"];
        rules.extend(names.iter().copied().zip(values));
        assert_eq!(app.post_form("/warnings/rules", b, &rules).await.status, 303);
        let page = app.get("/warnings", b).await;
        assert!(!page.body.contains("在谈已42天无进展") && page.body.contains("签约122天仍未落地"), "{}", page.body);
        let mut bad_rules = rules.clone();
        bad_rules[3] = ("r2", "三十");
        let reply = app.post_form("/warnings/rules", b, &bad_rules).await;
        assert!(reply.status == 422 && reply.body.contains("在谈无进展天数：“三十”不是1至36500之间的整数"), "{} {}", reply.status, reply.body);
        let (staff, staff_csrf) = app.sign_in("jixian").await;
        let mut theirs = rules.clone();
        theirs[0] = ("csrf", staff_csrf.as_str());
        assert_eq!(app.post_form("/warnings/rules", Some(&staff), &theirs).await.status, 403);
        // Unit staff see their own unit's lit projects.
        let page = app.get("/warnings", Some(&staff)).await;
        assert!(page.status == 200 && page.body.contains("预警样例PLAN"), "{}", page.body);
    }

    async fn a_unit_behind_its_targets_is_lit_with_the_points_it_lags(db) {
        let app = start(db.open().await.unwrap()).await;
        let store = db.open().await.unwrap();
        let mut tx = store.begin("test").await.unwrap();
        tx.set_records_as_of(d("2022-06-30")).await.unwrap();
        for (unit, target) in [("集贤县", 4), ("宝清县", 1)] {
            tx.upsert_target(&domain::records::Target { year: 2022, unit: Some(unit.into()), indicator: domain::figures::Indicator::SignedProjects, value: target }).await.unwrap();
        }
        event(&mut tx, "JX-1", EventKind::Stage(Stage::Signed), "2022-03-01", Some(1_000)).await;
        event(&mut tx, "BQ-1", EventKind::Stage(Stage::Signed), "2022-03-01", Some(1_000)).await;
        tx.commit().await.unwrap();
        let (bureau, _) = app.sign_in("bureau").await;
        let page = app.get("/warnings", Some(&bureau)).await;
        // 1 of 4 at 181/365 = 49.6 % of the year: 24.6 points behind, yellow; 宝清县 has done its 1.
        assert!(page.body.contains("<td>集贤县</td><td><span class=\"light yellow\">黄灯</span>") && page.body.contains("签约项目数：任务进度25.0%，时间进度49.6%，落后24.6个百分点"), "{}", page.body);
        let units = page.body.split("项目预警").next().unwrap();
        assert!(!units.contains("<td>宝清县</td>"), "{units}");
    }
}

/// The city's figure `indicator` for 2022 H1 over the API, counting pending records or not.
async fn city_value(app: &App, cookie: &str, indicator: &str, pending: bool) -> i64 {
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

both_databases! {
    async fn a_units_report_counts_once_approved_at_both_levels_and_a_return_takes_it_out(db) {
        let app = start(db.open().await.unwrap()).await;
        let store = db.open().await.unwrap();
        let mut tx = store.begin("test").await.unwrap();
        let hash = store::accounts::hash_password_cheaply("correct horse").unwrap();
        tx.add_user("jx-review", "集贤县审核员", Role::UnitReviewer, Some("集贤县"), &hash).await.unwrap();
        tx.commit().await.unwrap();
        let (staff, csrf) = app.sign_in("jixian").await;
        let (reviewer, reviewer_csrf) = app.sign_in("jx-review").await;
        let (bureau, bureau_csrf) = app.sign_in("bureau").await;
        let (s, r, b) = (Some(staff.as_str()), Some(reviewer.as_str()), Some(bureau.as_str()));

        sign(&app, &staff, &csrf, "JX-1", "2022-03-01", "1000").await;
        assert!(app.get("/projects/JX-1", s).await.body.contains("未审核，暂不计入统计"));
        assert_eq!(city_value(&app, &bureau, "signed_projects", false).await, 0, "not counted while in review");
        assert_eq!(city_value(&app, &bureau, "signed_projects", true).await, 1, "the pending view counts it");
        let queue = app.get("/review", s).await;
        assert!(queue.body.contains("待县区审核") && queue.body.contains("签约 1,000.00 万元"), "{}", queue.body);
        let id = queue.body.split("/review/event/").nth(1).map(|rest| rest.split('/').next().unwrap().to_owned());
        assert!(id.is_none(), "the staff get no approve button for their own report");
        let review_queue = app.get("/review", r).await;
        let id = review_queue.body.split("/review/event/").nth(1).unwrap().split('/').next().unwrap().to_owned();
        let event = format!("/review/event/{id}");
        // The reporter cannot approve their own record, nor can the city before the county.
        assert_eq!(app.post_form(&format!("{event}/approve"), s, &[("csrf", csrf.as_str())]).await.status, 403);
        assert_eq!(app.post_form(&format!("{event}/approve"), b, &[("csrf", bureau_csrf.as_str())]).await.status, 403);
        assert_eq!(app.post_form(&format!("{event}/approve"), r, &[("csrf", reviewer_csrf.as_str())]).await.status, 303);
        assert_eq!(city_value(&app, &bureau, "signed_projects", false).await, 0, "the county's approval is not the city's");
        assert!(app.get("/review", b).await.body.contains("待市级审核"));
        // The city returns it with a reason: it leaves even the pending view.
        let no_reason = app.post_form(&format!("{event}/return"), b, &[("csrf", bureau_csrf.as_str()), ("reason", " ")]).await;
        assert!(no_reason.status == 422 && no_reason.body.contains("退回理由：退回须说明理由"), "{} {}", no_reason.status, no_reason.body);
        let back = [("csrf", bureau_csrf.as_str()), ("reason", "签约金额与合同不符，请核实")];
        assert_eq!(app.post_form(&format!("{event}/return"), b, &back).await.status, 303);
        let queue = app.get("/review", s).await;
        assert!(queue.body.contains("已退回") && queue.body.contains("退回理由：签约金额与合同不符，请核实") && queue.body.contains("重新报送"), "{}", queue.body);
        assert_eq!(city_value(&app, &bureau, "signed_projects", false).await, 0, "a returned record does not count");
        assert_eq!(app.post_form(&format!("{event}/approve"), b, &[("csrf", bureau_csrf.as_str())]).await.status, 403, "nothing to approve once returned");
        // Resubmitted, it climbs both levels again and then counts.
        assert_eq!(app.post_form(&format!("{event}/resubmit"), s, &[("csrf", csrf.as_str())]).await.status, 303);
        assert_eq!(app.post_form(&format!("{event}/approve"), r, &[("csrf", reviewer_csrf.as_str())]).await.status, 303);
        assert_eq!(app.post_form(&format!("{event}/approve"), b, &[("csrf", bureau_csrf.as_str())]).await.status, 303);
        assert_eq!(city_value(&app, &bureau, "signed_projects", false).await, 1);
        assert_eq!(city_value(&app, &bureau, "signed_amount", false).await, 10_000_000);
        assert!(!app.get("/projects/JX-1", s).await.body.contains("未审核"));
        // What the bureau enters counts at once.
        sign(&app, &bureau, &bureau_csrf, "BQ-1", "2022-04-01", "500").await;
        assert_eq!(city_value(&app, &bureau, "signed_projects", false).await, 2);
        // Another county's record is not this reviewer's to see.
        assert_eq!(app.post_form("/review/event/999999/approve", r, &[("csrf", reviewer_csrf.as_str())]).await.status, 404);
    }

    async fn a_closed_month_refuses_the_units_records_until_the_city_reopens_it(db) {
        let app = start(db.open().await.unwrap()).await;
        let (staff, csrf) = app.sign_in("jixian").await;
        let (bureau, bureau_csrf) = app.sign_in("bureau").await;
        let (s, b) = (Some(staff.as_str()), Some(bureau.as_str()));
        let bad = app.post_form("/review/window/close", b, &[("csrf", bureau_csrf.as_str()), ("month", "2022-13")]).await;
        assert!(bad.status == 422 && bad.body.contains("月份：“2022-13”不是月份"), "{} {}", bad.status, bad.body);
        assert_eq!(app.post_form("/review/window/close", s, &[("csrf", csrf.as_str()), ("month", "2022-03")]).await.status, 403);
        assert_eq!(app.post_form("/review/window/close", b, &[("csrf", bureau_csrf.as_str()), ("month", "2022-3")]).await.status, 303);
        assert!(app.get("/review", s).await.body.contains("已关闭的月份：2022-03"));
        let talks = [("csrf", csrf.as_str()), ("kind", "在谈"), ("date", "2022-03-15")];
        let refused = app.post_form("/projects/JX-1/events", s, &talks).await;
        assert!(refused.status == 409 && refused.body.contains("2022-03的填报窗口已关闭"), "{} {}", refused.status, refused.body);
        let april = [("csrf", csrf.as_str()), ("kind", "在谈"), ("date", "2022-04-02")];
        assert_eq!(app.post_form("/projects/JX-1/events", s, &april).await.status, 303, "other months stay open");
        let city = [("csrf", bureau_csrf.as_str()), ("kind", "在谈"), ("date", "2022-03-15")];
        assert_eq!(app.post_form("/projects/BQ-1/events", b, &city).await.status, 303, "the city still records a closed month");
        assert_eq!(app.post_form("/review/window/reopen", b, &[("csrf", bureau_csrf.as_str()), ("month", "2022-03")]).await.status, 303);
        let fund = [("csrf", csrf.as_str()), ("date", "2022-03-20"), ("amount", "10"), ("currency", "人民币"), ("source", "")];
        assert_eq!(app.post_form("/projects/JX-1/funds", s, &fund).await.status, 303);
        let page = app.get("/projects/JX-1", s).await.body;
        let funds = page.split("<h2>到位资金</h2>").nth(1).unwrap().split("</table>").next().unwrap();
        assert!(funds.contains("未审核，暂不计入统计"), "the unit's fund waits for review: {funds}");
        let page = app.get("/projects/BQ-1", b).await.body;
        assert!(!page.contains("未审核"), "what the city enters counts at once");
    }
}

both_databases! {
    async fn each_home_page_lists_what_waits_for_that_person(db) {
        let app = start(db.open().await.unwrap()).await;
        unit_with_staff(db, "市自然资源局", UnitKind::Department, "ziran").await;
        let store = db.open().await.unwrap();
        let mut tx = store.begin("test").await.unwrap();
        let hash = store::accounts::hash_password_cheaply("correct horse").unwrap();
        tx.add_user("jx-review", "集贤县审核员", Role::UnitReviewer, Some("集贤县"), &hash).await.unwrap();
        tx.set_records_as_of(d("2022-07-01")).await.unwrap();
        tx.upsert_leader(&domain::records::Leader { name: "王建国".into(), title: None, illustrative: false }).await.unwrap();
        assert!(tx.link_leader("jixian", Some("王建国")).await.is_err(), "only a leader account speaks for a leader");
        tx.link_leader("leader", Some("王建国")).await.unwrap();
        tx.set_leader_units("王建国", &["集贤县".to_owned()]).await.unwrap();
        let mut project = store.project("JX-1").await.unwrap().unwrap().project;
        project.leader = Some("王建国".into());
        tx.upsert_project(&project).await.unwrap();
        let blocker = domain::blockers::NewBlocker::new("JX-1", "用地指标未落实", "用地", d("2022-06-01"), "市自然资源局", None, d("2022-06-20"), d("2022-07-01")).unwrap();
        tx.raise_blocker(&blocker).await.unwrap();
        use domain::responsibility::{ElementItem, ElementStatus, ElementSupport};
        let land = ElementSupport::new(ElementItem::LandQuota, ElementStatus::InProgress, Some("市自然资源局".into()), Some(d("2022-06-01")), None).unwrap();
        tx.set_element("JX-1", &land).await.unwrap();
        tx.commit().await.unwrap();
        let (staff, csrf) = app.sign_in("jixian").await;
        sign(&app, &staff, &csrf, "JX-1", "2022-03-01", "1000").await;

        let home = |who: &'static str| {
            let app = &app;
            async move {
                let (cookie, csrf) = app.sign_in(who).await;
                let page = app.get("/my", Some(&cookie)).await;
                assert_eq!(page.status, 200, "{who}: {}", page.body);
                (cookie, csrf, page.body)
            }
        };
        let (reviewer, reviewer_csrf, page) = home("jx-review").await;
        assert!(page.contains("待我审核（县区审核）（1条）") && page.contains("签约 1,000.00 万元"), "{page}");
        let review_page = app.get("/review", Some(&reviewer)).await;
        let event = review_page.body.split("/review/event/").nth(1).unwrap().split('/').next().unwrap().to_owned();
        assert_eq!(app.post_form(&format!("/review/event/{event}/approve"), Some(&reviewer), &[("csrf", reviewer_csrf.as_str())]).await.status, 303);
        let (bureau, bureau_csrf, page) = home("bureau").await;
        assert!(page.contains("待我审核（市级审核）（1条）"), "{page}");
        assert!(page.contains("逾期未解决的堵点问题（1项）") && page.contains("用地指标未落实"), "{page}");
        assert!(page.contains("全市各单位和项目的红黄绿灯见"), "the city's lights are one click away: {page}");
        let back = [("csrf", bureau_csrf.as_str()), ("reason", "请附合同扫描件")];
        assert_eq!(app.post_form(&format!("/review/event/{event}/return"), Some(&bureau), &back).await.status, 303);
        let (_, _, page) = home("jixian").await;
        assert!(page.contains("被退回、待重新报送的记录（1条）") && page.contains("退回理由：请附合同扫描件"), "{page}");
        assert!(page.contains("本单位负责或已逾期的堵点问题（1项）"), "the overdue blocker on its project: {page}");
        assert!(page.contains("亮红灯的项目（1个）") && page.contains("堵点问题“用地指标未落实”逾期11天未解决"), "{page}");
        let (leader, _, page) = home("leader").await;
        assert!(page.contains("本账号对应领导") && page.contains("待我协调的堵点问题（1项）") && page.contains("已升级"), "{page}");
        // The leader's own 包保 scope stands out in the lists.
        let list = app.get("/projects", Some(&leader)).await.body;
        let row = |code: &str| list.split("<tr").find(|r| r.contains(&format!(">{code}</a>"))).unwrap_or_default().to_owned();
        assert!(row("JX-1").contains("我包保") && !row("BQ-1").contains("我包保"), "{list}");
        let board = app.get("/scoreboard?year=2022&period=H1", Some(&leader)).await.body;
        assert!(board.contains("<tr class=\"mine\">") && board.matches("我包保").count() == 1, "{board}");
        assert!(!app.get("/projects", Some(&bureau)).await.body.contains("我包保"), "other accounts have no scope of their own");
        let (_, _, page) = home("ziran").await;
        assert!(page.contains("本部门要素保障待办（1项）") && page.contains("用地指标"), "{page}");
        assert!(page.contains("本单位负责或已逾期的堵点问题（1项）"), "the department owns the blocker: {page}");
        let (_, _, page) = home("sysadmin").await;
        assert!(page.contains("不处理业务数据") && !page.contains("堵点"), "{page}");
        // Signing in lands on the home page.
        let reply = post_sign_in(app.addr, "bureau", "correct horse").await;
        assert_eq!(reply.header("location"), Some("/my"));
    }
}

both_databases! {
    async fn a_work_team_has_its_leader_members_projects_and_their_blockers(db) {
        let app = start(db.open().await.unwrap()).await;
        let store = db.open().await.unwrap();
        let mut tx = store.begin("test").await.unwrap();
        tx.upsert_leader(&domain::records::Leader { name: "陈立新".into(), title: None, illustrative: false }).await.unwrap();
        tx.upsert_team(&domain::records::Team::new("石墨专班", Some("陈立新".into())).unwrap()).await.unwrap();
        let mut project = store.project("JX-1").await.unwrap().unwrap().project;
        project.team = Some("石墨专班".into());
        tx.upsert_project(&project).await.unwrap();
        let blocker = domain::blockers::NewBlocker::new("JX-1", "石墨提纯用电价格高", "水电气暖", d("2022-06-01"), "集贤县", None, d("2099-06-20"), d("2022-07-01")).unwrap();
        tx.raise_blocker(&blocker).await.unwrap();
        tx.commit().await.unwrap();
        let (bureau, csrf) = app.sign_in("bureau").await;
        let b = Some(bureau.as_str());
        assert!(app.get("/teams", b).await.body.contains("href=\"/team/石墨专班\""));
        let path = "/team/%E7%9F%B3%E5%A2%A8%E4%B8%93%E7%8F%AD";
        let page = app.get(path, b).await;
        assert!(page.status == 200 && page.body.contains("尚未登记成员") && page.body.contains("JX-1") && !page.body.contains("BQ-1"), "{}", page.body);
        assert!(page.body.contains("石墨提纯用电价格高") && page.body.contains("href=\"/leader/陈立新\""), "{}", page.body);
        let members = format!("{path}/members");
        let no_name = [("csrf", csrf.as_str()), ("members", "孙立军，集贤县，专班办公室主任\n，宝清县")];
        let reply = app.post_form(&members, b, &no_name).await;
        assert!(reply.status == 422 && reply.body.contains("专班成员：第2行没有姓名"), "{} {}", reply.status, reply.body);
        let unknown_unit = [("csrf", csrf.as_str()), ("members", "孙立军，不存在局")];
        let reply = app.post_form(&members, b, &unknown_unit).await;
        assert!(reply.status == 422 && reply.body.contains("成员单位") && reply.body.contains("不存在局"), "{} {}", reply.status, reply.body);
        assert!(app.get(path, b).await.body.contains("尚未登记成员"), "nothing was half-saved");
        let good = [("csrf", csrf.as_str()), ("members", "孙立军，集贤县，专班办公室主任\n马红梅，宝清县")];
        assert_eq!(app.post_form(&members, b, &good).await.status, 303);
        let page = app.get(path, b).await;
        assert!(page.body.contains("<td>孙立军</td><td>集贤县</td><td>专班办公室主任</td>") && page.body.contains("成员</dt><dd>2 人"), "{}", page.body);
        let (staff, staff_csrf) = app.sign_in("jixian").await;
        let theirs = [("csrf", staff_csrf.as_str()), ("members", "张三")];
        assert_eq!(app.post_form(&members, Some(&staff), &theirs).await.status, 403);
        assert_eq!(app.get("/team/%E6%97%A0", b).await.status, 404);
    }
}

/// Firms of the 招商大数据库 for the search and chain tests: (name, credit code, industry,
/// province, tags).
async fn stock_firms(store: &Store) {
    use domain::enterprise::{Enterprise, IndustryCode};
    let firms = [
        (
            "中国船舶集团有限公司",
            "91110000710935732K",
            "C3731",
            "北京市",
            "世界500强、行业龙头",
        ),
        (
            "江南造船（集团）有限责任公司",
            "913100001322785664",
            "C3731",
            "上海市",
            "",
        ),
        (
            "青岛洛唯新材料有限公司",
            "91370200MA3R5T6Y7E",
            "C3099",
            "山东省",
            "",
        ),
        (
            "双鸭山龙煤天泰煤化工有限公司",
            "91230500MA1B2C3D4X",
            "C2520",
            "黑龙江省",
            "",
        ),
        (
            "中国石油化工股份有限公司",
            "91110000101696839W",
            "C2511",
            "北京市",
            "世界500强、上市",
        ),
    ];
    let firms: Vec<Enterprise> = firms
        .iter()
        .map(|(name, code, industry, province, tags)| {
            let mut e = Enterprise::new(name).unwrap();
            e.credit_code = Some(domain::CreditCode::parse("代码", code).unwrap());
            e.industry = Some(IndustryCode::parse("行业", industry).unwrap());
            e.province = Some((*province).into());
            e.tags = Enterprise::split_tags(tags);
            e
        })
        .collect();
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_enterprises(&firms).await.unwrap();
    tx.commit().await.unwrap();
}

/// The firm names a search page lists, in order.
fn listed_firms(body: &str) -> Vec<String> {
    body.split("<a href=\"/enterprises/")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once("\">")
                .map(|(_, r)| r.split('<').next().unwrap_or("").to_owned())
        })
        .collect()
}

fn firm_id(body: &str, name: &str) -> String {
    body.split("<a href=\"/enterprises/")
        .skip(1)
        .find(|rest| rest.contains(&format!("\">{name}<")))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned()
}

both_databases! {
    async fn enterprise_search_finds_partial_and_inner_words_with_filters_within_permissions(db) {
        let store = db.open().await.unwrap();
        stock_firms(&store).await;
        let app = start(store).await;
        let store = db.open().await.unwrap();
        let mut tx = store.begin("test").await.unwrap();
        for unit in ["集贤县", "宝清县"] {
            let mut visit = domain::records::Visit::new(d("2022-05-01"));
            visit.unit = Some(unit.into());
            visit.enterprise = Some("中国船舶集团有限公司".into());
            visit.enterprise_code = Some(domain::CreditCode::parse("代码", "91110000710935732K").unwrap());
            visit.content = Some(format!("{unit}洽谈风电装备"));
            tx.add_visit(&visit).await.unwrap();
        }
        tx.commit().await.unwrap();
        let (bureau, _) = app.sign_in("bureau").await;
        let b = Some(bureau.as_str());
        let found = |q: &str| {
            let path = format!("/enterprises?{q}");
            let app = &app;
            async move {
                let page = app.get(&path, b).await;
                assert_eq!(page.status, 200, "{}", page.body);
                listed_firms(&page.body)
            }
        };
        assert_eq!(found("q=%E4%B8%AD%E8%88%B9").await.first().map(String::as_str), Some("中国船舶集团有限公司"), "中船, the abbreviation");
        assert_eq!(found("q=%E9%80%A0%E8%88%B9").await, vec!["江南造船（集团）有限责任公司"], "造船, a word inside the name");
        assert_eq!(found("q=%E6%B4%9B%E5%94%AF").await, vec!["青岛洛唯新材料有限公司"], "洛唯, a run of characters inside");
        let mut flagged = found("flag=%E4%B8%96%E7%95%8C500%E5%BC%BA").await;
        flagged.sort();
        assert_eq!(flagged, vec!["中国石油化工股份有限公司", "中国船舶集团有限公司"], "世界500强");
        assert_eq!(
            found("flag=%E4%B8%96%E7%95%8C500%E5%BC%BA&flag=%E8%A1%8C%E4%B8%9A%E9%BE%99%E5%A4%B4").await,
            vec!["中国船舶集团有限公司"],
            "世界500强 and 行业龙头"
        );
        assert_eq!(found("industry=C37&province=%E4%B8%8A%E6%B5%B7%E5%B8%82").await, vec!["江南造船（集团）有限责任公司"]);
        assert!(found("q=%E4%B8%AD%E8%88%B9&industry=C25").await.is_empty(), "text and filter together");
        let bad = app.get("/enterprises?industry=Z99", b).await;
        assert!(bad.body.contains("不是国民经济行业分类"), "a bad code is named, not ignored");

        // Permissions: strangers sign in first, administrators read no business data.
        let stranger = app.get("/enterprises?q=x", None).await;
        assert_eq!((stranger.status, stranger.header("location")), (303, Some("/login")));
        let (admin, _) = app.sign_in("sysadmin").await;
        assert_eq!(app.get("/enterprises", Some(&admin)).await.status, 403);

        // The profile: every visit for the bureau, only its own unit's for a county's staff.
        let listing = app.get("/enterprises?q=%E4%B8%AD%E8%88%B9", b).await;
        let id = firm_id(&listing.body, "中国船舶集团有限公司");
        let profile = app.get(&format!("/enterprises/{id}"), b).await;
        assert!(profile.body.contains("集贤县洽谈风电装备") && profile.body.contains("宝清县洽谈风电装备"));
        let (staff, staff_csrf) = app.sign_in("jixian").await;
        let s = Some(staff.as_str());
        let theirs = app.get(&format!("/enterprises/{id}"), s).await;
        assert_eq!(theirs.status, 200);
        assert!(theirs.body.contains("集贤县洽谈风电装备"));
        assert!(!theirs.body.contains("宝清县洽谈风电装备"), "another county's visit stays hidden");
        assert!(theirs.body.contains("另有 1 条其他单位的对接记录"));
        assert_eq!(app.get(&format!("/enterprises/{id}"), Some(&admin)).await.status, 403);
        assert_eq!(app.get("/enterprises/999999", b).await.status, 404);
        // Contacts: added by the units' staff, refused without a name, refused to an auditor.
        let added = app.post_form(&format!("/enterprises/{id}/contacts"), s, &[("csrf", &staff_csrf), ("name", "王经理"), ("phone", "13800000000")]).await;
        assert_eq!(added.status, 303, "{}", added.body);
        assert!(app.get(&format!("/enterprises/{id}"), b).await.body.contains("王经理"));
        let nameless = app.post_form(&format!("/enterprises/{id}/contacts"), s, &[("csrf", &staff_csrf), ("name", " ")]).await;
        assert_eq!(nameless.status, 422);
        assert!(nameless.body.contains("联系人"));
        let (auditor, auditor_csrf) = app.sign_in("auditor").await;
        let refused = app.post_form(&format!("/enterprises/{id}/contacts"), Some(&auditor), &[("csrf", &auditor_csrf), ("name", "李四")]).await;
        assert_eq!(refused.status, 403);
    }

    async fn a_chain_map_marks_a_segment_without_local_firms_as_a_gap_and_ranks_targets(db) {
        let store = db.open().await.unwrap();
        stock_firms(&store).await;
        let mut tx = store.begin("test").await.unwrap();
        tx.upsert_chain(&domain::records::Chain::new("船舶产业链", Some("装备制造".into()), None).unwrap()).await.unwrap();
        // More shipbuilders with a larger registered capital than any target list holds: the
        // 500强 group, whose capital was never recorded, must still come first on its points.
        let yards: Vec<domain::enterprise::Enterprise> = (0..600)
            .map(|i| {
                let mut e = domain::enterprise::Enterprise::new(&format!("辽东第{i}造船有限公司")).unwrap();
                e.industry = Some(domain::enterprise::IndustryCode::parse("行业", "C3731").unwrap());
                e.province = Some("辽宁省".into());
                e.size = Some(domain::enterprise::EnterpriseSize::Large);
                e.registered_capital = Some(domain::Money::from_units("注册资本", 1_000_000_000 + i).unwrap());
                e
            })
            .collect();
        tx.upsert_enterprises(&yards).await.unwrap();
        tx.commit().await.unwrap();
        let app = start(store).await;
        let (bureau, csrf) = app.sign_in("bureau").await;
        let b = Some(bureau.as_str());
        let base = "/chain-maps/%E8%88%B9%E8%88%B6%E4%BA%A7%E4%B8%9A%E9%93%BE";
        for (name, position, codes) in [("钢材", "上游", "C3110"), ("船舶总装", "中游", "C3731"), ("船用设备", "配套", "C3734")] {
            let reply = app.post_form(&format!("{base}/segments"), b, &[("csrf", &csrf), ("name", name), ("position", position), ("industries", codes)]).await;
            assert_eq!(reply.status, 303, "{}", reply.body);
        }
        let placed = app.post_form(&format!("{base}/firms"), b, &[("csrf", &csrf), ("segment", "船舶总装"), ("firm", "913100001322785664"), ("role", "已有"), ("chain_leader", "1")]).await;
        assert_eq!(placed.status, 303, "{}", placed.body);
        let unknown = app.post_form(&format!("{base}/firms"), b, &[("csrf", &csrf), ("segment", "船舶总装"), ("firm", "不存在的企业"), ("role", "已有")]).await;
        assert_eq!(unknown.status, 422);
        assert!(unknown.body.contains("企业库中没有“不存在的企业”"));
        let bad_position = app.post_form(&format!("{base}/segments"), b, &[("csrf", &csrf), ("name", "物流"), ("position", "旁边"), ("industries", "")]).await;
        assert_eq!(bad_position.status, 422);
        assert!(bad_position.body.contains("应为上游、中游、下游或配套"));

        let page = app.get(base, b).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let segment_box = |name: &str| {
            let start = page.body.find(&format!("data-segment=\"{name}\"")).unwrap();
            let end = start + page.body[start..].find("</g>").unwrap();
            page.body[start..end].to_owned()
        };
        assert!(segment_box("钢材").contains("缺失·延链"), "an empty upstream link is a gap to extend into");
        assert!(segment_box("船用设备").contains("缺失·补链"), "an empty support link is a gap to fill");
        assert!(segment_box("船舶总装").contains("薄弱·强链"), "one local firm is thin");
        assert!(segment_box("船舶总装").contains("链主：江南造船"));
        let fill = app.get(&format!("{base}?view=fill"), b).await;
        assert!(fill.body.contains("id=\"segment-") && fill.body.contains("船用设备") && !fill.body.contains("<td>钢材</td>"));

        // Targets for the thin 船舶总装: the 500强 shipbuilder first, with its reasons; the local
        // firm is not recommended to itself.
        let segment_id = page.body.split("id=\"segment-").nth(2).unwrap().split('"').next().unwrap().to_owned();
        let targets = app.get(&format!("{base}/segments/{segment_id}/targets"), b).await;
        assert_eq!(targets.status, 200, "{}", targets.body);
        let first = targets.body.split("<tbody>").nth(1).unwrap().split("</tr>").next().unwrap();
        assert!(first.contains("中国船舶集团有限公司"), "85 points beat 60 whatever the capital: {first}");
        assert!(targets.body.contains("所在大类的 602 家企业全部参与计分"), "every shipbuilder of C37 is weighed");
        assert!(targets.body.contains("行业C3731与环节行业C3731小类相同（+40）"), "{}", targets.body);
        assert!(targets.body.contains("世界500强（+25）"));
        let table = targets.body.split("<tbody>").nth(1).unwrap();
        assert!(!table.contains("江南造船"), "already local");

        let (staff, staff_csrf) = app.sign_in("jixian").await;
        let refused = app.post_form(&format!("{base}/segments"), Some(&staff), &[("csrf", &staff_csrf), ("name", "x"), ("position", "中游")]).await;
        assert_eq!(refused.status, 403);
        assert_eq!(app.get("/chain-maps/%E6%97%A0", b).await.status, 404);

        // The print view: the map, the links and each missing or thin link's best targets, with
        // no forms or menus; read by the same roles.
        let print = app.get(&format!("{base}/print"), b).await;
        assert_eq!(print.status, 200, "{}", print.body);
        assert!(print.body.contains("<body class=\"print\">") && !print.body.contains("<form") && !print.body.contains("<nav"));
        assert!(print.body.contains("共3个环节：较强0个，薄弱1个（强链），缺失2个（补链1个、延链1个）；链主企业江南造船（集团）有限责任公司；归入环节的项目0个。"), "{}", print.body);
        assert!(print.body.contains("data-segment=\"钢材\"") && print.body.contains("缺失·延链"));
        let shipbuilding = print.body.split("<h3>船舶总装（中游 · 薄弱·强链）</h3>").nth(1).unwrap().split("</table>").next().unwrap();
        assert!(shipbuilding.contains("所在大类企业库中共602家"), "{shipbuilding}");
        assert_eq!(shipbuilding.matches("<tr><td>").count(), 5, "five targets a link");
        assert!(shipbuilding.split("<tr><td>1</td>").nth(1).unwrap().starts_with("<td>中国船舶集团有限公司</td>"));
        assert!(print.body.contains("<h3>钢材（上游 · 缺失·延链）</h3>\n<p>企业库中没有行业相符的企业。</p>"), "no steel firm in the database");
        assert_eq!(app.get("/chain-maps/%E6%97%A0/print", b).await.status, 404);
        let (admin, _) = app.sign_in("sysadmin").await;
        assert_eq!(app.get(&format!("{base}/print"), Some(&admin)).await.status, 403);
    }

    async fn a_suspected_duplicate_is_held_for_review_and_not_counted_until_cleared(db) {
        let app = start(db.open().await.unwrap()).await;
        let (bureau, csrf) = app.sign_in("bureau").await;
        let b = Some(bureau.as_str());
        let code = "91110000710935732K";
        let create = |project: &'static str, name: &'static str, territory: &'static str, investor_code: &'static str| {
            let (app, csrf) = (&app, csrf.clone());
            async move {
                let reply = app.post_form("/projects/new", b, &[("csrf", &csrf), ("code", project), ("name", name), ("territory", territory), ("investor", "中国船舶集团有限公司"), ("investor_code", investor_code), ("capital_origin", "内资"), ("currency", "人民币")]).await;
                assert_eq!(reply.status, 303, "{}", reply.body);
            }
        };
        create("ZC-1", "集贤200兆瓦风电项目", "集贤县", code).await;
        sign(&app, &bureau, &csrf, "ZC-1", "2022-03-01", "1000").await;
        assert_eq!(city_value(&app, &bureau, "signed_projects", false).await, 1);
        // The same investor reports it again in the same county under a slightly other name.
        create("ZC-2", "集贤200兆瓦风电", "集贤县", code).await;
        sign(&app, &bureau, &csrf, "ZC-2", "2022-03-05", "1000").await;
        // Different county, or a different investor: not suspected.
        create("ZC-3", "集贤200兆瓦风电项目", "宝清县", code).await;
        create("ZC-4", "集贤200兆瓦风电项目", "集贤县", "91110000101696839W").await;
        let list = app.get("/duplicates", b).await;
        assert!(list.body.contains("ZC-2") && list.body.contains("疑似重复，待研判"), "{}", list.body);
        assert!(!list.body.contains("ZC-3") && !list.body.contains("ZC-4"));
        assert_eq!(city_value(&app, &bureau, "signed_projects", false).await, 1, "held: not counted");
        assert_eq!(city_value(&app, &bureau, "signed_amount", false).await, 10_000_000, "nor its amount");
        let page = app.get("/projects/ZC-2", b).await;
        assert!(page.body.contains("重复研判：疑似重复，待研判") && page.body.contains("本项目不计入任何统计"), "the project page says so");
        assert!(!app.get("/projects/ZC-1", b).await.body.contains("重复研判："), "the original is not marked");
        // The project list marks it; it raises no warning while it counts in no figure.
        let projects = app.get("/projects", b).await.body;
        assert!(projects.contains("ZC-2</a> <a class=\"badge\" href=\"/duplicates\">疑似重复·待研判</a>"), "{projects}");
        assert!(!projects.contains("ZC-1</a> <a class=\"badge\""), "the original is not marked");
        let store = db.open().await.unwrap();
        let situations = |code: &str| {
            let filter = store::ProjectFilter { code: Some(code.into()), ..Default::default() };
            let store = &store;
            async move { store.project_situations(&filter, chrono::NaiveDate::from_ymd_opt(2023, 6, 30).unwrap()).await.unwrap().len() }
        };
        assert_eq!((situations("ZC-1").await, situations("ZC-2").await), (1, 0), "held: no warnings of its own");

        let (staff, staff_csrf) = app.sign_in("jixian").await;
        let refused = app.post_form("/duplicates/ZC-2/distinct", Some(&staff), &[("csrf", &staff_csrf)]).await;
        assert_eq!(refused.status, 403);
        assert!(app.get("/duplicates", Some(&staff)).await.body.contains("ZC-2"), "the county sees its suspicion");

        let cleared = app.post_form("/duplicates/ZC-2/distinct", b, &[("csrf", &csrf)]).await;
        assert_eq!(cleared.status, 303);
        assert_eq!(city_value(&app, &bureau, "signed_projects", false).await, 2, "cleared: counted");
        assert_eq!(situations("ZC-2").await, 1, "cleared: warned like any project");
        let again = app.post_form("/duplicates/ZC-2/duplicate", b, &[("csrf", &csrf)]).await;
        assert_eq!(again.status, 409, "judged once");

        create("ZC-5", "集贤200兆瓦风电项目二期", "集贤县", code).await;
        let confirmed = app.post_form("/duplicates/ZC-5/duplicate", b, &[("csrf", &csrf)]).await;
        assert_eq!(confirmed.status, 303);
        assert!(app.get("/duplicates", b).await.body.contains("已确认重复，不计入统计"));

        // A project edited into a second report of another is held like a new one: ZC-4 (another
        // investor) now names ZC-1's investor. An edit of anything else holds nothing, and the
        // bureau's judgement of ZC-2 stands through a rename.
        let edit = |project: &'static str, name: &'static str, investor_code: &'static str, planned: &'static str| {
            let (app, csrf) = (&app, csrf.clone());
            async move {
                let reply = app.edit_project(project, b, &[("csrf", &csrf), ("name", name), ("territory", "集贤县"), ("investor", "中国船舶集团有限公司"), ("investor_code", investor_code), ("capital_origin", "内资"), ("currency", "人民币"), ("planned_investment", planned)]).await;
                assert_eq!(reply.status, 303, "{}", reply.body);
            }
        };
        sign(&app, &bureau, &csrf, "ZC-4", "2022-04-01", "500").await;
        assert_eq!(city_value(&app, &bureau, "signed_projects", false).await, 3, "ZC-1, ZC-2, ZC-4");
        edit("ZC-4", "集贤200兆瓦风电项目", "91110000101696839W", "800").await;
        assert!(!app.get("/duplicates", b).await.body.contains("ZC-4"), "its investor is another");
        edit("ZC-4", "集贤200兆瓦风电项目", code, "800").await;
        assert!(app.get("/duplicates", b).await.body.contains("ZC-4"));
        assert!(app.get("/projects/ZC-4", b).await.body.contains("重复研判：疑似重复，待研判"));
        assert_eq!(city_value(&app, &bureau, "signed_projects", false).await, 2, "held after the edit: not counted");
        edit("ZC-2", "集贤200兆瓦风电工程", code, "900").await;
        assert_eq!(city_value(&app, &bureau, "signed_projects", false).await, 2, "ZC-2 stays cleared");
    }
}

both_databases! {
    async fn visits_are_counted_by_unit_and_leader_and_plans_held_against_them(db) {
        let app = start(db.open().await.unwrap()).await;
        unit_with_staff(db, "宝清县", UnitKind::County, "baoqing").await;
        let store = db.open().await.unwrap();
        let mut tx = store.begin("test").await.unwrap();
        tx.set_records_as_of(d("2022-07-10")).await.unwrap();
        tx.commit().await.unwrap();
        let (staff, csrf) = app.sign_in("jixian").await;
        let s = Some(staff.as_str());
        let visit = |date: &'static str, firm: &'static str, leaders: &'static str| {
            let (app, csrf) = (&app, csrf.clone());
            async move {
                app.post_form("/visits", s, &[("csrf", &csrf), ("date", date), ("enterprise", firm), ("leaders", leaders), ("mode", "上门拜访")]).await
            }
        };
        assert_eq!(visit("2022-06-01", "中国船舶集团有限公司", "陈立新、王建国").await.status, 303);
        assert_eq!(visit("2022-06-20", "青岛洛唯新材料有限公司", "陈立新").await.status, 303);
        let bad = visit("2022-13-01", "某公司", "").await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("日期"), "{}", bad.body);
        for (date, firm) in [("2022-06-30", "中国船舶集团有限公司"), ("2022-06-15", "江南造船（集团）有限责任公司"), ("2022-09-30", "中国石油化工股份有限公司")] {
            let reply = app.post_form("/visits/plans", s, &[("csrf", &csrf), ("date", date), ("enterprise", firm), ("leaders", "陈立新")]).await;
            assert_eq!(reply.status, 303, "{}", reply.body);
        }
        let nameless = app.post_form("/visits/plans", s, &[("csrf", &csrf), ("date", "2022-09-30"), ("enterprise", " ")]).await;
        assert_eq!(nameless.status, 422);
        assert!(nameless.body.contains("目标企业"));

        let (other, other_csrf) = app.sign_in("baoqing").await;
        let reply = app.post_form("/visits", Some(&other), &[("csrf", &other_csrf), ("date", "2022-05-05"), ("enterprise", "中国船舶集团有限公司"), ("leaders", "赵文博")]).await;
        assert_eq!(reply.status, 303);

        let page = app.get("/visits?year=2022", s).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("2022年对接 2 次"), "only the county's own: {}", page.body);
        assert!(page.body.contains("<td>陈立新</td><td class=\"num\">2</td>") && page.body.contains("<td>王建国</td><td class=\"num\">1</td>"));
        assert!(!page.body.contains("赵文博"), "another county's visit stays hidden");
        assert!(page.body.contains("已对接（2022-06-01）"), "done by the visit a month before");
        assert!(page.body.contains("逾期25天未对接"), "江南造船 planned for 06-15, not visited by 07-10");
        assert!(page.body.contains("未到期"));
        assert!(page.body.contains("已对接 1 项，逾期未对接 1 项"));

        let (bureau, _) = app.sign_in("bureau").await;
        let city = app.get("/visits?year=2022", Some(&bureau)).await;
        assert!(city.body.contains("2022年对接 3 次") && city.body.contains("赵文博"));
        let (admin, _) = app.sign_in("sysadmin").await;
        assert_eq!(app.get("/visits", Some(&admin)).await.status, 403);
        let (auditor, auditor_csrf) = app.sign_in("auditor").await;
        let refused = app.post_form("/visits", Some(&auditor), &[("csrf", &auditor_csrf), ("date", "2022-06-01"), ("enterprise", "某公司")]).await;
        assert_eq!(refused.status, 403);
    }
}

/// Signs in with a password and returns the reply and its session cookie.
async fn password_only(app: &App, username: &str, password: &str) -> (Reply, String) {
    let reply = post_sign_in(app.addr, username, password).await;
    let cookie = set_cookie(&reply, web::auth::COOKIE).unwrap_or_default();
    (reply, cookie)
}

fn actions_of(log: Vec<store::ChangeEntry>) -> Vec<String> {
    log.into_iter().map(|c| c.action).collect()
}

both_databases! {
    async fn repeated_failures_lock_an_account_for_the_policys_time_and_the_security_administrator_unlocks_it(db) {
        let app = start(db.open().await.unwrap()).await;
        let store = db.open().await.unwrap();
        let (sec, sec_csrf) = app.sign_in("secadmin").await;
        let s = Some(sec.as_str());
        // A setting out of its bounds is refused beside its field; none can switch a control off.
        let mut policy = vec![("csrf", sec_csrf.as_str()), ("p0", "10"), ("p1", "3"), ("p2", "90"), ("p3", "1"), ("p4", "15"), ("p5", "30")];
        let refused = app.post_form("/security/policy", s, &policy).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("连续失败锁定次数：须在 3 到 10 之间"), "{}", refused.body);
        policy[4] = ("p3", "3");
        assert_eq!(app.post_form("/security/policy", s, &policy).await.status, 303);
        assert_eq!(store.security_policy().await.unwrap().lockout_after, 3);

        for _ in 0..2 {
            let (reply, _) = password_only(&app, "jixian", "wrong horse").await;
            assert_eq!(reply.status, 401);
            assert!(reply.body.contains("用户名或密码错误"));
        }
        let (third, _) = password_only(&app, "jixian", "wrong horse").await;
        assert_eq!(third.status, 403);
        assert!(third.body.contains("账号已锁定，请 15 分钟后再试"), "{}", third.body);
        let (right, cookie) = password_only(&app, "jixian", "correct horse").await;
        assert_eq!((right.status, cookie.as_str()), (403, ""), "the right password waits out the lock");
        assert!(right.body.contains("账号已锁定"));

        let page = app.get("/security", s).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("/security/users/jixian/unlock"), "{}", page.body);
        let unlocked = app.post_form("/security/users/jixian/unlock", s, &[("csrf", sec_csrf.as_str())]).await;
        assert_eq!(unlocked.status, 303);
        let (reply, _) = password_only(&app, "jixian", "correct horse").await;
        assert_eq!((reply.status, reply.header("location")), (303, Some("/my")));

        // Every attempt is in the audit log, and only the security administrator keeps these.
        assert_eq!(
            actions_of(store.changes_of("sign_in", "jixian").await.unwrap()),
            ["failure", "failure", "failure", "locked", "failure", "success"]
        );
        assert_eq!(actions_of(store.changes_of("user", "jixian").await.unwrap()).last().unwrap(), "unlock");
        let (admin, admin_csrf) = app.sign_in("sysadmin").await;
        assert_eq!(app.get("/security", Some(&admin)).await.status, 403);
        assert_eq!(app.post_form("/security/users/jixian/unlock", Some(&admin), &[("csrf", admin_csrf.as_str())]).await.status, 403);
        assert_eq!(app.get("/audit", s).await.status, 403);
        assert_eq!(store.verify_audit().await.unwrap().breach, None);
    }

    async fn one_session_per_account_ends_the_older_and_tells_its_browser_why(db) {
        let app = start(db.open().await.unwrap()).await;
        let store = db.open().await.unwrap();
        let (first, _) = app.sign_in("bureau").await;
        let (second, _) = app.sign_in("bureau").await;
        let old = app.get("/projects", Some(&first)).await;
        assert_eq!((old.status, old.header("location")), (303, Some("/login?ended=replaced")));
        assert!(app.get("/login?ended=replaced", None).await.body.contains("您的账号已在其他地方登录，本会话已结束"));
        assert_eq!(app.get("/api/v1/projects", Some(&first)).await.status, 401);
        assert_eq!(app.get("/projects", Some(&second)).await.status, 200);

        // Idle past the policy's minutes: the session ends and the browser is told.
        db.execute_behind_the_store("UPDATE sessions SET last_seen_at = last_seen_at - 1800000").await.unwrap();
        let idle = app.get("/projects", Some(&second)).await;
        assert_eq!(idle.header("location"), Some("/login?ended=idle"));
        assert_eq!(app.get("/projects", Some(&second)).await.header("location"), Some("/login?ended=idle"), "it stays ended");

        // The security administrator ends an account's sessions.
        let (third, _) = app.sign_in("bureau").await;
        let (sec, sec_csrf) = app.sign_in("secadmin").await;
        let ended = app.post_form("/security/users/bureau/end-sessions", Some(&sec), &[("csrf", sec_csrf.as_str())]).await;
        assert_eq!(ended.status, 303);
        assert_eq!(app.get("/projects", Some(&third)).await.header("location"), Some("/login?ended=ended_by_admin"));
        let sessions: Vec<_> = actions_of(store.changes_of("session", "bureau").await.unwrap());
        assert_eq!(sessions, ["end", "end_all"]);
    }

    async fn a_password_set_by_an_administrator_or_expired_must_be_changed_before_anything_else(db) {
        let app = start(db.open().await.unwrap()).await;
        let store = db.open().await.unwrap();
        let mut tx = store.begin("test").await.unwrap();
        let hash = store::accounts::hash_password_cheaply("correct horse").unwrap();
        tx.set_password("jixian", &hash, true, chrono::Utc::now().timestamp_millis()).await.unwrap();
        tx.commit().await.unwrap();
        let (reply, cookie) = password_only(&app, "jixian", "correct horse").await;
        assert_eq!(reply.header("location"), Some("/account/password"));
        let c = Some(cookie.as_str());
        assert_eq!(app.get("/projects", c).await.header("location"), Some("/account/password"));
        assert_eq!(app.get("/api/v1/projects", c).await.status, 401);
        let page = app.get("/account/password", c).await;
        assert!(page.body.contains("至少 10 个字符") && page.body.contains("须设置新密码"), "{}", page.body);
        let csrf = csrf_field(&page.body).unwrap();
        for (current, new, confirm, message) in [
            ("correct horse", "Ab1#", "Ab1#", "至少 10 个字符"),
            ("correct horse", "zhaoshangzhaoshang", "zhaoshangzhaoshang", "至少 3 种"),
            ("correct horse", "Zhaoshang#2022", "Zhaoshang#2023", "确认新密码：与新密码不一致"),
            ("wrong horse", "Zhaoshang#2022", "Zhaoshang#2022", "当前密码：不正确"),
            ("correct horse", "Jixian#2022abc", "Jixian#2022abc", "不能包含用户名"),
        ] {
            let refused = app.post_form("/account/password", c, &[("csrf", &csrf), ("current", current), ("new", new), ("confirm", confirm)]).await;
            assert_eq!(refused.status, 422, "{new}");
            assert!(refused.body.contains(message), "{message}: {}", refused.body);
        }
        let changed = app.post_form("/account/password", c, &[("csrf", &csrf), ("current", "correct horse"), ("new", "Zhaoshang#2022"), ("confirm", "Zhaoshang#2022")]).await;
        assert_eq!((changed.status, changed.header("location")), (303, Some("/my")));
        assert_eq!(app.get("/projects", c).await.status, 200);
        assert_eq!(password_only(&app, "jixian", "correct horse").await.0.status, 401);
        let (reply, _) = password_only(&app, "jixian", "Zhaoshang#2022").await;
        assert_eq!(reply.header("location"), Some("/my"));

        // A password older than the policy allows is changed the same way.
        db.execute_behind_the_store("UPDATE users SET password_changed_at = 0 WHERE username = 'jixian'").await.unwrap();
        let (reply, _) = password_only(&app, "jixian", "Zhaoshang#2022").await;
        assert_eq!(reply.header("location"), Some("/account/password"));
        let log = actions_of(store.changes_of("user", "jixian").await.unwrap());
        assert_eq!(log[log.len() - 2..], ["password_reset", "password_change"]);
    }

    async fn administrators_enrol_a_second_factor_from_a_qr_code_and_each_code_signs_in_once(db) {
        let app = start(db.open().await.unwrap()).await;
        let store = db.open().await.unwrap();
        let mut tx = store.begin("test").await.unwrap();
        let hash = store::accounts::hash_password_cheaply("correct horse").unwrap();
        tx.add_user("auditor2", "第二审计员", Role::Auditor, None, &hash).await.unwrap();
        tx.commit().await.unwrap();
        let (reply, cookie) = password_only(&app, "auditor2", "correct horse").await;
        assert_eq!(reply.header("location"), Some("/account/totp"));
        let c = Some(cookie.as_str());
        assert_eq!(app.get("/audit", c).await.header("location"), Some("/account/totp"));
        let page = app.get("/account/totp", c).await;
        assert!(page.body.contains("<svg") && page.body.contains("class=\"qr\"") && page.body.contains("<path fill=\"#000\" d=\"M"), "{}", page.body);
        assert!(!page.body.contains("<script"), "no script on the page");
        let csrf = csrf_field(&page.body).unwrap();
        let secret_hex = page.body.split("name=\"secret\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let secret: Vec<u8> = (0..secret_hex.len()).step_by(2).map(|i| u8::from_str_radix(&secret_hex[i..i + 2], 16).unwrap()).collect();
        let text = domain::security::totp::base32(&secret);
        assert!(page.body.contains(&text[..4]), "the secret is shown for typing in");
        let code = app.totp_code_of("auditor2", &secret).await;
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        let refused = app.post_form("/account/totp", c, &[("csrf", &csrf), ("secret", &secret_hex), ("code", &wrong)]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("与二维码不符"));
        let enrolled = app.post_form("/account/totp", c, &[("csrf", &csrf), ("secret", &secret_hex), ("code", &code)]).await;
        assert_eq!((enrolled.status, enrolled.header("location")), (303, Some("/my")));
        assert_eq!(app.get("/audit", c).await.status, 200);

        // The next sign-in asks for a code; the one just used is refused.
        let (reply, cookie) = password_only(&app, "auditor2", "correct horse").await;
        assert_eq!(reply.header("location"), Some("/login/totp"));
        let c = Some(cookie.as_str());
        let csrf = csrf_field(&app.get("/login/totp", c).await.body).unwrap();
        let replayed = app.post_form("/login/totp", c, &[("csrf", &csrf), ("code", &code)]).await;
        assert_eq!(replayed.status, 422);
        let next = app.totp_code_of("auditor2", &secret).await;
        let passed = app.post_form("/login/totp", c, &[("csrf", &csrf), ("code", &next)]).await;
        assert_eq!((passed.status, passed.header("location")), (303, Some("/my")));
        let page = app.get("/audit?verify=1", c).await;
        assert!(page.body.contains("哈希链完整"), "{}", page.body);
        assert!(page.body.contains("totp_enrol") && page.body.contains("wrong_code"), "the auditor reads the sign-in events");
        let steps = actions_of(store.changes_of("sign_in", "auditor2").await.unwrap());
        assert_eq!(steps, ["success", "step", "success", "failure", "step"]);
    }

    async fn sign_in_forms_and_api_writes_need_a_token_and_pages_carry_the_security_headers(db) {
        let app = start_with(db.open().await.unwrap(), true).await;
        // A sign-in form posted from elsewhere lacks the page's token.
        let forged = app.post_form("/login", None, &[("username", "bureau"), ("password", "correct horse"), ("csrf", "forged")]).await;
        assert_eq!(forged.status, 403);
        assert!(forged.body.contains("登录页面已过期或来源不明"));
        let (reply, cookie) = password_only(&app, "bureau", "correct horse").await;
        assert!(reply.headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("set-cookie") && v.starts_with("zs_session=") && v.contains("; Secure")));
        let c = Some(cookie.as_str());
        let page = app.get("/projects", c).await;
        let csp = page.header("content-security-policy").unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(page.header("cache-control"), Some("no-store"));
        assert_eq!(page.header("x-frame-options"), Some("DENY"));
        assert_eq!(page.header("strict-transport-security"), Some("max-age=31536000; includeSubDomains"));
        // An API write with the session's cookie but not its token is refused.
        let body = r#"{"code": "BQ-9", "name": "宝清县光伏项目", "territory": "宝清县"}"#;
        let bare = send(app.addr, "POST", "/api/v1/projects", c, Some(("application/json", body.to_owned()))).await;
        assert_eq!(bare.status, 403);
        assert_eq!(bare.json()["error"]["code"], "forbidden");
        let (_, csrf) = app.sign_in("bureau").await;
        let cookie = app.tokens.lock().unwrap().iter().find(|(_, t)| **t == csrf).map(|(c, _)| c.clone()).unwrap();
        let with_token = send_with(app.addr, "POST", "/api/v1/projects", Some(&cookie), &[("X-CSRF-Token", &csrf)], Some(("application/json", body.to_owned()))).await;
        assert_eq!(with_token.status, 201, "{}", with_token.body);

        let plain = serve_app(db.open().await.unwrap(), false).await;
        assert_eq!(plain.get("/login", None).await.header("strict-transport-security"), None, "no HSTS without TLS");
    }
}

// ---------------------------------------------------------------------------------------------
// Access: every route the router serves, for every role, generated from `web::all_routes()`.

const ALL: &[&str] = &[
    "sysadmin",
    "secadmin",
    "auditor",
    "leader",
    "bureau",
    "jixian",
    "jx-review",
];
const READERS: &[&str] = &["auditor", "leader", "bureau", "jixian", "jx-review"];
const BUREAU: &[&str] = &["bureau"];
const EDITORS: &[&str] = &["bureau", "jixian"];
/// Routes open to everyone, signed in or not (`/` only sends the browser on to `/my`).
const PUBLIC: &[&str] = &["/", "/login", "/static/app.css", "/api/v1/openapi.json"];

/// Who may use each (method, route) — SPEC §1 as this system reads it. `{records}` stands for
/// units, leaders, chains and teams, which differ, so each is listed by name.
const ACCESS: &[(&str, &str, &[&str])] = &[
    ("get", "/", ALL),
    ("get", "/my", ALL),
    ("get", "/login", ALL),
    ("post", "/login", ALL),
    ("post", "/logout", ALL),
    ("get", "/login/totp", ALL),
    ("post", "/login/totp", ALL),
    ("get", "/account/password", ALL),
    ("post", "/account/password", ALL),
    ("get", "/account/totp", ALL),
    ("post", "/account/totp", ALL),
    ("get", "/security", &["secadmin"]),
    ("post", "/security/policy", &["secadmin"]),
    ("post", "/security/users/{username}/{action}", &["secadmin"]),
    ("get", "/audit", &["auditor"]),
    ("get", "/users", &["sysadmin"]),
    ("post", "/users", &["sysadmin"]),
    ("post", "/users/{username}/{action}", &["sysadmin"]),
    ("get", "/static/app.css", ALL),
    ("get", "/projects", READERS),
    ("get", "/projects/export", READERS),
    ("get", "/scoreboard", READERS),
    ("get", "/scoreboard/unit", READERS),
    ("get", "/scoreboard/drill", READERS),
    ("get", "/scoreboard/print", READERS),
    ("get", "/scoreboard/export", READERS),
    ("post", "/scoreboard/publish", BUREAU),
    ("get", "/sheets", READERS),
    ("get", "/sheets/{id}", READERS),
    ("get", "/sheets/{id}/export", READERS),
    ("get", "/sheets/{id}/print", READERS),
    ("get", "/targets", READERS),
    ("post", "/targets", BUREAU),
    ("get", "/targets/export", READERS),
    ("get", "/settings/lists", BUREAU),
    ("post", "/settings/lists/{list}/add", BUREAU),
    ("post", "/settings/lists/{list}/remove", BUREAU),
    ("get", "/units", ALL),
    ("post", "/units", &["sysadmin", "bureau"]),
    ("get", "/units/export", ALL),
    ("get", "/leaders", READERS),
    ("post", "/leaders", BUREAU),
    ("get", "/leaders/export", READERS),
    ("get", "/chains", READERS),
    ("post", "/chains", BUREAU),
    ("get", "/chains/export", READERS),
    ("get", "/teams", READERS),
    ("post", "/teams", BUREAU),
    ("get", "/teams/export", READERS),
    ("get", "/import", BUREAU),
    ("post", "/import/{kind}", BUREAU),
    ("get", "/import/{kind}/template", READERS),
    // A whole kind, city-wide: not for an account tied to one unit.
    ("get", "/export/{kind}", &["auditor", "leader", "bureau"]),
    ("get", "/projects/new", EDITORS),
    ("post", "/projects/new", EDITORS),
    ("get", "/projects/{code}", READERS),
    ("get", "/projects/{code}/edit", EDITORS),
    ("post", "/projects/{code}/edit", EDITORS),
    ("post", "/projects/{code}/events", EDITORS),
    ("get", "/projects/{code}/events/{id}/correct", EDITORS),
    ("post", "/projects/{code}/events/{id}/correct", EDITORS),
    ("post", "/projects/{code}/funds", EDITORS),
    ("post", "/projects/{code}/plan", EDITORS),
    ("post", "/projects/{code}/financing", EDITORS),
    ("get", "/six-ones", READERS),
    ("post", "/projects/{code}/elements", EDITORS),
    ("get", "/elements", READERS),
    ("get", "/warnings", READERS),
    ("get", "/warnings/rules", READERS),
    ("post", "/warnings/rules", BUREAU),
    ("get", "/review", READERS),
    ("post", "/review/window/{action}", BUREAU),
    // The walk's record waits for 集贤县's reviewer; the bureau reviews at the second level.
    ("post", "/review/{kind}/{id}/{step}", &["jx-review"]),
    ("get", "/blockers", READERS),
    ("get", "/blockers/{id}", READERS),
    ("post", "/blockers/{id}/instruction", &["leader"]),
    ("post", "/blockers/{id}/status", EDITORS),
    ("get", "/projects/{code}/blockers/new", EDITORS),
    ("post", "/projects/{code}/blockers", EDITORS),
    ("get", "/chain-maps/{name}", READERS),
    ("get", "/chain-maps/{name}/print", READERS),
    ("post", "/chain-maps/{name}/segments", BUREAU),
    ("post", "/chain-maps/{name}/firms", BUREAU),
    ("post", "/chain-maps/{name}/projects", BUREAU),
    ("get", "/chain-maps/{name}/segments/{id}/targets", READERS),
    ("get", "/visits", READERS),
    ("post", "/visits", EDITORS),
    ("post", "/visits/plans", EDITORS),
    ("get", "/duplicates", READERS),
    ("post", "/duplicates/{code}/{decision}", BUREAU),
    ("get", "/enterprises", READERS),
    ("get", "/enterprises/{id}", READERS),
    ("post", "/enterprises/{id}/contacts", EDITORS),
    ("get", "/leader/{name}", READERS),
    ("post", "/leader/{name}/units", BUREAU),
    ("get", "/team/{name}", READERS),
    ("post", "/team/{name}/members", BUREAU),
    ("post", "/projects/{code}/funds/{id}/verify", BUREAU),
    ("get", "/api/v1/projects", READERS),
    ("post", "/api/v1/projects", EDITORS),
    ("get", "/api/v1/projects/{code}", READERS),
    ("get", "/api/v1/projects/{code}/events", READERS),
    ("post", "/api/v1/projects/{code}/events", EDITORS),
    ("get", "/api/v1/projects/{code}/funds", READERS),
    ("post", "/api/v1/projects/{code}/funds", EDITORS),
    ("get", "/api/v1/units", ALL),
    ("get", "/api/v1/scoreboard", READERS),
    ("get", "/api/v1/visits", READERS),
    ("post", "/api/v1/visits", EDITORS),
    ("get", "/api/v1/openapi.json", ALL),
];

/// Record ids the walk puts into routes: one set in 集贤县 (the unit staff's own), one in 宝清县.
struct Fixture {
    event: [i64; 2],
    fund: [i64; 2],
    blocker: [i64; 2],
    sheet: i64,
    firm: i64,
    segment: i64,
}

const CHAIN: &str = "石墨产业链";
const LEADER: &str = "陈立新";
const TEAM: &str = "石墨专班";

async fn access_fixture(store: &Store) -> Fixture {
    use domain::records::{Chain, Fund, Leader, Team};
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_leader(&Leader {
        name: LEADER.into(),
        title: None,
        illustrative: false,
    })
    .await
    .unwrap();
    tx.upsert_chain(&Chain::new(CHAIN, Some("石墨".into()), Some(LEADER.into())).unwrap())
        .await
        .unwrap();
    tx.upsert_team(&Team::new(TEAM, Some(LEADER.into())).unwrap())
        .await
        .unwrap();
    let industry = domain::enterprise::IndustryCode::parse("行业", "C3099").unwrap();
    tx.upsert_segment(
        CHAIN,
        "石墨提纯",
        domain::chains::Position::Midstream,
        std::slice::from_ref(&industry),
    )
    .await
    .unwrap();
    let mut firm = domain::enterprise::Enterprise::new("黑龙江石墨新材料有限公司").unwrap();
    firm.industry = Some(industry);
    let written = tx.upsert_enterprises(&[firm]).await.unwrap();
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
    let mut fund = [0; 2];
    let mut blocker = [0; 2];
    let mut event = [0; 2];
    for (i, (code, unit)) in [("JX-1", "集贤县"), ("BQ-1", "宝清县")]
        .into_iter()
        .enumerate()
    {
        let money = domain::Money::from_units("金额", 1_000_000).unwrap();
        let added = tx
            .add_fund(&Fund::new(code, d("2022-03-01"), money, domain::Currency::Cny).unwrap())
            .await
            .unwrap();
        let store::Added::Added(id) = added else {
            panic!("fund not added")
        };
        fund[i] = id;
        let raised = domain::blockers::NewBlocker::new(
            code,
            "用地指标未落实",
            "用地",
            d("2022-03-01"),
            unit,
            None,
            d("2099-06-20"),
            d("2022-07-01"),
        )
        .unwrap();
        blocker[i] = tx.raise_blocker(&raised).await.unwrap();
    }
    // Each county's staff reported talks, waiting for its county's reviewer.
    tx.enter_as(domain::review::ReviewState::County);
    for (i, code) in ["JX-1", "BQ-1"].into_iter().enumerate() {
        let talks = StageEvent::new(
            EventKind::Stage(Stage::Negotiating),
            d("2022-02-01"),
            None,
            None,
            None,
            None,
        )
        .unwrap();
        let store::Added::Added(id) = tx.add_event(code, &talks).await.unwrap() else {
            panic!("event not added")
        };
        event[i] = id;
    }
    tx.commit().await.unwrap();
    let segment = store.chain_map(CHAIN).await.unwrap().unwrap().segments[0].id;
    Fixture {
        event,
        fund,
        blocker,
        sheet: 0,
        firm: written[0].id,
        segment,
    }
}

/// Percent-encodes what is not ASCII, as a browser sends a path.
fn encoded(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The route with its parameters filled in: `side` 0 names 集贤县's records, 1 宝清县's.
fn concrete(path: &str, records: &str, fx: &Fixture, side: usize) -> String {
    let code = ["JX-1", "BQ-1"][side];
    let id = if path.starts_with("/sheets/") {
        fx.sheet
    } else if path.starts_with("/blockers/") {
        fx.blocker[side]
    } else if path.starts_with("/enterprises/") {
        fx.firm
    } else if path.starts_with("/chain-maps/") {
        fx.segment
    } else if path.contains("/funds/") {
        fx.fund[side]
    } else {
        fx.event[side]
    };
    let name = if path.starts_with("/leader/") {
        LEADER
    } else if path.starts_with("/team/") {
        TEAM
    } else {
        CHAIN
    };
    let action = if path.starts_with("/security/") {
        "unlock"
    } else {
        "close"
    };
    // The pages that show one unit's or one figure's records say which.
    let query = match path {
        "/scoreboard/unit" => "?year=2022&period=H1&name=集贤县",
        "/scoreboard/drill" => "?year=2022&period=H1&indicator=signed_amount&unit=集贤县",
        _ => "",
    };
    encoded(&format!(
        "{}{query}",
        &path
            .replace("{records}", records)
            .replace("{code}", code)
            .replace("{id}", &id.to_string())
            .replace("{name}", name)
            .replace(
                "{kind}",
                if path.starts_with("/review/") {
                    "event"
                } else {
                    "units"
                }
            )
            .replace("{list}", "source_mode")
            .replace("{username}", "jixian")
            .replace("{action}", action)
            .replace("{decision}", "cleared")
            .replace("{step}", "approve"),
    ))
}

/// One request of the walk: a GET, or a POST carrying `csrf` (none when empty) and no fields.
/// A form missing its fields is refused in Chinese (400), never half-read.
async fn request(app: &App, method: &str, path: &str, cookie: Option<&str>, csrf: &str) -> Reply {
    if method == "get" {
        return app.get(path, cookie).await;
    }
    if path.starts_with("/api/") {
        return send_with(
            app.addr,
            "POST",
            path,
            cookie,
            &[("X-CSRF-Token", csrf)],
            Some(("application/json", "{}".into())),
        )
        .await;
    }
    if path.starts_with("/import/") {
        return app
            .upload(path, cookie, csrf, "units.csv", "单位名称,类型\n")
            .await;
    }
    let fields: Vec<(&str, &str)> = if csrf.is_empty() {
        Vec::new()
    } else {
        vec![("csrf", csrf)]
    };
    app.post_form(path, cookie, &fields).await
}

both_databases! {
    async fn every_route_answers_every_role_as_the_access_table_says_and_unit_scope_holds_on_every_id(db) {
        let store = db.open().await.unwrap();
        let app = start(db.open().await.unwrap()).await;
        let mut fx = access_fixture(&store).await;
        let (bureau, csrf) = app.sign_in("bureau").await;
        let published = app.post_form("/scoreboard/publish?year=2022&period=H1", Some(&bureau), &[("csrf", &csrf)]).await;
        assert_eq!(published.status, 303, "{}", published.body);
        fx.sheet = store.published_sheets().await.unwrap()[0].id;
        let mut walked = Vec::new();
        for (method, path) in web::all_routes() {
            let expanded: Vec<String> = if path.contains("{records}") {
                ["units", "leaders", "chains", "teams"].iter().map(|r| path.replace("{records}", r)).collect()
            } else {
                vec![path.clone()]
            };
            for route in expanded {
                let Some((_, _, allowed)) = ACCESS.iter().find(|(m, p, _)| *m == method && *p == route) else {
                    panic!("{method} {route} is served but has no line in ACCESS: say who may use it");
                };
                walked.push((method, route, path.clone(), *allowed));
            }
        }
        assert_eq!(walked.len(), ACCESS.len(), "every line of ACCESS names a route the router serves");

        let mut checked = 0;
        // Strangers: only the public routes answer; pages send them to sign in, the API says 401.
        for (method, route, path, _) in &walked {
            let url = concrete(route, "", &fx, 0);
            let reply = request(&app, method, &url, None, "").await;
            checked += 1;
            if PUBLIC.contains(&route.as_str()) {
                assert!(matches!(reply.status, 200 | 303) || (*method == "post" && reply.status != 500), "{method} {url}: {}", reply.status);
            } else if route.starts_with("/api/") {
                assert_eq!(reply.status, 401, "{method} {url} without a session");
            } else {
                assert_eq!((reply.status, reply.header("location").map(|l| l.starts_with("/login"))), (303, Some(true)), "{method} {url} ({path}) without a session");
            }
        }

        for role in ALL {
            let (cookie, csrf) = app.sign_in(role).await;
            let c = Some(cookie.as_str());
            for (method, route, _, allowed) in &walked {
                if route == "/logout" || PUBLIC.contains(&route.as_str()) && *method == "post" {
                    continue; // would end the walk's session; tested on their own
                }
                let url = concrete(route, "", &fx, 0);
                let may = allowed.contains(role);
                if *method == "post" {
                    // Without the session's token nothing is changed, whoever asks.
                    let forged = request(&app, method, &url, c, "forged").await;
                    checked += 1;
                    assert!(forged.status == 403 || (!may && forged.status == 404), "{role} {method} {url} without a token: {} {}", forged.status, forged.body);
                }
                let reply = request(&app, method, &url, c, &csrf).await;
                checked += 1;
                assert_ne!(reply.status, 500, "{role} {method} {url}: {}", reply.body);
                if may {
                    // An empty form may name nothing that exists (404); it is never refused outright.
                    let refused = reply.status == 401 || reply.status == 403 || (*method == "get" && reply.status == 404);
                    assert!(!refused, "{role} may {method} {url}, got {}: {}", reply.status, reply.body);
                    assert!(!reply.header("location").is_some_and(|l| l.starts_with("/login")), "{role} {method} {url} was signed out");
                    if *method == "get" {
                        assert!(matches!(reply.status, 200 | 303), "{role} GET {url}: {}", reply.status);
                    }
                } else {
                    assert!(matches!(reply.status, 403 | 404), "{role} may not {method} {url}, got {}: {}", reply.status, reply.body);
                }
            }
        }

        // Unit scope: 集贤县's staff and reviewer reach none of 宝清县's records by their ids.
        for role in ["jixian", "jx-review"] {
            let (cookie, csrf) = app.sign_in(role).await;
            for (method, route, _, _) in &walked {
                let scoped = ["{code}", "/blockers/{id}", "/review/{kind}/{id}"].iter().any(|p| route.contains(p));
                if !scoped {
                    continue;
                }
                let url = concrete(route, "", &fx, 1);
                let reply = request(&app, method, &url, Some(&cookie), &csrf).await;
                checked += 1;
                assert!(matches!(reply.status, 403 | 404), "{role} reached 宝清县's {method} {url}: {} {}", reply.status, reply.body);
            }
        }
        // Nothing 宝清县 holds was changed by the walk.
        assert_eq!(store.events_of("BQ-1").await.unwrap().len(), 2);
        assert!(checked > 1000, "{checked} requests");
        println!("access walk: {} routes × {} roles and strangers, {checked} requests", walked.len(), ALL.len());
    }
}

both_databases! {
    async fn a_stale_edit_is_refused_with_409_and_the_form_shows_what_the_other_edit_changed(db) {
        let app = start(db.open().await.unwrap()).await;
        let store = db.open().await.unwrap();
        let (bureau, b_csrf) = app.sign_in("bureau").await;
        let (staff, s_csrf) = app.sign_in("jixian").await;
        let (b, s) = (Some(bureau.as_str()), Some(staff.as_str()));
        let opened = app.version_of("JX-1", b).await;
        let before = store.project("JX-1").await.unwrap().unwrap();
        assert_eq!(opened, before.version.to_string());
        let fields = |csrf: &str, name: &str, planned: &str| {
            vec![("csrf".to_owned(), csrf.to_owned()), ("name".into(), name.into()), ("territory".into(), "集贤县".into()),
                 ("capital_origin".into(), "内资".into()), ("currency".into(), "人民币".into()), ("planned_investment".into(), planned.into())]
        };
        // The county's staff save first.
        let theirs = fields(&s_csrf, "集贤县风电项目（一期）", "30000");
        let refs: Vec<(&str, &str)> = theirs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(app.edit_project("JX-1", s, &refs).await.status, 303);
        // The bureau saves from the form it opened before: refused, nothing overwritten.
        let mut mine = fields(&b_csrf, "集贤县风电项目", "50000");
        mine.push(("version".into(), opened.clone()));
        let refs: Vec<(&str, &str)> = mine.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let stale = app.post_form("/projects/JX-1/edit", b, &refs).await;
        assert_eq!(stale.status, 409, "{}", stale.body);
        assert!(stale.body.contains("此项目已被他人修改并保存（现为第"), "{}", stale.body);
        assert!(stale.body.contains("<td>项目名称</td><td>集贤县风电项目</td><td>集贤县风电项目（一期）</td>"), "{}", stale.body);
        assert!(stale.body.contains("<td>计划总投资（万元）</td><td>50000</td><td>30000</td>"), "{}", stale.body);
        assert!(!stale.body.contains("<td>所在县区</td>"), "fields alike are not listed");
        assert!(stale.body.contains("value=\"50000\""), "what the bureau typed is kept");
        let now = store.project("JX-1").await.unwrap().unwrap();
        assert_eq!(now.project.name, "集贤县风电项目（一期）");
        assert_eq!(now.version, before.version + 1);
        let carried = stale.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap();
        assert_eq!(carried, now.version.to_string(), "the form now carries the version it was shown");
        // Saving again from that page is a choice made knowing both.
        mine.last_mut().unwrap().1 = carried.to_owned();
        let refs: Vec<(&str, &str)> = mine.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(app.post_form("/projects/JX-1/edit", b, &refs).await.status, 303);
        assert_eq!(store.project("JX-1").await.unwrap().unwrap().project.name, "集贤县风电项目");
        // A form without its version is refused, not applied.
        let bare: Vec<(&str, &str)> = refs[..refs.len() - 1].to_vec();
        assert_eq!(app.post_form("/projects/JX-1/edit", b, &bare).await.status, 400);
    }
}

/// What an attacker types into every text field.
const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
    "'; DROP TABLE projects; --",
    "1' OR '1'='1",
    "../../../../etc/passwd",
    "=cmd|' /C calc'!A0",
    "{{7*7}}{% raw %}",
    "\u{0}空字符\u{0}",
    "\u{202e}反向文字",
    "🚀😀𠀀",
];

both_databases! {
    async fn hostile_input_through_forms_api_and_files_is_refused_or_stored_as_typed_and_shown_escaped(db) {
        let app = start(db.open().await.unwrap()).await;
        let store = db.open().await.unwrap();
        let (cookie, csrf) = app.sign_in("bureau").await;
        let c = Some(cookie.as_str());
        let long = "长".repeat(5_000);
        let mut tried = 0;
        let mut stored = 0;
        let all: Vec<&str> = PAYLOADS.iter().copied().chain([long.as_str()]).collect();
        for (i, payload) in all.iter().enumerate() {
            let code = format!("HX-{i}");
            // A control character is refused wherever it is sent, before any handler reads it.
            if payload.contains('\u{0}') {
                let fields = [("csrf", csrf.as_str()), ("code", code.as_str()), ("name", payload), ("territory", "集贤县")];
                let reply = app.post_form("/projects/new", c, &fields).await;
                assert_eq!(reply.status, 400);
                assert!(reply.body.contains("不可见的控制字符"), "{}", reply.body);
                let json = serde_json::json!({"code": code, "name": payload, "territory": "集贤县"}).to_string();
                let reply = app.post_json("/api/v1/projects", c, &json).await;
                assert_eq!(reply.status, 400);
                assert!(reply.json()["error"]["message"].as_str().unwrap().contains("控制字符"));
                let cells = format!("单位名称,类型\n{payload},县\n");
                let reply = app.upload("/import/units", c, &csrf, "units.csv", &cells).await;
                assert_eq!(reply.status, 400, "{}", reply.body);
                assert!(reply.body.contains("第2行第1列: 含有不可见的控制字符"), "{}", reply.body);
                tried += 3;
                assert!(store.project(&code).await.unwrap().is_none());
                continue;
            }
            // Every text field of the project form at once.
            let fields = [("csrf", csrf.as_str()), ("code", code.as_str()), ("name", payload), ("territory", "集贤县"), ("investor", payload),
                          ("credited", payload), ("source_mode", payload), ("capital_origin", "内资"), ("currency", "人民币")];
            let reply = app.post_form("/projects/new", c, &fields).await;
            tried += 1;
            assert!(matches!(reply.status, 303 | 422), "{payload:?}: {} {}", reply.status, reply.body);
            // Without the fields that are checked against lists, it must be taken as typed.
            let plain = [("csrf", csrf.as_str()), ("code", code.as_str()), ("name", payload), ("territory", "集贤县"), ("investor", payload), ("capital_origin", "内资"), ("currency", "人民币")];
            let reply = app.post_form("/projects/new", c, &plain).await;
            tried += 1;
            if reply.status == 303 {
                stored += 1;
                let project = store.project(&code).await.unwrap().unwrap().project;
                assert_eq!(project.name, payload.trim(), "stored as typed");
            } else {
                assert_eq!(reply.status, 422, "{payload:?}: {}", reply.body);
                assert!(reply.body.contains("项目名称") || reply.body.contains("投资企业"), "the refusal names its field: {}", reply.body);
            }
            let raised = [("csrf", csrf.as_str()), ("description", payload), ("category", "用地"), ("raised_on", "2022-03-01"), ("owner_unit", "集贤县"), ("deadline", "2099-01-01")];
            let reply = app.post_form("/projects/JX-1/blockers", c, &raised).await;
            tried += 1;
            assert!(matches!(reply.status, 303 | 422), "{payload:?}: {} {}", reply.status, reply.body);
            let json = serde_json::json!({"code": format!("HA-{i}"), "name": payload, "territory": "集贤县", "investor": payload}).to_string();
            let reply = app.post_json("/api/v1/projects", c, &json).await;
            tried += 1;
            assert!(matches!(reply.status, 201 | 422), "{payload:?}: {} {}", reply.status, reply.body);
            let search = app.get(&format!("/enterprises?q={}", form(&[("", payload)]).trim_start_matches('=')), c).await;
            tried += 1;
            assert_eq!(search.status, 200, "{payload:?}");
        }
        // Every payload but NUL (refused) and the 5,000 characters (项目名称：不能超过200个字) is
        // text someone might type, and is kept as typed.
        assert_eq!(stored, all.len() - 2);
        // Nothing the attacker typed comes back as markup.
        for page in ["/projects", "/projects/HX-0", "/projects/HX-1", "/blockers", "/projects/JX-1", "/duplicates"] {
            let body = app.get(page, c).await.body;
            assert!(!body.contains("<script>alert") && !body.contains("<img src=x") && !body.contains("onmouseover='alert"), "{page} shows markup: {body}");
        }
        let body = app.get("/projects/HX-0", c).await.body;
        assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || body.contains("&#60;script&#62;"), "escaped, not dropped");
        assert!(store.project("HX-4").await.unwrap().is_some(), "the projects table is still there");
        // Exported for Excel, a formula stays text.
        let export = app.get("/projects/export?format=csv", c).await;
        assert!(export.body.contains("'=cmd|"), "{}", &export.body[..export.body.len().min(400)]);
        assert!(!export.body.contains(",=cmd|"));

        // Files: names that climb out of folders, payload cells, and what is not a spreadsheet.
        let cells = format!("单位名称,类型,分组,行政区划代码,上级单位\n\"{}\",县,,,双鸭山市\n", PAYLOADS[1].replace('"', "\"\""));
        let reply = app.upload("/import/units", c, &csrf, "../../../../tmp/evil.csv", &cells).await;
        tried += 1;
        assert!(matches!(reply.status, 200 | 422), "{} {}", reply.status, reply.body);
        assert!(!reply.body.contains("<img src=x"), "the report escapes the cell");
        assert!(!std::path::Path::new("/tmp/evil.csv").exists());
        for (name, content) in [("units.exe", "MZ"), ("units.xlsx", "PK\u{3}\u{4}garbage"), ("units.csv", "\u{feff}")] {
            let reply = app.upload("/import/units", c, &csrf, name, content).await;
            tried += 1;
            assert!(matches!(reply.status, 400 | 422), "{name}: {} {}", reply.status, reply.body);
            assert!(reply.body.contains("文件") || reply.body.contains("表头") || reply.body.contains("Excel"), "{name}: {}", reply.body);
        }

        // Bodies too large or too deep, and the wrong kind of body.
        let huge = "x".repeat(3 << 20);
        let reply = app.post_form("/projects/new", c, &[("csrf", &csrf), ("name", &huge)]).await;
        tried += 1;
        assert_eq!(reply.status, 413);
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let reply = app.post_json("/api/v1/projects", c, &deep).await;
        tried += 1;
        assert!(matches!(reply.status, 400 | 413), "{} {}", reply.status, reply.body);
        assert!(reply.json()["error"]["message"].as_str().unwrap().chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)), "{}", reply.body);
        let reply = send_with(app.addr, "POST", "/api/v1/projects", c, &[("X-CSRF-Token", &csrf)], Some(("text/plain", "code=X".into()))).await;
        tried += 1;
        assert!(matches!(reply.status, 400 | 415), "{} {}", reply.status, reply.body);
        let reply = send(app.addr, "GET", "/projects/%FF%FE", c, None).await;
        tried += 1;
        assert!(matches!(reply.status, 400 | 404), "{}", reply.status);

        // Nothing half-written: every record that exists is whole, the log chained.
        assert!(store.project_states_disagreeing(d("2022-12-31")).await.unwrap().is_empty());
        assert_eq!(store.verify_audit().await.unwrap().breach, None);
        println!("hostile input: {} payloads, {tried} requests", all.len());
    }
}

both_databases! {
    async fn the_system_administrator_adds_resets_and_disables_accounts_with_temporary_passwords(db) {
        let app = start(db.open().await.unwrap()).await;
        let store = db.open().await.unwrap();
        let (admin, csrf) = app.sign_in("sysadmin").await;
        let a = Some(admin.as_str());
        assert!(app.get("/users", a).await.body.contains("<td>jixian</td>"));
        let add = |password: &'static str| {
            vec![("csrf", csrf.clone()), ("username", "baoqing".to_owned()), ("display_name", "宝清县填报员".to_owned()),
                 ("role", "单位填报员".to_owned()), ("unit", "宝清县".to_owned()), ("password", password.to_owned())]
        };
        let refs = |pairs: &Vec<(&'static str, String)>| pairs.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
        let weak = refs(&add("baoqing1"));
        let weak: Vec<(&str, &str)> = weak.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = app.post_form("/users", a, &weak).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("临时密码：至少 10 个字符"), "{}", refused.body);
        assert!(refused.body.contains("value=\"baoqing\"") && !refused.body.contains("baoqing1"), "the name kept, the password not");
        let good = refs(&add("Linshi#2022x"));
        let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(app.post_form("/users", a, &good).await.status, 303);
        let again = app.post_form("/users", a, &good).await;
        assert_eq!(again.status, 422);
        assert!(again.body.contains("已被使用"), "{}", again.body);
        // The new account's first sign-in changes the temporary password.
        let (reply, cookie) = password_only(&app, "baoqing", "Linshi#2022x").await;
        assert_eq!(reply.header("location"), Some("/account/password"));
        // A reset ends its sessions and sets another temporary password.
        let reset = app.post_form("/users/baoqing/reset", a, &[("csrf", &csrf), ("password", "Chongzhi#2022")]).await;
        assert_eq!(reset.status, 303);
        assert_eq!(app.get("/account/password", Some(&cookie)).await.header("location"), Some("/login?ended=ended_by_admin"));
        assert_eq!(password_only(&app, "baoqing", "Linshi#2022x").await.0.status, 401);
        let (reply, _) = password_only(&app, "baoqing", "Chongzhi#2022").await;
        assert_eq!(reply.header("location"), Some("/account/password"));
        // Disabled: refused like a wrong password; enabled again: back.
        assert_eq!(app.post_form("/users/baoqing/disable", a, &[("csrf", &csrf)]).await.status, 303);
        assert_eq!(password_only(&app, "baoqing", "Chongzhi#2022").await.0.status, 401);
        assert_eq!(app.post_form("/users/baoqing/enable", a, &[("csrf", &csrf)]).await.status, 303);
        assert_eq!(password_only(&app, "baoqing", "Chongzhi#2022").await.0.status, 303);
        assert_eq!(app.post_form("/users/sysadmin/disable", a, &[("csrf", &csrf)]).await.status, 409, "not oneself");
        assert_eq!(app.post_form("/users/nobody/disable", a, &[("csrf", &csrf)]).await.status, 404);
        let log = actions_of(store.changes_of("user", "baoqing").await.unwrap());
        assert_eq!(log, ["create", "password_reset", "password_reset", "disable", "enable"]);
        let sessions = actions_of(store.changes_of("session", "baoqing").await.unwrap());
        assert_eq!(sessions, ["end_all"]);
    }
}
