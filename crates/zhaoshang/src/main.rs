//! `zhaoshang`: the one binary of the platform. Each subcommand is a module with a short `run`
//! over the store, the exchange crate and the domain; this file only parses the command line,
//! installs the log and dispatches.

mod audit;
mod backup;
mod bench;
mod bench_search;
mod city;
mod context;
mod files;
mod find;
mod logs;
mod mapping;
mod progress;
mod remind;
mod report;
mod serve;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

use context::Context;

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
    /// The audit chain's key file (default ~/.config/zhaoshang/audit.key): created at first
    /// start, readable by its owner only; without it the audit log cannot be verified (README:
    /// 审计密钥).
    #[arg(long, global = true, env = "ZHAOSHANG_AUDIT_KEY", value_name = "PATH")]
    audit_key: Option<PathBuf>,
    /// The log on stderr: text for people, json (one object a line) for a log collector.
    #[arg(long, global = true, value_enum, default_value = "text")]
    log_format: logs::LogFormat,
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
    Import(files::ImportArgs),
    /// Exports every record of KIND to a file (.xlsx or .csv) with the import columns.
    Export(files::KindFile),
    /// An office's own ledger mapped to an import kind's columns: suggest, save, export, list.
    #[command(subcommand)]
    Mapping(mapping::MappingCommand),
    /// Writes the import template of KIND (.xlsx): headers, an example row and notes.
    Template(files::KindFile),
    /// Loads the demo city (双鸭山, 2020–2022) into an empty database; with --scale, a
    /// synthetic city of that many projects over 2013–2022 instead (for benchmarks).
    Demo {
        #[arg(long)]
        scale: Option<usize>,
    },
    /// Serves the web UI and the JSON API.
    Serve(serve::ServeArgs),
    /// Manages sign-in accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Reports: the scoreboard (晒单) of a period and its 成绩单.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Rebuilds the enterprise search index from the database.
    Reindex,
    /// Searches the enterprise database (招商大数据库): name, abbreviation, business scope,
    /// tags, industry; prints the hits (name, credit code, score).
    Search(find::SearchArgs),
    /// Benchmarks; docs/benchmarks.md has the figures and how they were measured.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// The audit log (审计日志).
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// 督办: posts the reminders due on the follow-up date (escalations, returns, items
    /// assigned, overdue deadlines, the month's closing, reviews waiting) to each account's
    /// message centre, then sends what is unsent as a digest by e-mail and webhook when
    /// configured. `serve` runs the same round daily.
    Remind(remind::RemindArgs),
    /// Copies the embedded database to FILE while the server runs (a consistent snapshot),
    /// then checks the copy: the file's integrity and the audit log's chain.
    Backup { file: PathBuf },
    /// Replaces the embedded database with the backup FILE, after checking it. Stop the
    /// server first; an existing database is replaced only with --force.
    Restore {
        file: PathBuf,
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logs::init(cli.log_format);
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

async fn run(cli: Cli) -> Result<ExitCode> {
    let cx = Context::new(cli.db, cli.index, cli.audit_key);
    let done = ExitCode::SUCCESS;
    Ok(match cli.command {
        Command::Migrate => {
            cx.open().await?;
            println!("数据库结构已是最新。");
            done
        }
        Command::Import(args) => files::import(&cx, args).await?,
        Command::Export(args) => files::export(&cx, args).await?,
        Command::Mapping(command) => mapping::run(&cx, command).await?,
        Command::Template(args) => files::template(&cx, args).await?,
        Command::Demo { scale } => city::run(&cx, scale).await.map(|()| done)?,
        Command::Serve(args) => serve::run(&cx, args).await.map(|()| done)?,
        Command::User(command) => user::run(&cx, command).await.map(|()| done)?,
        Command::Report(command) => report::run(&cx, command).await.map(|()| done)?,
        Command::Reindex => find::run_reindex(&cx).await.map(|()| done)?,
        Command::Search(args) => find::run_search(&cx, args).await.map(|()| done)?,
        Command::Bench(command) => bench::run(&cx, command).await.map(|()| done)?,
        Command::Audit(command) => audit::run(&cx, command).await?,
        Command::Remind(args) => remind::run(&cx, args).await.map(|()| done)?,
        Command::Backup { file } => backup::run_backup(&cx, &file).await.map(|()| done)?,
        Command::Restore { file, force } => backup::run_restore(&cx, &file, force)
            .await
            .map(|()| done)?,
    })
}
