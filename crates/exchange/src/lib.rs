//! Import and export of records as `.xlsx` and `.csv` files, and the import templates.
//!
//! An import reads every row, checks every cell, and applies all rows in one transaction through
//! the store (so the same rules hold as for the web forms). A file with any bad cell imports
//! nothing: the report lists each bad cell as `第N行 列名: 原因`. Exact duplicates of existing
//! records are reported and skipped, so re-importing a file adds nothing.

mod bad_rows;
mod columns;
mod encoding;
mod enterprises;
mod export;
mod import;
mod kinds;
mod listing;
pub mod mapping;
mod scoreboard;
pub mod sheet_facts;
pub mod table;
mod template;

use std::fmt;

pub use bad_rows::{BadRow, bad_rows, bad_rows_bytes};
pub use columns::{Column, Kind, columns};
pub use enterprises::{FirmSink, import_enterprises};
pub use export::{FileFormat, Value, export, export_bytes, export_projects};
pub use import::{
    ImportReport, OnBadRows, RowError, import, import_keeping, import_table, import_table_keeping,
};
pub use listing::{Listing, listing_bytes, listing_xlsx};
pub use scoreboard::scoreboard_xlsx;
pub use template::{template, template_bytes};

#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error("{0}")]
    Format(String),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("写入Excel文件失败: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("写入CSV文件失败: {0}")]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// How far an import has got, for a progress bar.
pub trait Progress: Send + Sync {
    fn start(&self, total: usize);
    fn advance(&self, done: usize);
    fn finish(&self);
}

/// No progress display: for tests, servers and non-terminals.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _total: usize) {}
    fn advance(&self, _done: usize) {}
    fn finish(&self) {}
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
