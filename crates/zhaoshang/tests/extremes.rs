//! Bounded requests (issue 20): every route of the route table, GET and POST, is driven with
//! extreme values — in its path, its query and its form or JSON body — on the demo city served by
//! the real binary, as a county's staff, the bureau and the three administrators. No answer may
//! be a 5xx or a dropped connection, the process must outlive the run, and its resident memory
//! must stay bounded all along.
//!
//! The cases come from a seeded generator: the seed is printed, and `ZHAOSHANG_EXTREMES_SEED`
//! replays a run. Runs on both databases.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod support;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::process::Child;
use std::time::Duration;

use serde_json::{Value, json};
use store::both_databases;
use store::testing::TestDb;
use support::{Ids, Session, encoded, fill};
use web::client::{form, send, send_with};

/// Set to replay a run with the seed it printed.
const SEED_ENV: &str = "ZHAOSHANG_EXTREMES_SEED";
const DEFAULT_SEED: u64 = 0x2022_0020_5eed_0003;

/// Who drives the routes, and whether every case of every route: a county's staff and the
/// bureau try them all. The administrators, whom most pages refuse, try the rest of a route's
/// cases only where its real page does not answer 403: the extractors that read a path, a query
/// or a form run before the refusal and alike for every account, so the first two have tried
/// them already.
const ACCOUNTS: [(&str, bool); 5] = [
    ("jixian", true),
    ("bureau", true),
    ("sysadmin", false),
    ("secadmin", false),
    ("auditor", false),
];

/// Requests in flight at once: enough to keep both cores of a CI machine busy.
const IN_FLIGHT: usize = 4;
/// A request unanswered after this is a failure (a server stuck in a loop or an allocation).
const ANSWER_WITHIN: Duration = Duration::from_secs(30);
/// Requests larger than this may be refused before they are read to the end (see `Run::note`).
const OVERSIZED: usize = 60 * 1024;
/// The resident memory the server may reach: the demo city needs about a tenth of it.
const RSS_LIMIT_KIB: u64 = 1024 * 1024;
/// The server's memory is sampled after every this many answers.
const RSS_EVERY: usize = 25;
/// The size of a "100 kB string".
const HUGE: usize = 100 * 1024;
/// JSON arrays nested this deep: far past any parser's limit (serde_json stops at 128).
const DEEP: usize = 100_000;
/// Real paths a route is tried with besides its first (`fill` may give many: 18 kinds).
const EXTRA_REAL_PATHS: usize = 2;
/// The first account tries every extreme path value; the others this many, drawn at random.
const PATH_VALUES_SAMPLED: usize = 5;

const CHAIN: &str = "石墨产业链";
const LEADER: &str = "赵文博";
const TEAM: &str = "石墨专班";
/// The account the administrators' account actions name: one this test does not sign in as, so
/// that disabling it or ending its sessions takes no session of the run away.
const OTHER_ACCOUNT: &str = "zhujian";

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
const BOUNDARY: &str = "zhaoshang-extremes-boundary";
const MULTIPART: &str = "multipart/form-data; boundary=zhaoshang-extremes-boundary";

/// Path segments as sent on the wire (percent-encoded already where they need to be); a long
/// and a 100 kB one are added by `Values::new`.
const PATH_EXTREMES: &[&str] = &[
    "0",
    "-1",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999",
    "1e308",
    "NaN",
    "%00",
    "%0D%0A%1B%7F",
    "..%2F..%2Fetc%2Fpasswd",
    "../../etc/passwd",
    "%FF%FE",
];

/// Every key the pages' and the API's query structs read (`#[derive(Deserialize)]` under
/// `crates/web/src`, and the firms' search, which parses its query by hand), and a few a tester
/// would try.
const QUERY_KEYS: &[&str] = &[
    "page",
    "size",
    "year",
    "period",
    "as_of",
    "pending",
    "q",
    "unit",
    "chain",
    "stage",
    "key",
    "sort",
    "dir",
    "format",
    "name",
    "indicator",
    "show",
    "view",
    "ended",
    "actor",
    "entity",
    "before",
    "verify",
    "industry",
    "province",
    "city",
    "flag",
    "territory",
    "leader",
    "team",
    "code",
    "project",
    "status",
    "kind",
    "id",
    "month",
    "from",
    "to",
    "light",
    "log",
    "person",
    "action",
    "record",
    "requested",
    "role",
];

