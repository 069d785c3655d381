//! What the tests that drive the real binary share: the demo server started as an office
//! starts it (`zhaoshang serve --demo`) on a database of the test's, and the accounts' passwords
//! it prints; a signed-in account; the route table's patterns filled with real ids.

#![allow(dead_code, clippy::unwrap_used)] // Each test binary uses part of it; a test fails by panicking.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use web::client::{Reply, csrf_field, form, post_sign_in, send, send_with, set_cookie};

/// A child process killed when dropped, so that a failing test leaves no server behind.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `zhaoshang serve --demo` on the database `db_url` with its index in `dir`: the process, its
/// address and each demo account's password as printed at start.
pub fn demo_server(db_url: &str, dir: &Path) -> (Process, SocketAddr, HashMap<String, String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhaoshang"))
        .args(["--db", db_url])
        .arg("--index")
        .arg(dir.join("index"))
        .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
        .env_remove("ZHAOSHANG_DB")
        .stdout(Stdio::piped())
        // The server's log, for a failing test to show what went wrong inside.
        .stderr(std::fs::File::create(dir.join("server.log")).unwrap())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut passwords = HashMap::new();
    let addr = loop {
        let line = lines
            .next()
            .expect("the demo server printed its address")
            .unwrap();
        if let Some(rest) = line.strip_prefix("已启动: http://") {
            break rest.trim_end_matches('/').parse().unwrap();
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if let (Some(u), Some(p)) = (
            words.iter().position(|w| *w == "用户名"),
            words.iter().position(|w| *w == "密码"),
        ) {
            passwords.insert(words[u + 1].to_owned(), words[p + 1].to_owned());
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (Process(child), addr, passwords)
}

/// The lines of the server's log (`demo_server`'s, in `dir`) that report an error.
pub fn server_errors(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("server.log"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("ERROR"))
        .take(20)
        .map(str::to_owned)
        .collect()
}

/// The password an account is given when its first sign-in asks for a new one: within the
/// policy's bounds and naming no demo account.
const NEW_PASSWORD: &str = "Zs-Extreme-2022!q";

/// A signed-in account, as a browser holds it: the session cookie and the session's CSRF token.
pub struct Session {
    pub addr: SocketAddr,
    pub cookie: String,
    pub csrf: String,
}

impl Session {
    /// Signs in as a browser does, through the steps a fresh demo account may be sent to first:
    /// a new password, and an administrator's second factor, enrolled from the secret its page
    /// shows.
    pub async fn sign_in(addr: SocketAddr, username: &str, password: &str) -> Session {
        let reply = post_sign_in(addr, username, password).await;
        assert_eq!(reply.status, 303, "{username}: {}", reply.body);
        let cookie = set_cookie(&reply, web::auth::COOKIE).unwrap();
        let mut next = reply.header("location").map(str::to_owned);
        // Each step passed sends the browser to the next; there are three at most.
        for _ in 0..3 {
            let Some(step) = next.take() else { break };
            next = match step.as_str() {
                "/account/password" => change_password(addr, &cookie, username, password).await,
                "/account/totp" => enrol_second_factor(addr, &cookie, username).await,
                "/login/totp" => {
                    panic!("{username} has a second factor whose secret this test does not hold")
                }
                _ => None,
            };
        }
        let page = send(addr, "GET", "/units", Some(&cookie), None).await;
        let csrf = csrf_field(&page.body).unwrap();
        Session { addr, cookie, csrf }
    }

    pub async fn get(&self, path: &str) -> Reply {
        send(self.addr, "GET", &encoded(path), Some(&self.cookie), None).await
    }

    /// Posts a form; the step must succeed (a redirect after a form, 201 from the API).
    pub async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let mut pairs = pairs.to_vec();
        pairs.push(("csrf", &self.csrf));
        let reply = send(
            self.addr,
            "POST",
            &encoded(path),
            Some(&self.cookie),
            Some(("application/x-www-form-urlencoded", form(&pairs))),
        )
        .await;
        let errors: Vec<&str> = reply
            .body
            .split("field-error\">")
            .chain(reply.body.split("role=\"alert\">"))
            .skip(1)
            .filter_map(|r| r.get(..r.len().min(300)))
            .collect();
        assert_eq!(reply.status, 303, "POST {path}: {errors:?}");
        reply
    }

    pub async fn post_json(&self, path: &str, json: serde_json::Value) -> Reply {
        let reply = send_with(
            self.addr,
            "POST",
            path,
            Some(&self.cookie),
            &[("X-CSRF-Token", &self.csrf)],
            Some(("application/json", json.to_string())),
        )
        .await;
        assert_eq!(reply.status, 201, "POST {path}: {}", reply.body);
        reply
    }
}

/// The step of a first sign-in that asks for a new password; returns where it sends next.
async fn change_password(
    addr: SocketAddr,
    cookie: &str,
    username: &str,
    current: &str,
) -> Option<String> {
    let page = send(addr, "GET", "/account/password", Some(cookie), None).await;
    let csrf = csrf_field(&page.body)
        .unwrap_or_else(|| panic!("{username}: no password form: {}", page.body));
    let body = form(&[
        ("csrf", csrf.as_str()),
        ("current", current),
        ("new", NEW_PASSWORD),
        ("confirm", NEW_PASSWORD),
    ]);
    let reply = send(
        addr,
        "POST",
        "/account/password",
        Some(cookie),
        Some(("application/x-www-form-urlencoded", body)),
    )
    .await;
    assert_eq!(
        reply.status, 303,
        "{username}'s new password was refused: {}",
        reply.body
    );
    reply.header("location").map(str::to_owned)
}

/// The step of an administrator's first sign-in that enrols a second factor: the code is made
/// from the secret the page shows, as an authenticator app would; returns where it sends next.
async fn enrol_second_factor(addr: SocketAddr, cookie: &str, username: &str) -> Option<String> {
    use domain::security::totp;
    let page = send(addr, "GET", "/account/totp", Some(cookie), None).await;
    let csrf = csrf_field(&page.body)
        .unwrap_or_else(|| panic!("{username}: no enrolment form: {}", page.body));
    let secret = page
        .body
        .split("name=\"secret\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{username}: no secret on the enrolment page"))
        .to_owned();
    let bytes: Vec<u8> = (0..secret.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&secret[i..i + 2], 16).unwrap())
        .collect();
    let code = totp::code(&bytes, totp::step_at(chrono::Utc::now().timestamp_millis()));
    let body = form(&[
        ("csrf", csrf.as_str()),
        ("secret", secret.as_str()),
        ("code", code.as_str()),
    ]);
    let reply = send(
        addr,
        "POST",
        "/account/totp",
        Some(cookie),
        Some(("application/x-www-form-urlencoded", body)),
    )
    .await;
    assert_eq!(
        reply.status, 303,
        "{username}'s second factor was refused: {}",
        reply.body
    );
    reply.header("location").map(str::to_owned)
}

