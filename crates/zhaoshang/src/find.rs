//! `zhaoshang search` and `zhaoshang reindex`, and keeping the index in step after an import.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Result, bail};
use search::{Feed, Filters, SearchIndex};
use serde_json::json;
use store::Store;

/// The index directory of this database: `--index` if given, else the default beside it.
pub fn index_dir(explicit: Option<&Path>, url: &str) -> Option<PathBuf> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| search::default_dir(url))
}

pub fn open(dir: Option<&Path>) -> Result<SearchIndex> {
    SearchIndex::open(dir).map_err(|e| anyhow::anyhow!("{e}"))
}

/// The index that follows an enterprise import, or `None` (and why) when another process —
/// a running server — holds it and will catch up by itself.
pub fn index_to_follow(dir: Option<&Path>) -> Result<Option<SearchIndex>> {
    match SearchIndex::open(dir) {
        Ok(index) => Ok(Some(index)),
        Err(search::SearchError::Directory(why)) => {
            println!("检索索引未更新：{why}");
            Ok(None)
        }
        Err(e) => bail!("{e}"),
    }
}

/// Hands the firms an import writes to the index as they are written.
pub struct FeedSink<'a, 'b>(pub &'a mut Feed<'b>);

impl exchange::FirmSink for FeedSink<'_, '_> {
    fn written(
        &mut self,
        id: i64,
        firm: &domain::enterprise::Enterprise,
        replaces: bool,
    ) -> std::result::Result<(), String> {
        self.0.add(id, firm, replaces).map_err(|e| e.to_string())
    }
}

/// After the import: what it fed becomes searchable if it committed (it wrote firms), else is
/// dropped. Returns how many firms the index took in.
pub async fn settle(store: &Store, feed: Feed<'_>, committed: bool) -> Result<u64> {
    let started = Instant::now();
    let count = if committed {
        feed.finish(store).await
    } else {
        feed.abandon().map(|()| 0)
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    if committed {
        println!(
            "检索索引已更新：{count}家企业（收尾用时{:.1}秒）。",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(count)
}

pub async fn reindex(store: &Store, dir: Option<&Path>, progress: impl FnMut(u64)) -> Result<()> {
    let index = open(dir)?;
    let started = Instant::now();
    let count = index
        .rebuild(store, progress)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "检索索引已重建：{count}家企业，用时{:.1}秒。",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Text,
}

/// The hits as JSON (`query`, `total`, `hits` of name, credit_code, score) or as lines.
pub async fn search(
    store: &Store,
    dir: Option<&Path>,
    text: &str,
    filters: &Filters,
    limit: usize,
    format: Format,
) -> Result<String> {
    let index = open(dir)?;
    index
        .catch_up(store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let hits = index
        .search(text, filters, 0, limit)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let ids: Vec<i64> = hits.hits.iter().map(|h| h.id).collect();
    let firms = store.enterprises_by_id(&ids).await?;
    let rows: Vec<_> = hits
        .hits
        .iter()
        .zip(&firms)
        .map(|(hit, firm)| {
            json!({
                "name": firm.firm.name,
                "credit_code": firm.firm.credit_code.as_ref().map(|c| c.as_str()),
                "score": hit.score,
            })
        })
        .collect();
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(&json!({
            "query": text,
            "total": hits.total,
            "hits": rows,
        }))?,
        Format::Text => {
            let mut out = format!("共{}家，显示前{}家：\n", hits.total, rows.len());
            for (hit, firm) in hits.hits.iter().zip(&firms) {
                out.push_str(&format!(
                    "{:>8.3}  {}  {}\n",
                    hit.score,
                    firm.firm.credit_code.as_ref().map_or("", |c| c.as_str()),
                    firm.firm.name
                ));
            }
            out
        }
    })
}

#[derive(clap::Args)]
pub struct SearchArgs {
    /// What to search: enterprises.
    what: String,
    query: String,
    #[arg(long, default_value_t = 20)]
    limit: usize,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
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
}

/// `zhaoshang search enterprises "Q" …`.
pub async fn run_search(cx: &crate::context::Context, args: SearchArgs) -> Result<()> {
    if args.what != "enterprises" {
        bail!("只能检索企业：zhaoshang search enterprises \"关键词\"");
    }
    let industry = args
        .industry
        .map(|c| domain::enterprise::IndustryCode::parse("--industry", &c))
        .transpose()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let filters = Filters {
        industry: industry.map(|c| c.as_str().to_owned()),
        province: args.province,
        city: args.city,
        size: args.size,
        flags: args.flag,
    };
    let store = cx.open().await?;
    let hits = search(
        &store,
        cx.index_dir().as_deref(),
        &args.query,
        &filters,
        args.limit.max(1),
        args.format,
    )
    .await?;
    println!("{hits}");
    Ok(())
}

/// `zhaoshang reindex`, with a progress bar on a terminal.
pub async fn run_reindex(cx: &crate::context::Context) -> Result<()> {
    let store = cx.open().await?;
    let bar = crate::progress::TerminalProgress::new();
    if let Some(bar) = &bar {
        exchange::Progress::start(bar, store.count(store::Table::Enterprises).await? as usize);
    }
    reindex(&store, cx.index_dir().as_deref(), |done| {
        if let Some(bar) = &bar {
            exchange::Progress::advance(bar, done as usize);
        }
    })
    .await?;
    if let Some(bar) = &bar {
        exchange::Progress::finish(bar);
    }
    Ok(())
}
