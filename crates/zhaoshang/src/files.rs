//! `zhaoshang import`, `export` and `template`: office files in and out, through `exchange`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use exchange::{Kind, Progress, Quiet};

use crate::context::{Context, actor};
use crate::find;
use crate::progress::TerminalProgress;

#[derive(clap::Args)]
pub struct ImportArgs {
    kind: String,
    file: PathBuf,
    /// Who is recorded in the change log; defaults to cli:$USER.
    #[arg(long)]
    actor: Option<String>,
    /// Enterprises only: import the good rows and write the bad ones, with the reason, to
    /// this CSV file (registry dumps are never clean). Without it a bad row imports nothing.
    #[arg(long)]
    bad_rows: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct KindFile {
    kind: String,
    file: PathBuf,
}

fn kind(name: &str) -> Result<Kind> {
    Kind::from_name(name).with_context(|| {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        format!("不支持的数据类型“{name}”，可用: {}", names.join(", "))
    })
}

pub async fn import(cx: &Context, args: ImportArgs) -> Result<ExitCode> {
    let kind = kind(&args.kind)?;
    if args.bad_rows.is_some() && kind != Kind::Enterprises {
        bail!("--bad-rows 只用于企业（enterprises）导入");
    }
    if !args.file.exists() {
        bail!("找不到文件 {}", args.file.display());
    }
    let store = cx.open().await?;
    let bar = TerminalProgress::new();
    let progress: &dyn Progress = match &bar {
        Some(bar) => bar,
        None => &Quiet,
    };
    let who = actor(args.actor);
    let report = if kind == Kind::Enterprises {
        // The search index follows the firms as they are written.
        let index = find::index_to_follow(cx.index_dir().as_deref())?;
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
            &args.file,
            &who,
            progress,
            args.bad_rows.as_deref(),
            sink.as_mut().map(|s| s as &mut dyn exchange::FirmSink),
        )
        .await;
        let committed = report.as_ref().is_ok_and(|r| r.added + r.updated > 0);
        if let Some(feed) = feed {
            find::settle(&store, feed, committed).await?;
        }
        report?
    } else {
        exchange::import(&store, kind, &args.file, &who, progress).await?
    };
    if let Some(path) = &args.bad_rows {
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
        // Thousands of bad cells begin with what they have in common.
        for line in report.summary() {
            eprintln!("{line}");
        }
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
    for notice in report.notices() {
        println!("{notice}");
    }
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
    Ok(ExitCode::SUCCESS)
}

pub async fn export(cx: &Context, args: KindFile) -> Result<ExitCode> {
    let kind = kind(&args.kind)?;
    let store = cx.open().await?;
    let rows = exchange::export(&store, kind, &args.file).await?;
    println!(
        "已导出{}{}条到 {}。",
        kind.label(),
        rows,
        args.file.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn template(cx: &Context, args: KindFile) -> Result<ExitCode> {
    let kind = kind(&args.kind)?;
    let store = cx.open().await?;
    exchange::template(&store, kind, &args.file).await?;
    println!("已生成{}导入模板 {}。", kind.label(), args.file.display());
    Ok(ExitCode::SUCCESS)
}
