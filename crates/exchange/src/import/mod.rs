//! Importing a file: every cell checked, every row applied through the store in one
//! transaction, all or nothing.

use std::collections::HashMap;
use std::path::Path;

use domain::FieldError;
use store::{Named, Store, StoreError};

use crate::table::{Cell, Row, Table, header_key};
use crate::{ExchangeError, Kind, Progress, columns};

mod cells;
mod report;

pub(crate) use cells::*;
pub use report::{ImportReport, RowError};

/// Reads `path` and imports it as `kind` on behalf of `actor`: all or nothing.
pub async fn import(
    store: &Store,
    kind: Kind,
    path: &Path,
    actor: &str,
    progress: &dyn Progress,
) -> Result<ImportReport, ExchangeError> {
    let table = read_for_kind(kind, path)?;
    import_table(store, kind, &table, actor, progress).await
}

/// Reads `path` for an import of `kind`: of a workbook, the sheet with the kind's header.
pub fn read_for_kind(kind: Kind, path: &Path) -> Result<Table, ExchangeError> {
    let keys: Vec<&str> = columns(kind).iter().map(crate::Column::key).collect();
    crate::table::read_for(path, &keys)
}

/// As [`import`], doing with bad rows what `on_bad` says; also hands back the table read, for a
/// file of the bad rows.
pub async fn import_keeping(
    store: &Store,
    kind: Kind,
    path: &Path,
    actor: &str,
    progress: &dyn Progress,
    on_bad: OnBadRows,
) -> Result<(Table, ImportReport), ExchangeError> {
    let table = read_for_kind(kind, path)?;
    let report = import_table_keeping(store, kind, &table, actor, progress, on_bad).await?;
    Ok((table, report))
}

/// Imports rows already read from a file (the web's upload form reads them from memory): all
/// or nothing.
pub async fn import_table(
    store: &Store,
    kind: Kind,
    table: &Table,
    actor: &str,
    progress: &dyn Progress,
) -> Result<ImportReport, ExchangeError> {
    import_table_keeping(
        store,
        kind,
        table,
        actor,
        progress,
        OnBadRows::ImportNothing,
    )
    .await
}

/// What an import does with a file that has rows with bad cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnBadRows {
    /// Imports nothing: the file goes in whole or not at all.
    #[default]
    ImportNothing,
    /// Leaves those rows out and imports the others.
    ImportTheRest,
    /// Imports nothing in any case: the file is only checked (预检).
    CheckOnly,
}

/// Passes over a file when some of its rows are left out and a kept row leaned on one (an event
/// after a refused 签约 row): each pass leaves out the rows the one before refused.
const PASSES: usize = 5;

/// As [`import_table`], doing with bad rows what `on_bad` says. With
/// [`OnBadRows::ImportTheRest`] the others are imported in one transaction, the report still
/// listing every bad cell and `skipped` counting the rows left out; a kept row that was good only
/// beside a row now left out is refused in its turn.
pub async fn import_table_keeping(
    store: &Store,
    kind: Kind,
    table: &Table,
    actor: &str,
    progress: &dyn Progress,
    on_bad: OnBadRows,
) -> Result<ImportReport, ExchangeError> {
    let index = match column_index(kind, &table.headers) {
        Ok(index) => index,
        Err(errors) => {
            let mut report = ImportReport::of_table(kind, table);
            report.errors = errors;
            return Ok(report);
        }
    };
    let mut left_out: std::collections::BTreeSet<usize> = std::collections::BTreeSet::new();
    let mut refused: Vec<RowError> = Vec::new();
    for pass in 1..=PASSES {
        let (tx, mut report) =
            apply_rows(store, kind, table, &index, actor, progress, &left_out).await?;
        if on_bad == OnBadRows::CheckOnly {
            tx.rollback().await?;
            report.discard();
            return Ok(report);
        }
        if report.is_ok() {
            report.errors = std::mem::take(&mut refused);
            report.errors.sort_by_key(|e| e.row);
            report.skipped = left_out.len();
            tx.commit().await?;
            return Ok(report);
        }
        tx.rollback().await?;
        if on_bad == OnBadRows::ImportNothing || pass == PASSES {
            report.errors.append(&mut refused);
            report.errors.sort_by_key(|e| e.row);
            report.discard();
            return Ok(report);
        }
        left_out.extend(report.errors.iter().map(|e| e.row));
        refused.append(&mut report.errors);
    }
    unreachable!("the last pass returns")
}

