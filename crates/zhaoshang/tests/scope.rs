//! Scope is a property of every page, export and API answer (issue 20): a marker project in
//! 宝清县 with a name found nowhere else is placed everywhere a project can appear — a leader's
//! 包保 and chain, a 专班, a chain segment, a blocker, a visit, a warning, a review item, an
//! element item, a financing plan, a fund — and then every GET route of the route table is
//! filled with real ids and names and crawled, every link of every page followed, as 集贤县's
//! staff, its reviewer and a department's staff. The marker must never appear to them.
//!
//! Runs on the demo city served by the real binary, on both databases.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod support;

use std::collections::{HashMap, HashSet, VecDeque};

use store::both_databases;
use store::testing::TestDb;
use support::{Ids, Session};
use web::client::Reply;

/// Every text of the marker's records starts with this; found nowhere in the demo.
const MARK: &str = "界外标记";
/// The firms the marker's visits were with (a visit names its firm, not the project's name).
const VISITED: &str = "标记客商";
const CODE: &str = "BQ-MARK-1";
const CHAIN: &str = "石墨产业链";
const TEAM: &str = "石墨专班";
const LEADER: &str = "赵文博";
/// The department the marker's blocker and element item are with: not the crawling one's.
const OTHER_DEPARTMENT: &str = "市住房和城乡建设局";

/// A crawl never ends on its own on pages that link to filtered variants of themselves: at
/// most this many pages per account, and this many variants of one path and set of keys.
const PAGES_PER_ACCOUNT: usize = 1_500;
const VARIANTS_PER_SHAPE: usize = 6;

/// The value of the first non-empty `<option>` of the `<select name=…>` on a page.
fn first_option(page: &str, name: &str) -> String {
    let select = page
        .split(&format!("name=\"{name}\""))
        .nth(1)
        .and_then(|r| r.split("</select>").next())
        .unwrap_or_else(|| panic!("no select {name}"));
    select
        .split("<option")
        .skip(1)
        .filter_map(|o| {
            let (attributes, rest) = o.split_once('>')?;
            match attributes.split("value=\"").nth(1) {
                Some(v) => v.split('"').next(),
                None => rest.split('<').next(),
            }
        })
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| panic!("no option in {name}"))
        .to_owned()
}

/// Ids the route table's patterns are filled with.
struct Marker {
    event: i64,
    blocker: i64,
    segment: i64,
    firm: i64,
    own_code: String,
}

