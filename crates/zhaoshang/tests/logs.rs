//! The server's log, read from a real server process: a line per request with its method,
//! route, status, latency and account; a server error with its cause; never a password, a
//! session token or what was typed into a form.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use domain::access::Role;
use serde_json::Value;
use store::testing::TestDb;
use store::{Store, both_databases};
use web::client::{post_sign_in, send, set_cookie};

const PASSWORD: &str = "Mima#2022-logs";

/// A server process of the real binary whose stderr is kept line by line; killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(db: &TestDb, index: &std::path::Path, format: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_zhaoshang"))
            .args(["--db", &db.url, "--index"])
            .arg(index)
            .args(["--log-format", format, "serve", "--addr", "127.0.0.1:0"])
            .env_remove("ZHAOSHANG_DB")
            .env_remove("ZHAOSHANG_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        let log = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&log);
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the server printed its address")
                .unwrap();
            if let Some(rest) = line.strip_prefix("已启动: http://") {
                break rest.trim_end_matches('/').parse().unwrap();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr, log }
    }

    /// The log so far, once the line `wanted` picks has been written (the server logs a
    /// request as its answer leaves, so the client may see the answer first).
    fn log_with(&self, wanted: impl Fn(&str) -> bool) -> Vec<String> {
        for _ in 0..100 {
            let log = self.log.lock().unwrap().clone();
            if log.iter().any(|line| wanted(line)) {
                return log;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("no such line in the log: {:#?}", self.log.lock().unwrap());
    }
}

async fn city_with_bureau(store: &Store) -> i64 {
    let hash = store::accounts::hash_password_cheaply(PASSWORD).unwrap();
    let mut tx = store.begin("test").await.unwrap();
    let id = tx
        .add_user("zhaoshangju", "招商局", Role::Bureau, None, &hash)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn the_server_logs_each_request_with_its_route_status_and_account_and_each_error_with_its_cause(
    db: &TestDb,
) {
    let store = db.open().await.unwrap();
    let account = city_with_bureau(&store).await;
    let index = tempfile::tempdir().unwrap();
    let server = Server::start(db, index.path(), "json");

    let signed_in = post_sign_in(server.addr, "zhaoshangju", PASSWORD).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let cookie = set_cookie(&signed_in, web::auth::COOKIE).unwrap();
    let token = cookie.split_once('=').unwrap().1.to_owned();
    let listed = send(
        server.addr,
        "GET",
        "/projects?q=%E7%9F%B3%E5%A2%A8",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(listed.status, 200);

    // A table gone from under the server: the page fails, and the log says why.
    db.execute_behind_the_store("DROP TABLE visit_plans")
        .await
        .unwrap();
    let failed = send(server.addr, "GET", "/visits", Some(&cookie), None).await;
    assert_eq!(failed.status, 500);
    assert!(
        !failed.body.contains("visit_plans"),
        "the page shows no cause: {}",
        failed.body
    );

    let log = server.log_with(|line| line.contains("\"status\":500"));
    let entries: Vec<Value> = log
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let request = |route: &str, status: u64| {
        entries
            .iter()
            .find(|e| e["span"]["route"] == route && e["fields"]["status"] == status)
    };
    let list = request("/projects", 200).unwrap_or_else(|| panic!("{log:#?}"));
    assert_eq!(list["span"]["method"], "GET");
    assert_eq!(list["span"]["account"], account);
    assert!(list["fields"]["latency_ms"].as_f64().is_some(), "{list}");
    assert_eq!(list["level"], "INFO");
    let sign_in = request("/login", 303).unwrap_or_else(|| panic!("{log:#?}"));
    assert_eq!(sign_in["span"]["method"], "POST");
    let failure = request("/visits", 500).unwrap_or_else(|| panic!("{log:#?}"));
    assert_eq!(failure["level"], "ERROR");
    let cause = entries
        .iter()
        .find(|e| e["fields"]["message"] == "internal error" && e["span"]["route"] == "/visits")
        .unwrap_or_else(|| panic!("{log:#?}"));
    assert!(
        cause["fields"]["cause"]
            .as_str()
            .unwrap()
            .contains("visit_plans"),
        "{cause}"
    );

    let all = log.join("\n");
    assert!(!all.contains(PASSWORD), "the password is never logged");
    assert!(!all.contains(&token), "the session token is never logged");
    assert!(
        !all.contains("石墨") && !all.contains("%E7%9F%B3"),
        "queries are never logged"
    );
    drop(server);

    // Text for people, one line a request.
    let server = Server::start(db, index.path(), "text");
    let page = send(server.addr, "GET", "/login", None, None).await;
    assert_eq!(page.status, 200);
    let log = server.log_with(|line| line.contains("route=/login"));
    let line = log
        .iter()
        .find(|line| line.contains("route=/login"))
        .unwrap();
    assert!(
        line.contains("INFO") && line.contains("method=GET") && line.contains("status=200"),
        "{line}"
    );
    assert!(serde_json::from_str::<Value>(line).is_err(), "{line}");
}

both_databases!(
    the_server_logs_each_request_with_its_route_status_and_account_and_each_error_with_its_cause,
);
