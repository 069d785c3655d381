//! The server under load and under a crash, as real processes of the real binary (issue 7):
//! 32 writers editing the same projects through their forms lose no update, on SQLite and on
//! PostgreSQL (two server processes on one database there, which must agree); a server killed
//! with SIGKILL during writes comes back with every acknowledged write and an intact database.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use domain::access::Role;
use domain::records::{Project, Unit, UnitKind};
use store::testing::TestDb;
use store::{Store, both_databases};
use web::client::{Reply, csrf_field, form, post_sign_in, send, set_cookie};

const PROJECTS: [&str; 4] = ["LD-1", "LD-2", "LD-3", "LD-4"];
const PASSWORD: &str = "correct horse";

/// A server process of the real binary, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &TestDb, index: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhaoshang"))
        .args(["--db", &db.url, "--index"])
        .arg(index)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_remove("ZHAOSHANG_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server printed its address")
            .unwrap();
        if let Some(rest) = line.strip_prefix("已启动: http://") {
            break rest.trim_end_matches('/').parse().unwrap();
        }
    };
    // Keep reading its output so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

/// Two counties' worth of city, four projects to fight over and `writers` bureau accounts.
async fn city(store: &Store, writers: usize) {
    let mut tx = store.begin("test").await.unwrap();
    tx.upsert_unit(&Unit::new("双鸭山市", UnitKind::City, None, None, None).unwrap())
        .await
        .unwrap();
    tx.upsert_unit(
        &Unit::new(
            "集贤县",
            UnitKind::County,
            None,
            None,
            Some("双鸭山市".into()),
        )
        .unwrap(),
    )
    .await
    .unwrap();
    for code in PROJECTS {
        let mut project = Project::new(code, &format!("{code} 负载项目"), "集贤县").unwrap();
        project.planned_investment = Some(domain::Money::parse_wan("计划总投资", "1000").unwrap());
        tx.upsert_project(&project).await.unwrap();
    }
    let hash = store::accounts::hash_password_cheaply(PASSWORD).unwrap();
    for w in 0..writers {
        tx.add_user(&format!("w{w:02}"), "写入者", Role::Bureau, None, &hash)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

/// A signed-in writer: its server, cookie and token.
struct Writer {
    addr: SocketAddr,
    cookie: String,
    csrf: String,
}

impl Writer {
    async fn sign_in(addr: SocketAddr, username: &str) -> Writer {
        let reply = post_sign_in(addr, username, PASSWORD).await;
        assert_eq!(reply.status, 303, "{username}: {}", reply.body);
        let cookie = set_cookie(&reply, web::auth::COOKIE).unwrap();
        let page = send(addr, "GET", "/units", Some(&cookie), None).await;
        let csrf = csrf_field(&page.body).unwrap();
        Writer { addr, cookie, csrf }
    }

    async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(pairs);
        send(
            self.addr,
            "POST",
            path,
            Some(&self.cookie),
            Some(("application/x-www-form-urlencoded", form(&all))),
        )
        .await
    }

    /// Adds one 万元 to a project's 计划总投资 as a person would: opens the form, changes the
    /// figure, saves; a 409 (someone saved first) means opening it again. Returns the tries.
    async fn increment(&self, code: &str) -> u32 {
        for tries in 1..=200 {
            let page = send(
                self.addr,
                "GET",
                &format!("/projects/{code}/edit"),
                Some(&self.cookie),
                None,
            )
            .await;
            assert_eq!(page.status, 200, "{}", page.body);
            let value = |name: &str| {
                page.body
                    .split(&format!("name=\"{name}\" value=\""))
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .unwrap()
                    .to_owned()
            };
            let planned: i64 = value("planned_investment").parse().unwrap();
            let version = value("version");
            let next = (planned + 1).to_string();
            let reply = self
                .post(
                    &format!("/projects/{code}/edit"),
                    &[
                        ("name", &format!("{code} 负载项目")),
                        ("territory", "集贤县"),
                        ("capital_origin", "内资"),
                        ("currency", "人民币"),
                        ("planned_investment", &next),
                        ("version", &version),
                    ],
                )
                .await;
            match reply.status {
                303 => return tries,
                409 => continue,
                other => panic!("edit of {code}: {other} {}", reply.body),
            }
        }
        panic!("200 tries without saving {code}");
    }

    /// Records a fund of `yuan` 元 (each write's amount is its own, so that it can be found
    /// again); true when the server acknowledged it.
    async fn add_fund(&self, code: &str, yuan: i64) -> bool {
        let wan = format!("{}.{:04}", yuan / 10_000, yuan % 10_000);
        let reply = self
            .post(
                &format!("/projects/{code}/funds"),
                &[
                    ("date", "2022-06-01"),
                    ("amount", &wan),
                    ("currency", "人民币"),
                    ("source", "自有"),
                ],
            )
            .await;
        reply.status == 303
    }
}

/// What the writers were told was saved: per project, increments and fund amounts.
#[derive(Default)]
struct Acknowledged {
    increments: [i64; 4],
    funds: [i64; 4],
    fund_total: [i64; 4],
    retries: u64,
}

const WRITERS: usize = 32;
const OPS: usize = 6;

/// `WRITERS` writers, spread over `servers`, each editing and adding funds to the four projects
/// at once.
async fn load(servers: &[SocketAddr]) -> Acknowledged {
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let addr = servers[w % servers.len()];
        tasks.push(tokio::spawn(async move {
            let writer = Writer::sign_in(addr, &format!("w{w:02}")).await;
            let mut acked = Acknowledged::default();
            for op in 0..OPS {
                let p = (w + op) % PROJECTS.len();
                acked.retries += u64::from(writer.increment(PROJECTS[p]).await - 1);
                acked.increments[p] += 1;
                let yuan = (w * 100 + op + 1) as i64;
                if writer.add_fund(PROJECTS[p], yuan).await {
                    acked.funds[p] += 1;
                    acked.fund_total[p] += yuan;
                }
            }
            acked
        }));
    }
    let mut total = Acknowledged::default();
    for task in tasks {
        let acked = task.await.unwrap();
        for p in 0..PROJECTS.len() {
            total.increments[p] += acked.increments[p];
            total.funds[p] += acked.funds[p];
            total.fund_total[p] += acked.fund_total[p];
        }
        total.retries += acked.retries;
    }
    total
}