/// Query values as typed (the client encodes them). Control characters have a case of their
/// own: the server refuses them before any handler, so one in every query would hide the rest.
const QUERY_EXTREMES: &[&str] = &[
    "0",
    "-1",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "99999999999999999999",
    "2147483648",
    "4294967296",
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "1.5",
    "0x10",
    " 7 ",
    "",
    "null",
    "true",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "'",
    "%",
    "2022-13-45",
    "9999-12-31",
    "0000-00-00",
    "-2022",
    "Y",
    "M13",
    "YTD",
    "２０２２",
    "\r\n",
    "\t",
];

/// Every field of the pages' forms (`#[derive(Deserialize)]` under `crates/web/src`), but the
/// CSRF token.
const FORM_KEYS: &[&str] = &[
    "code",
    "name",
    "territory",
    "credited",
    "investor",
    "investor_code",
    "chain",
    "leader",
    "team",
    "source_mode",
    "capital_origin",
    "currency",
    "signed_amount",
    "planned_investment",
    "key_project",
    "version",
    "kind",
    "date",
    "amount",
    "company",
    "parcel",
    "note",
    "reason",
    "withdraw",
    "source",
    "signed",
    "landed",
    "started",
    "production",
    "capacity",
    "need",
    "sources",
    "bank",
    "status",
    "item",
    "department",
    "due",
    "done",
    "unit",
    "enterprise",
    "credit_code",
    "leaders",
    "mode",
    "place",
    "content",
    "outcome",
    "project",
    "purpose",
    "description",
    "category",
    "raised_on",
    "owner_unit",
    "deadline",
    "text",
    "resolution",
    "units",
    "members",
    "segment",
    "firm",
    "role",
    "chain_leader",
    "position",
    "industries",
    "title",
    "phone",
    "year",
    "indicator",
    "value",
    "month",
    "username",
    "display_name",
    "password",
    "current",
    "new",
    "confirm",
    "secret",
    "p0",
    "p1",
    "p2",
    "p3",
    "p4",
    "p5",
    "r0",
    "r1",
    "r2",
    "r3",
    "r4",
    "r5",
    "r6",
    "r7",
    "r8",
    "group",
    "division_code",
    "parent",
    "industry",
    "days",
];

/// Form values as typed; control characters, as in queries, have their own case.
const FORM_EXTREMES: &[&str] = &[
    "0",
    "-1",
    "-0",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "99999999999999999999",
    "922337203685477",
    "92233720368547758.07",
    "1000000000000",
    "4294967296",
    "1e308",
    "-1e308",
    "1e-308",
    "NaN",
    "inf",
    "0.000001",
    "",
    " ",
    "null",
    "是",
    "否",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "'; DROP TABLE projects; --",
    "2022-02-30",
    "2022-02-29",
    "0000-00-00",
    "9999-12-31",
    "-2022-01-01",
    "2022-13",
    "１２３",
    "😀",
    "\u{feff}",
    "\r\n",
    "%00",
    "=1+1",
];

/// Every member of the API's request bodies.
const JSON_KEYS: &[&str] = &[
    "code",
    "name",
    "territory",
    "credited",
    "investor",
    "investor_code",
    "signed_amount_wan",
    "key_project",
    "kind",
    "date",
    "amount_wan",
    "company_code",
    "parcel",
    "note",
    "currency",
    "source",
    "unit",
    "enterprise",
    "enterprise_code",
    "leaders",
    "mode",
    "place",
    "content",
    "outcome",
    "project_code",
];

/// Bodies sent as JSON that are no object of the API's.
const NOT_OBJECTS: &[&str] = &[
    "",
    "{",
    "[]",
    "null",
    "\"集贤县\"",
    "{\"code\":}",
    "1e308",
    "{\"code\": \"\\ud800\"}",
];

