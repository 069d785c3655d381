//! Bad and hostile input over real HTTP on SQLite and PostgreSQL: the API names the code,
//! message and field of each error; what an attacker types into forms, the API and files is
//! refused or stored as typed and shown escaped.

use crate::common::*;
use store::both_databases;
use store::testing::TestDb;
use web::client::{form, send, send_with};

async fn the_api_reports_errors_with_code_message_and_field(db: &TestDb) {
    let app = start(db.open().await.unwrap()).await;
    let (cookie, csrf) = app.sign_in("bureau").await;
    let c = Some(cookie.as_str());
    let reply = app
        .post_json("/api/v1/projects/JX-1/events", c, "{not json")
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"]["code"], "bad_request");
    let reply = app
        .post_json(
            "/api/v1/projects/JX-1/events",
            c,
            r#"{"kind":"签约","date":"2022-02-01"}"#,
        )
        .await;
    assert_eq!(reply.status, 422);
    let error = &reply.json()["error"];
    assert_eq!(
        (error["code"].as_str(), error["field"].as_str()),
        (Some("invalid"), Some("amount_wan")),
        "fields are named by the request's JSON keys"
    );
    assert_eq!(error["message"], "签约须有大于0的签约额");
    let reply = app
        .post_json(
            "/api/v1/projects/JX-1/events",
            c,
            r#"{"kind":"在谈","date":"2022-13-01"}"#,
        )
        .await;
    assert_eq!(
        (reply.status, reply.json()["error"]["field"].as_str()),
        (422, Some("date"))
    );
    // Every bad member at once, as the form shows them, by the same parser.
    let bad_project = r#"{"code":"","name":"新项目","territory":"集贤县","investor":"某公司","investor_code":"123","signed_amount_wan":"很多"}"#;
    let reply = app.post_json("/api/v1/projects", c, bad_project).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let fields: Vec<String> = reply.json()["error"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        fields,
        ["code", "investor_code", "signed_amount_wan"],
        "{}",
        reply.body
    );
    let bad_event =
        r#"{"kind":"开会","date":"2022-13-01","amount_wan":"十万","company_code":"123"}"#;
    let reply = app
        .post_json("/api/v1/projects/JX-1/events", c, bad_event)
        .await;
    assert_eq!(reply.status, 422);
    let fields: Vec<String> = reply.json()["error"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        fields,
        ["kind", "date", "amount_wan", "company_code"],
        "{}",
        reply.body
    );
    let reply = app
        .post_json(
            "/api/v1/projects/JX-1/funds",
            c,
            r#"{"date":"昨天","amount_wan":"-5","currency":"日元"}"#,
        )
        .await;
    let fields: Vec<String> = reply.json()["error"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!((reply.status, fields.len()), (422, 3), "{}", reply.body);
    let form = [
        ("csrf", csrf.as_str()),
        ("kind", "开会"),
        ("date", "2022-13-01"),
        ("amount", "十万"),
        ("company", "123"),
    ];
    let reply = app.post_form("/projects/JX-1/events", c, &form).await;
    assert_eq!(reply.status, 422);
    for name in ["阶段", "日期", "金额", "落地企业信用代码"] {
        assert!(
            reply.body.contains(name),
            "the form names {name}: {}",
            reply.body
        );
    }
    let reply = app
        .post_json(
            "/api/v1/projects",
            c,
            r#"{"code":"JX-8","name":"新项目","territory":"火星县"}"#,
        )
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json()["error"]["field"], "territory");
    assert_eq!(
        reply.json()["error"]["message"],
        "单位“火星县”不存在，请先录入或导入"
    );
    let reply = app
        .post_json(
            "/api/v1/projects",
            c,
            r#"{"code":"JX-1","name":"重复","territory":"集贤县"}"#,
        )
        .await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.json()["error"]["code"], "conflict");
    let reply = app
        .post_json(
            "/api/v1/projects",
            c,
            r#"{"code":"JX-9","name":"新项目","territory":"集贤县"}"#,
        )
        .await;
    assert_eq!(reply.status, 201);
    let project = app.get("/api/v1/projects/JX-9", c).await.json();
    assert_eq!(project["next_step"]["next"], "线索");
    assert_eq!(app.get("/api/v1/projects/NOPE", c).await.status, 404);
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

