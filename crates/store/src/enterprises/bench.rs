//! `zhaoshang bench enterprises`'s baselines: the same search through SQLite's FTS5 and a
//! `LIKE` scan, to compare the index against.

use crate::{Result, Store};

impl Store {
    /// For `zhaoshang bench enterprises` on SQLite only: a FTS5 table with the trigram tokenizer
    /// over the firms' names and scopes, the baseline the search index is measured against.
    pub async fn bench_fts_build(&self) -> Result<()> {
        for sql in [
            "DROP TABLE IF EXISTS bench_firms_fts",
            "CREATE VIRTUAL TABLE bench_firms_fts USING fts5(name, scope, tokenize = 'trigram')",
            "INSERT INTO bench_firms_fts (rowid, name, scope) SELECT id, name, COALESCE(scope, '') FROM enterprises",
        ] {
            sqlx::query(sql).execute(self.pool()).await?;
        }
        Ok(())
    }

    /// The baseline's search: every word of `text` in the name or the scope, 20 rows at most,
    /// by FTS5 (ranked by bm25; LIKE on it for words under three characters, which trigrams
    /// cannot match) or by LIKE over the table. Returns how many rows came back.
    pub async fn bench_sql_search(&self, text: &str, fts: bool) -> Result<usize> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let like = |table: &str, id: &str| {
            let clauses: Vec<String> = (1..=words.len())
                .map(|i| format!("(name LIKE ${i} OR scope LIKE ${i})"))
                .collect();
            format!(
                "SELECT {id} FROM {table} WHERE {} LIMIT 20",
                clauses.join(" AND ")
            )
        };
        let rows = if fts && words.iter().all(|w| w.chars().count() >= 3) {
            let matching = words
                .iter()
                .map(|w| format!("\"{}\"", w.replace('"', "")))
                .collect::<Vec<_>>()
                .join(" AND ");
            sqlx::query(
                "SELECT rowid FROM bench_firms_fts WHERE bench_firms_fts MATCH $1 ORDER BY rank LIMIT 20",
            )
            .bind(matching)
            .fetch_all(self.pool())
            .await?
        } else {
            let sql = if fts {
                like("bench_firms_fts", "rowid")
            } else {
                like("enterprises", "id")
            };
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for w in &words {
                query = query.bind(format!("%{w}%"));
            }
            query.fetch_all(self.pool()).await?
        };
        Ok(rows.len())
    }
}