/// The records equal the sum of what was acknowledged: no update lost, nothing extra.
async fn assert_nothing_lost(store: &Store, acked: &Acknowledged) {
    let funds = store.funds().await.unwrap();
    for (p, code) in PROJECTS.iter().enumerate() {
        let project = store.project(code).await.unwrap().unwrap();
        let planned = project.project.planned_investment.unwrap().units();
        assert_eq!(
            planned,
            (1000 + acked.increments[p]) * 10_000,
            "{code}: 计划总投资"
        );
        assert_eq!(
            project.version,
            1 + acked.increments[p],
            "{code}: one version per saved edit"
        );
        let mine: Vec<_> = funds
            .iter()
            .filter(|(_, f)| f.project_code == *code)
            .collect();
        assert_eq!(mine.len() as i64, acked.funds[p], "{code}: funds");
        let sum: i64 = mine.iter().map(|(_, f)| f.amount.units()).sum();
        assert_eq!(sum, acked.fund_total[p], "{code}: sum of funds");
    }
    assert_eq!(store.verify_audit().await.unwrap().breach, None);
}

async fn thirty_two_writers_on_the_same_projects_lose_no_update_and_two_servers_agree(db: &TestDb) {
    let store = db.open().await.unwrap();
    city(&store, WRITERS).await;
    let index = tempfile::tempdir().unwrap();
    // SQLite is one process's file; PostgreSQL takes several stateless servers.
    let servers: Vec<Server> = match store.backend() {
        store::Backend::Sqlite => vec![serve(db, &index.path().join("a"))],
        store::Backend::Postgres => vec![
            serve(db, &index.path().join("a")),
            serve(db, &index.path().join("b")),
        ],
    };
    let addrs: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
    let acked = load(&addrs).await;
    assert_eq!(acked.increments.iter().sum::<i64>(), (WRITERS * OPS) as i64);
    assert_eq!(
        acked.funds.iter().sum::<i64>(),
        (WRITERS * OPS) as i64,
        "every fund was acknowledged"
    );
    assert_nothing_lost(&store, &acked).await;
    // Every server reads the same records.
    let mut seen = Vec::new();
    for addr in &addrs {
        let reader = Writer::sign_in(*addr, "w01").await;
        let mut views = Vec::new();
        for code in PROJECTS {
            let project = send(
                *addr,
                "GET",
                &format!("/api/v1/projects/{code}"),
                Some(&reader.cookie),
                None,
            )
            .await;
            let funds = send(
                *addr,
                "GET",
                &format!("/api/v1/projects/{code}/funds"),
                Some(&reader.cookie),
                None,
            )
            .await;
            assert_eq!((project.status, funds.status), (200, 200));
            views.push((project.json()["planned_investment"].clone(), funds.json()));
        }
        seen.push(views);
    }
    assert!(
        seen.windows(2).all(|w| w[0] == w[1]),
        "the servers disagree"
    );
    println!(
        "{} writers × {OPS} edits and {OPS} funds over {} server(s): {} edits and {} funds acknowledged, {} retries after 409, 0 lost",
        WRITERS,
        addrs.len(),
        acked.increments.iter().sum::<i64>(),
        acked.funds.iter().sum::<i64>(),
        acked.retries
    );
}

