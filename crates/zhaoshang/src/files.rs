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
    /// Write the rows with bad cells, as they were typed, with 原行号 and 错误原因, to this file
    /// (.xlsx or .csv; enterprises: .csv), to mend them there and import that file again.
    #[arg(long)]
    bad_rows: Option<PathBuf>,
    /// Import the rows without bad cells and leave the others out (listed, and written to
    /// --bad-rows when given). Without it a file with any bad cell imports nothing.
    #[arg(long, conflicts_with = "check")]
    skip_bad: bool,
    /// Only check the file (预检): every bad cell listed, nothing imported.
    #[arg(long)]
    check: bool,
    /// FILE is an office's own ledger: map its columns by this saved mapping (or mapping file,
    /// NAME.json; see `zhaoshang mapping`).
    #[arg(long, value_name = "NAME")]
    mapping: Option<String>,
    /// The unit whose saved mapping --mapping names, when several units saved one of that name.
    #[arg(long, requires = "mapping")]
    mapping_unit: Option<String>,
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
    if args.mapping.is_some() && kind == Kind::Enterprises {
        bail!("企业库按导入格式导入，不使用台账映射");
    }
    let bad_format = match &args.bad_rows {
        Some(path) => {
            let format = exchange::FileFormat::of(&path.display().to_string()).map_err(|_| {
                anyhow::anyhow!("--bad-rows 的文件应为 .xlsx 或 .csv：{}", path.display())
            })?;
            if kind == Kind::Enterprises && format != exchange::FileFormat::Csv {
                bail!("企业导入的错误行逐行写出，--bad-rows 的文件应为 .csv");
            }
            Some(format)
        }
        None => None,
    };
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
    let on_bad = if args.check {
        exchange::OnBadRows::CheckOnly
    } else if args.skip_bad {
        exchange::OnBadRows::ImportTheRest
    } else {
        exchange::OnBadRows::ImportNothing
    };
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
            on_bad,
            sink.as_mut().map(|s| s as &mut dyn exchange::FirmSink),
        )
        .await;
        let committed = report.as_ref().is_ok_and(|r| r.added + r.updated > 0);
        if let Some(feed) = feed {
            find::settle(&store, feed, committed).await?;
        }
        report?
    } else if let Some(name) = &args.mapping {
        let mapping =
            crate::mapping::named(&store, kind, name, args.mapping_unit.as_deref()).await?;
        let sources: Vec<&str> = mapping.columns.iter().map(|c| c.source.as_str()).collect();
        let ledger = exchange::table::read_for(&args.file, &sources)?;
        let (_, report) = exchange::mapping::import_ledger(
            &store, kind, &ledger, &mapping, &who, progress, on_bad,
        )
        .await?;
        if let (Some(path), Some(format)) = (&args.bad_rows, bad_format) {
            // The ledger's own rows, as the office wrote them, to mend in its own file.
            let rows = exchange::bad_rows(&ledger, &report);
            if !rows.is_empty() {
                let bytes = exchange::bad_rows_bytes(&ledger.headers, &rows, format)?;
                std::fs::write(path, bytes)
                    .with_context(|| format!("无法写入 {}", path.display()))?;
            }
        }
        report
    } else {
        let (table, report) =
            exchange::import_keeping(&store, kind, &args.file, &who, progress, on_bad).await?;
        if let (Some(path), Some(format)) = (&args.bad_rows, bad_format) {
            let rows = exchange::bad_rows(&table, &report);
            if !rows.is_empty() {
                let bytes = exchange::bad_rows_bytes(&table.headers, &rows, format)?;
                std::fs::write(path, bytes)
                    .with_context(|| format!("无法写入 {}", path.display()))?;
            }
        }
        report
    };
    let bad_rows_said = |rows: usize| match &args.bad_rows {
        Some(path) if rows > 0 => format!(
            "有错误的{rows}行已连同原因写入 {}，改正后可直接导入该文件。",
            path.display()
        ),
        _ => String::new(),
    };
    if !report.errors.is_empty() {
        // Thousands of bad cells begin with what they have in common.
        for line in report.summary() {
            eprintln!("{line}");
        }
        for error in &report.errors {
            eprintln!("{error}");
        }
    }
    let bad_row_count = || {
        report
            .errors
            .iter()
            .map(|e| e.row)
            .filter(|r| *r > 1)
            .collect::<std::collections::BTreeSet<usize>>()
            .len()
    };
    if args.check {
        if report.errors.is_empty() {
            println!(
                "预检通过：{}共{}行，没有发现错误（未导入）。",
                kind.label(),
                report.rows
            );
            for notice in report.notices() {
                println!("{notice}");
            }
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "预检发现{}处错误（未导入任何记录）。{}",
            report.errors.len(),
            bad_rows_said(bad_row_count())
        );
        return Ok(ExitCode::FAILURE);
    }
    if !report.imported() {
        eprintln!(
            "导入失败：发现{}处错误，未导入任何记录。{}",
            report.errors.len(),
            bad_rows_said(bad_row_count())
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
    if report.skipped > 0 {
        match &args.bad_rows {
            Some(path) => println!(
                "有错误的{}行未导入，已连同原因写入 {}，改正后可直接导入该文件。",
                report.skipped,
                path.display()
            ),
            None => println!("有错误的{}行未导入（见上方错误）。", report.skipped),
        }
    }
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
