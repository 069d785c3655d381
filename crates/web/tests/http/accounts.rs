//! Accounts over real HTTP on SQLite and PostgreSQL: the security administrator's policy and
//! locks, passwords that must be changed, second factors, and the accounts the system
//! administrator adds, resets and disables.

use crate::common::*;
use domain::access::Role;
use store::both_databases;
use store::testing::TestDb;
use web::client::csrf_field;

async fn repeated_failures_lock_an_account_for_the_policys_time_and_the_security_administrator_unlocks_it(
    db: &TestDb,
) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let (sec, sec_csrf) = app.sign_in("secadmin").await;
    let s = Some(sec.as_str());
    // A setting out of its bounds is refused beside its field; none can switch a control off.
    let mut policy = vec![
        ("csrf", sec_csrf.as_str()),
        ("p0", "10"),
        ("p1", "3"),
        ("p2", "90"),
        ("p3", "1"),
        ("p4", "15"),
        ("p5", "30"),
    ];
    let refused = app.post_form("/security/policy", s, &policy).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("连续失败锁定次数：须在 3 到 10 之间"),
        "{}",
        refused.body
    );
    policy[4] = ("p3", "3");
    assert_eq!(
        app.post_form("/security/policy", s, &policy).await.status,
        303
    );
    assert_eq!(store.security_policy().await.unwrap().lockout_after, 3);

    for _ in 0..2 {
        let (reply, _) = password_only(&app, "jixian", "wrong horse").await;
        assert_eq!(reply.status, 401);
        assert!(reply.body.contains("用户名或密码错误"));
    }
    let (third, _) = password_only(&app, "jixian", "wrong horse").await;
    let (unknown, _) = password_only(&app, "nobody-at-all", "wrong horse").await;
    // A locked account answers exactly as an unknown name: which names exist, or are locked,
    // cannot be learned from the sign-in page.
    let message = |body: &str| {
        let start = body
            .find("用户名或密码错误")
            .expect("the refusal's message");
        body[start..]
            .split('<')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        (third.status, message(&third.body)),
        (unknown.status, message(&unknown.body))
    );
    assert_eq!(third.status, 401);
    let (right, cookie) = password_only(&app, "jixian", "correct horse").await;
    assert_eq!(
        (right.status, cookie.as_str()),
        (401, ""),
        "the right password waits out the lock"
    );
    assert_eq!(message(&right.body), message(&unknown.body));
    assert!(
        store
            .user_by_name("jixian")
            .await
            .unwrap()
            .unwrap()
            .locked_at(chrono::Utc::now().timestamp_millis())
    );

    let page = app.get("/security", s).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("/security/users/jixian/unlock"),
        "{}",
        page.body
    );
    let unlocked = app
        .post_form(
            "/security/users/jixian/unlock",
            s,
            &[("csrf", sec_csrf.as_str())],
        )
        .await;
    assert_eq!(unlocked.status, 303);
    let (reply, _) = password_only(&app, "jixian", "correct horse").await;
    assert_eq!((reply.status, reply.header("location")), (303, Some("/my")));

    // Every attempt is in the audit log, and only the security administrator keeps these.
    assert_eq!(
        actions_of(store.changes_of("sign_in", "jixian").await.unwrap()),
        [
            "failure", "failure", "failure", "locked", "failure", "success"
        ]
    );
    assert_eq!(
        actions_of(store.changes_of("user", "jixian").await.unwrap())
            .last()
            .unwrap(),
        "unlock"
    );
    let (admin, admin_csrf) = app.sign_in("sysadmin").await;
    assert_eq!(app.get("/security", Some(&admin)).await.status, 403);
    assert_eq!(
        app.post_form(
            "/security/users/jixian/unlock",
            Some(&admin),
            &[("csrf", admin_csrf.as_str())]
        )
        .await
        .status,
        403
    );
    assert_eq!(app.get("/audit", s).await.status, 403);
    assert_eq!(store.verify_audit().await.unwrap().breach, None);
}