/// A path as a browser sends it: bytes outside ASCII and spaces percent-encoded.
pub fn encoded(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii() && b != b' ' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Real ids and names the route table's patterns are filled with.
#[derive(Debug, Clone, Default)]
pub struct Ids {
    /// Project codes: a pattern with `{code}` is tried with each.
    pub codes: Vec<String>,
    /// An event of the first project.
    pub event: i64,
    /// A fund and a visit, for their review, 核实 and withdrawal.
    pub fund: i64,
    pub visit: i64,
    pub blocker: i64,
    /// A link of `chain`.
    pub segment: i64,
    /// A firm of the 招商大数据库.
    pub firm: i64,
    pub chain: String,
    pub leader: String,
    pub team: String,
    /// The account the administrators' account actions name.
    pub username: String,
}

/// The concrete paths a route pattern of the table is tried with; a pattern this does not know
/// fails the test, so that a new route cannot escape the tests that walk the table.
pub fn fill(pattern: &str, ids: &Ids) -> Vec<String> {
    let with_codes =
        |p: &str| -> Vec<String> { ids.codes.iter().map(|c| p.replace("{code}", c)).collect() };
    let with_codes_and_id = |p: &str, id: i64| -> Vec<String> {
        ids.codes
            .iter()
            .map(|c| p.replace("{code}", c).replace("{id}", &id.to_string()))
            .collect()
    };
    let each = |p: &str, hole: &str, values: &[&str]| -> Vec<String> {
        values.iter().map(|v| p.replace(hole, v)).collect()
    };
    match pattern {
        p if !p.contains('{') => vec![p.to_owned()],
        "/projects/{code}/events/{id}/correct" => with_codes_and_id(pattern, ids.event),
        "/projects/{code}/funds/{id}/verify"
        | "/projects/{code}/funds/{id}/withdraw"
        | "/projects/{code}/funds/{id}/edit" => with_codes_and_id(pattern, ids.fund),
        "/projects/{code}/visits/{id}/withdraw" => with_codes_and_id(pattern, ids.visit),
        "/duplicates/{code}/{decision}" => with_codes(pattern)
            .iter()
            .flat_map(|p| each(p, "{decision}", &["duplicate", "distinct"]))
            .collect(),
        p if p.contains("{code}") && !p.contains("{id}") => with_codes(p),
        "/blockers/{id}" | "/blockers/{id}/instruction" | "/blockers/{id}/status" => {
            vec![pattern.replace("{id}", &ids.blocker.to_string())]
        }
        // The first sheet published, if any is: a page that does not exist answers 404.
        "/sheets/{id}" | "/sheets/{id}/export" | "/sheets/{id}/print" => {
            vec![pattern.replace("{id}", "1")]
        }
        // The first token, account request and saved ledger mapping, if a test made them.
        // A visit id: none is returned in the demo, so the page answers 403 or 404.
        "/visits/{id}/edit" | "/messages/{id}" => vec![pattern.replace("{id}", "1")],
        // The demo's first roadmap and its first item.
        "/roadmaps/{id}" | "/roadmaps/{id}/items" | "/roadmaps/{id}/export" => {
            vec![pattern.replace("{id}", "1")]
        }
        "/roadmaps/{id}/items/{item}/remove" => {
            vec![pattern.replace("{id}", "1").replace("{item}", "1")]
        }
        // The demo's first agency.
        "/agencies/{id}" | "/agencies/{id}/attribute" | "/agencies/{id}/payments" => {
            vec![pattern.replace("{id}", "1")]
        }
        "/account/tokens/{id}/revoke" | "/import/mappings/{id}/export" => {
            vec![pattern.replace("{id}", "1")]
        }
        "/security/requests/{id}/{decision}" => each(
            &pattern.replace("{id}", "1"),
            "{decision}",
            &["approve", "reject"],
        ),
        "/enterprises/{id}"
        | "/enterprises/{id}/contacts"
        | "/enterprises/{id}/merge"
        | "/enterprises/{id}/parent" => {
            vec![pattern.replace("{id}", &ids.firm.to_string())]
        }
        // No merge in the demo: the undo of merge 1 answers 404.
        "/enterprises/merges/{id}/undo" => vec![pattern.replace("{id}", "1")],
        "/chain-maps/{name}"
        | "/chain-maps/{name}/print"
        | "/chain-maps/{name}/export"
        | "/chain-maps/{name}/segments"
        | "/chain-maps/{name}/firms"
        | "/chain-maps/{name}/projects" => vec![pattern.replace("{name}", &ids.chain)],
        "/chain-maps/{name}/segments/{id}/targets"
        | "/chain-maps/{name}/segments/{id}/targets/export" => vec![
            pattern
                .replace("{name}", &ids.chain)
                .replace("{id}", &ids.segment.to_string()),
        ],
        "/leader/{name}" | "/leader/{name}/units" | "/leader/{name}/export" => {
            vec![pattern.replace("{name}", &ids.leader)]
        }
        "/team/{name}" | "/team/{name}/members" | "/team/{name}/export" => {
            vec![pattern.replace("{name}", &ids.team)]
        }
        "/{records}" | "/{records}/export" => ["units", "leaders", "chains", "teams"]
            .iter()
            .map(|r| pattern.replace("{records}", r))
            .collect(),
        "/import/{kind}" | "/import/{kind}/template" | "/export/{kind}" => exchange::Kind::ALL
            .iter()
            .map(|k| pattern.replace("{kind}", k.name()))
            .collect(),
        "/users/{username}/{action}" => each(
            &pattern.replace("{username}", &ids.username),
            "{action}",
            &["reset", "disable", "enable", "reset-totp", "role"],
        ),
        "/security/users/{username}/{action}" => each(
            &pattern.replace("{username}", &ids.username),
            "{action}",
            &["unlock", "end-sessions"],
        ),
        "/settings/lists/{list}/add" | "/settings/lists/{list}/remove" => {
            domain::records::value_lists::DEFAULTS
                .iter()
                .map(|(list, _, _)| pattern.replace("{list}", list))
                .collect()
        }
        "/review/window/{action}" => each(pattern, "{action}", &["close", "reopen"]),
        "/review/{kind}/{id}/{step}" => [
            ("event", ids.event),
            ("fund", ids.fund),
            ("visit", ids.visit),
        ]
        .iter()
        .flat_map(|(kind, id)| {
            each(
                &pattern
                    .replace("{kind}", kind)
                    .replace("{id}", &id.to_string()),
                "{step}",
                &["approve", "return", "resubmit"],
            )
        })
        .collect(),
        other => panic!("no test can fill the route {other}: add it to support::fill()"),
    }
}
