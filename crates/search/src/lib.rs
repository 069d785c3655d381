//! Full-text search over the 招商大数据库. The database is the source of truth; this index is a
//! copy that can always be thrown away and rebuilt (`zhaoshang reindex`). It keeps in step by
//! revision: every write to `enterprises` stamps the rows with the next `enterprise_revision`,
//! and before answering the index reads the firms written after the revision it holds
//! ([`SearchIndex::catch_up`]). Each server process keeps its own index directory, so several
//! instances on one PostgreSQL database each catch up by themselves.

mod query;
mod tokens;

use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::indexer::UserOperation;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use tokio::sync::Mutex;

use domain::enterprise::Enterprise;
use store::{IndexedFirm, Store};

pub use query::Filters;
pub use tokens::{abbreviations, words};

/// Changed whenever the fields or their cuts change: an index of another version is rebuilt.
const SCHEMA_VERSION: u32 = 4;

/// Firms read from the database per page while catching up.
const PAGE: i64 = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("检索索引出错：{0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("检索索引目录不可用：{0}")]
    Directory(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

pub type Result<T> = std::result::Result<T, SearchError>;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    name_grams: Field,
    /// 曾用名 and 简称, matched as the name is.
    other_names: Field,
    abbreviation: Field,
    products: Field,
    scope: Field,
    tags: Field,
    industry_name: Field,
    credit_code: Field,
    industry: Field,
    province: Field,
    city: Field,
    size: Field,
    flag: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Positions only where phrases are asked: the name's runs (a run longer than a gram is a
    // phrase of grams). Scope, tags and the industry's name are matched word by word.
    let text = |tokenizer: &str, positions: bool| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(if positions {
                    IndexRecordOption::WithFreqsAndPositions
                } else {
                    IndexRecordOption::WithFreqs
                }),
        )
    };
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | FAST),
        name_grams: b.add_text_field("name_grams", text("zh_grams", true)),
        other_names: b.add_text_field("other_names", text("zh_grams", true)),
        products: b.add_text_field("products", text("zh_words", false)),
        abbreviation: b.add_text_field("abbreviation", text("zh_abbreviations", false)),
        scope: b.add_text_field("scope", text("zh_words", false)),
        tags: b.add_text_field("tags", text("zh_words", false)),
        industry_name: b.add_text_field("industry_name", text("zh_words", false)),
        credit_code: b.add_text_field("credit_code", STRING),
        industry: b.add_text_field("industry", STRING),
        province: b.add_text_field("province", STRING),
        city: b.add_text_field("city", STRING),
        size: b.add_text_field("size", STRING),
        flag: b.add_text_field("flag", STRING),
    };
    (b.build(), fields)
}

/// What the index last caught up to, kept in its commit payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Stamp {
    schema: u32,
    database: String,
    revision: i64,
}

struct Writer {
    writer: IndexWriter,
    stamp: Option<Stamp>,
    /// Operations not yet handed to the writer: they go in batches of [`BATCH`].
    queued: Vec<UserOperation>,
}

/// Firms handed to tantivy's indexing thread at once. Its pipeline holds 10,000 hand-overs
/// (`PIPELINE_MAX_SIZE_IN_DOCS`, one firm each through `add_document`), so at ten a batch up
/// to 100,000 firms wait to be indexed (~120 MB): enough that the database keeps writing while
/// the indexing thread writes out a segment, and commits while it indexes the last firms. An
/// import of a million: 25.0–27.5 s, 28.5–34.5 s one firm at a time (alternated, same file).
const BATCH: usize = 10;

impl Writer {
    fn queue(&mut self, operation: UserOperation) -> Result<()> {
        self.queued.push(operation);
        if self.queued.len() >= BATCH {
            self.hand_over()?;
        }
        Ok(())
    }

    fn hand_over(&mut self) -> Result<()> {
        if !self.queued.is_empty() {
            self.writer.run(std::mem::take(&mut self.queued))?;
        }
        Ok(())
    }
}

/// A hit: the firm's id in the database and its relevance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub id: i64,
    pub score: f32,
}

#[derive(Debug, Clone, Default)]
pub struct Hits {
    pub hits: Vec<Hit>,
    /// How many firms match in all.
    pub total: usize,
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    writer: Mutex<Writer>,
    ids: std::sync::Mutex<Option<IdColumns>>,
}