async fn hostile_input_through_forms_api_and_files_is_refused_or_stored_as_typed_and_shown_escaped(
    db: &TestDb,
) {
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
            let fields = [
                ("csrf", csrf.as_str()),
                ("code", code.as_str()),
                ("name", payload),
                ("territory", "集贤县"),
            ];
            let reply = app.post_form("/projects/new", c, &fields).await;
            assert_eq!(reply.status, 400);
            assert!(reply.body.contains("不可见的控制字符"), "{}", reply.body);
            let json = serde_json::json!({"code": code, "name": payload, "territory": "集贤县"})
                .to_string();
            let reply = app.post_json("/api/v1/projects", c, &json).await;
            assert_eq!(reply.status, 400);
            assert!(
                reply.json()["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("控制字符")
            );
            let cells = format!("单位名称,类型\n{payload},县\n");
            let reply = app
                .upload("/import/units", c, &csrf, "units.csv", &cells)
                .await;
            assert_eq!(reply.status, 400, "{}", reply.body);
            assert!(
                reply.body.contains("第2行第1列: 含有不可见的控制字符"),
                "{}",
                reply.body
            );
            tried += 3;
            assert!(store.project(&code).await.unwrap().is_none());
            continue;
        }
        // Every text field of the project form at once.
        let fields = [
            ("csrf", csrf.as_str()),
            ("code", code.as_str()),
            ("name", payload),
            ("territory", "集贤县"),
            ("investor", payload),
            ("credited", payload),
            ("source_mode", payload),
            ("capital_origin", "内资"),
            ("currency", "人民币"),
        ];
        let reply = app.post_form("/projects/new", c, &fields).await;
        tried += 1;
        assert!(
            matches!(reply.status, 303 | 422),
            "{payload:?}: {} {}",
            reply.status,
            reply.body
        );
        // Without the fields that are checked against lists, it must be taken as typed.
        let plain = [
            ("csrf", csrf.as_str()),
            ("code", code.as_str()),
            ("name", payload),
            ("territory", "集贤县"),
            ("investor", payload),
            ("capital_origin", "内资"),
            ("currency", "人民币"),
        ];
        let reply = app.post_form("/projects/new", c, &plain).await;
        tried += 1;
        if reply.status == 303 {
            stored += 1;
            let project = store.project(&code).await.unwrap().unwrap().project;
            assert_eq!(project.name, payload.trim(), "stored as typed");
        } else {
            assert_eq!(reply.status, 422, "{payload:?}: {}", reply.body);
            assert!(
                reply.body.contains("项目名称") || reply.body.contains("投资企业"),
                "the refusal names its field: {}",
                reply.body
            );
        }
        let raised = [
            ("csrf", csrf.as_str()),
            ("description", payload),
            ("category", "用地"),
            ("raised_on", "2022-03-01"),
            ("owner_unit", "集贤县"),
            ("deadline", "2099-01-01"),
        ];
        let reply = app.post_form("/projects/JX-1/blockers", c, &raised).await;
        tried += 1;
        assert!(
            matches!(reply.status, 303 | 422),
            "{payload:?}: {} {}",
            reply.status,
            reply.body
        );
        let json = serde_json::json!({"code": format!("HA-{i}"), "name": payload, "territory": "集贤县", "investor": payload}).to_string();
        let reply = app.post_json("/api/v1/projects", c, &json).await;
        tried += 1;
        assert!(
            matches!(reply.status, 201 | 422),
            "{payload:?}: {} {}",
            reply.status,
            reply.body
        );
        let search = app
            .get(
                &format!(
                    "/enterprises?q={}",
                    form(&[("", payload)]).trim_start_matches('=')
                ),
                c,
            )
            .await;
        tried += 1;
        assert_eq!(search.status, 200, "{payload:?}");
    }
    // Every payload but NUL (refused) and the 5,000 characters (项目名称：不能超过200个字) is
    // text someone might type, and is kept as typed.
    assert_eq!(stored, all.len() - 2);
    // Nothing the attacker typed comes back as markup.
    for page in [
        "/projects",
        "/projects/HX-0",
        "/projects/HX-1",
        "/blockers",
        "/projects/JX-1",
        "/duplicates",
    ] {
        let body = app.get(page, c).await.body;
        assert!(
            !body.contains("<script>alert")
                && !body.contains("<img src=x")
                && !body.contains("onmouseover='alert"),
            "{page} shows markup: {body}"
        );
    }
    let body = app.get("/projects/HX-0", c).await.body;
    assert!(
        body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || body.contains("&#60;script&#62;"),
        "escaped, not dropped"
    );
    assert!(
        store.project("HX-4").await.unwrap().is_some(),
        "the projects table is still there"
    );
    // Exported for Excel, a formula stays text.
    let export = app.get("/projects/export?format=csv", c).await;
    assert!(
        export.body.contains("'=cmd|"),
        "{}",
        &export.body[..export.body.len().min(400)]
    );
    assert!(!export.body.contains(",=cmd|"));

    // Files: names that climb out of folders, payload cells, and what is not a spreadsheet.
    let cells = format!(
        "单位名称,类型,分组,行政区划代码,上级单位\n\"{}\",县,,,双鸭山市\n",
        PAYLOADS[1].replace('"', "\"\"")
    );
    let reply = app
        .upload(
            "/import/units",
            c,
            &csrf,
            "../../../../tmp/evil.csv",
            &cells,
        )
        .await;
    tried += 1;
    assert!(
        matches!(reply.status, 200 | 422),
        "{} {}",
        reply.status,
        reply.body
    );
    assert!(
        !reply.body.contains("<img src=x"),
        "the report escapes the cell"
    );
    assert!(!std::path::Path::new("/tmp/evil.csv").exists());
    for (name, content) in [
        ("units.exe", "MZ"),
        ("units.xlsx", "PK\u{3}\u{4}garbage"),
        ("units.csv", "\u{feff}"),
    ] {
        let reply = app.upload("/import/units", c, &csrf, name, content).await;
        tried += 1;
        assert!(
            matches!(reply.status, 400 | 422),
            "{name}: {} {}",
            reply.status,
            reply.body
        );
        assert!(
            reply.body.contains("文件")
                || reply.body.contains("表头")
                || reply.body.contains("Excel"),
            "{name}: {}",
            reply.body
        );
    }

    // Bodies too large or too deep, and the wrong kind of body.
    let huge = "x".repeat(3 << 20);
    let reply = app
        .post_form("/projects/new", c, &[("csrf", &csrf), ("name", &huge)])
        .await;
    tried += 1;
    assert_eq!(reply.status, 413);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let reply = app.post_json("/api/v1/projects", c, &deep).await;
    tried += 1;
    assert!(
        matches!(reply.status, 400 | 413),
        "{} {}",
        reply.status,
        reply.body
    );
    assert!(
        reply.json()["error"]["message"]
            .as_str()
            .unwrap()
            .chars()
            .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)),
        "{}",
        reply.body
    );
    let reply = send_with(
        app.addr,
        "POST",
        "/api/v1/projects",
        c,
        &[("X-CSRF-Token", &csrf)],
        Some(("text/plain", "code=X".into())),
    )
    .await;
    tried += 1;
    assert!(
        matches!(reply.status, 400 | 415),
        "{} {}",
        reply.status,
        reply.body
    );
    let reply = send(app.addr, "GET", "/projects/%FF%FE", c, None).await;
    tried += 1;
    assert!(matches!(reply.status, 400 | 404), "{}", reply.status);

    // Nothing half-written: every record that exists is whole, the log chained.
    assert!(
        store
            .project_states_disagreeing(d("2022-12-31"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.verify_audit().await.unwrap().breach, None);
    println!("hostile input: {} payloads, {tried} requests", all.len());
}

both_databases!(
    the_api_reports_errors_with_code_message_and_field,
    hostile_input_through_forms_api_and_files_is_refused_or_stored_as_typed_and_shown_escaped,
);
