//! What an import did: its counts, every bad cell, and what it tells besides.

use std::collections::HashMap;
use std::fmt;

use store::{Added, Upserted};

use crate::Kind;
use crate::table::Table;

/// A bad cell: its row as the spreadsheet numbers it, its column, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第{}行 {}: {}", self.row, self.column, self.message)
    }
}

/// What an import did, or, when `errors` is not empty, why it did nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub kind: Kind,
    pub rows: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows that repeat a record already held; reported, not added again.
    pub duplicates: Vec<usize>,
    pub errors: Vec<RowError>,
    /// Bad rows left out and written to a file (enterprises imported in part).
    pub skipped: usize,
    /// Rows that are the template's example, unchanged: skipped, never imported.
    pub examples: Vec<usize>,
    /// What reading the file decided: its encoding, title rows skipped.
    pub notes: Vec<String>,
    /// Rows imported that the sheet shows hidden by hand, and hidden by its filter: counted apart,
    /// for an office that hid rows to leave them out would otherwise never know they came in.
    pub hidden: Vec<usize>,
    pub filtered: Vec<usize>,
}

impl ImportReport {
    pub(crate) fn new(kind: Kind, rows: usize) -> Self {
        ImportReport {
            kind,
            rows,
            added: 0,
            updated: 0,
            unchanged: 0,
            duplicates: Vec::new(),
            errors: Vec::new(),
            skipped: 0,
            examples: Vec::new(),
            notes: Vec::new(),
            hidden: Vec::new(),
            filtered: Vec::new(),
        }
    }

    /// A report on `table`, with what reading it noted.
    pub(crate) fn of_table(kind: Kind, table: &Table) -> Self {
        let mut report = ImportReport::new(kind, table.rows.len());
        report.notes.clone_from(&table.notes);
        report.hidden.clone_from(&table.hidden);
        report.filtered.clone_from(&table.filtered);
        report
    }

    /// Whether the import was written: with no bad cell, or with its bad rows left out when
    /// that was asked for.
    pub fn imported(&self) -> bool {
        self.errors.is_empty() || self.skipped > 0
    }

    /// What a rolled-back import reports: nothing added, updated or left as it was.
    pub(crate) fn discard(&mut self) {
        self.added = 0;
        self.updated = 0;
        self.unchanged = 0;
        self.duplicates.clear();
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// A failed import's errors in brief, for files with many: how many rows are bad, and per
    /// column how many cells and the commonest reason. Empty when there are few enough to read
    /// one by one.
    pub fn summary(&self) -> Vec<String> {
        const FEW: usize = 20;
        if self.errors.len() <= FEW {
            return Vec::new();
        }
        let rows: std::collections::BTreeSet<usize> = self.errors.iter().map(|e| e.row).collect();
        let mut by_column: Vec<(String, usize, HashMap<&str, usize>)> = Vec::new();
        for e in &self.errors {
            // The reason without the cell's own value, so that alike refusals count together.
            let reason = e.message.rsplit('”').next().unwrap_or(&e.message);
            match by_column.iter_mut().find(|(c, _, _)| *c == e.column) {
                Some((_, n, reasons)) => {
                    *n += 1;
                    *reasons.entry(reason).or_default() += 1;
                }
                None => by_column.push((e.column.clone(), 1, HashMap::from([(reason, 1)]))),
            }
        }
        by_column.sort_by_key(|c| std::cmp::Reverse(c.1));
        let mut lines = vec![format!(
            "共{}处错误，涉及{}行；按列：",
            self.errors.len(),
            rows.len()
        )];
        for (column, n, reasons) in by_column {
            let (reason, _) = reasons
                .into_iter()
                .max_by_key(|(r, n)| (*n, std::cmp::Reverse(*r)))
                .unwrap_or(("", 0));
            lines.push(format!(
                "  {column}：{n}处，多为“{}”",
                reason.trim_start_matches(['：', ':'])
            ));
        }
        lines
    }

    /// What the report tells besides its counts, a sentence each: rows skipped as the
    /// template's example.
    pub fn notices(&self) -> Vec<String> {
        let mut notices = self.notes.clone();
        if !self.examples.is_empty() {
            let rows: Vec<String> = self.examples.iter().map(|r| format!("第{r}行")).collect();
            notices.push(format!(
                "{}是模板自带的示例行（首格以【示例】开头），已跳过，未导入。",
                rows.join("、")
            ));
        }
        let listed = |rows: &[usize]| {
            let mut named: Vec<String> = rows.iter().take(10).map(|r| format!("第{r}行")).collect();
            if rows.len() > 10 {
                named.push("等".to_owned());
            }
            named.join("、")
        };
        if !self.hidden.is_empty() {
            notices.push(format!(
                "其中{}行在表格中是隐藏行（{}），与其他行一样导入；如不应导入，请删除这些行后重新导入。",
                self.hidden.len(),
                listed(&self.hidden)
            ));
        }
        if !self.filtered.is_empty() {
            notices.push(format!(
                "其中{}行被筛选隐去（{}），与其他行一样导入；导入的是整张表，不只是筛选出的行。",
                self.filtered.len(),
                listed(&self.filtered)
            ));
        }
        notices
    }

    pub(crate) fn upserted(&mut self, outcome: Upserted) {
        match outcome {
            Upserted::Inserted => self.added += 1,
            Upserted::Updated => self.updated += 1,
            Upserted::Unchanged => self.unchanged += 1,
        }
    }

    pub(crate) fn appended(&mut self, row: usize, outcome: Added) {
        match outcome {
            Added::Added(_) => self.added += 1,
            Added::Duplicate => self.duplicates.push(row),
        }
    }
}
