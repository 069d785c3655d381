//! `zhaoshang bench import`: times the import of a synthetic city of any size through the same
//! path an office's files take (file → cells → domain rules → store, one transaction per file).

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};
use exchange::{Kind, Quiet};
use store::{Store, Table};

const STAGES: [&str; 5] = ["线索", "在谈", "签约", "落地", "开工"];

/// Writes `projects.csv` and `events.csv` for `projects` synthetic projects with up to five
/// events each (线索 → 在谈 → 签约 → 落地 → 开工), spread over 2020–2022.
fn write_files(dir: &Path, projects: usize, events_per_project: usize, ledger: bool) -> Result<()> {
    let territories = [
        "集贤县",
        "友谊县",
        "宝清县",
        "饶河县",
        "尖山区",
        "岭东区",
        "四方台区",
        "宝山区",
        "双鸭山经济技术开发区",
    ];
    let mut p = String::from(
        "项目编号,项目名称,所在县区,责任单位,产业链,分管领导,工作专班,招商方式,签约额(万元),重点项目,投资企业\n",
    );
    let mut e = String::from("项目编号,阶段,日期,金额(万元),落地企业信用代码,地块编号,说明\n");
    for i in 0..projects {
        let territory = territories[i % territories.len()];
        let amount = 1_000 + (i * 7_919) % 90_000;
        // A ledger as offices keep one: every project names its investor; a firm invests in
        // about three projects, in several counties; every fiftieth project is a second report
        // of an earlier one (same firm, county and a similar name), held as a duplicate.
        let (name, investor) = if !ledger {
            (format!("基准测试项目{i}"), String::new())
        } else if i % 50 == 49 {
            let original = i - territories.len() * 3;
            (
                format!("基准测试项目{original}（二期）"),
                format!("基准投资有限公司{}", original / 3),
            )
        } else {
            (
                format!("基准测试项目{i}"),
                format!("基准投资有限公司{}", i / 3),
            )
        };
        let _ = writeln!(
            p,
            "BENCH-{i:07},{name},{territory},市发展和改革委员会,石墨产业链,陈立新,石墨专班,政府团队,{amount},{},{investor}",
            if amount > 50_000 { "是" } else { "否" }
        );
        let start_day = (i * 13) % 600;
        for (step, stage) in STAGES.iter().take(events_per_project).enumerate() {
            let date = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default()
                + chrono::Days::new((start_day + step * 30) as u64);
            let parcel = if *stage == "落地" {
                format!("双土储〔2021〕{i}号")
            } else {
                String::new()
            };
            let _ = writeln!(e, "BENCH-{i:07},{stage},{date},,,{parcel},");
        }
    }
    std::fs::write(dir.join("projects.csv"), p)?;
    std::fs::write(dir.join("events.csv"), e)?;
    Ok(())
}