/// One pass over the rows not `left_out`, in a transaction left open for the caller to commit
/// or roll back.
async fn apply_rows(
    store: &Store,
    kind: Kind,
    table: &Table,
    index: &HashMap<&'static str, usize>,
    actor: &str,
    progress: &dyn Progress,
    left_out: &std::collections::BTreeSet<usize>,
) -> Result<(store::Tx, ImportReport), ExchangeError> {
    let mut report = ImportReport::of_table(kind, table);
    let mut tx = store.begin(actor).await?;
    // Reading every project's history at once beats reading each when first needed as soon as
    // a file touches more than a handful of projects.
    if kind == Kind::Events && table.rows.len() > 1_000 {
        tx.preload_histories().await?;
    }
    // Likewise every firm, for a ledger whose rows name their investors.
    if kind == Kind::Projects && table.rows.len() > 1_000 {
        tx.preload_firms().await?;
    }
    progress.start(table.rows.len());
    // A record named twice in one file: the later row would silently win.
    let identity = identity_of(kind).and_then(|key| Some((key, *index.get(key)?)));
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (done, row) in crate::kinds::ordered_rows(kind, table, index)
        .into_iter()
        .enumerate()
    {
        if left_out.contains(&row.number) {
            continue;
        }
        if is_example(row) {
            report.examples.push(row.number);
            continue;
        }
        if let Some((key, at)) = identity {
            let value = row.cells.get(at).map(Cell::text).unwrap_or_default();
            let value = value.trim();
            if !value.is_empty() {
                match first_seen.get(value) {
                    Some(first) => report.errors.push(RowError {
                        row: row.number,
                        column: key.to_owned(),
                        message: format!(
                            "“{value}”与第{first}行重复：同一文件中每条记录只能出现一次，请合并或删去一行"
                        ),
                    }),
                    None => {
                        first_seen.insert(value.to_owned(), row.number);
                    }
                }
            }
        }
        if let Some(total) = total_row(row, &table.headers) {
            report.errors.push(RowError {
                row: row.number,
                column: total.0,
                message: format!(
                    "“{}”是合计行，不是一条记录；请删除合计、小计行后再导入",
                    total.1
                ),
            });
            continue;
        }
        let mut cells = Cells {
            row,
            index,
            errors: Vec::new(),
        };
        match crate::kinds::apply(kind, &mut cells, &mut tx, &mut report).await {
            Ok(()) => {}
            Err(e @ (StoreError::Invalid(_) | StoreError::InvalidFields(_))) => {
                cells.errors.extend(e.field_errors().into_iter().cloned());
            }
            Err(other) => return Err(other.into()),
        }
        refuse_unevaluated(&mut cells.errors, &table.unevaluated, row.number, index);
        // A row with bad cells stopped before the store looked its names up: an unknown
        // project, unit, chain, leader or team is named now, not in a second round once the
        // other cells are mended.
        if !cells.errors.is_empty() {
            for (key, named) in references(kind) {
                let Some(&at) = index.get(key) else { continue };
                if cells.errors.iter().any(|e| e.field == *key) {
                    continue;
                }
                let text = row.cells.get(at).map(Cell::text).unwrap_or_default();
                for name in text
                    .split(['、', '，', ','])
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                {
                    // A project is named by its code, and said so as the store says it.
                    let refusal = if *named == Named::Project {
                        (!tx.project_known(name).await?).then(|| {
                            FieldError::new(*key, format!("项目“{name}”不存在，请先录入或导入"))
                        })
                    } else {
                        tx.unknown_name(*named, key, name).await?
                    };
                    if let Some(refusal) = refusal {
                        cells.errors.push(refusal);
                        break;
                    }
                }
            }
        }
        // Within a row, errors read left to right as the columns stand in the file.
        let position = |field: &str| index.get(field).copied().unwrap_or(usize::MAX);
        cells.errors.sort_by_key(|e| position(&e.field));
        report
            .errors
            .extend(cells.errors.into_iter().map(|e| RowError {
                row: row.number,
                column: e.field,
                message: e.message,
            }));
        progress.advance(done + 1);
    }
    progress.finish();
    report.errors.sort_by_key(|e| e.row);
    report.duplicates.sort_unstable();
    report.examples.sort_unstable();
    Ok((tx, report))
}

/// Whether `row` is the template's example left in: its first cell carries the template's
/// marker (`EXAMPLE_MARK`). An office that filled the template below the example would
/// otherwise import a record nobody meant; the example's values name real units and leaders, so
/// only the marker, which no real code or name carries, tells it from data. Skipped and
/// reported, not refused: leaving it in is the template's habit, not a mistake in the data.
fn is_example(row: &Row) -> bool {
    row.cells
        .iter()
        .map(Cell::text)
        .find(|t| !t.trim().is_empty())
        .is_some_and(|first| {
            let first = first.trim_start();
            first.starts_with(EXAMPLE_MARK)
                || first.starts_with("示例：")
                || first.starts_with("示例:")
        })
}