async fn place_marker(bureau: &Session, baoqing: &Session) -> Marker {
    bureau
        .post(
            "/projects/new",
            &[
                ("code", CODE),
                ("name", &format!("{MARK}项目")),
                ("territory", "宝清县"),
                ("leader", LEADER),
                ("chain", CHAIN),
                ("team", TEAM),
                ("planned_investment", "80000"),
            ],
        )
        .await;
    let project = format!("/projects/{CODE}");
    bureau
        .post(
            &format!("{project}/events"),
            &[
                ("kind", "签约"),
                ("date", "2022-02-01"),
                ("amount", "60000"),
            ],
        )
        .await;
    bureau
        .post(
            &format!("{project}/funds"),
            &[
                ("date", "2022-03-01"),
                ("amount", "1200"),
                ("source", "自有"),
            ],
        )
        .await;
    bureau
        .post(
            &format!("{project}/plan"),
            &[
                ("signed", "2022-02-01"),
                ("landed", "2022-04-01"),
                ("started", "2022-06-01"),
            ],
        )
        .await;
    bureau
        .post(
            &format!("{project}/elements"),
            &[
                ("item", "用地指标"),
                ("status", "办理中"),
                ("department", OTHER_DEPARTMENT),
                ("due", "2022-05-01"),
            ],
        )
        .await;
    bureau
        .post(
            &format!("{project}/financing"),
            &[
                ("need", "30000"),
                ("sources", &format!("{MARK}融资")),
                ("bank", &format!("{MARK}银行")),
                ("status", "编制中"),
            ],
        )
        .await;
    let form = bureau.get(&format!("{project}/blockers/new")).await;
    let raised = bureau
        .post(
            &format!("{project}/blockers"),
            &[
                ("category", &first_option(&form.body, "category")),
                ("description", &format!("{MARK}堵点")),
                ("owner_unit", OTHER_DEPARTMENT),
                ("leader", LEADER),
                ("raised_on", "2022-03-01"),
                ("deadline", "2022-04-01"),
            ],
        )
        .await;
    let blocker = raised
        .header("location")
        .and_then(|l| l.rsplit('/').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("the blocker's page: {:?}", raised.header("location")));
    let visits = bureau.get("/visits").await;
    bureau
        .post(
            "/visits",
            &[
                ("unit", "宝清县"),
                ("date", "2022-03-05"),
                ("mode", &first_option(&visits.body, "mode")),
                ("enterprise", "标记客商甲"),
                ("project", CODE),
                ("content", &format!("{MARK}对接")),
                ("outcome", &format!("{MARK}成果")),
            ],
        )
        .await;
    let leader = bureau.get(&format!("/leader/{LEADER}")).await;
    let units = leader
        .body
        .split("name=\"units\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_owned();
    bureau
        .post(
            &format!("/leader/{LEADER}/units"),
            &[("units", &format!("{units}、宝清县"))],
        )
        .await;
    let map = bureau.get(&format!("/chain-maps/{CHAIN}")).await;
    let segment_name = map
        .body
        .split("<tr id=\"segment-")
        .nth(1)
        .and_then(|r| r.split("</td><td>").nth(1))
        .and_then(|r| r.split("</td>").next())
        .unwrap()
        .to_owned();
    bureau
        .post(
            &format!("/chain-maps/{CHAIN}/projects"),
            &[("project", CODE), ("segment", &segment_name)],
        )
        .await;
    let segment = number_after(&map.body, "/segments/");
    let firm = number_after(&bureau.get("/enterprises").await.body, "/enterprises/");
    // In the reporting cycle, waiting at 宝清县's level: a visit and a fund of its staff.
    baoqing
        .post(
            &format!("{project}/funds"),
            &[
                ("date", "2022-05-01"),
                ("amount", "300"),
                ("source", "贷款"),
            ],
        )
        .await;
    baoqing
        .post_json(
            "/api/v1/visits",
            serde_json::json!({"unit": "宝清县", "date": "2022-05-02", "enterprise": "标记客商乙",
                "content": format!("{MARK}待审对接"), "project": CODE}),
        )
        .await;
    let events = bureau.get(&format!("/api/v1/projects/{CODE}/events")).await;
    let event = events.json()["items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{}", events.body));
    Marker {
        event,
        blocker,
        segment,
        firm,
        own_code: String::new(),
    }
}

