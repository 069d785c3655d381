//! Issue 20 over real HTTP on SQLite and PostgreSQL: personal API tokens, sign-in answers and
//! throttling, the access audit (refusals, exports, prints, token use) and the 审计员's page,
//! 三员分立 with two people, password history and replacing a second factor.

use crate::common::*;
use store::both_databases;
use store::testing::TestDb;
use web::client::{csrf_field, send_with};

/// The token shown once on the tokens page after making one.
fn token_in(body: &str) -> String {
    let start = body.find("zst_").expect("the new token is shown");
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

async fn bearer(
    app: &App,
    method: &str,
    path: &str,
    token: &str,
    json: Option<&str>,
) -> web::client::Reply {
    let auth = format!("Bearer {token}");
    send_with(
        app.addr,
        method,
        path,
        None,
        &[("Authorization", &auth)],
        json.map(|j| ("application/json", j.to_owned())),
    )
    .await
}

/// The access log's entries, once the background writer has caught up with `at_least` of them.
async fn access_entries(store: &store::Store, at_least: usize) -> Vec<store::AccessEntry> {
    for _ in 0..100 {
        let (entries, _) = store
            .access_entries(&store::AccessFilter::default(), 0, 10_000)
            .await
            .unwrap();
        if entries.len() >= at_least {
            return entries;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the access log did not reach {at_least} entries");
}

async fn a_personal_token_works_the_api_in_its_owners_scope_without_the_session_and_is_revoked(
    db: &TestDb,
) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let (staff, csrf) = app.sign_in("jixian").await;
    let s = Some(staff.as_str());
    let refused = app
        .post_form(
            "/account/tokens",
            s,
            &[("csrf", &csrf), ("name", "月报同步"), ("days", "0")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("有效天数: 须为1至366天"),
        "{}",
        refused.body
    );
    let made = app
        .post_form(
            "/account/tokens",
            s,
            &[("csrf", &csrf), ("name", "月报同步"), ("days", "30")],
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let token = token_in(&made.body);
    assert_eq!(token.len(), 4 + 64);
    // Shown once: the list names it but never shows it again, and the database holds a hash.
    let listed = app.get("/account/tokens", s).await;
    assert!(listed.body.contains("月报同步") && !listed.body.contains(&token));
    assert!(store.api_tokens(Some("jixian")).await.unwrap().len() == 1);

    // The owner's scope: 集贤县's project, not 宝清县's.
    let list = bearer(&app, "GET", "/api/v1/projects", &token, None).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("JX-1") && !list.body.contains("BQ-1"));
    assert_eq!(
        bearer(&app, "GET", "/api/v1/projects/BQ-1", &token, None)
            .await
            .status,
        404
    );
    // A write needs no CSRF header, applies the form's rules (a visit names whom it met), and
    // leaves the owner's browser session alive.
    let empty = bearer(
        &app,
        "POST",
        "/api/v1/visits",
        &token,
        Some(r#"{"date":"2022-03-01"}"#),
    )
    .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert_eq!(empty.json()["error"]["field"], "enterprise");
    // A body serde cannot read is refused in Chinese, naming the member, never a Rust type.
    let missing = bearer(&app, "POST", "/api/v1/visits", &token, Some("{}")).await;
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert_eq!(missing.json()["error"]["field"], "date");
    assert_eq!(missing.json()["error"]["message"], "缺少此项");
    let typed = bearer(
        &app,
        "POST",
        "/api/v1/visits",
        &token,
        Some(r#"{"date":1}"#),
    )
    .await;
    assert_eq!(typed.json()["error"]["field"], "date", "{}", typed.body);
    for body in ["[]", "{", "12"] {
        let refused = bearer(&app, "POST", "/api/v1/visits", &token, Some(body)).await;
        assert_eq!(refused.status, 400, "{body}");
        let message = refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            message.contains("JSON")
                && !message.contains("struct")
                && !message.contains("expected"),
            "{message}"
        );
    }
    let visit = bearer(
        &app,
        "POST",
        "/api/v1/visits",
        &token,
        Some(r#"{"date":"2022-03-01","enterprise":"中船风电"}"#),
    )
    .await;
    assert_eq!(visit.status, 201, "{}", visit.body);
    assert_eq!(app.get("/my", s).await.status, 200, "the session lives on");
    // Query errors are JSON in Chinese, as every API error.
    let bad = bearer(&app, "GET", "/api/v1/projects?size=null", &token, None).await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.header("content-type")
            .unwrap_or_default()
            .contains("json")
    );
    assert!(
        bad.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("size")
    );
    // Not a token: 401 in JSON; a token is no way into the pages.
    let wrong = bearer(&app, "GET", "/api/v1/projects", "zst_nothing", None).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json()["error"]["code"], "unauthenticated");

    // Another account cannot revoke it; the 安全管理员 sees it and can; the owner too.
    let id = store.api_tokens(Some("jixian")).await.unwrap()[0].id;
    let (bureau, bureau_csrf) = app.sign_in("bureau").await;
    let path = format!("/account/tokens/{id}/revoke");
    assert_eq!(
        app.post_form(&path, Some(&bureau), &[("csrf", &bureau_csrf)])
            .await
            .status,
        404
    );
    let (sec, sec_csrf) = app.sign_in("secadmin").await;
    let everyone = app.get("/account/tokens", Some(&sec)).await;
    assert!(
        everyone.body.contains("<td>jixian</td>"),
        "{}",
        everyone.body
    );
    assert_eq!(
        app.post_form(&path, Some(&sec), &[("csrf", &sec_csrf)])
            .await
            .status,
        303
    );
    assert_eq!(
        bearer(&app, "GET", "/api/v1/projects", &token, None)
            .await
            .status,
        401
    );
    let revoked = &store.api_tokens(Some("jixian")).await.unwrap()[0];
    assert_eq!(revoked.revoked_by.as_deref(), Some("secadmin"));

    // Every use is in the access log, under the owner's name.
    let entries = access_entries(&store, 5).await;
    let used: Vec<_> = entries
        .iter()
        .filter(|e| e.username.as_deref() == Some("jixian") && e.action == "api_token")
        .collect();
    assert!(used.len() >= 3, "{entries:?}");
    assert!(
        entries
            .iter()
            .any(|e| e.action == "refused" && e.path == "/api/v1/projects/BQ-1")
    );
    assert!(
        store
            .changes_of("api_token", "jixian")
            .await
            .unwrap()
            .iter()
            .map(|c| c.action.as_str())
            .eq(["create", "revoke"])
    );
}

async fn a_token_past_its_rate_is_refused_with_429(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let mut tx = store.begin("bureau").await.unwrap();
    let (_, token) = tx.create_api_token("bureau", "批量", 1, now).await.unwrap();
    tx.commit().await.unwrap();
    let limit = web::auth::TOKEN_REQUESTS_PER_MINUTE as usize;
    for _ in 0..limit {
        let reply = bearer(&app, "GET", "/api/v1/units", &token, None).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let over = bearer(&app, "GET", "/api/v1/units", &token, None).await;
    assert_eq!(over.status, 429);
    assert!(
        over.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("过于频繁")
    );
}

async fn sign_in_refusals_read_alike_are_throttled_per_address_and_the_address_is_logged(
    db: &TestDb,
) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let limit = web::auth::FAILURES_PER_ADDRESS_PER_MINUTE;
    for i in 0..limit {
        // Many names, one password: the per-account lock never trips, the address does.
        let (reply, _) = password_only(&app, &format!("guess{i}"), "Qwerty#2022").await;
        assert_eq!(reply.status, 401);
    }
    let (throttled, cookie) = password_only(&app, "jixian", "correct horse").await;
    assert_eq!(throttled.status, 429, "{}", throttled.body);
    assert!(cookie.is_empty() && throttled.body.contains("请一分钟后再试"));
    let log = store.changes_of("sign_in", "jixian").await.unwrap();
    let last = log.last().unwrap();
    assert_eq!(last.action, "failure");
    let after = last.after.as_ref().unwrap().to_string();
    assert!(
        after.contains("address_throttled") && after.contains("127.0.0.1"),
        "{after}"
    );
    let guessed = store.changes_of("sign_in", "guess0").await.unwrap();
    assert!(
        guessed[0]
            .after
            .as_ref()
            .unwrap()
            .to_string()
            .contains("127.0.0.1")
    );
}

async fn refusals_exports_and_prints_are_audited_and_the_auditor_reads_them_in_chinese(
    db: &TestDb,
) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let (staff, _) = app.sign_in("jixian").await;
    let s = Some(staff.as_str());
    assert_eq!(app.get("/projects/BQ-1", s).await.status, 404);
    assert_eq!(app.get("/security", s).await.status, 403);
    let export = app
        .get("/projects/export?q=%E9%A3%8E%E7%94%B5&format=xlsx", s)
        .await;
    assert_eq!(export.status, 200);
    assert_eq!(
        app.get("/scoreboard/print?year=2022&period=H1", s)
            .await
            .status,
        200
    );
    assert_eq!(
        app.get("/projects?q=%E9%A3%8E%E7%94%B5", s).await.status,
        200,
        "an ordinary read"
    );
    let entries = access_entries(&store, 4).await;
    let kinds: Vec<(&str, &str, Option<&str>)> = entries
        .iter()
        .rev()
        .map(|e| (e.action.as_str(), e.path.as_str(), e.query.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("refused", "/projects/BQ-1", None),
            ("refused", "/security", None),
            ("export", "/projects/export", Some("q=风电&format=xlsx")),
            ("print", "/scoreboard/print", Some("year=2022&period=H1")),
        ]
    );
    assert!(
        entries
            .iter()
            .all(|e| e.username.as_deref() == Some("jixian")
                && e.address.as_deref() == Some("127.0.0.1"))
    );

    let (auditor, _) = app.sign_in("auditor").await;
    let a = Some(auditor.as_str());
    let page = app.get("/audit?log=access&action=refused", a).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("拒绝访问") && page.body.contains("/projects/BQ-1"));
    assert!(page.body.contains("共 2 条"), "{}", page.body);
    assert!(!page.body.contains("/projects/export"));
    let changes = app.get("/audit?entity=sign_in&person=jixian", a).await;
    assert!(
        changes.body.contains("登录成功") && changes.body.contains("客户端地址：127.0.0.1"),
        "{}",
        changes.body
    );
    assert!(
        !changes.body.contains("&#34;step&#34;") && !changes.body.contains("{&#34;"),
        "no raw JSON"
    );
    let bad = app.get("/audit?from=2022-02-30&person=jixian", a).await;
    assert_eq!(bad.status, 200);
    assert!(
        bad.body.contains("请修正筛选条件") && bad.body.contains("起始日期"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains("value=\"jixian\""),
        "what was typed is kept"
    );
    let future = app.get("/audit?from=2100-01-01", a).await;
    assert!(future.body.contains("共 0 条"));
    let workbook = app.get("/audit/export?log=access", a).await;
    assert_eq!(workbook.status, 200);
    assert!(workbook.bytes.starts_with(b"PK"), "an xlsx file");
    assert!(
        workbook
            .header("content-disposition")
            .unwrap_or_default()
            .contains("attachment")
    );
    assert_eq!(app.get("/audit", s).await.status, 403);
}

async fn account_changes_wait_for_a_second_administrator_and_the_last_auditor_stays(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let (admin, csrf) = app.sign_in("sysadmin").await;
    let a = Some(admin.as_str());
    let asked = app
        .post_form(
            "/users",
            a,
            &[
                ("csrf", &csrf),
                ("username", "auditor2"),
                ("display_name", "第二审计员"),
                ("role", "审计员"),
                ("unit", ""),
            ],
        )
        .await;
    assert_eq!(
        (asked.status, asked.header("location")),
        (303, Some("/users?requested=1"))
    );
    assert!(
        store.user_by_name("auditor2").await.unwrap().is_none(),
        "not yet"
    );
    let listed = app.get("/users?requested=1", a).await;
    assert!(
        listed.body.contains("安全管理员批准后生效")
            && listed.body.contains("新建账号（第二审计员，审计员）")
    );
    // The one who asked cannot decide; the 安全管理员 does.
    let request = store.open_account_requests().await.unwrap()[0].clone();
    let approve = format!("/security/requests/{}/approve", request.id);
    assert_eq!(
        app.post_form(&approve, a, &[("csrf", &csrf)]).await.status,
        403
    );
    let mut tx = store.begin("sysadmin").await.unwrap();
    let policy = store.security_policy().await.unwrap();
    assert!(matches!(
        tx.decide_account_request(request.id, true, &policy, 0)
            .await,
        Err(store::StoreError::Refused(_))
    ));
    tx.rollback().await.unwrap();
    let (sec, sec_csrf) = app.sign_in("secadmin").await;
    let page = app.get("/security", Some(&sec)).await;
    assert!(page.body.contains(&approve), "{}", page.body);
    let approved = app
        .post_form(&approve, Some(&sec), &[("csrf", &sec_csrf)])
        .await;
    assert_eq!(approved.status, 200);
    let password = approved
        .body
        .split("<code class=\"token\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    assert_eq!(
        app.post_form(&approve, Some(&sec), &[("csrf", &sec_csrf)])
            .await
            .status,
        404,
        "decided once"
    );
    let (reply, _) = password_only(&app, "auditor2", &password).await;
    assert_eq!(reply.header("location"), Some("/account/password"));

    // The last enabled 审计员 stays: with two, one may go; then the other may not.
    assert_eq!(
        app.post_form("/users/auditor2/disable", a, &[("csrf", &csrf)])
            .await
            .status,
        303
    );
    let last = app
        .post_form("/users/auditor/disable", a, &[("csrf", &csrf)])
        .await;
    assert_eq!(last.status, 409);
    assert!(last.body.contains("最后一个在用的审计员"), "{}", last.body);
    let last = app
        .post_form("/users/secadmin/disable", a, &[("csrf", &csrf)])
        .await;
    assert_eq!(last.status, 409);
    // Enabling again and resetting a second factor are requests too.
    assert_eq!(
        app.post_form("/users/auditor2/enable", a, &[("csrf", &csrf)])
            .await
            .header("location"),
        Some("/users?requested=1")
    );
    assert!(
        store
            .user_by_name("auditor2")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    app.post_form("/users/auditor/reset-totp", a, &[("csrf", &csrf)])
        .await;
    app.post_form(
        "/users/jixian/role",
        a,
        &[("csrf", &csrf), ("role", "县区审核员"), ("unit", "集贤县")],
    )
    .await;
    let open = store.open_account_requests().await.unwrap();
    assert_eq!(open.len(), 3);
    for r in &open {
        let path = format!("/security/requests/{}/approve", r.id);
        assert_eq!(
            app.post_form(&path, Some(&sec), &[("csrf", &sec_csrf)])
                .await
                .status,
            303
        );
    }
    assert!(
        !store
            .user_by_name("auditor2")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    assert!(
        store
            .user_by_name("auditor")
            .await
            .unwrap()
            .unwrap()
            .totp_secret
            .is_none()
    );
    assert_eq!(
        store.user_by_name("jixian").await.unwrap().unwrap().role,
        domain::access::Role::UnitReviewer
    );
    let log: Vec<String> = actions_of(
        store
            .changes_of("account_request", "auditor2")
            .await
            .unwrap(),
    );
    assert_eq!(log, ["request", "approve", "request", "approve"]);
    assert_eq!(store.verify_audit().await.unwrap().breach, None);
}

async fn a_password_does_not_come_back_and_a_second_factor_is_replaced_only_with_proof(
    db: &TestDb,
) {
    let app = start(db.open().await.unwrap()).await;
    let (staff, _) = app.sign_in("jixian").await;
    let s = Some(staff.as_str());
    let change = |current: &'static str, new: &'static str| {
        let app = &app;
        async move {
            let page = app.get("/account/password", s).await;
            let csrf = csrf_field(&page.body).unwrap();
            app.post_form(
                "/account/password",
                s,
                &[
                    ("csrf", &csrf),
                    ("current", current),
                    ("new", new),
                    ("confirm", new),
                ],
            )
            .await
        }
    };
    assert_eq!(change("correct horse", "Erci#Mima2022").await.status, 303);
    assert_eq!(change("Erci#Mima2022", "Sanci#Mima2022").await.status, 303);
    let back = change("Sanci#Mima2022", "Erci#Mima2022").await;
    assert_eq!(back.status, 422);
    assert!(
        back.body.contains("不能与最近 5 次使用过的密码相同"),
        "{}",
        back.body
    );

    // An administrator replacing the second factor proves the password and the present code.
    let (sec, _) = app.sign_in("secadmin").await;
    let c = Some(sec.as_str());
    let page = app.get("/account/totp", c).await;
    assert!(page.body.contains("原动态口令"), "{}", page.body);
    let csrf = csrf_field(&page.body).unwrap();
    let secret = b"abcdefghijabcdefghij";
    let secret_hex = hex_of(secret);
    let new_code = app.totp_code_of("secadmin-new", secret).await;
    let refused = app
        .post_form(
            "/account/totp",
            c,
            &[
                ("csrf", &csrf),
                ("secret", &secret_hex),
                ("code", &new_code),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("当前密码：不能为空"),
        "{}",
        refused.body
    );
    let present = app.totp_code("secadmin").await;
    let new_code = app.totp_code_of("secadmin-new", secret).await;
    let replaced = app
        .post_form(
            "/account/totp",
            c,
            &[
                ("csrf", &csrf),
                ("secret", &secret_hex),
                ("code", &new_code),
                ("password", "correct horse"),
                ("current", &present),
            ],
        )
        .await;
    assert_eq!(replaced.status, 303, "{}", replaced.body);
}

both_databases!(
    a_personal_token_works_the_api_in_its_owners_scope_without_the_session_and_is_revoked,
    a_token_past_its_rate_is_refused_with_429,
    sign_in_refusals_read_alike_are_throttled_per_address_and_the_address_is_logged,
    refusals_exports_and_prints_are_audited_and_the_auditor_reads_them_in_chinese,
    account_changes_wait_for_a_second_administrator_and_the_last_auditor_stays,
    a_password_does_not_come_back_and_a_second_factor_is_replaced_only_with_proof,
);