/// The columns of `kind` that name a record held, and of what kind: a row whose other cells
/// are bad has them looked up all the same.
fn references(kind: Kind) -> &'static [(&'static str, Named)] {
    match kind {
        Kind::Projects => &[
            ("所在县区", Named::Unit),
            ("责任单位", Named::Unit),
            ("产业链", Named::Chain),
            ("分管领导", Named::Leader),
            ("工作专班", Named::Team),
        ],
        Kind::Visits => &[("单位", Named::Unit), ("项目编号", Named::Project)],
        Kind::Teams => &[("牵头领导", Named::Leader)],
        Kind::Chains => &[("链长", Named::Leader)],
        Kind::LeaderUnits => &[("领导", Named::Leader), ("包保县区", Named::Unit)],
        Kind::Blockers => &[
            ("项目编号", Named::Project),
            ("责任单位", Named::Unit),
            ("责任领导", Named::Leader),
        ],
        Kind::Elements => &[("项目编号", Named::Project), ("责任部门", Named::Unit)],
        _ => &[("项目编号", Named::Project)],
    }
}

/// The column that names each record of an upserted kind: a file that names one twice is
/// refused, both rows named.
fn identity_of(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Projects => Some("项目编号"),
        Kind::Units => Some("单位名称"),
        Kind::Leaders => Some("姓名"),
        Kind::Chains => Some("产业链名称"),
        Kind::Teams => Some("专班名称"),
        _ => None,
    }
}

/// A formula never computed was read as empty: what the row's parse said of its cell ("不能为空")
/// gives way to why.
fn refuse_unevaluated(
    errors: &mut Vec<FieldError>,
    cells: &std::collections::BTreeSet<(usize, usize)>,
    row: usize,
    index: &HashMap<&'static str, usize>,
) {
    let columns: Vec<&'static str> = cells
        .range((row, 0)..(row + 1, 0))
        .filter_map(|(_, at)| index.iter().find(|(_, i)| *i == at).map(|(key, _)| *key))
        .collect();
    if !columns.is_empty() {
        errors.retain(|e| !columns.contains(&e.field.as_str()));
        errors.extend(
            columns
                .into_iter()
                .map(|key| FieldError::new(key, UNEVALUATED)),
        );
    }
}

/// Why a formula cell without a stored result is refused.
pub(crate) const UNEVALUATED: &str =
    "公式没有保存计算结果，无法得知其值（文件可能由程序生成）；请在Excel或WPS中打开并保存后再导入";

/// What the template writes before the first cell of its example row.
pub const EXAMPLE_MARK: &str = "【示例】";

/// A 合计/小计/总计 row, as spreadsheets end a ledger: (the column it is written in, the word).
pub(crate) fn total_row(row: &Row, headers: &[String]) -> Option<(String, String)> {
    row.cells.iter().take(3).enumerate().find_map(|(i, cell)| {
        let text = cell.text();
        let word = text.trim().replace([' ', '\u{3000}'], "");
        matches!(word.as_str(), "合计" | "小计" | "总计" | "总合计" | "累计").then(|| {
            let column = headers
                .get(i)
                .map(|h| header_key(h).to_owned())
                .unwrap_or_else(|| format!("第{}列", i + 1));
            (column, word)
        })
    })
}

/// Maps each known column to its position; a missing required column or a repeated one is an
/// error on row 1, the header row.
pub(crate) fn column_index(
    kind: Kind,
    headers: &[String],
) -> Result<HashMap<&'static str, usize>, Vec<RowError>> {
    let mut index = HashMap::new();
    let mut errors = Vec::new();
    for column in columns(kind) {
        let positions: Vec<usize> = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| header_key(h) == column.key())
            .map(|(i, _)| i)
            .collect();
        match positions.as_slice() {
            [] if column.required => errors.push(RowError {
                row: 1,
                column: column.key().to_owned(),
                message: format!("缺少必填列“{}”", column.key()),
            }),
            [] => {}
            [one] => {
                index.insert(column.key(), *one);
            }
            _ => errors.push(RowError {
                row: 1,
                column: column.key().to_owned(),
                message: "该列出现了不止一次".to_owned(),
            }),
        }
    }
    if errors.is_empty() {
        Ok(index)
    } else {
        Err(errors)
    }
}