/// The firms' ids of each segment of one searcher generation. Opening the column reads every
/// block header of it (milliseconds at millions of firms), so it is opened once per
/// generation, not once per hit.
struct IdColumns {
    generation: u64,
    columns: std::sync::Arc<Vec<tantivy::columnar::Column<i64>>>,
}

/// Where the index of the database at `url` is kept unless told otherwise: beside a SQLite
/// file (`data/zhaoshang.db.index/`), under `data/index/` for a server database (named by the
/// URL without its password), nowhere (in memory) for an in-memory database.
pub fn default_dir(url: &str) -> Option<std::path::PathBuf> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        if path.is_empty() || path.contains(":memory:") || path == "memory" {
            return None;
        }
        return Some(std::path::PathBuf::from(format!("{path}.index")));
    }
    let shown = match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) => {
            let user = &url[scheme + 3..at];
            format!("{}{}", user.split(':').next().unwrap_or(""), &url[at..])
        }
        _ => url.to_owned(),
    };
    // FNV-1a: a stable name, not a secret.
    let hash = shown.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    Some(std::path::PathBuf::from(format!("data/index/{hash:016x}")))
}

/// Memory each indexing thread may fill before it writes a segment. It bounds the index's
/// share of an import's memory whatever the file's size, and it decides how many segments an
/// import leaves to merge: at 48 MB a thread a million firms made some twenty segments, merged
/// again and again (a fifth of the import's CPU); at 150 MB a segment holds a quarter of a
/// million firms, and a million leave four, too few to merge.
const WRITER_MEMORY: usize = 150_000_000;

