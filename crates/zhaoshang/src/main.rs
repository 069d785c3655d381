//! `zhaoshang`: the one binary of the platform. Each subcommand is a thin layer over the
//! store, the exchange crate and the domain.

mod backup;
mod bench;
mod bench_search;
mod demo;
mod find;
mod report;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use exchange::{Kind, Progress, Quiet};
use indicatif::{ProgressBar, ProgressStyle};
use store::Store;

/// mimalloc, not the system's allocator: an import moves every firm between threads (read,
/// checked, written, indexed), and a quarter of the import's own threads' time went to
/// glibc's malloc and free (a million firms without the index and change log: 27.5 s →
/// 20.4 s).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "zhaoshang", version, about = "招商引资与项目建设管理平台")]
struct Cli {
    /// Database URL: sqlite:PATH (default sqlite:data/zhaoshang.db) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "ZHAOSHANG_DB")]
    db: Option<String>,
    /// Directory of the enterprise search index (default: beside the SQLite file, or under
    /// data/index/ for PostgreSQL). Each server process needs its own.
    #[arg(long, global = true, env = "ZHAOSHANG_INDEX")]
    index: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates or updates the database schema.
    Migrate,
    /// Imports a file (.xlsx or .csv) of KIND: units, leaders, chains, teams, enterprises,
    /// segments (产业链环节), segment-firms (环节企业), projects, project-segments
    /// (项目所在环节), events, funds, visits,
    /// visit-plans (敲门计划), targets, leader-units (包保县区), elements (要素保障), blockers
    /// (堵点问题) or financing (融资方案). A file with any bad cell imports nothing.
    Import {
        kind: String,
        file: PathBuf,
        /// Who is recorded in the change log; defaults to cli:$USER.
        #[arg(long)]
        actor: Option<String>,
        /// Enterprises only: import the good rows and write the bad ones, with the reason, to
        /// this CSV file (registry dumps are never clean). Without it a bad row imports nothing.
        #[arg(long)]
        bad_rows: Option<PathBuf>,
    },
    /// Exports every record of KIND to a file (.xlsx or .csv) with the import columns.
    Export { kind: String, file: PathBuf },
    /// Writes the import template of KIND (.xlsx): headers, an example row and notes.
    Template { kind: String, file: PathBuf },
    /// Loads the demo city (双鸭山, 2020–2022) into an empty database; with --scale, a
    /// synthetic city of that many projects over 2013–2022 instead (for benchmarks).
    Demo {
        #[arg(long)]
        scale: Option<usize>,
    },
    /// Serves the web UI and the JSON API.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Load the demo city into a fresh database (data/demo/) and print one account per role.
        #[arg(long)]
        demo: bool,
        /// Mark the session cookie Secure: set when the server sits behind TLS.
        #[arg(long)]
        secure_cookies: bool,
    },
    /// Manages sign-in accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Reports: the scoreboard (晒单) of a period and its 成绩单.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Rebuilds the enterprise search index from the database.
    Reindex,
    /// Searches the enterprise database (招商大数据库): name, abbreviation, business scope,
    /// tags, industry; prints the hits (name, credit code, score).
    Search {
        /// What to search: enterprises.
        what: String,
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long, value_enum, default_value = "text")]
        format: find::Format,
        /// GB/T 4754 code the industry lies within (C, C37, C3731).
        #[arg(long)]
        industry: Option<String>,
        #[arg(long)]
        province: Option<String>,
        #[arg(long)]
        city: Option<String>,
        /// 大型, 中型, 小型 or 微型.
        #[arg(long)]
        size: Option<String>,
        /// A tag every hit carries (世界500强, 中国500强, 上市, 行业龙头…); may be repeated.
        #[arg(long)]
        flag: Vec<String>,
    },
    /// Benchmarks; see ARCHITECTURE.md for the figures and how they were measured.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// The audit log (审计日志).
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Copies the embedded database to FILE while the server runs (a consistent snapshot),
    /// then checks the copy: the file's integrity and the audit log's chain.
    Backup { file: std::path::PathBuf },
    /// Replaces the embedded database with the backup FILE, after checking it. Stop the
    /// server first; an existing database is replaced only with --force.
    Restore {
        file: std::path::PathBuf,
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Checks the whole log against its hash chain and names the first entry altered, removed
    /// or inserted behind the application's back; exits with 1 when one is found. Prints the
    /// head's hash, to be kept outside the database and compared later.
    Verify,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Adds an account; the password is read from the first line of standard input.
    Add {
        username: String,
        /// sysadmin, secadmin, auditor, leader, bureau, unit or reviewer.
        #[arg(long)]
        role: String,
        /// The unit of a unit account (单位填报员, 县区审核员).
        #[arg(long)]
        unit: Option<String>,
        /// The name shown in the top bar; defaults to the username.
        #[arg(long)]
        name: Option<String>,
        /// For a 市领导 account, the leader it speaks for (their 包保 scope, escalated blockers).
        #[arg(long)]
        leader: Option<String>,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Every indicator of SPEC §3 for the city and each unit, with 同比, records, targets and
    /// ranks: JSON (SPEC §3's shape), xlsx (needs --output) or a printable HTML page.
    Scoreboard {
        #[command(flatten)]
        period: report::PeriodArgs,
        #[arg(long, value_enum, default_value = "json")]
        format: report::Format,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// The 成绩单: the period's headline figures as a paragraph of Chinese.
    Summary {
        #[command(flatten)]
        period: report::PeriodArgs,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Times importing N synthetic projects and their events into an empty database.
    Import {
        #[arg(long, default_value_t = 100_000)]
        projects: usize,
        #[arg(long, default_value_t = 5)]
        events_per_project: usize,
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

/// Where `serve --demo` keeps its database unless `--db` says otherwise.
const DEMO_URL: &str = "sqlite:data/demo/zhaoshang.db";

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("无法启动运行时: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn open(db: Option<&str>) -> Result<Store> {
    let url = db.map_or_else(store::default_url, str::to_owned);
    Store::open(&url)
        .await
        .with_context(|| format!("无法打开数据库 {}", redact(&url)))
}

/// A URL fit to print: any password replaced.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if url[scheme + 3..at].contains(':') => {
            let user_end = scheme + 3 + url[scheme + 3..at].find(':').unwrap_or(0);
            format!("{}:***{}", &url[..user_end], &url[at..])
        }
        _ => url.to_owned(),
    }
}

fn kind(name: &str) -> Result<Kind> {
    Kind::from_name(name).with_context(|| {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        format!("不支持的数据类型“{name}”，可用: {}", names.join(", "))
    })
}

fn actor(explicit: Option<String>) -> String {
    explicit.unwrap_or_else(|| {
        format!(
            "cli:{}",
            std::env::var("USER").unwrap_or_else(|_| "unknown".into())
        )
    })
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let db = cli.db.as_deref();
    let url = db.map_or_else(store::default_url, str::to_owned);
    let index_dir = find::index_dir(cli.index.as_deref(), &url);
    let index_dir = index_dir.as_deref();
    match cli.command {
        Command::Migrate => {
            open(db).await?;
            println!("数据库结构已是最新。");
        }
        Command::Import {
            kind: name,
            file,
            actor: who,
            bad_rows,
        } => {
            let kind = kind(&name)?;
            if bad_rows.is_some() && kind != Kind::Enterprises {
                bail!("--bad-rows 只用于企业（enterprises）导入");
            }
            if !file.exists() {
                bail!("找不到文件 {}", file.display());
            }
            let store = open(db).await?;
            let bar = TerminalProgress::new();
            let progress: &dyn Progress = match &bar {
                Some(bar) => bar,
                None => &Quiet,
            };
            let report = if kind == Kind::Enterprises {
                // The search index follows the firms as they are written.
                let index = find::index_to_follow(index_dir)?;
                let mut feed = match &index {
                    Some(index) => Some(
                        index
                            .feed(&store)
                            .await
                            .map_err(|e| anyhow::anyhow!("{e}"))?,
                    ),
                    None => None,
                };
                let mut sink = feed.as_mut().map(find::FeedSink);
                let report = exchange::import_enterprises(
                    &store,
                    &file,
                    &actor(who),
                    progress,
                    bad_rows.as_deref(),
                    sink.as_mut().map(|s| s as &mut dyn exchange::FirmSink),
                )
                .await;
                let committed = report.as_ref().is_ok_and(|r| r.added + r.updated > 0);
                if let Some(feed) = feed {
                    find::settle(&store, feed, committed).await?;
                }
                report?
            } else {
                exchange::import(&store, kind, &file, &actor(who), progress).await?
            };
            if let Some(path) = &bad_rows {
                println!(
                    "导入企业完成：共{}行，新增{}，更新{}，未变化{}；有错误的{}行未导入，已连同原因写入 {}。",
                    report.rows,
                    report.added,
                    report.updated,
                    report.unchanged,
                    report.skipped,
                    path.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            if !report.is_ok() {
                for error in &report.errors {
                    eprintln!("{error}");
                }
                eprintln!(
                    "导入失败：发现{}处错误，未导入任何记录。",
                    report.errors.len()
                );
                return Ok(ExitCode::FAILURE);
            }
            println!(
                "导入{}完成：共{}行，新增{}，更新{}，未变化{}，重复{}。",
                kind.label(),
                report.rows,
                report.added,
                report.updated,
                report.unchanged,
                report.duplicates.len()
            );
            if !report.duplicates.is_empty() {
                let rows: Vec<String> = report
                    .duplicates
                    .iter()
                    .take(20)
                    .map(|r| format!("第{r}行"))
                    .collect();
                let more = if report.duplicates.len() > 20 {
                    "等"
                } else {
                    ""
                };
                println!("{}{more}与已有记录完全相同，未重复添加。", rows.join("、"));
            }
        }
        Command::Export { kind: name, file } => {
            let kind = kind(&name)?;
            let store = open(db).await?;
            let rows = exchange::export(&store, kind, &file).await?;
            println!("已导出{}{}条到 {}。", kind.label(), rows, file.display());
        }
        Command::Template { kind: name, file } => {
            let kind = kind(&name)?;
            let store = open(db).await?;
            exchange::template(&store, kind, &file).await?;
            println!("已生成{}导入模板 {}。", kind.label(), file.display());
        }
        Command::Serve {
            addr,
            demo,
            secure_cookies,
        } => {
            let store = if demo {
                // A fresh database each time, so the printed accounts always work.
                let url = db.map_or_else(|| DEMO_URL.to_owned(), str::to_owned);
                if url == DEMO_URL {
                    let _ = std::fs::remove_dir_all("data/demo");
                }
                let store = open(Some(&url)).await?;
                println!("{}", demo::load(&store, &actor(None)).await?);
                let accounts = demo::add_accounts(&store).await?;
                println!("演示账号（每个角色一个）：");
                for (username, role, password) in &accounts {
                    println!("  {role}  用户名 {username}  密码 {password}");
                }
                println!(
                    "  （系统管理员、安全管理员、审计员首次登录时须用验证器扫码绑定动态口令，之后每次登录输入6位动态口令）"
                );
                store
            } else {
                open(db).await?
            };
            // The demo's index lives beside its database, which `--demo` has just recreated.
            let dir = if demo && cli.index.is_none() {
                find::index_dir(None, db.unwrap_or(DEMO_URL))
            } else {
                index_dir.map(std::path::Path::to_path_buf)
            };
            let index = find::open(dir.as_deref())?;
            index
                .catch_up(&store)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let state = web::AppState::new(store, secure_cookies, index)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            web::serve(state, addr, |bound| println!("已启动: http://{bound}/")).await?;
        }
        Command::User(UserCommand::Add {
            username,
            role,
            unit,
            name,
            leader,
        }) => {
            let role =
                domain::access::Role::parse("角色", &role).map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut password = String::new();
            std::io::stdin().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let store = open(db).await?;
            store
                .security_policy()
                .await?
                .check_password(&username, password)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let hash = web::auth::hash_password(password).map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut tx = store.begin(&actor(None)).await?;
            tx.add_user(
                &username,
                name.as_deref().unwrap_or(&username),
                role,
                unit.as_deref(),
                &hash,
            )
            .await?;
            if leader.is_some() {
                tx.link_leader(&username, leader.as_deref()).await?;
            }
            // An administrator chose this password: the account's first sign-in replaces it.
            tx.set_password(
                &username,
                &hash,
                true,
                chrono::Utc::now().timestamp_millis(),
            )
            .await?;
            tx.commit().await?;
            println!(
                "已添加用户 {username}（{}）。首次登录须修改密码{}。",
                role.label(),
                if role.needs_second_factor() {
                    "并绑定动态口令"
                } else {
                    ""
                }
            );
        }
        Command::Backup { file } => {
            let store = open(db).await?;
            println!("{}", backup::backup(&store, &file).await?);
        }
        Command::Restore { file, force } => {
            let url = db.map_or_else(store::default_url, str::to_owned);
            println!("{}", backup::restore(&url, &file, force).await?);
        }
        Command::Audit(AuditCommand::Verify) => {
            let store = open(db).await?;
            let verdict = store.verify_audit().await?;
            println!("已核验审计日志 {} 条。", verdict.checked);
            if let Some(breach) = verdict.breach {
                println!("审计日志被篡改：{}。", breach.describe());
                println!(
                    "在此之前的最后一条完好记录：第 {} 条，哈希 {}",
                    verdict.head.seq,
                    domain::audit::to_hex(&verdict.head.hash)
                );
                return Ok(ExitCode::FAILURE);
            }
            println!(
                "哈希链完整。链头：第 {} 条，哈希 {}",
                verdict.head.seq,
                domain::audit::to_hex(&verdict.head.hash)
            );
        }
        Command::Reindex => {
            let store = open(db).await?;
            let bar = TerminalProgress::new();
            if let Some(bar) = &bar {
                bar.start(store.count(store::Table::Enterprises).await? as usize);
            }
            find::reindex(&store, index_dir, |done| {
                if let Some(bar) = &bar {
                    bar.advance(done as usize);
                }
            })
            .await?;
            if let Some(bar) = &bar {
                bar.finish();
            }
        }
        Command::Search {
            what,
            query,
            limit,
            format,
            industry,
            province,
            city,
            size,
            flag,
        } => {
            if what != "enterprises" {
                bail!("只能检索企业：zhaoshang search enterprises \"关键词\"");
            }
            let industry = industry
                .map(|c| domain::enterprise::IndustryCode::parse("--industry", &c))
                .transpose()
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let filters = search::Filters {
                industry: industry.map(|c| c.as_str().to_owned()),
                province,
                city,
                size,
                flags: flag,
            };
            let store = open(db).await?;
            println!(
                "{}",
                find::search(&store, index_dir, &query, &filters, limit.max(1), format).await?
            );
        }
        Command::Bench(BenchCommand::Import {
            projects,
            events_per_project,
        }) => {
            let store = open(db).await?;
            println!(
                "{}",
                bench::import(&store, projects, events_per_project).await?
            );
        }
        Command::Bench(BenchCommand::Web {
            projects,
            connections,
            requests,
        }) => {
            let store = open(db).await?;
            println!(
                "{}",
                bench::web(&store, projects, connections, requests).await?
            );
        }
        Command::Bench(BenchCommand::Enterprises { rows, xlsx, rounds }) => {
            let store = open(db).await?;
            println!(
                "{}",
                bench_search::enterprises(&store, index_dir, rows, xlsx, rounds.max(1)).await?
            );
        }
        Command::Bench(BenchCommand::Searches { rounds }) => {
            let store = open(db).await?;
            println!(
                "{}",
                bench_search::searches(&store, index_dir, rounds.max(1)).await?
            );
        }
        Command::Bench(BenchCommand::Warnings { projects, runs }) => {
            let store = open(db).await?;
            println!("{}", bench::warnings(&store, projects, runs).await?);
        }
        Command::Bench(BenchCommand::Scoreboard { projects, runs }) => {
            let store = open(db).await?;
            println!("{}", bench::scoreboard(&store, projects, runs).await?);
        }
        Command::Report(ReportCommand::Scoreboard {
            period,
            format,
            output,
        }) => {
            let store = open(db).await?;
            report::scoreboard_report(&store, &period, format, output).await?;
        }
        Command::Report(ReportCommand::Summary { period }) => {
            let store = open(db).await?;
            report::summary_report(&store, &period).await?;
        }
        Command::Demo { scale } => {
            let store = open(db).await?;
            let summary = match scale {
                None => demo::load(&store, &actor(None)).await?,
                Some(n) => demo::load_synthetic(&store, &actor(None), n).await?,
            };
            println!("{summary}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on stderr, shown only when stderr is a terminal.
struct TerminalProgress(ProgressBar);

impl TerminalProgress {
    fn new() -> Option<Self> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::new(0);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} 行 {elapsed_precise}")
        {
            bar.set_style(style);
        }
        Some(TerminalProgress(bar))
    }
}

impl Progress for TerminalProgress {
    fn start(&self, total: usize) {
        self.0.set_length(total as u64);
    }

    fn advance(&self, done: usize) {
        self.0.set_position(done as u64);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