async fn a_server_killed_during_writes_keeps_every_acknowledged_write(db: &TestDb) {
    let store = db.open().await.unwrap();
    city(&store, 8).await;
    let index = tempfile::tempdir().unwrap();
    let mut acknowledged: Vec<i64> = Vec::new();
    const RUNS: usize = 3;
    for run in 0..RUNS {
        let server = serve(db, &index.path().join(format!("run{run}")));
        let addr = server.addr;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut tasks = Vec::new();
        for w in 0..8 {
            let stop = stop.clone();
            tasks.push(tokio::spawn(async move {
                let writer = Writer::sign_in(addr, &format!("w{w:02}")).await;
                let mut acked = Vec::new();
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let yuan = (run * 1_000_000 + w * 10_000 + n + 1) as i64;
                    if writer.add_fund(PROJECTS[w % 4], yuan).await {
                        acked.push(yuan);
                    }
                    n += 1;
                }
                acked
            }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        // SIGKILL: no shutdown, no flush, mid-request.
        drop(server);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for task in tasks {
            acknowledged.extend(task.await.unwrap());
        }
    }
    // A new server opens the database as the killed ones left it.
    let _server = serve(db, &index.path().join("after"));
    let reopened = db.open().await.unwrap();
    if reopened.backend() == store::Backend::Sqlite {
        assert_eq!(reopened.integrity_check().await.unwrap(), "ok");
    }
    assert_eq!(reopened.verify_audit().await.unwrap().breach, None);
    assert!(
        reopened
            .project_states_disagreeing(chrono::NaiveDate::from_ymd_opt(2022, 12, 31).unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    let stored: std::collections::HashSet<i64> = reopened
        .funds()
        .await
        .unwrap()
        .into_iter()
        .map(|(_, f)| f.amount.units())
        .collect();
    let lost: Vec<&i64> = acknowledged
        .iter()
        .filter(|yuan| !stored.contains(*yuan))
        .collect();
    assert!(
        acknowledged.len() > 50,
        "only {} writes were acknowledged",
        acknowledged.len()
    );
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    println!(
        "{RUNS} crash runs: {} writes acknowledged, {} lost, {} stored",
        acknowledged.len(),
        lost.len(),
        stored.len()
    );
}

both_databases!(
    thirty_two_writers_on_the_same_projects_lose_no_update_and_two_servers_agree,
    a_server_killed_during_writes_keeps_every_acknowledged_write,
);

/// Runs the binary on `db` and returns (success, stdout + stderr).
fn zhaoshang(url: &str, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_zhaoshang"))
        .args(["--db", url])
        .args(args)
        .env_remove("ZHAOSHANG_DB")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// Funds and audit entries a database holds.
async fn holdings(store: &Store) -> (usize, u64) {
    let verdict = store.verify_audit().await.unwrap();
    assert_eq!(verdict.breach, None);
    (store.funds().await.unwrap().len(), verdict.checked)
}

async fn a_backup_taken_while_the_server_writes_restores_to_a_whole_database(db: &TestDb) {
    let store = db.open().await.unwrap();
    city(&store, 4).await;
    let index = tempfile::tempdir().unwrap();
    let server = serve(db, &index.path().join("a"));
    let addr = server.addr;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for w in 0..4 {
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let writer = Writer::sign_in(addr, &format!("w{w:02}")).await;
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                assert!(
                    writer
                        .add_fund(PROJECTS[w % PROJECTS.len()], (w * 100_000 + n + 1) as i64)
                        .await
                );
                n += 1;
            }
            n
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let dir = tempfile::tempdir().unwrap();
    match store.backend() {
        store::Backend::Sqlite => {
            let file = dir.path().join("backup.db");
            let file_arg = file.to_str().unwrap();
            // On a thread of its own, so that the writers go on while it copies.
            let (url, arg) = (db.url.clone(), file_arg.to_owned());
            let (ok, text) =
                tokio::task::spawn_blocking(move || zhaoshang(&url, &["backup", &arg]))
                    .await
                    .unwrap();
            assert!(ok, "{text}");
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            assert!(
                text.contains("文件完整") && text.contains("哈希链完整"),
                "{text}"
            );
            let (again, text) = zhaoshang(&db.url, &["backup", file_arg]);
            assert!(!again && text.contains("已存在，不会覆盖"), "{text}");
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            let written: usize = futures_sum(tasks).await;
            drop(server);
            let (live_funds, live_entries) = holdings(&store).await;
            assert_eq!(live_funds, written);

            // Restored elsewhere: a whole database, a snapshot of a moment during the writes.
            let target = dir.path().join("restored").join("zhaoshang.db");
            let target_url = format!("sqlite:{}", target.display());
            let (ok, text) = zhaoshang(&target_url, &["restore", file_arg]);
            assert!(ok, "{text}");
            let restored = Store::open(&target_url).await.unwrap();
            assert_eq!(restored.integrity_check().await.unwrap(), "ok");
            let (funds, entries) = holdings(&restored).await;
            assert!(funds > 0 && funds < live_funds, "{funds} of {live_funds}");
            assert!(
                entries < live_entries,
                "the snapshot holds a prefix of the log: {entries} {live_entries} {funds} {live_funds}"
            );
            assert_eq!(
                entries - funds as u64,
                live_entries - live_funds as u64,
                "each fund with its log entry"
            );
            restored.close().await;

            // An existing database is replaced only when asked; a damaged backup never.
            let (refused, text) = zhaoshang(&target_url, &["restore", file_arg]);
            assert!(!refused && text.contains("--force"), "{text}");
            let damaged = dir.path().join("damaged.db");
            let bytes = std::fs::read(&file).unwrap();
            std::fs::write(&damaged, &bytes[..bytes.len() / 2]).unwrap();
            let (refused, text) = zhaoshang(
                &target_url,
                &["restore", "--force", damaged.to_str().unwrap()],
            );
            assert!(!refused && text.contains("未做任何替换"), "{text}");
            let (ok, text) = zhaoshang(&db.url, &["restore", "--force", file_arg]);
            assert!(ok, "{text}");
            let back = Store::open(&db.url).await.unwrap();
            assert_eq!(
                holdings(&back).await,
                (funds, entries),
                "the live database is now the backup"
            );
        }
        store::Backend::Postgres => {
            // PostgreSQL's route (README): pg_dump of the schema while the server writes,
            // the schema dropped, pg_restore.
            let base = std::env::var("ZHAOSHANG_TEST_PG").unwrap();
            let schema = db.url.split("search_path]=").nth(1).unwrap().to_owned();
            let file = dir.path().join("backup.dump");
            let (dump_base, dump_schema, dump_file) = (base.clone(), schema.clone(), file.clone());
            let dump = tokio::task::spawn_blocking(move || {
                Command::new("pg_dump")
                    .args(["-d", &dump_base, "-n", &dump_schema, "-Fc", "-f"])
                    .arg(&dump_file)
                    .output()
                    .unwrap()
            })
            .await
            .unwrap();
            assert!(
                dump.status.success(),
                "{}",
                String::from_utf8_lossy(&dump.stderr)
            );
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            let written: usize = futures_sum(tasks).await;
            drop(server);
            let (live_funds, live_entries) = holdings(&store).await;
            assert_eq!(live_funds, written);
            store.close().await;
            db.execute_behind_the_store(&format!("DROP SCHEMA {schema} CASCADE"))
                .await
                .unwrap();
            let restore = Command::new("pg_restore")
                .args(["-d", &base])
                .arg(&file)
                .output()
                .unwrap();
            assert!(
                restore.status.success(),
                "{}",
                String::from_utf8_lossy(&restore.stderr)
            );
            let restored = db.open().await.unwrap();
            let (funds, entries) = holdings(&restored).await;
            assert!(funds > 0 && funds < live_funds, "{funds} of {live_funds}");
            assert_eq!(
                entries - funds as u64,
                live_entries - live_funds as u64,
                "each fund with its log entry"
            );
            // The restored database takes writes again, its chain going on.
            let mut tx = restored.begin("test").await.unwrap();
            tx.unlock("w00").await.unwrap();
            tx.commit().await.unwrap();
            assert_eq!(restored.verify_audit().await.unwrap().checked, entries + 1);
        }
    }
}

both_databases!(a_backup_taken_while_the_server_writes_restores_to_a_whole_database,);

/// Waits for the writer tasks and adds up what they wrote.
async fn futures_sum(tasks: Vec<tokio::task::JoinHandle<usize>>) -> usize {
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    total
}