impl SearchIndex {
    /// Opens the index in `dir` (created if missing; rebuilt later if it is of another schema
    /// or database), or an index in memory without one. Fails if another process holds `dir`.
    pub fn open(dir: Option<&Path>) -> Result<Self> {
        let (schema, fields) = schema();
        let mut index = match dir {
            None => Index::create_in_ram(schema.clone()),
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| SearchError::Directory(format!("{}：{e}", dir.display())))?;
                let opened = Index::open_in_dir(dir)
                    .ok()
                    .filter(|i| i.schema() == schema);
                match opened {
                    Some(index) => index,
                    None => {
                        // Another version's files: start again, the database has everything.
                        for entry in std::fs::read_dir(dir)
                            .map_err(|e| SearchError::Directory(e.to_string()))?
                            .flatten()
                        {
                            let path = entry.path();
                            let removed = if path.is_dir() {
                                std::fs::remove_dir_all(&path)
                            } else {
                                std::fs::remove_file(&path)
                            };
                            removed.map_err(|e| SearchError::Directory(e.to_string()))?;
                        }
                        Index::create_in_dir(dir, schema.clone())?
                    }
                }
            }
        };
        // A search that matches much of a large index spends its time in each segment alone:
        // searching the segments side by side, one per core, halves it on two cores.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cores > 1 {
            index.set_multithread_executor(cores)?;
        }
        let tokenizers = index.tokenizers();
        tokenizers.register("zh_words", tokens::WordCut);
        tokenizers.register("zh_grams", tokens::GramCut);
        tokenizers.register("zh_abbreviations", tokens::AbbreviationCut);
        let stamp = index
            .load_metas()?
            .payload
            .and_then(|p| serde_json::from_str::<Stamp>(&p).ok())
            .filter(|s| s.schema == SCHEMA_VERSION);
        // One core is left to the database: an import writes the firms and indexes them at
        // once, and on two cores a second indexing thread only slows the database's writing
        // (a million firms: 41–49 s with two threads, 37–38 s with one, same machine).
        let threads = cores.saturating_sub(1).clamp(1, 2);
        let writer = index
            .writer_with_num_threads(threads, threads * WRITER_MEMORY)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => SearchError::Directory(format!(
                    "{}已被另一个进程使用（运行中的服务会自行更新索引）",
                    dir.map_or_else(String::new, |d| d.display().to_string())
                )),
                other => other.into(),
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            writer: Mutex::new(Writer {
                writer,
                stamp,
                queued: Vec::new(),
            }),
            ids: std::sync::Mutex::new(None),
        })
    }

    /// Brings the index up to the database's last committed revision; returns how many firms
    /// it (re)indexed. Rebuilds from scratch when the index was built from another database.
    pub async fn catch_up(&self, store: &Store) -> Result<u64> {
        self.catch_up_with(store, false, |_| {}).await
    }

    /// Throws the index away and indexes every firm again; `progress` hears the count so far.
    pub async fn rebuild(&self, store: &Store, progress: impl FnMut(u64)) -> Result<u64> {
        self.catch_up_with(store, true, progress).await
    }

    async fn catch_up_with(
        &self,
        store: &Store,
        rebuild: bool,
        progress: impl FnMut(u64),
    ) -> Result<u64> {
        let mut state = self.writer.lock().await;
        self.catch_up_locked(&mut state, store, rebuild, progress)
            .await
    }

    async fn catch_up_locked(
        &self,
        state: &mut Writer,
        store: &Store,
        rebuild: bool,
        mut progress: impl FnMut(u64),
    ) -> Result<u64> {
        let database = store.database_identity().await?;
        let upto = store.enterprise_revision().await?;
        let from = match &state.stamp {
            Some(s) if !rebuild && s.database == database && s.revision <= upto => s.revision,
            _ => -1,
        };
        if from == upto && !rebuild {
            return Ok(0);
        }
        if from == -1 {
            state.queued.clear();
            state.writer.delete_all_documents()?;
        }
        let mut count = 0u64;
        // Firms at the revision held are indexed already: start after the last of them.
        let (mut after_revision, mut after_id) = (from, i64::MAX);
        loop {
            let page = store
                .enterprises_written(after_revision, after_id, upto, PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            (after_revision, after_id) = (last.revision, last.id);
            for firm in &page {
                if from != -1 {
                    state.queue(UserOperation::Delete(Term::from_field_i64(
                        self.fields.id,
                        firm.id,
                    )))?;
                }
                // A record merged into another is found through the one kept.
                if firm.merged_into.is_none() {
                    state.queue(UserOperation::Add(self.document(firm)))?;
                }
            }
            count += page.len() as u64;
            progress(count);
        }
        self.commit(
            state,
            Stamp {
                schema: SCHEMA_VERSION,
                database,
                revision: upto,
            },
        )?;
        Ok(count)
    }

    /// Makes what the writer holds searchable, stamped with the revision it reaches.
    fn commit(&self, state: &mut Writer, stamp: Stamp) -> Result<()> {
        let payload = serde_json::to_string(&stamp).unwrap_or_default();
        state.hand_over()?;
        let mut commit = state.writer.prepare_commit()?;
        commit.set_payload(&payload);
        commit.commit()?;
        state.stamp = Some(stamp);
        self.reader.reload()?;
        Ok(())
    }

    /// Lets the index follow a transaction's firms as they are written, instead of reading
    /// them back after it commits: a bulk import then tokenizes on the second core while the
    /// database writes on the first. The index first catches up; the feed holds the writer
    /// until [`Feed::finish`] (after the commit) or [`Feed::abandon`] (after a rollback).
    pub async fn feed(&self, store: &Store) -> Result<Feed<'_>> {
        let mut state = self.writer.lock().await;
        self.catch_up_locked(&mut state, store, false, |_| {})
            .await?;
        Ok(Feed {
            index: self,
            state,
            fed: 0,
        })
    }

    fn document(&self, indexed: &IndexedFirm) -> TantivyDocument {
        self.document_of(indexed.id, &indexed.firm)
    }

    fn document_of(&self, id: i64, e: &Enterprise) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_i64(f.id, id);
        doc.add_text(f.name_grams, &e.name);
        doc.add_text(f.abbreviation, &e.name);
        for other in e.former_names.iter().chain(&e.short_names) {
            doc.add_text(f.other_names, other);
            doc.add_text(f.abbreviation, other);
        }
        for product in &e.products {
            doc.add_text(f.products, product);
        }
        if let Some(scope) = &e.scope {
            doc.add_text(f.scope, scope);
        }
        for tag in &e.tags {
            doc.add_text(f.tags, tag);
            doc.add_text(f.flag, tag);
        }
        if let Some(code) = &e.credit_code {
            doc.add_text(f.credit_code, code.as_str());
        }
        if let Some(industry) = &e.industry {
            doc.add_text(f.industry_name, industry.section_name());
            for level in industry.levels() {
                doc.add_text(f.industry, level);
            }
        }
        for (field, value) in [(f.province, &e.province), (f.city, &e.city)] {
            if let Some(v) = value {
                doc.add_text(field, v);
            }
        }
        if let Some(size) = e.size {
            doc.add_text(f.size, size.label());
        }
        doc
    }

    /// The firms matching `text` (every word of it, in the name, the name's abbreviation, the
    /// business scope, the tags or the industry) and `filters`, best first; `text` empty
    /// lists the firms the filters let through.
    pub fn search(
        &self,
        text: &str,
        filters: &Filters,
        offset: usize,
        limit: usize,
    ) -> Result<Hits> {
        let query = query::build(&self.fields, text, filters);
        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(limit.max(1))
            .and_offset(offset)
            .order_by_score();
        // Two passes, not one: collecting the page alone lets tantivy skip the blocks of
        // postings that cannot reach it (block-max WAND), and counting alone needs no scores.
        // Together, every matching firm of a common word would be scored.
        let found = searcher.search(&query, &top)?;
        let total = searcher.search(&query, &Count)?;
        let ids = self.id_columns(&searcher)?;
        let hits = found
            .into_iter()
            .filter_map(|(score, address)| {
                let id = ids
                    .get(address.segment_ord as usize)?
                    .first(address.doc_id)?;
                Some(Hit { id, score })
            })
            .collect();
        Ok(Hits { hits, total })
    }

    fn id_columns(
        &self,
        searcher: &tantivy::Searcher,
    ) -> Result<std::sync::Arc<Vec<tantivy::columnar::Column<i64>>>> {
        let generation = searcher.generation().generation_id();
        let mut cached = self
            .ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(ids) = cached.as_ref().filter(|c| c.generation == generation) {
            return Ok(ids.columns.clone());
        }
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|r| r.fast_fields().i64("id"))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let columns = std::sync::Arc::new(columns);
        *cached = Some(IdColumns {
            generation,
            columns: columns.clone(),
        });
        Ok(columns)
    }

    /// How many firms the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The database revision the index has caught up to, if it was ever built.
    pub async fn revision(&self) -> Option<i64> {
        self.writer.lock().await.stamp.as_ref().map(|s| s.revision)
    }

    #[doc(hidden)]
    pub fn index(&self) -> &Index {
        &self.index
    }
}