async fn a_password_set_by_an_administrator_or_expired_must_be_changed_before_anything_else(
    db: &TestDb,
) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    let hash = store::accounts::hash_password_cheaply("correct horse").unwrap();
    tx.set_password("jixian", &hash, true, chrono::Utc::now().timestamp_millis())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (reply, cookie) = password_only(&app, "jixian", "correct horse").await;
    assert_eq!(reply.header("location"), Some("/account/password"));
    let c = Some(cookie.as_str());
    assert_eq!(
        app.get("/projects", c).await.header("location"),
        Some("/account/password")
    );
    assert_eq!(app.get("/api/v1/projects", c).await.status, 401);
    let page = app.get("/account/password", c).await;
    assert!(
        page.body.contains("至少 10 个字符") && page.body.contains("须设置新密码"),
        "{}",
        page.body
    );
    let csrf = csrf_field(&page.body).unwrap();
    for (current, new, confirm, message) in [
        ("correct horse", "Ab1#", "Ab1#", "至少 10 个字符"),
        (
            "correct horse",
            "zhaoshangzhaoshang",
            "zhaoshangzhaoshang",
            "至少 3 种",
        ),
        (
            "correct horse",
            "Zhaoshang#2022",
            "Zhaoshang#2023",
            "确认新密码：与新密码不一致",
        ),
        (
            "wrong horse",
            "Zhaoshang#2022",
            "Zhaoshang#2022",
            "当前密码：不正确",
        ),
        (
            "correct horse",
            "Jixian#2022abc",
            "Jixian#2022abc",
            "不能包含用户名",
        ),
    ] {
        let refused = app
            .post_form(
                "/account/password",
                c,
                &[
                    ("csrf", &csrf),
                    ("current", current),
                    ("new", new),
                    ("confirm", confirm),
                ],
            )
            .await;
        assert_eq!(refused.status, 422, "{new}");
        assert!(
            refused.body.contains(message),
            "{message}: {}",
            refused.body
        );
    }
    let changed = app
        .post_form(
            "/account/password",
            c,
            &[
                ("csrf", &csrf),
                ("current", "correct horse"),
                ("new", "Zhaoshang#2022"),
                ("confirm", "Zhaoshang#2022"),
            ],
        )
        .await;
    assert_eq!(
        (changed.status, changed.header("location")),
        (303, Some("/my"))
    );
    assert_eq!(app.get("/projects", c).await.status, 200);
    assert_eq!(
        password_only(&app, "jixian", "correct horse")
            .await
            .0
            .status,
        401
    );
    let (reply, _) = password_only(&app, "jixian", "Zhaoshang#2022").await;
    assert_eq!(reply.header("location"), Some("/my"));

    // A password older than the policy allows is changed the same way.
    db.execute_behind_the_store(
        "UPDATE users SET password_changed_at = 0 WHERE username = 'jixian'",
    )
    .await
    .unwrap();
    let (reply, _) = password_only(&app, "jixian", "Zhaoshang#2022").await;
    assert_eq!(reply.header("location"), Some("/account/password"));
    let log = actions_of(store.changes_of("user", "jixian").await.unwrap());
    assert_eq!(log[log.len() - 2..], ["password_reset", "password_change"]);
}