async fn no_extreme_value_on_any_route_breaks_the_server(db: &TestDb) {
    let seed = seed();
    eprintln!("extremes: seed {seed} ({SEED_ENV}={seed} replays this run)");
    let dir = tempfile::tempdir().unwrap();
    let (mut server, addr, passwords) = support::demo_server(&db.url, dir.path());
    let mut sessions = Vec::new();
    for (username, every_case) in ACCOUNTS {
        let session = Session::sign_in(addr, username, &passwords[username]).await;
        sessions.push((username, every_case, session));
    }
    let ids = real_ids(&sessions[0].2, &sessions[1].2).await;
    let templates = template_columns(&sessions[1].2).await;
    let values = Values::new();
    let routes: Vec<(&'static str, String)> = web::all_routes()
        .into_iter()
        .map(|(method, pattern)| (http_method(method), pattern))
        .collect();
    let pid = server.0.id();
    let mut run = Run::new(addr, &mut server.0, pid, seed);
    // Signing out ends the session the other cases need: its cases go last.
    let mut logouts = Vec::new();
    for (n, (_, every_case, session)) in sessions.iter().enumerate() {
        let mut rng = Rng::new(seed, n);
        let path_values = if n == 0 {
            values.path.clone()
        } else {
            sample(&mut rng, &values.path, PATH_VALUES_SAMPLED)
        };
        let mut planner = Planner {
            rng,
            values: &values,
            ids: &ids,
            templates: &templates,
            csrf: &session.csrf,
            path_values,
        };
        let mut probes = Vec::new();
        let mut rest = Vec::new();
        for (route, (method, pattern)) in routes.iter().enumerate() {
            let mut cases = planner.route(route, method, pattern);
            if pattern.as_str() == "/logout" {
                logouts.push((n, cases));
            } else if *every_case {
                rest.push(cases);
            } else {
                probes.push(cases.remove(0));
                rest.push(cases);
            }
        }
        let refused: HashSet<usize> = run
            .drive(session, probes)
            .await
            .into_iter()
            .filter(|(_, status)| *status == Some(403))
            .map(|(route, _)| route)
            .collect();
        let cases: Vec<Case> = rest
            .into_iter()
            .flatten()
            .filter(|case| !refused.contains(&case.route))
            .collect();
        run.drive(session, cases).await;
    }
    // A session that ended during the run would have met the sign-in page, not the routes.
    let mut ended = Vec::new();
    for (username, _, session) in &sessions {
        if session.get("/units").await.status != 200 {
            ended.push(*username);
        }
    }
    for (n, cases) in logouts {
        run.drive(&sessions[n].2, cases).await;
    }
    run.sample_memory();
    let alive = matches!(run.server.try_wait(), Ok(None));
    let login = send(addr, "GET", "/login", None, None).await.status;
    eprintln!(
        "extremes: {} routes, {} requests ({} a route over {} accounts), statuses {:?}, \
         {} oversized requests cut off, peak RSS {} MiB ({} samples), seed {seed}",
        routes.len(),
        run.requests,
        run.requests / routes.len().max(1),
        ACCOUNTS.len(),
        run.statuses,
        run.cut_off,
        run.peak_rss_kib / 1024,
        run.rss_samples
    );
    assert!(
        run.offenders.is_empty(),
        "{} of {} requests answered 5xx, lost their connection or no answer (seed {seed}); \
         the first 20:\n{}\nthe server's errors:\n{}",
        run.offenders.len(),
        run.requests,
        run.offenders
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
        support::server_errors(dir.path()).join("\n")
    );
    assert!(alive, "the server exited during the run (seed {seed})");
    assert_eq!(
        login, 200,
        "the server no longer serves /login (seed {seed})"
    );
    if cfg!(target_os = "linux") {
        assert!(run.rss_samples > 0, "no /proc/{pid}/status to read");
    }
    assert!(
        run.peak_rss_kib <= RSS_LIMIT_KIB,
        "the server grew to {} MiB (seed {seed})",
        run.peak_rss_kib / 1024
    );
    assert!(
        ended.is_empty(),
        "the sessions of {ended:?} ended during the run, so their later cases only met the \
         sign-in page (seed {seed})"
    );
}

both_databases!(no_extreme_value_on_any_route_breaks_the_server);

fn seed() -> u64 {
    match std::env::var(SEED_ENV) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{SEED_ENV} is not a number: {text}")),
        Err(_) => DEFAULT_SEED,
    }
}

fn http_method(method: &str) -> &'static str {
    match method {
        "get" => "GET",
        "post" => "POST",
        other => panic!("a route of method {other}: teach this test what to send it"),
    }
}

