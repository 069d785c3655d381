//! Who may use what, over real HTTP on SQLite and PostgreSQL: every route the router serves
//! (`web::all_routes()`), for every role and for strangers, against the access table below
//! (SPEC §1 as this system reads it), and a unit's staff kept to their own unit's records on
//! every id.

use crate::common::*;
use domain::access::Role;
use domain::stage::StageEvent;
use domain::{EventKind, Stage};
use store::testing::TestDb;
use store::{Store, both_databases};
use web::client::{Reply, send_with};

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

/// Those who read the whole city.
const CITY_READERS: &[&str] = &["auditor", "leader", "bureau"];

const EDITORS: &[&str] = &["bureau", "jixian"];

/// Routes open to everyone, signed in or not (`/` only sends the browser on to `/my`).
const PUBLIC: &[&str] = &["/", "/login", "/static/app.css", "/api/v1/openapi.json"];

/// Who may use each (method, route) — SPEC §1 as this system reads it. `{records}` stands for
/// units, leaders, chains and teams, which differ, so each is listed by name.
const ACCESS: &[(&str, &str, &[&str])] = &[
    ("get", "/", ALL),
    ("get", "/my", ALL),
    ("get", "/messages", ALL),
    ("post", "/messages/read", ALL),
    ("get", "/messages/{id}", ALL),
    ("get", "/login", ALL),
    ("post", "/login", ALL),
    ("post", "/logout", ALL),
    ("get", "/login/totp", ALL),
    ("post", "/login/totp", ALL),
    ("get", "/account/password", ALL),
    ("post", "/account/password", ALL),
    ("get", "/account/totp", ALL),
    ("post", "/account/totp", ALL),
    ("get", "/account/tokens", ALL),
    ("post", "/account/tokens", ALL),
    ("post", "/account/tokens/{id}/revoke", ALL),
    ("get", "/security", &["secadmin"]),
    ("post", "/security/policy", &["secadmin"]),
    ("post", "/security/users/{username}/{action}", &["secadmin"]),
    ("post", "/security/requests/{id}/{decision}", &["secadmin"]),
    ("get", "/audit", &["auditor"]),
    ("get", "/audit/export", &["auditor"]),
    ("get", "/users", &["sysadmin"]),
    ("post", "/users", &["sysadmin"]),
    ("post", "/users/{username}/{action}", &["sysadmin"]),
    ("get", "/static/app.css", ALL),
    ("get", "/projects", READERS),
    ("get", "/projects/export", READERS),
    ("get", "/scoreboard", READERS),
    ("get", "/scoreboard/unit", READERS),
    ("get", "/scoreboard/drill", READERS),
    ("get", "/scoreboard/drill/export", READERS),
    ("get", "/scoreboard/print", READERS),
    ("get", "/scoreboard/screen", READERS),
    ("get", "/scoreboard/export", READERS),
    ("post", "/scoreboard/publish", BUREAU),
    ("get", "/sheets", READERS),
    ("post", "/sheets/office", BUREAU),
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
    ("get", "/import/ledger", BUREAU),
    ("post", "/import/ledger", BUREAU),
    ("post", "/import/mappings", BUREAU),
    ("get", "/import/mappings/{id}/export", BUREAU),
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
    ("get", "/six-ones/export", READERS),
    ("post", "/projects/{code}/elements", EDITORS),
    ("get", "/elements", READERS),
    ("get", "/elements/export", READERS),
    ("get", "/warnings", READERS),
    ("get", "/warnings/export", READERS),
    ("get", "/warnings/rules", READERS),
    ("post", "/warnings/rules", BUREAU),
    ("get", "/review", READERS),
    ("get", "/review/export", READERS),
    ("post", "/review/window/{action}", BUREAU),
    ("post", "/review/batch", READERS),
    // The walk's record waits for 集贤县's reviewer; the bureau reviews at the second level.
    ("post", "/review/{kind}/{id}/{step}", &["jx-review"]),
    // Only a unit with something placed in it by another has anything to confirm.
    ("post", "/placements/{code}/confirm", &["jx-review"]),
    ("get", "/blockers", READERS),
    ("get", "/blockers/export", READERS),
    ("get", "/blockers/{id}", READERS),
    ("post", "/blockers/{id}/instruction", &["leader"]),
    ("post", "/blockers/{id}/status", EDITORS),
    ("get", "/projects/{code}/blockers/new", EDITORS),
    ("post", "/projects/{code}/blockers", EDITORS),
    ("get", "/chain-maps/{name}", READERS),
    ("get", "/chain-maps/{name}/print", READERS),
    ("get", "/chain-maps/{name}/export", READERS),
    ("post", "/chain-maps/{name}/segments", BUREAU),
    ("post", "/chain-maps/{name}/firms", BUREAU),
    ("post", "/chain-maps/{name}/projects", BUREAU),
    ("get", "/chain-maps/{name}/segments/{id}/targets", READERS),
    (
        "get",
        "/chain-maps/{name}/segments/{id}/targets/export",
        READERS,
    ),
    ("get", "/visits", READERS),
    ("get", "/visits/export", READERS),
    // A visit returned to 集贤县: its staff mend it and send it again.
    ("get", "/visits/{id}/edit", &["jixian"]),
    ("post", "/visits/{id}/edit", &["jixian"]),
    // A fund returned to 集贤县 likewise.
    ("get", "/projects/{code}/funds/{id}/edit", &["jixian"]),
    ("post", "/projects/{code}/funds/{id}/edit", &["jixian"]),
    ("post", "/visits", EDITORS),
    ("post", "/visits/plans", EDITORS),
    ("get", "/duplicates", READERS),
    ("get", "/funds", READERS),
    ("get", "/funds/export", READERS),
    ("post", "/funds/verify", BUREAU),
    ("get", "/duplicates/export", READERS),
    ("post", "/duplicates/{code}/{decision}", BUREAU),
    ("get", "/packaged", READERS),
    ("get", "/packaged/export", READERS),
    ("get", "/packaged/new", EDITORS),
    ("post", "/packaged/new", EDITORS),
    ("get", "/packaged/{code}", READERS),
    ("get", "/packaged/{code}/edit", EDITORS),
    ("post", "/packaged/{code}/edit", EDITORS),
    ("post", "/packaged/{code}/status", EDITORS),
    ("post", "/packaged/{code}/sign", EDITORS),
    ("get", "/packaged/{code}/print", READERS),
    ("post", "/packaged/{code}/factors", EDITORS),
    ("get", "/factors", READERS),
    ("post", "/factors", BUREAU),
    ("post", "/factors/values", BUREAU),
    ("get", "/factors/print", READERS),
    ("get", "/factors/export", READERS),
    ("get", "/roadmaps", READERS),
    ("post", "/roadmaps", EDITORS),
    ("get", "/roadmaps/{id}", READERS),
    ("post", "/roadmaps/{id}/items", EDITORS),
    ("post", "/roadmaps/{id}/items/{item}/remove", EDITORS),
    ("get", "/roadmaps/{id}/export", READERS),
    ("get", "/agencies", CITY_READERS),
    ("post", "/agencies", BUREAU),
    ("get", "/agencies/export", CITY_READERS),
    ("post", "/agencies/contracts", BUREAU),
    ("get", "/agencies/{id}", CITY_READERS),
    ("post", "/agencies/{id}/attribute", BUREAU),
    ("post", "/agencies/{id}/payments", BUREAU),
    ("get", "/enterprises", READERS),
    ("get", "/enterprises/export", READERS),
    ("get", "/enterprises/{id}", READERS),
    ("post", "/enterprises/{id}/contacts", EDITORS),
    ("get", "/enterprises/merges", BUREAU),
    ("post", "/enterprises/merges/{id}/undo", BUREAU),
    ("get", "/enterprises/{id}/merge", BUREAU),
    ("post", "/enterprises/{id}/merge", BUREAU),
    ("post", "/enterprises/{id}/parent", BUREAU),
    ("get", "/leader/{name}", READERS),
    ("get", "/leader/{name}/export", READERS),
    ("post", "/leader/{name}/units", BUREAU),
    ("get", "/team/{name}", READERS),
    ("get", "/team/{name}/export", READERS),
    ("post", "/team/{name}/members", BUREAU),
    ("post", "/projects/{code}/funds/{id}/verify", BUREAU),
    ("post", "/projects/{code}/funds/{id}/withdraw", EDITORS),
    ("post", "/projects/{code}/visits/{id}/withdraw", EDITORS),
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
    mapping: i64,
    /// A visit of 集贤县's staff, returned to them.
    visit: i64,
    /// A fund of 集贤县's staff on JX-1, returned to them.
    returned_fund: i64,
    agency: i64,
    /// 集贤县's roadmap, 宝清县's.
    roadmap: [i64; 2],
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
    tx.upsert_agency(&domain::agencies::Agency::new("某招商咨询有限公司").unwrap())
        .await
        .unwrap();
    // A packaged project of each county, under the codes the walk fills in.
    for (code, unit) in [("JX-1", "集贤县"), ("BQ-1", "宝清县")] {
        let packaged =
            domain::packaged::PackagedProject::new(code, &format!("{unit}石墨包装项目"), unit)
                .unwrap();
        tx.upsert_packaged(&packaged).await.unwrap();
    }
    let mut roadmap = [0; 2];
    for (i, unit) in ["集贤县", "宝清县"].into_iter().enumerate() {
        roadmap[i] = tx
            .roadmap_for(2022, domain::roadmap::OwnerKind::Unit, unit)
            .await
            .unwrap();
        let policy = store::ItemInput {
            reference: "招商引资优惠政策",
            ..store::ItemInput::default()
        };
        tx.add_roadmap_item(roadmap[i], domain::roadmap::SetKind::Policy, &policy)
            .await
            .unwrap();
    }
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
    let segment = store
        .chain_map(CHAIN, None)
        .await
        .unwrap()
        .unwrap()
        .segments[0]
        .id;
    let mut tx = store.begin("test").await.unwrap();
    let body = r#"{"kind":"projects","name":"台账","unit":"集贤县","columns":[{"source":"项目名称","target":"项目名称","scale":"万元"}],"code_prefix":""}"#;
    tx.save_mapping(Some("集贤县"), "projects", "台账", body)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mapping = store
        .mapping(Some("集贤县"), "projects", "台账")
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut tx = store.begin("jixian").await.unwrap();
    tx.enter_as(domain::review::ReviewState::County);
    let mut visit =
        domain::records::Visit::new(chrono::NaiveDate::from_ymd_opt(2022, 5, 6).unwrap());
    visit.unit = Some("集贤县".into());
    visit.enterprise = Some("退回企业".into());
    let store::Added::Added(visit) = tx.add_visit(&visit).await.unwrap() else {
        panic!("visit not added")
    };
    tx.review(
        store::ReportKind::Visit,
        visit,
        &store::ReviewStep::Return("请补充内容".into()),
    )
    .await
    .unwrap();
    let money = domain::Money::from_units("金额", 2_000_000).unwrap();
    let store::Added::Added(returned_fund) = tx
        .add_fund(&Fund::new("JX-1", d("2022-04-01"), money, domain::Currency::Cny).unwrap())
        .await
        .unwrap()
    else {
        panic!("fund not added")
    };
    tx.review(
        store::ReportKind::Fund,
        returned_fund,
        &store::ReviewStep::Return("请附银行回单".into()),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Fixture {
        returned_fund,
        event,
        fund,
        blocker,
        sheet: 0,
        firm: written[0].id,
        segment,
        mapping,
        visit,
        agency: store.agencies(None).await.unwrap()[0].id,
        roadmap,
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
    } else if path.contains("/funds/{id}/edit") && side == 0 {
        fx.returned_fund
    } else if path.contains("/funds/") {
        fx.fund[side]
    } else if path.starts_with("/import/mappings/") {
        fx.mapping
    } else if path.starts_with("/visits/") {
        fx.visit
    } else if path.starts_with("/agencies/") {
        fx.agency
    } else if path.starts_with("/roadmaps/") {
        fx.roadmap[side]
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
        "/scoreboard/drill" | "/scoreboard/drill/export" => {
            "?year=2022&period=H1&indicator=signed_amount&unit=集贤县"
        }
        _ => "",
    };
    encoded(&format!(
        "{}{query}",
        &path
            .replace("{records}", records)
            .replace("{code}", code)
            .replace("{id}", &id.to_string())
            .replace("{item}", "1")
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

async fn every_route_answers_every_role_as_the_access_table_says_and_unit_scope_holds_on_every_id(
    db: &TestDb,
) {
    let store = db.open().await.unwrap();
    let app = start(db.open().await.unwrap()).await;
    let mut fx = access_fixture(&store).await;
    let (bureau, csrf) = app.sign_in("bureau").await;
    let published = app
        .post_form(
            "/scoreboard/publish?year=2022&period=H1",
            Some(&bureau),
            &[("csrf", &csrf), ("confirm", "1")],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.body);
    fx.sheet = store.published_sheets().await.unwrap()[0].id;
    let mut walked = Vec::new();
    for (method, path) in web::all_routes() {
        let expanded: Vec<String> = if path.contains("{records}") {
            ["units", "leaders", "chains", "teams"]
                .iter()
                .map(|r| path.replace("{records}", r))
                .collect()
        } else {
            vec![path.clone()]
        };
        for route in expanded {
            let Some((_, _, allowed)) = ACCESS.iter().find(|(m, p, _)| *m == method && *p == route)
            else {
                panic!("{method} {route} is served but has no line in ACCESS: say who may use it");
            };
            walked.push((method, route, path.clone(), *allowed));
        }
    }
    assert_eq!(
        walked.len(),
        ACCESS.len(),
        "every line of ACCESS names a route the router serves"
    );

    let mut checked = 0;
    // Strangers: only the public routes answer; pages send them to sign in, the API says 401.
    for (method, route, path, _) in &walked {
        let url = concrete(route, "", &fx, 0);
        let reply = request(&app, method, &url, None, "").await;
        checked += 1;
        if PUBLIC.contains(&route.as_str()) {
            assert!(
                matches!(reply.status, 200 | 303) || (*method == "post" && reply.status != 500),
                "{method} {url}: {}",
                reply.status
            );
        } else if route.starts_with("/api/") {
            assert_eq!(reply.status, 401, "{method} {url} without a session");
        } else {
            assert_eq!(
                (
                    reply.status,
                    reply.header("location").map(|l| l.starts_with("/login"))
                ),
                (303, Some(true)),
                "{method} {url} ({path}) without a session"
            );
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
                assert!(
                    forged.status == 403 || (!may && forged.status == 404),
                    "{role} {method} {url} without a token: {} {}",
                    forged.status,
                    forged.body
                );
            }
            let reply = request(&app, method, &url, c, &csrf).await;
            checked += 1;
            assert_ne!(reply.status, 500, "{role} {method} {url}: {}", reply.body);
            if may {
                // An empty form may name nothing that exists (404); it is never refused outright.
                let refused = reply.status == 401
                    || reply.status == 403
                    || (*method == "get" && reply.status == 404);
                assert!(
                    !refused,
                    "{role} may {method} {url}, got {}: {}",
                    reply.status, reply.body
                );
                assert!(
                    !reply
                        .header("location")
                        .is_some_and(|l| l.starts_with("/login")),
                    "{role} {method} {url} was signed out"
                );
                if *method == "get" {
                    assert!(
                        matches!(reply.status, 200 | 303),
                        "{role} GET {url}: {}",
                        reply.status
                    );
                }
            } else {
                assert!(
                    matches!(reply.status, 403 | 404),
                    "{role} may not {method} {url}, got {}: {}",
                    reply.status,
                    reply.body
                );
            }
        }
    }

    // Unit scope: 集贤县's staff and reviewer reach none of 宝清县's records by their ids.
    for role in ["jixian", "jx-review"] {
        let (cookie, csrf) = app.sign_in(role).await;
        for (method, route, _, _) in &walked {
            let scoped = [
                "{code}",
                "/blockers/{id}",
                "/review/{kind}/{id}",
                "/roadmaps/{id}",
            ]
            .iter()
            .any(|p| route.contains(p));
            if !scoped {
                continue;
            }
            let url = concrete(route, "", &fx, 1);
            let reply = request(&app, method, &url, Some(&cookie), &csrf).await;
            checked += 1;
            assert!(
                matches!(reply.status, 403 | 404),
                "{role} reached 宝清县's {method} {url}: {} {}",
                reply.status,
                reply.body
            );
        }
    }
    // Nothing 宝清县 holds was changed by the walk.
    assert_eq!(store.events_of("BQ-1").await.unwrap().len(), 2);
    assert!(checked > 1000, "{checked} requests");
    println!(
        "access walk: {} routes × {} roles and strangers, {checked} requests",
        walked.len(),
        ALL.len()
    );
}

/// Every link of every role's menu leads somewhere that role may go, and a refusal's page leads
/// back to 我的工作, which every role may open (an administrator's menu once led to a 403 whose
/// only link led to the same 403).
async fn every_menu_link_leads_where_the_role_may_go(db: &TestDb) {
    let store = db.open().await.unwrap();
    let app = start(store.clone()).await;
    access_fixture(&store).await;
    for role in ALL {
        let (cookie, _) = app.sign_in(role).await;
        let c = Some(cookie.as_str());
        let home = app.get("/my", c).await;
        assert_eq!(home.status, 200, "{role}");
        let menu = home
            .body
            .split("<nav class=\"menu\"")
            .nth(1)
            .and_then(|rest| rest.split("</nav>").next())
            .unwrap();
        let links: Vec<&str> = menu
            .split("href=\"")
            .skip(1)
            .filter_map(|piece| piece.split('"').next())
            .collect();
        assert!(!links.is_empty(), "{role}");
        for link in links {
            let reply = app.get(link, c).await;
            assert_eq!(
                reply.status, 200,
                "{role}'s menu links {link}: {}",
                reply.status
            );
        }
        let refused = app.get("/security", c).await;
        if refused.status == 403 {
            assert!(
                refused.body.contains("href=\"/my\""),
                "{role}: {}",
                refused.body
            );
        }
    }
}

both_databases!(
    every_route_answers_every_role_as_the_access_table_says_and_unit_scope_holds_on_every_id,
    every_menu_link_leads_where_the_role_may_go,
);