async fn administrators_enrol_a_second_factor_from_a_qr_code_and_each_code_signs_in_once(
    db: &TestDb,
) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    let hash = store::accounts::hash_password_cheaply("correct horse").unwrap();
    tx.add_user("auditor2", "第二审计员", Role::Auditor, None, &hash)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (reply, cookie) = password_only(&app, "auditor2", "correct horse").await;
    assert_eq!(reply.header("location"), Some("/account/totp"));
    let c = Some(cookie.as_str());
    assert_eq!(
        app.get("/audit", c).await.header("location"),
        Some("/account/totp")
    );
    let page = app.get("/account/totp", c).await;
    assert!(
        page.body.contains("<svg")
            && page.body.contains("class=\"qr\"")
            && page.body.contains("<path fill=\"#000\" d=\"M"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<script"), "no script on the page");
    let csrf = csrf_field(&page.body).unwrap();
    let secret_hex = page
        .body
        .split("name=\"secret\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let secret: Vec<u8> = (0..secret_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&secret_hex[i..i + 2], 16).unwrap())
        .collect();
    let text = domain::security::totp::base32(&secret);
    assert!(
        page.body.contains(&text[..4]),
        "the secret is shown for typing in"
    );
    let code = app.totp_code_of("auditor2", &secret).await;
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let refused = app
        .post_form(
            "/account/totp",
            c,
            &[("csrf", &csrf), ("secret", &secret_hex), ("code", &wrong)],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("与二维码不符"));
    let enrolled = app
        .post_form(
            "/account/totp",
            c,
            &[("csrf", &csrf), ("secret", &secret_hex), ("code", &code)],
        )
        .await;
    assert_eq!(
        (enrolled.status, enrolled.header("location")),
        (303, Some("/my"))
    );
    assert_eq!(app.get("/audit", c).await.status, 200);

    // The next sign-in asks for a code; the one just used is refused.
    let (reply, cookie) = password_only(&app, "auditor2", "correct horse").await;
    assert_eq!(reply.header("location"), Some("/login/totp"));
    let c = Some(cookie.as_str());
    let csrf = csrf_field(&app.get("/login/totp", c).await.body).unwrap();
    let replayed = app
        .post_form("/login/totp", c, &[("csrf", &csrf), ("code", &code)])
        .await;
    assert_eq!(replayed.status, 422);
    let next = app.totp_code_of("auditor2", &secret).await;
    let passed = app
        .post_form("/login/totp", c, &[("csrf", &csrf), ("code", &next)])
        .await;
    assert_eq!(
        (passed.status, passed.header("location")),
        (303, Some("/my"))
    );
    let page = app.get("/audit?verify=1", c).await;
    assert!(page.body.contains("哈希链完整"), "{}", page.body);
    assert!(
        page.body.contains("绑定动态口令") && page.body.contains("动态口令错误"),
        "the auditor reads the sign-in events"
    );
    let steps = actions_of(store.changes_of("sign_in", "auditor2").await.unwrap());
    assert_eq!(steps, ["success", "step", "success", "failure", "step"]);
}

async fn the_system_administrator_adds_resets_and_disables_accounts_with_temporary_passwords(
    db: &TestDb,
) {
    let app = start(db.open().await.unwrap()).await;
    let store = db.open().await.unwrap();
    let (admin, csrf) = app.sign_in("sysadmin").await;
    let a = Some(admin.as_str());
    let (sec, sec_csrf) = app.sign_in("secadmin").await;
    // Approves the one open request and returns the temporary password shown to the approver.
    let approve = || async {
        let id = store.open_account_requests().await.unwrap()[0].id;
        let page = app
            .post_form(
                &format!("/security/requests/{id}/approve"),
                Some(&sec),
                &[("csrf", sec_csrf.as_str())],
            )
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        page.body
            .split("<code class=\"token\">")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap()
            .to_owned()
    };
    assert!(app.get("/users", a).await.body.contains("<td>jixian</td>"));
    let add = [
        ("csrf", csrf.as_str()),
        ("username", "baoqing"),
        ("display_name", "宝清县填报员"),
        ("role", "单位填报员"),
        ("unit", "宝清县"),
    ];
    let mut bad = add;
    bad[3] = ("role", "科长");
    bad[4] = ("unit", "不存在县");
    let refused = app.post_form("/users", a, &bad).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("value=\"baoqing\"") && refused.body.contains("角色"),
        "{}",
        refused.body
    );
    assert_eq!(app.post_form("/users", a, &add).await.status, 303);
    let again = app.post_form("/users", a, &add).await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("已有待批准的申请"), "{}", again.body);
    // The account exists once the 安全管理员 approves; the password is the approver's to hand on.
    let first = approve().await;
    assert!(
        domain::security::Policy::default()
            .check_password("baoqing", &first)
            .is_ok()
    );
    assert!(
        !app.get("/users", a).await.body.contains(&first),
        "the asker never sees it"
    );
    let again = app.post_form("/users", a, &add).await;
    assert!(again.body.contains("已被使用"), "{}", again.body);
    // A reset, once approved (not before), ends its sessions and sets another temporary password.
    let reset = app
        .post_form("/users/baoqing/reset", a, &[("csrf", &csrf)])
        .await;
    assert_eq!(reset.header("location"), Some("/users?requested=1"));
    // The new account's first sign-in changes the temporary password.
    let (reply, cookie) = password_only(&app, "baoqing", &first).await;
    assert_eq!(reply.header("location"), Some("/account/password"));
    let second = approve().await;
    assert_eq!(
        app.get("/account/password", Some(&cookie))
            .await
            .header("location"),
        Some("/login?ended=ended_by_admin")
    );
    assert_eq!(password_only(&app, "baoqing", &first).await.0.status, 401);
    let (reply, _) = password_only(&app, "baoqing", &second).await;
    assert_eq!(reply.header("location"), Some("/account/password"));
    // Disabled: refused like a wrong password; enabled again once approved: back.
    assert_eq!(
        app.post_form("/users/baoqing/disable", a, &[("csrf", &csrf)])
            .await
            .status,
        303
    );
    assert_eq!(password_only(&app, "baoqing", &second).await.0.status, 401);
    assert_eq!(
        app.post_form("/users/baoqing/enable", a, &[("csrf", &csrf)])
            .await
            .status,
        303
    );
    let id = store.open_account_requests().await.unwrap()[0].id;
    assert_eq!(
        app.post_form(
            &format!("/security/requests/{id}/approve"),
            Some(&sec),
            &[("csrf", &sec_csrf)]
        )
        .await
        .status,
        303
    );
    assert_eq!(password_only(&app, "baoqing", &second).await.0.status, 303);
    assert_eq!(
        app.post_form("/users/sysadmin/disable", a, &[("csrf", &csrf)])
            .await
            .status,
        409,
        "not oneself"
    );
    assert_eq!(
        app.post_form("/users/nobody/disable", a, &[("csrf", &csrf)])
            .await
            .status,
        404
    );
    let log = actions_of(store.changes_of("user", "baoqing").await.unwrap());
    assert_eq!(
        log,
        [
            "create",
            "password_reset",
            "password_reset",
            "disable",
            "enable"
        ]
    );
    let sessions = actions_of(store.changes_of("session", "baoqing").await.unwrap());
    assert_eq!(sessions, ["end_all"]);
}

both_databases!(
    repeated_failures_lock_an_account_for_the_policys_time_and_the_security_administrator_unlocks_it,
    a_password_set_by_an_administrator_or_expired_must_be_changed_before_anything_else,
    administrators_enrol_a_second_factor_from_a_qr_code_and_each_code_signs_in_once,
    the_system_administrator_adds_resets_and_disables_accounts_with_temporary_passwords,
);