/// The ids the route table is filled with: the unit account's first project and another, and
/// records the bureau sees (the first of each list; 1 where a list is empty, which then answers
/// 404 like any unknown id).
async fn real_ids(unit: &Session, bureau: &Session) -> Ids {
    let own = unit.get("/api/v1/projects?size=1").await.json()["items"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = bureau.get("/api/v1/projects?size=50").await.json();
    let other = listed["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["code"].as_str())
        .find(|code| *code != own)
        .map_or_else(|| own.clone(), str::to_owned);
    let events = bureau
        .get(&format!("/api/v1/projects/{own}/events"))
        .await
        .json();
    let funds = bureau
        .get(&format!("/api/v1/projects/{own}/funds"))
        .await
        .json();
    let project = bureau.get(&format!("/projects/{own}")).await.body;
    let blockers = bureau.get("/blockers").await.body;
    let map = bureau.get(&format!("/chain-maps/{CHAIN}")).await.body;
    let firms = bureau.get("/enterprises").await.body;
    Ids {
        codes: vec![own, other],
        event: events["items"][0]["id"].as_i64().unwrap_or(1),
        fund: funds["items"][0]["id"].as_i64().unwrap_or(1),
        visit: number_after(&project, "/visits/").unwrap_or(1),
        blocker: number_after(&blockers, "/blockers/").unwrap_or(1),
        segment: number_after(&map, "/segments/").unwrap_or(1),
        firm: number_after(&firms, "/enterprises/").unwrap_or(1),
        chain: CHAIN.to_owned(),
        leader: LEADER.to_owned(),
        team: TEAM.to_owned(),
        username: OTHER_ACCOUNT.to_owned(),
    }
}

/// The columns of each kind's import template, as the bureau downloads it.
async fn template_columns(bureau: &Session) -> HashMap<String, Vec<String>> {
    let mut columns = HashMap::new();
    for kind in exchange::Kind::ALL {
        let reply = bureau
            .get(&format!("/import/{}/template", kind.name()))
            .await;
        if let Ok(table) = exchange::table::read_bytes("template.xlsx", &reply.bytes) {
            columns.insert(kind.name().to_owned(), table.headers);
        }
    }
    columns
}

/// The first number a link of the page carries after `prefix`.
fn number_after(body: &str, prefix: &str) -> Option<i64> {
    body.split(prefix).skip(1).find_map(|rest| {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// xorshift64*: small, seeded, and the same sequence on every machine.
struct Rng(u64);

impl Rng {
    /// The generator of the `stream`th account, so that each account's cases depend on the
    /// seed alone, not on what the others drew.
    fn new(seed: u64, stream: usize) -> Rng {
        let mixed = seed ^ (stream as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Rng(if mixed == 0 {
            0x2545_F491_4F6C_DD1D
        } else {
            mixed
        })
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

/// Up to `count` of `items`, drawn without repeats.
fn sample(rng: &mut Rng, items: &[String], count: usize) -> Vec<String> {
    let mut pool = items.to_vec();
    let mut out = Vec::new();
    while out.len() < count && !pool.is_empty() {
        let i = rng.below(pool.len());
        out.push(pool.swap_remove(i));
    }
    out
}

/// The long values, built once.
struct Values {
    /// Every extreme path segment, on the wire.
    path: Vec<String>,
    /// 100 kB of digits: a number no parser should try to hold.
    huge_digits: String,
    /// 100 kB of Chinese text.
    huge_text: String,
    /// 4,000 characters: long, yet short enough to pass in a request line (36 kB encoded).
    long_text: String,
}

impl Values {
    fn new() -> Values {
        let huge_digits = "9".repeat(HUGE);
        let huge_text: String = "石墨烯产业链".chars().cycle().take(HUGE / 3).collect();
        let long_text: String = "双鸭山石墨".chars().cycle().take(4_000).collect();
        let mut path: Vec<String> = PATH_EXTREMES.iter().map(|v| (*v).to_owned()).collect();
        path.push(encoded(&long_text));
        path.push(huge_digits.clone());
        Values {
            path,
            huge_digits,
            huge_text,
            long_text,
        }
    }
}

/// One request of the run.
struct Case {
    /// The route's index in the table, so that a probe's answer can decide its other cases.
    route: usize,
    method: &'static str,
    /// Path and query as sent: percent-encoded.
    target: String,
    body: Option<(&'static str, String)>,
    /// API writes carry the session's token in `X-CSRF-Token`, as the pages' script does.
    token_header: bool,
}

impl Case {
    fn size(&self) -> usize {
        self.target.len() + self.body.as_ref().map_or(0, |(_, body)| body.len())
    }

    /// The request as a failure names it; the seed gives the rest.
    fn describe(&self) -> String {
        let target = shorten(&self.target);
        match &self.body {
            None => format!("{} {target}", self.method),
            Some((kind, body)) => format!(
                "{} {target} [{kind}, {} bytes: {}]",
                self.method,
                body.len(),
                shorten(body)
            ),
        }
    }
}

fn shorten(text: &str) -> String {
    const SHOWN: usize = 160;
    if text.chars().count() <= SHOWN {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(SHOWN).collect::<String>())
    }
}

/// Draws one account's cases.
struct Planner<'a> {
    rng: Rng,
    values: &'a Values,
    ids: &'a Ids,
    /// Each import kind's template columns, by the kind's name in the path.
    templates: &'a HashMap<String, Vec<String>>,
    csrf: &'a str,
    /// The extreme path segments this account tries.
    path_values: Vec<String>,
}

impl Planner<'_> {
    /// Every case of one route, its first real path first (the probe of an account that tries
    /// only the routes it may use): for a GET, its real paths, extreme queries on the first and
    /// extreme path parameters; for a POST, bodies of extreme values to its real paths and to
    /// extreme ones.
    fn route(&mut self, route: usize, method: &'static str, pattern: &str) -> Vec<Case> {
        let mut real = fill(pattern, self.ids);
        let first = real.remove(0);
        let extra = sample(&mut self.rng, &real, EXTRA_REAL_PATHS);
        let extremes = extreme_paths(pattern, &first, &self.path_values);
        let api = pattern.starts_with("/api/");
        let token_header = api && method == "POST";
        let mut cases = Vec::new();
        let mut add = |path: &str, body: Option<(&'static str, String)>| {
            cases.push(Case {
                route,
                method,
                target: encoded(path),
                body,
                token_header,
            });
        };
        if method == "GET" {
            add(&first, None);
            for path in &extra {
                add(path, None);
            }
            for query in self.queries() {
                add(&format!("{first}?{query}"), None);
            }
            for path in &extremes {
                add(path, None);
            }
        } else {
            let body = self.random_body(api);
            add(&first, Some(body));
            for path in &extra {
                let body = self.random_body(api);
                add(path, Some(body));
            }
            for body in self.bodies(api) {
                add(&first, Some(body));
            }
            for path in &extremes {
                let body = self.random_body(api);
                add(path, Some(body));
            }
            if pattern == "/import/{kind}" {
                for path in std::iter::once(&first).chain(&real) {
                    let body = self.upload(path);
                    add(path, Some((MULTIPART, body)));
                }
                let garbage = self.multipart("extremes.xlsx", "PK\u{3}\u{4}\u{0}不是工作簿");
                add(&first, Some((MULTIPART, garbage)));
            }
        }
        cases
    }

    /// A CSV file for the import of the kind `path` names: its template's columns, and rows of
    /// extreme values with a 100 kB cell among them.
    fn upload(&mut self, path: &str) -> String {
        let values = self.values;
        let kind = path.rsplit('/').next().unwrap_or_default();
        let columns = self
            .templates
            .get(kind)
            .cloned()
            .unwrap_or_else(|| vec!["名称".to_owned()]);
        let quote = |cell: &str| format!("\"{}\"", cell.replace('"', "\"\""));
        let header: Vec<String> = columns.iter().map(|c| quote(c)).collect();
        let mut lines = vec![header.join(",")];
        for row in 0..3 {
            let mut cells = Vec::new();
            for column in 0..columns.len() {
                let cell = if row == 2 && column == 0 {
                    values.huge_text.as_str()
                } else {
                    self.rng.pick(FORM_EXTREMES)
                };
                cells.push(quote(cell));
            }
            lines.push(cells.join(","));
        }
        self.multipart("extremes.csv", &lines.join("\r\n"))
    }

    /// A file posted as the import page's form posts it, with the session's token.
    fn multipart(&self, file_name: &str, content: &str) -> String {
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n\
             {content}\r\n--{BOUNDARY}--\r\n",
            self.csrf
        )
    }

    /// Query strings: every key at one extreme value, every key at its own, a few keys,
    /// repeated keys (`page=1&page=…`), a 100 kB value, a long one, empty values and keys
    /// without one, and control characters.
    fn queries(&mut self) -> Vec<String> {
        let values = self.values;
        let rng = &mut self.rng;
        let one = rng.pick(QUERY_EXTREMES);
        let same: Vec<(&str, &str)> = QUERY_KEYS.iter().map(|&key| (key, one)).collect();
        let own: Vec<(&str, &str)> = QUERY_KEYS
            .iter()
            .map(|&key| (key, rng.pick(QUERY_EXTREMES)))
            .collect();
        let few: Vec<(&str, &str)> = (0..1 + rng.below(3))
            .map(|_| (rng.pick(QUERY_KEYS), rng.pick(QUERY_EXTREMES)))
            .collect();
        let repeated: Vec<(&str, &str)> = QUERY_KEYS
            .iter()
            .flat_map(|&key| [(key, "1"), (key, rng.pick(QUERY_EXTREMES))])
            .collect();
        let bare: Vec<String> = QUERY_KEYS
            .iter()
            .enumerate()
            .map(|(i, key)| {
                if i % 2 == 0 {
                    format!("{key}=")
                } else {
                    (*key).to_owned()
                }
            })
            .collect();
        vec![
            form(&same),
            form(&own),
            form(&few),
            form(&repeated),
            // Longer than any request line the server reads: refused before routing.
            form(&[(rng.pick(QUERY_KEYS), values.huge_digits.as_str())]),
            form(&[(rng.pick(QUERY_KEYS), values.long_text.as_str())]),
            format!("{}&%zz=%&=&&==", bare.join("&")),
            form(&[("q", "\u{0}"), (rng.pick(QUERY_KEYS), "\u{7f}\u{1b}[2J")]),
        ]
    }

    fn random_body(&mut self, api: bool) -> (&'static str, String) {
        if api {
            (JSON, self.random_json())
        } else {
            (FORM, self.random_form())
        }
    }

    /// The bodies tried on a POST route's first real path: its own kind's, and one of the other
    /// kind (a form to the API, JSON to a page).
    fn bodies(&mut self, api: bool) -> Vec<(&'static str, String)> {
        if api {
            let mut out: Vec<_> = self.jsons().into_iter().map(|b| (JSON, b)).collect();
            out.push((FORM, self.random_form()));
            out
        } else {
            let mut out: Vec<_> = self.forms().into_iter().map(|b| (FORM, b)).collect();
            out.push((JSON, self.random_json()));
            out
        }
    }

    /// A value that passes for the field, where there is an obvious one.
    fn plausible(&mut self, key: &str) -> Option<String> {
        let value = match key {
            "date" | "raised_on" | "signed" | "as_of" => "2022-03-01",
            "landed" | "due" | "deadline" => "2022-05-01",
            "started" | "production" | "done" => "2022-06-01",
            "month" => "2022-06",
            "year" => "2022",
            "kind" => "签约",
            "amount" | "amount_wan" | "need" | "planned_investment" | "signed_amount"
            | "signed_amount_wan" | "capacity" | "value" => "100",
            "currency" => "人民币",
            "source" => "自有",
            "source_mode" => "小分队",
            "unit" | "territory" | "credited" | "units" => "集贤县",
            "department" | "owner_unit" => "市自然资源局",
            "status" => "办理中",
            "item" => "用地指标",
            "mode" => "实地拜访",
            "category" => "用地",
            "enterprise" | "investor" | "company" | "firm" => "极值测试企业",
            "name" | "description" | "content" | "outcome" | "note" | "text" | "reason"
            | "resolution" | "purpose" | "place" | "sources" | "bank" | "title" | "parcel" => {
                "极值测试"
            }
            "key_project" | "withdraw" => "是",
            "phone" => "13800000000",
            "position" => "1",
            "days" => "30",
            "chain" => return Some(self.ids.chain.clone()),
            "leader" | "leaders" | "chain_leader" | "members" => {
                return Some(self.ids.leader.clone());
            }
            "team" => return Some(self.ids.team.clone()),
            "project" | "project_code" => return self.ids.codes.first().cloned(),
            // A new code each time, so that a project with one extreme field can be created.
            "code" => return Some(format!("EX-{:06}", self.rng.below(1_000_000))),
            _ => return None,
        };
        Some(value.to_owned())
    }

    /// Every field at an extreme value.
    fn random_form(&mut self) -> String {
        let mut pairs = vec![("csrf", self.csrf.to_owned())];
        for &key in FORM_KEYS {
            pairs.push((key, self.rng.pick(FORM_EXTREMES).to_owned()));
        }
        encode(&pairs)
    }

    /// Plausible values where a field has one and `value` in `odd`, so that the handler reads
    /// as far as it can before it meets the extreme value.
    fn plausible_form(&mut self, odd: &str, value: &str) -> String {
        let mut pairs = vec![("csrf", self.csrf.to_owned())];
        for &key in FORM_KEYS {
            if key == odd {
                pairs.push((key, value.to_owned()));
            } else if let Some(plausible) = self.plausible(key) {
                pairs.push((key, plausible));
            }
        }
        encode(&pairs)
    }

    /// Forms: all extreme, plausible but one field (twice), plausible but one field of 100 kB,
    /// every key twice, a control character, and the token alone.
    fn forms(&mut self) -> Vec<String> {
        let values = self.values;
        let mut out = vec![self.random_form()];
        for _ in 0..2 {
            let odd = self.rng.pick(FORM_KEYS);
            let value = self.rng.pick(FORM_EXTREMES);
            out.push(self.plausible_form(odd, value));
        }
        let odd = self.rng.pick(FORM_KEYS);
        let huge = if self.rng.chance(50) {
            values.huge_digits.as_str()
        } else {
            values.huge_text.as_str()
        };
        out.push(self.plausible_form(odd, huge));
        let mut repeated = vec![("csrf", self.csrf.to_owned())];
        for &key in FORM_KEYS {
            let first = self.plausible(key).unwrap_or_else(|| "1".to_owned());
            repeated.push((key, first));
            repeated.push((key, self.rng.pick(FORM_EXTREMES).to_owned()));
        }
        out.push(encode(&repeated));
        let odd = self.rng.pick(FORM_KEYS);
        out.push(self.plausible_form(odd, "\u{0}\u{7f}"));
        out.push(form(&[("csrf", self.csrf)]));
        out
    }

    fn json_extreme(&mut self) -> Value {
        match self.rng.below(20) {
            0 => json!(1e308),
            1 => json!(-1e308),
            2 => json!(-1),
            3 => json!(i64::MAX),
            4 => json!(i64::MIN),
            5 => json!(u64::MAX),
            6 => json!("9223372036854775807"),
            7 => json!("99999999999999999999"),
            8 => json!("922337203685477"),
            9 => json!(922_337_203_685_477_i64),
            10 => json!(""),
            11 => Value::Null,
            12 => json!(true),
            13 => json!({}),
            14 => json!([[["集贤县"]]]),
            15 => json!(vec!["集贤县"; 10_000]),
            16 => json!("NaN"),
            17 => Value::String(self.values.long_text.clone()),
            18 => json!("../../etc/passwd"),
            _ => json!("2022-02-30"),
        }
    }

    /// Every member at an extreme value.
    fn random_json(&mut self) -> String {
        let mut object = serde_json::Map::new();
        for &key in JSON_KEYS {
            object.insert(key.to_owned(), self.json_extreme());
        }
        Value::Object(object).to_string()
    }

    /// Plausible members where a member has one, and `value` in `odd`.
    fn plausible_json(&mut self, odd: &str, value: Value) -> String {
        let mut object = serde_json::Map::new();
        for &key in JSON_KEYS {
            let member = if key == odd {
                value.clone()
            } else {
                match (key, self.plausible(key)) {
                    (_, None) => continue,
                    ("credited", Some(unit)) => json!([unit]),
                    ("key_project", Some(_)) => json!(false),
                    (_, Some(text)) => Value::String(text),
                }
            };
            object.insert(key.to_owned(), member);
        }
        Value::Object(object).to_string()
    }

    /// JSON bodies: all extreme, plausible but one member, plausible but one member of 100 kB,
    /// arrays nested past any parser's depth, numbers beyond f64 and u64, and no object at all.
    fn jsons(&mut self) -> Vec<String> {
        let values = self.values;
        let mut out = vec![self.random_json()];
        let odd = self.rng.pick(JSON_KEYS);
        let value = self.json_extreme();
        out.push(self.plausible_json(odd, value));
        let odd = self.rng.pick(JSON_KEYS);
        out.push(self.plausible_json(odd, Value::String(values.huge_text.clone())));
        out.push(format!(
            "{{\"credited\": {}\"集贤县\"{}}}",
            "[".repeat(DEEP),
            "]".repeat(DEEP)
        ));
        out.push(
            r#"{"amount_wan": 1e400, "signed_amount_wan": 18446744073709551616, "key_project": -0}"#
                .to_owned(),
        );
        out.push(self.rng.pick(NOT_OBJECTS).to_owned());
        out
    }
}

/// `pairs` as a form body.
fn encode(pairs: &[(&str, String)]) -> String {
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    form(&borrowed)
}

/// The route's path with extreme values in its parameters: in all of them at once, and, where
/// there are several, in one beside the real values of the others, so that a check behind a
/// real first parameter (the project of a fund, the account of an action) is reached too.
fn extreme_paths(pattern: &str, real: &str, values: &[String]) -> Vec<String> {
    let segments: Vec<&str> = pattern.split('/').collect();
    let real_segments: Vec<&str> = real.split('/').collect();
    let holes: Vec<usize> = segments
        .iter()
        .enumerate()
        .filter(|(_, s)| s.starts_with('{'))
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    if holes.is_empty() {
        return out;
    }
    for (n, value) in values.iter().enumerate() {
        let all: Vec<&str> = segments
            .iter()
            .map(|s| {
                if s.starts_with('{') {
                    value.as_str()
                } else {
                    *s
                }
            })
            .collect();
        out.push(all.join("/"));
        if holes.len() > 1 && real_segments.len() == segments.len() {
            let mut one = real_segments.clone();
            one[holes[n % holes.len()]] = value.as_str();
            out.push(one.join("/"));
        }
    }
    out
}

/// What came back: a status (0: the connection failed or closed without an answer) and the
/// start of the body, or no status when nothing came within [`ANSWER_WITHIN`].
struct Answer {
    status: Option<u16>,
    text: String,
}

async fn send_case(addr: SocketAddr, cookie: String, csrf: String, case: Case) -> (Case, Answer) {
    let headers: Vec<(&str, &str)> = if case.token_header {
        vec![("X-CSRF-Token", csrf.as_str())]
    } else {
        Vec::new()
    };
    let sent = send_with(
        addr,
        case.method,
        &case.target,
        Some(&cookie),
        &headers,
        case.body.clone(),
    );
    let answer = match tokio::time::timeout(ANSWER_WITHIN, sent).await {
        Ok(reply) => Answer {
            status: Some(reply.status),
            text: shorten(&reply.body),
        },
        Err(_) => Answer {
            status: None,
            text: String::new(),
        },
    };
    (case, answer)
}

/// The run against one server: what was sent, what came back, what the process used.
struct Run<'a> {
    addr: SocketAddr,
    server: &'a mut Child,
    pid: u32,
    seed: u64,
    requests: usize,
    statuses: BTreeMap<u16, usize>,
    /// Oversized requests whose connection closed before an answer, the server alive.
    cut_off: usize,
    offenders: Vec<String>,
    peak_rss_kib: u64,
    rss_samples: usize,
}

impl<'a> Run<'a> {
    fn new(addr: SocketAddr, server: &'a mut Child, pid: u32, seed: u64) -> Run<'a> {
        Run {
            addr,
            server,
            pid,
            seed,
            requests: 0,
            statuses: BTreeMap::new(),
            cut_off: 0,
            offenders: Vec::new(),
            peak_rss_kib: 0,
            rss_samples: 0,
        }
    }

    /// Sends `cases` as `session`, [`IN_FLIGHT`] at a time; returns each one's route and status.
    async fn drive(&mut self, session: &Session, cases: Vec<Case>) -> Vec<(usize, Option<u16>)> {
        let mut statuses = Vec::with_capacity(cases.len());
        let mut waiting = cases.into_iter();
        let mut running = tokio::task::JoinSet::new();
        loop {
            while running.len() < IN_FLIGHT {
                let Some(case) = waiting.next() else { break };
                running.spawn(send_case(
                    self.addr,
                    session.cookie.clone(),
                    session.csrf.clone(),
                    case,
                ));
            }
            let Some(done) = running.join_next().await else {
                break;
            };
            let (case, answer) = done.unwrap();
            self.note(&case, &answer);
            statuses.push((case.route, answer.status));
        }
        statuses
    }

    fn note(&mut self, case: &Case, answer: &Answer) {
        self.requests += 1;
        if self.requests.is_multiple_of(RSS_EVERY) {
            self.sample_memory();
        }
        match answer.status {
            None => self.offend(case, "no answer within 30 s"),
            Some(0) => {
                if let Ok(Some(exit)) = self.server.try_wait() {
                    panic!(
                        "the server exited ({exit}) on {} (seed {})",
                        case.describe(),
                        self.seed
                    );
                }
                // A dropped connection is a failure: a handler that panics drops its
                // connection (nothing turns a panic into a 500). But hyper answers a request
                // line over 64 KiB with 414 and closes at once, and a close with the request's
                // tail still unread makes the kernel reset the connection, which can discard
                // the 414 before the client reads it. So for an oversized request, with the
                // server still alive (checked above, and by every request after), a lost
                // connection is counted as the refusal it most likely was.
                if case.size() > OVERSIZED {
                    self.cut_off += 1;
                } else {
                    self.offend(case, &format!("connection lost: {}", answer.text));
                }
            }
            Some(status) => {
                *self.statuses.entry(status).or_default() += 1;
                if status >= 500 {
                    self.offend(case, &format!("{status} {}", answer.text));
                }
            }
        }
    }

    fn offend(&mut self, case: &Case, what: &str) {
        self.offenders
            .push(format!("{} → {}", case.describe(), shorten(what)));
    }

    fn sample_memory(&mut self) {
        if let Some(kib) = resident_kib(self.pid) {
            self.rss_samples += 1;
            self.peak_rss_kib = self.peak_rss_kib.max(kib);
        }
    }
}

/// The resident memory of a process, from Linux's `/proc`; `None` elsewhere or once it is gone.
fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?;
    line.trim().trim_end_matches("kB").trim().parse().ok()
}
