//! `zhaoshang search` and `zhaoshang reindex`, and keeping the index in step after an import.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Result, bail};
use search::{Filters, SearchIndex};
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

/// After an import: brings the index up to date, or says why it was left to the server.
pub async fn follow_import(store: &Store, dir: Option<&Path>) -> Result<()> {
    let index = match SearchIndex::open(dir) {
        Ok(index) => index,
        Err(search::SearchError::Directory(why)) => {
            println!("检索索引未更新：{why}");
            return Ok(());
        }
        Err(e) => bail!("{e}"),
    };
    let started = Instant::now();
    let count = index
        .catch_up(store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "检索索引已更新：{count}家企业，用时{:.1}秒。",
        started.elapsed().as_secs_f64()
    );
    Ok(())
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