fn number_after(body: &str, prefix: &str) -> i64 {
    body.split(prefix)
        .skip(1)
        .find_map(|r| {
            let digits: String = r.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .unwrap_or_else(|| panic!("no link {prefix}N"))
}

/// The concrete paths a GET route of the table is crawled from: the route filled with the
/// marker's ids, and a page without parameters also with every filter a tester would try,
/// aimed at the marker's unit. A pattern `support::fill` does not know fails the test, so that
/// a new route cannot escape the crawl.
fn fill(pattern: &str, m: &Marker) -> Vec<String> {
    if pattern.contains('{') {
        let ids = Ids {
            codes: vec![CODE.to_owned(), m.own_code.clone()],
            event: m.event,
            blocker: m.blocker,
            segment: m.segment,
            firm: m.firm,
            chain: CHAIN.to_owned(),
            leader: LEADER.to_owned(),
            team: TEAM.to_owned(),
            ..Ids::default()
        };
        return support::fill(pattern, &ids);
    }
    let probe = format!(
        "{pattern}?unit=宝清县&territory=宝清县&leader={LEADER}&chain={CHAIN}&team={TEAM}&q=界外&code={CODE}&project={CODE}&pending=1"
    );
    vec![pattern.to_owned(), probe]
}

/// The text of a reply as a reader would see it: a workbook's cells, a page's or JSON's text.
fn readable(reply: &Reply) -> String {
    let xlsx = reply
        .header("content-type")
        .is_some_and(|t| t.contains("spreadsheetml"));
    if xlsx {
        let table = exchange::table::read_bytes("export.xlsx", &reply.bytes)
            .unwrap_or_else(|e| panic!("an export that is not a workbook: {e}"));
        let mut text = table.headers.join(" ");
        for row in table.rows {
            for cell in row.cells {
                text.push(' ');
                text.push_str(&cell.text());
            }
        }
        text
    } else {
        reply.body.clone()
    }
}

/// The same-site links of a page, `&amp;` undone.
fn links(body: &str) -> Vec<String> {
    body.split("href=\"")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        .map(|l| l.replace("&amp;", "&"))
        .filter(|l| !l.starts_with("/logout") && !l.starts_with("/static/"))
        .collect()
}

/// What two URLs that differ only in their query's values share.
fn shape(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut keys: Vec<&str> = query
        .split('&')
        .filter_map(|p| p.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort_unstable();
    format!("{path}?{}", keys.join("&"))
}

struct Crawl {
    requests: usize,
    leaks: Vec<String>,
    errors: Vec<String>,
}

async fn crawl(session: &Session, seeds: Vec<String>) -> Crawl {
    let mut queue: VecDeque<String> = seeds.into_iter().collect();
    let mut seen = HashSet::new();
    let mut per_shape: HashMap<String, usize> = HashMap::new();
    let mut out = Crawl {
        requests: 0,
        leaks: Vec::new(),
        errors: Vec::new(),
    };
    while let Some(url) = queue.pop_front() {
        if out.requests >= PAGES_PER_ACCOUNT || !seen.insert(url.clone()) {
            continue;
        }
        let variants = per_shape.entry(shape(&url)).or_default();
        *variants += 1;
        if *variants > VARIANTS_PER_SHAPE {
            continue;
        }
        let reply = session.get(&url).await;
        out.requests += 1;
        if reply.status == 0 || reply.status >= 500 {
            out.errors.push(format!("{} {url}", reply.status));
            continue;
        }
        let text = readable(&reply);
        // A 404 may name the code the request itself asked for; anything else is a leak.
        let asked_for_code = url.contains(CODE);
        if text.contains(MARK) || text.contains(VISITED) || (!asked_for_code && text.contains(CODE))
        {
            out.leaks.push(format!("{} {url}", reply.status));
        }
        if reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html"))
        {
            queue.extend(links(&reply.body));
        }
    }
    out
}

async fn no_page_shows_another_units_project_to_a_unit_account(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let (_server, addr, passwords) = support::demo_server(&db.url, dir.path());
    let bureau = Session::sign_in(addr, "bureau", &passwords["bureau"]).await;
    let baoqing = Session::sign_in(addr, "baoqing", &passwords["baoqing"]).await;
    let mut marker = place_marker(&bureau, &baoqing).await;
    // The marker shows where it should: to the bureau.
    for page in [
        format!("/leader/{LEADER}"),
        format!("/team/{TEAM}"),
        format!("/chain-maps/{CHAIN}"),
        format!("/blockers/{}", marker.blocker),
        format!("/projects/{CODE}"),
        format!("/elements?unit={OTHER_DEPARTMENT}"),
    ] {
        let reply = bureau.get(&page).await;
        assert!(
            reply.body.contains(MARK) || reply.body.contains(VISITED),
            "the bureau misses the marker on {page}"
        );
    }
    let routes: Vec<String> = web::all_routes()
        .into_iter()
        .filter(|(method, _)| *method == "get")
        .map(|(_, path)| path)
        .collect();
    let mut report = Vec::new();
    let mut total = 0;
    for (username, own) in [("jixian", true), ("jixian-review", true), ("ziran", false)] {
        let session = Session::sign_in(addr, username, &passwords[username]).await;
        let own_code = session.get("/api/v1/projects?size=1").await;
        marker.own_code = own_code.json()["items"][0]["code"]
            .as_str()
            .filter(|_| own)
            .unwrap_or("JX-NONE")
            .to_owned();
        let seeds = routes.iter().flat_map(|r| fill(r, &marker)).collect();
        let result = crawl(&session, seeds).await;
        total += result.requests;
        report.push(format!(
            "{username}: {} requests, marker on {} ({:?}), 5xx {:?}",
            result.requests,
            result.leaks.len(),
            result.leaks,
            result.errors
        ));
        assert!(
            result.requests > 100,
            "{username} reached too little: {report:?}"
        );
        assert!(
            result.leaks.is_empty() && result.errors.is_empty(),
            "{report:#?}"
        );
    }
    eprintln!(
        "scope crawl: {} GET routes, {total} requests: {report:#?}",
        routes.len()
    );
}

both_databases!(no_page_shows_another_units_project_to_a_unit_account);
