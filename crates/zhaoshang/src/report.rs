//! `zhaoshang report`: the scoreboard of a period as JSON (SPEC §3), xlsx or HTML, and the
//! 成绩单 text, computed from the records as they are now.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use domain::Period;
use domain::figures::{Indicator, RankWeights, Scoreboard, scoreboard};
use store::Store;

#[derive(clap::Args)]
pub struct PeriodArgs {
    #[arg(long)]
    year: i32,
    /// M01..M12, Q1..Q4, H1, H2, Y or YTD.
    #[arg(long)]
    period: String,
    /// The as-of date of a YTD period (YYYY-MM-DD).
    #[arg(long)]
    as_of: Option<String>,
    /// Weight of an indicator's 任务进度 in the ranking, as ID=N (default 1 each; 0 leaves it out).
    #[arg(long = "weight", value_name = "ID=N")]
    weights: Vec<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Json,
    Xlsx,
    Html,
}

fn weights(specs: &[String]) -> Result<RankWeights> {
    let mut weights = RankWeights::default();
    for spec in specs {
        let (id, n) = spec
            .split_once('=')
            .ok_or_else(|| anyhow!("权重“{spec}”应写作 指标=数字，如 signed_amount=2"))?;
        let indicator = Indicator::parse("权重", id).map_err(|e| anyhow!("{e}"))?;
        let n: u32 = n
            .trim()
            .parse()
            .map_err(|_| anyhow!("权重“{spec}”的数字无效"))?;
        weights.0.insert(indicator, n);
    }
    Ok(weights)
}

/// The scoreboard the arguments ask for, with its period and the city's name.
pub async fn compute(store: &Store, args: &PeriodArgs) -> Result<(Scoreboard, Period, String)> {
    let as_of = args
        .as_of
        .as_deref()
        .map(|d| domain::period::parse_date("截至日期", d))
        .transpose()
        .map_err(|e| anyhow!("{e}"))?;
    let period = Period::parse(args.year, &args.period, as_of).map_err(|e| anyhow!("{e}"))?;
    let facts = store.figure_facts().await?;
    let board = scoreboard(&facts, &period, &weights(&args.weights)?);
    Ok((board, period, web::scoreboard::city_name(&facts)))
}

pub async fn scoreboard_report(
    store: &Store,
    args: &PeriodArgs,
    format: Format,
    output: Option<PathBuf>,
) -> Result<()> {
    let (board, period, city) = compute(store, args).await?;
    let bytes = match format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&board)?;
            text.push('\n');
            text.into_bytes()
        }
        Format::Html => {
            let issue = web::scoreboard::Issue {
                office: web::scoreboard::issuing_office(store, &city)
                    .await
                    .map_err(|e| anyhow!("{e}"))?,
                published: None,
            };
            web::scoreboard::print_html(&board, &period, &city, &issue, true)
                .map_err(|e| anyhow!("{e}"))?
                .into_bytes()
        }
        Format::Xlsx => {
            if output.is_none() {
                bail!("xlsx 格式须用 --output 指定文件");
            }
            exchange::scoreboard_xlsx(&board, &web::scoreboard::title(&city, &period))?
        }
    };
    match output {
        Some(path) => {
            std::fs::write(&path, bytes).with_context(|| format!("无法写入 {}", path.display()))?;
            eprintln!("已写入 {}", path.display());
        }
        None => {
            use std::io::Write;
            // A reader that stops early (`| head`) is not an error of the report.
            match std::io::stdout().write_all(&bytes) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other?,
            }
        }
    }
    Ok(())
}

pub async fn summary_report(store: &Store, args: &PeriodArgs) -> Result<()> {
    let (board, period, city) = compute(store, args).await?;
    println!(
        "{}",
        domain::figures::summary::summary(&board, &period, &city)
    );
    Ok(())
}

#[derive(clap::Subcommand)]
pub enum ReportCommand {
    /// Every indicator of SPEC §3 for the city and each unit, with 同比, records, targets and
    /// ranks: JSON (SPEC §3's shape), xlsx (needs --output) or a printable HTML page.
    Scoreboard {
        #[command(flatten)]
        period: PeriodArgs,
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// The 成绩单: the period's headline figures as a paragraph of Chinese.
    Summary {
        #[command(flatten)]
        period: PeriodArgs,
    },
}

pub async fn run(cx: &crate::context::Context, command: ReportCommand) -> Result<()> {
    let store = cx.open().await?;
    match command {
        ReportCommand::Scoreboard {
            period,
            format,
            output,
        } => scoreboard_report(&store, &period, format, output).await,
        ReportCommand::Summary { period } => summary_report(&store, &period).await,
    }
}