/// The index following one transaction's firms (see [`SearchIndex::feed`]).
pub struct Feed<'a> {
    index: &'a SearchIndex,
    state: tokio::sync::MutexGuard<'a, Writer>,
    fed: u64,
}

impl Feed<'_> {
    /// A firm the transaction wrote: `replaces` when it was held before (its old document
    /// goes), not when it is new.
    pub fn add(&mut self, id: i64, firm: &Enterprise, replaces: bool) -> Result<()> {
        let fields = &self.index.fields;
        if replaces {
            self.state
                .queue(UserOperation::Delete(Term::from_field_i64(fields.id, id)))?;
        }
        self.state
            .queue(UserOperation::Add(self.index.document_of(id, firm)))?;
        self.fed += 1;
        Ok(())
    }

    /// After the transaction committed: the firms fed become searchable. If another
    /// transaction committed firms between the catch-up and this one, the index reads those
    /// (and this one's again) from the database, as a catch-up would. Returns how many firms
    /// were indexed.
    pub async fn finish(mut self, store: &Store) -> Result<u64> {
        let index = self.index;
        let upto = store.enterprise_revision().await?;
        match self.state.stamp.clone() {
            // The one revision committed since the catch-up is this transaction's.
            Some(stamp) if self.fed > 0 && stamp.revision + 1 == upto => {
                index.commit(
                    &mut self.state,
                    Stamp {
                        revision: upto,
                        ..stamp
                    },
                )?;
                Ok(self.fed)
            }
            _ => {
                let read = index
                    .catch_up_locked(&mut self.state, store, false, |_| {})
                    .await?;
                Ok(self.fed.max(read))
            }
        }
    }

    /// After the transaction rolled back: the firms fed are dropped.
    pub fn abandon(mut self) -> Result<()> {
        self.state.queued.clear();
        self.state.writer.rollback()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::default_dir;
    use std::path::PathBuf;

    #[test]
    fn each_database_has_its_own_index_directory() {
        assert_eq!(
            default_dir("sqlite:data/zhaoshang.db"),
            Some(PathBuf::from("data/zhaoshang.db.index"))
        );
        assert_eq!(
            default_dir("sqlite:///tmp/x.db?mode=rwc"),
            Some(PathBuf::from("/tmp/x.db.index"))
        );
        assert_eq!(default_dir("sqlite::memory:"), None);
        let a = default_dir("postgres://app:secret@db/zs");
        assert_eq!(
            a,
            default_dir("postgres://app:other@db/zs"),
            "the password does not count"
        );
        assert_ne!(a, default_dir("postgres://app@db/other"));
    }
}
