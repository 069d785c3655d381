//! Signing in and staying signed in, over real HTTP on SQLite and PostgreSQL: strangers sent
//! to sign in, the session cookie, one session per account, signing out, the CSRF token that
//! forms and API writes need, and the security headers on every page.

use crate::common::*;
use store::both_databases;
use store::testing::TestDb;
use web::client::{post_sign_in, send, send_with, set_cookie};

async fn strangers_are_sent_to_sign_in_and_the_api_answers_401(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let page = app.get("/projects", None).await;
    assert_eq!(
        (page.status, page.header("location")),
        (303, Some("/login"))
    );
    let api = app.get("/api/v1/projects", None).await;
    assert_eq!(api.status, 401);
    assert_eq!(api.json()["error"]["code"], "unauthenticated");
    let login = app.get("/login", None).await;
    assert_eq!(login.status, 200);
    assert!(login.body.contains("用户名"));
}

async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    for (user, password) in [("jixian", "wrong"), ("nobody", "correct horse")] {
        let reply = post_sign_in(app.addr, user, password).await;
        assert_eq!(reply.status, 401);
        assert!(reply.body.contains("用户名或密码错误"));
        assert!(set_cookie(&reply, web::auth::COOKIE).is_none());
    }
}

async fn the_session_cookie_is_http_only_and_strict_and_pages_carry_security_headers(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let reply = post_sign_in(app.addr, "bureau", "correct horse").await;
    let cookie = reply
        .headers
        .iter()
        .find(|(n, v)| n.eq_ignore_ascii_case("set-cookie") && v.starts_with("zs_session="))
        .map(|(_, v)| v.as_str())
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let page = app
        .get("/projects", Some(cookie.split(';').next().unwrap()))
        .await;
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("default-src 'self'")
    );
}

async fn a_form_without_the_sessions_token_is_refused(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (cookie, _) = app.sign_in("bureau").await;
    let forged = [("csrf", "forged"), ("kind", "在谈"), ("date", "2022-02-01")];
    assert_eq!(
        app.post_form("/projects/JX-1/events", Some(&cookie), &forged)
            .await
            .status,
        403
    );
}

async fn signing_out_ends_the_session(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (cookie, csrf) = app.sign_in("bureau").await;
    let reply = app
        .post_form("/logout", Some(&cookie), &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(reply.status, 303);
    assert_eq!(
        app.get("/projects", Some(&cookie)).await.status,
        303,
        "the old cookie no longer works"
    );
}

async fn one_session_per_account_ends_the_older_and_tells_its_browser_why(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let (first, _) = app.sign_in("bureau").await;
    let (second, _) = app.sign_in("bureau").await;
    let old = app.get("/projects", Some(&first)).await;
    assert_eq!(
        (old.status, old.header("location")),
        (303, Some("/login?ended=replaced"))
    );
    assert!(
        app.get("/login?ended=replaced", None)
            .await
            .body
            .contains("您的账号已在其他地方登录，本会话已结束")
    );
    assert_eq!(app.get("/api/v1/projects", Some(&first)).await.status, 401);
    assert_eq!(app.get("/projects", Some(&second)).await.status, 200);

    // Idle past the policy's minutes: the session ends and the browser is told.
    db.execute_behind_the_store("UPDATE sessions SET last_seen_at = last_seen_at - 1800000")
        .await
        .unwrap();
    let idle = app.get("/projects", Some(&second)).await;
    assert_eq!(idle.header("location"), Some("/login?ended=idle"));
    assert_eq!(
        app.get("/projects", Some(&second)).await.header("location"),
        Some("/login?ended=idle"),
        "it stays ended"
    );

    // The security administrator ends an account's sessions.
    let (third, _) = app.sign_in("bureau").await;
    let (sec, sec_csrf) = app.sign_in("secadmin").await;
    let ended = app
        .post_form(
            "/security/users/bureau/end-sessions",
            Some(&sec),
            &[("csrf", sec_csrf.as_str())],
        )
        .await;
    assert_eq!(ended.status, 303);
    assert_eq!(
        app.get("/projects", Some(&third)).await.header("location"),
        Some("/login?ended=ended_by_admin")
    );
    let sessions: Vec<_> = actions_of(store.changes_of("session", "bureau").await.unwrap());
    assert_eq!(sessions, ["end", "end_all"]);
}

async fn sign_in_forms_and_api_writes_need_a_token_and_pages_carry_the_security_headers(
    db: &TestDb,
) {
    let app = start_with(db.open().await.unwrap(), true).await;
    // A sign-in form posted from elsewhere lacks the page's token.
    let forged = app
        .post_form(
            "/login",
            None,
            &[
                ("username", "bureau"),
                ("password", "correct horse"),
                ("csrf", "forged"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(forged.body.contains("登录页面已过期或来源不明"));
    let (reply, cookie) = password_only(&app, "bureau", "correct horse").await;
    assert!(
        reply
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("set-cookie")
                && v.starts_with("zs_session=")
                && v.contains("; Secure"))
    );
    let c = Some(cookie.as_str());
    let page = app.get("/projects", c).await;
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self'")
            && csp.contains("frame-ancestors 'none'")
            && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(
        page.header("strict-transport-security"),
        Some("max-age=31536000; includeSubDomains")
    );
    // An API write with the session's cookie but not its token is refused.
    let body = r#"{"code": "BQ-9", "name": "宝清县光伏项目", "territory": "宝清县"}"#;
    let bare = send(
        app.addr,
        "POST",
        "/api/v1/projects",
        c,
        Some(("application/json", body.to_owned())),
    )
    .await;
    assert_eq!(bare.status, 403);
    assert_eq!(bare.json()["error"]["code"], "forbidden");
    let (_, csrf) = app.sign_in("bureau").await;
    let cookie = app
        .tokens
        .lock()
        .unwrap()
        .iter()
        .find(|(_, t)| **t == csrf)
        .map(|(c, _)| c.clone())
        .unwrap();
    let with_token = send_with(
        app.addr,
        "POST",
        "/api/v1/projects",
        Some(&cookie),
        &[("X-CSRF-Token", &csrf)],
        Some(("application/json", body.to_owned())),
    )
    .await;
    assert_eq!(with_token.status, 201, "{}", with_token.body);

    let plain = serve_app(db.open().await.unwrap(), false).await;
    assert_eq!(
        plain
            .get("/login", None)
            .await
            .header("strict-transport-security"),
        None,
        "no HSTS without TLS"
    );
}

both_databases!(
    strangers_are_sent_to_sign_in_and_the_api_answers_401,
    a_wrong_password_is_refused_without_saying_which_part_was_wrong,
    the_session_cookie_is_http_only_and_strict_and_pages_carry_security_headers,
    a_form_without_the_sessions_token_is_refused,
    signing_out_ends_the_session,
    one_session_per_account_ends_the_older_and_tells_its_browser_why,
    sign_in_forms_and_api_writes_need_a_token_and_pages_carry_the_security_headers,
);