/// Loads the demo's units, leaders, chains and teams, then imports the synthetic files and
/// reports how long each took.
pub async fn import(
    store: &Store,
    projects: usize,
    events_per_project: usize,
    ledger: bool,
) -> Result<String> {
    if store.count(Table::Projects).await? > 0 {
        bail!("基准测试需要一个空数据库（用 --db 指定）");
    }
    let city = demo::build();
    let mut tx = store.begin("bench").await?;
    crate::city::load_organisation(&mut tx, &city).await?;
    tx.commit().await?;

    let dir = std::env::temp_dir().join(format!("zhaoshang-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let events_per_project = events_per_project.min(STAGES.len());
    write_files(&dir, projects, events_per_project, ledger)?;
    let mut out = format!("数据库: {:?}\n", store.backend());
    for (kind, file) in [
        (Kind::Projects, "projects.csv"),
        (Kind::Events, "events.csv"),
    ] {
        let started = Instant::now();
        let report = exchange::import(store, kind, &dir.join(file), "bench", &Quiet).await?;
        let seconds = started.elapsed().as_secs_f64();
        if !report.is_ok() {
            bail!("基准数据导入失败: {}", report.errors[0]);
        }
        let _ = writeln!(
            out,
            "{}: {} 行, {:.1} 秒, {:.0} 行/秒",
            kind.label(),
            report.rows,
            seconds,
            report.rows as f64 / seconds.max(1e-9)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(out)
}

/// Loads a synthetic city of `projects` projects (five events each) into an empty database,
/// then serves it and times `GET /projects` and `GET /api/v1/projects` with `connections`
/// clients at once, `requests` requests each path.
pub async fn web(
    store: &Store,
    projects: usize,
    connections: usize,
    requests: usize,
) -> Result<String> {
    let mut out = import(store, projects, 5, false).await?;
    let hash = store::accounts::hash_password("bench-password")?;
    let mut tx = store.begin("bench").await?;
    tx.add_user(
        "bench",
        "基准测试",
        domain::access::Role::Bureau,
        None,
        &hash,
    )
    .await?;
    tx.commit().await?;
    let index = crate::find::open(None)?;
    let state =
        web::AppState::new(store.clone(), false, index).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (bound, rx) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(async move {
        web::serve(
            state,
            "127.0.0.1:0"
                .parse()
                .unwrap_or(std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
            |addr| {
                let _ = bound.send(addr);
            },
        )
        .await
    });
    let addr = rx.await?;
    let reply = web::client::post_sign_in(addr, "bench", "bench-password").await;
    let cookie = web::client::set_cookie(&reply, web::auth::COOKIE)
        .ok_or_else(|| anyhow::anyhow!("基准测试账号无法登录: {}", reply.status))?;
    for path in ["/projects", "/api/v1/projects?size=50"] {
        let started = Instant::now();
        let per_client = requests.div_ceil(connections.max(1));
        let mut clients = Vec::new();
        for _ in 0..connections.max(1) {
            let cookie = cookie.clone();
            clients.push(tokio::spawn(async move {
                let mut times = Vec::with_capacity(per_client);
                for _ in 0..per_client {
                    let t = Instant::now();
                    let reply = web::client::send(addr, "GET", path, Some(&cookie), None).await;
                    if reply.status != 200 {
                        return Err(reply.status);
                    }
                    times.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                Ok(times)
            }));
        }
        let mut times = Vec::new();
        for client in clients {
            match client.await? {
                Ok(t) => times.extend(t),
                Err(status) => bail!("{path} 返回了 {status}"),
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        times.sort_by(f64::total_cmp);
        let pick = |q: f64| {
            times
                .get(((times.len() as f64 - 1.0) * q).round() as usize)
                .copied()
                .unwrap_or(0.0)
        };
        let _ = writeln!(
            out,
            "GET {path}: {} 个请求, {} 个并发连接, {:.1} 请求/秒, 延迟 p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms, 最大 {:.0} ms",
            times.len(),
            connections,
            times.len() as f64 / seconds.max(1e-9),
            pick(0.5),
            pick(0.95),
            pick(0.99),
            pick(1.0)
        );
    }
    server.abort();
    Ok(out)
}

/// Loads a synthetic city unless the database holds projects already; says which.
async fn ensure_city(store: &Store, projects: usize, out: &mut String) -> Result<()> {
    if store.count(Table::Projects).await? == 0 {
        let started = Instant::now();
        let summary = crate::city::load_synthetic(store, "bench", projects).await?;
        let _ = writeln!(
            out,
            "{summary}\n载入用时 {:.1} 秒",
            started.elapsed().as_secs_f64()
        );
    } else {
        let _ = writeln!(
            out,
            "使用库中已有的{}个项目",
            store.count(Table::Projects).await?
        );
    }
    Ok(())
}

pub(crate) fn median_and_max(times: &mut [f64]) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[times.len() - 1])
}

/// Times the warnings of every project of a synthetic city as of 2022-12-31: reading what
/// they look at (`project_situations`) and computing them, `runs` times after a warm-up.
pub async fn warnings(store: &Store, projects: usize, runs: usize) -> Result<String> {
    let mut out = format!("数据库: {:?}\n", store.backend());
    ensure_city(store, projects, &mut out).await?;
    let on = chrono::NaiveDate::from_ymd_opt(2022, 12, 31).unwrap_or_default();
    let rules = domain::warnings::WarningRules::default();
    let filter = store::ProjectFilter::default();
    let (mut read, mut compute) = (Vec::new(), Vec::new());
    let mut lit = (0, 0, 0);
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    for run in 0..=runs.max(1) {
        let started = Instant::now();
        let situations = store.project_situations(&filter, on).await?;
        let loaded = started.elapsed();
        let started = Instant::now();
        let lights: Vec<domain::figures::Light> = situations
            .iter()
            .map(|(_, s)| {
                domain::warnings::worst(&domain::warnings::project_warnings(s, &rules, on))
            })
            .collect();
        let computed = started.elapsed();
        if run > 0 {
            read.push(ms(loaded));
            compute.push(ms(computed));
        }
        let count = |l| lights.iter().filter(|x| **x == l).count();
        lit = (
            lights.len(),
            count(domain::figures::Light::Red),
            count(domain::figures::Light::Yellow),
        );
    }
    for (name, mut times) in [("读取", read), ("计算", compute)] {
        let (median, max) = median_and_max(&mut times);
        let _ = writeln!(
            out,
            "{name}: 中位数 {median:.2} 毫秒, 最慢 {max:.2} 毫秒（{} 次）",
            times.len()
        );
    }
    let _ = writeln!(
        out,
        "{} 个项目：红灯 {}，黄灯 {}（截至2022-12-31）",
        lit.0, lit.1, lit.2
    );
    Ok(out)
}

/// Loads a synthetic city of `projects` projects into an empty database (or uses the one
/// there), then times reading the figures' records and computing the 2022 H1 scoreboard over
/// 2013–2022, `runs` times after a warm-up.
pub async fn scoreboard(store: &Store, projects: usize, runs: usize) -> Result<String> {
    let mut out = format!("数据库: {:?}\n", store.backend());
    ensure_city(store, projects, &mut out).await?;
    let period = domain::Period::parse(2022, "H1", None).map_err(|e| anyhow::anyhow!("{e}"))?;
    let weights = domain::figures::RankWeights::default();
    let mut read = Vec::new();
    let mut compute = Vec::new();
    let mut warm = Vec::new();
    let mut board = None;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    for run in 0..=runs.max(1) {
        // Cold: the records read afresh, as after any change.
        let started = Instant::now();
        let facts = store.read_facts_uncached().await?;
        let loaded = started.elapsed();
        let started = Instant::now();
        let b = domain::figures::scoreboard(&facts, &period, &weights);
        let computed = started.elapsed();
        // Warm: what a page does when nothing changed since the last read.
        store.figure_facts().await?;
        let started = Instant::now();
        let cached = store.figure_facts().await?;
        let again = domain::figures::scoreboard(&cached, &period, &weights);
        let repeated = started.elapsed();
        if again != b {
            bail!("缓存的记录与重新读取的记录算出的晒单不同");
        }
        if run > 0 {
            read.push(ms(loaded));
            compute.push(ms(computed));
            warm.push(ms(repeated));
        }
        board = Some(b);
    }
    let total: Vec<f64> = read.iter().zip(&compute).map(|(a, b)| a + b).collect();
    for (name, mut times) in [
        ("读取（无缓存）", read),
        ("计算", compute),
        ("合计（无缓存）", total),
        ("合计（记录未变，版本校验+计算）", warm),
    ] {
        let (median, max) = median_and_max(&mut times);
        let _ = writeln!(
            out,
            "{name}: 中位数 {median:.2} 毫秒, 最慢 {max:.2} 毫秒（{} 次）",
            times.len()
        );
    }
    if let Some(b) = board {
        let value = |i: domain::figures::Indicator| {
            b.city_figure(i).and_then(|f| f.int()).unwrap_or_default()
        };
        let _ = writeln!(
            out,
            "2022年上半年: 签约项目 {}，签约额 {} 元，到位资金 {} 元，开复工 {}，对接 {}；单位 {} 个，自 {} 年起",
            value(domain::figures::Indicator::SignedProjects),
            value(domain::figures::Indicator::SignedAmount),
            value(domain::figures::Indicator::FundsInPlace),
            value(domain::figures::Indicator::StartedOrResumedProjects),
            value(domain::figures::Indicator::Visits),
            b.units.len(),
            b.first_year
        );
    }
    Ok(out)
}

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Times importing N synthetic projects and their events into an empty database.
    Import {
        #[arg(long, default_value_t = 100_000)]
        projects: usize,
        #[arg(long, default_value_t = 5)]
        events_per_project: usize,
        /// Shaped like a real ledger: every project names its investor, firms repeat across
        /// counties, one project in fifty is a second report of another (held as a duplicate).
        #[arg(long)]
        ledger: bool,
    },
    /// Times the full scoreboard (every indicator, every unit, 同比 and records over ten years)
    /// over a synthetic city of N projects: reading the records and computing, separately.
    Scoreboard {
        #[arg(long, default_value_t = 10_000)]
        projects: usize,
        /// Timed runs after one warm-up; the median and the slowest are reported.
        #[arg(long, default_value_t = 11)]
        runs: usize,
    },
    /// Times the 红黄绿灯 warnings of every project of a synthetic city of N projects: reading
    /// what they look at and computing them.
    Warnings {
        #[arg(long, default_value_t = 10_000)]
        projects: usize,
        #[arg(long, default_value_t = 11)]
        runs: usize,
    },
    /// Imports N generated firms (CSV, or xlsx with --xlsx) end to end with the search index,
    /// reports the peak memory, then times typical searches and the SQLite baselines.
    Enterprises {
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        #[arg(long)]
        xlsx: bool,
        /// Times each search is run.
        #[arg(long, default_value_t = 50)]
        rounds: usize,
    },
    /// Times the typical searches of `bench enterprises` over the firms the database already
    /// holds (the index is caught up first), each search alone and all together.
    Searches {
        #[arg(long, default_value_t = 50)]
        rounds: usize,
    },
    /// Times the project list page and GET /api/v1/projects over a synthetic city of N projects.
    Web {
        #[arg(long, default_value_t = 10_000)]
        projects: usize,
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// Requests per path, spread over the connections.
        #[arg(long, default_value_t = 1_000)]
        requests: usize,
    },
}

/// Runs one benchmark and prints its figures.
pub async fn run(cx: &crate::context::Context, command: BenchCommand) -> Result<()> {
    let store = cx.open().await?;
    let index_dir = cx.index_dir();
    let figures = match command {
        BenchCommand::Import {
            projects,
            events_per_project,
            ledger,
        } => import(&store, projects, events_per_project, ledger).await?,
        BenchCommand::Web {
            projects,
            connections,
            requests,
        } => web(&store, projects, connections, requests).await?,
        BenchCommand::Enterprises { rows, xlsx, rounds } => {
            crate::bench_search::enterprises(
                &store,
                index_dir.as_deref(),
                rows,
                xlsx,
                rounds.max(1),
            )
            .await?
        }
        BenchCommand::Searches { rounds } => {
            crate::bench_search::searches(&store, index_dir.as_deref(), rounds.max(1)).await?
        }
        BenchCommand::Warnings { projects, runs } => warnings(&store, projects, runs).await?,
        BenchCommand::Scoreboard { projects, runs } => scoreboard(&store, projects, runs).await?,
    };
    println!("{figures}");
    Ok(())
}
