//! Importing the 招商大数据库 from registry dumps: millions of rows, never clean. A CSV or an xlsx
//! is read a record at a time, so memory stays flat as the file grows; every bad row is reported by row
//! and column; and — for this kind only — the good rows may be imported while the bad ones are
//! written to a file of their own, with the reason beside each.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::import::{ImportReport, column_index, parse_enterprise_row};
use crate::table::{Cell, Row};
use crate::{ExchangeError, Kind, Progress};

/// Good rows written to a statement batch.
const BATCH: usize = 3_000;

/// The most bad cells kept in the report when the bad rows go to a file (the file has them all).
const REPORTED: usize = 1_000;

/// Imports the firms of `path` (.csv and .xlsx streamed, .xls read whole) in one transaction. Without
/// `bad_rows`, any bad row imports nothing; with it, the good rows are imported and the bad ones
/// written there (CSV, the file's own columns and a last column 错误原因).
pub async fn import_enterprises(
    store: &store::Store,
    path: &Path,
    actor: &str,
    progress: &dyn Progress,
    bad_rows: Option<&Path>,
) -> Result<ImportReport, ExchangeError> {
    let name = path.display().to_string();
    let is_csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    // Each row with its cells as written and, for a CSV, the byte it ends at (the progress a
    // stream can give without knowing its row count).
    type Rows = Box<dyn Iterator<Item = Result<(Row, Vec<String>, usize), ExchangeError>> + Send>;
    let mut rows: Rows;
    let headers: Vec<String>;
    let total: usize;
    if is_csv {
        let file = File::open(path).map_err(|e| ExchangeError::Io(name.clone(), e))?;
        total = file
            .metadata()
            .map(|m| usize::try_from(m.len()).unwrap_or(usize::MAX))
            .unwrap_or(0);
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(BufReader::with_capacity(1 << 20, file));
        let mut records = reader.into_records().enumerate();
        let first = loop {
            match records.next() {
                None => {
                    return Err(ExchangeError::Format(format!(
                        "{name}: 文件是空的，第1行应为表头"
                    )));
                }
                Some((i, record)) => {
                    let record = record.map_err(|e| csv_error(i, &e))?;
                    if record.iter().any(|f| !f.trim().is_empty()) {
                        break record;
                    }
                }
            }
        };
        headers = first
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let h = if i == 0 {
                    h.trim_start_matches('\u{feff}')
                } else {
                    h
                };
                h.trim().to_owned()
            })
            .collect();
        rows = Box::new(records.filter_map(|(i, record)| match record {
            Err(e) => Some(Err(csv_error(i, &e))),
            Ok(record) if record.iter().all(|f| f.trim().is_empty()) => None,
            Ok(record) => {
                let raw: Vec<String> = record.iter().map(str::to_owned).collect();
                let cells = raw
                    .iter()
                    .map(|s| {
                        if s.trim().is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text(s.clone())
                        }
                    })
                    .collect();
                let byte = usize::try_from(record.position().map_or(0, |p| p.byte()))
                    .unwrap_or(usize::MAX);
                Some(Ok((
                    Row {
                        number: i + 1,
                        cells,
                    },
                    raw,
                    byte,
                )))
            }
        }));
    } else if path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
    {
        let (names, last_row, stream) = crate::table::stream_xlsx(path)?;
        total = last_row;
        headers = names;
        rows = Box::new(stream.into_iter().map(|row| {
            let row = row?;
            let raw = row.cells.iter().map(Cell::text).collect();
            let reached = row.number;
            Ok((row, raw, reached))
        }));
    } else {
        let table = crate::table::read(path)?;
        total = table.rows.len();
        headers = table.headers;
        rows = Box::new(table.rows.into_iter().enumerate().map(|(i, row)| {
            let raw = row.cells.iter().map(Cell::text).collect();
            Ok((row, raw, i + 1))
        }));
    }
    let mut report = ImportReport::new(Kind::Enterprises, 0);
    let index = match column_index(Kind::Enterprises, &headers) {
        Ok(index) => index,
        Err(errors) => {
            report.errors = errors;
            return Ok(report);
        }
    };
    let mut bad = match bad_rows {
        Some(path) => {
            let file =
                File::create(path).map_err(|e| ExchangeError::Io(path.display().to_string(), e))?;
            let mut writer = csv::Writer::from_writer(file);
            // The byte-order mark tells Excel the file is UTF-8.
            let mut header = headers.clone();
            if let Some(first) = header.first_mut() {
                first.insert(0, '\u{feff}');
            }
            header.push("错误原因".to_owned());
            writer.write_record(&header)?;
            Some(writer)
        }
        None => None,
    };
    let mut tx = store.begin(actor).await?;
    let today = tx.today();
    // Good rows are written a batch at a time.
    let mut good: Vec<domain::enterprise::Enterprise> = Vec::with_capacity(BATCH);
    progress.start(total);
    for (done, next) in rows.by_ref().enumerate() {
        let (row, raw, reached) = next?;
        report.rows += 1;
        let errors = match parse_enterprise_row(&row, &index, today) {
            // Once a file that must import whole has a bad row, nothing will be written: the
            // rest is only checked.
            Ok(_) if bad_rows.is_none() && !report.errors.is_empty() => Vec::new(),
            Ok(enterprise) => {
                good.push(enterprise);
                if good.len() >= BATCH {
                    for outcome in tx.upsert_enterprises(&good).await? {
                        report.upserted(outcome);
                    }
                    good.clear();
                }
                Vec::new()
            }
            Err(errors) => errors,
        };
        if !errors.is_empty() {
            if let Some(writer) = bad.as_mut() {
                let reason = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.column, e.message))
                    .collect::<Vec<_>>()
                    .join("；");
                let mut line = raw;
                line.resize(headers.len(), String::new());
                line.push(reason);
                writer.write_record(&line)?;
                report.skipped += 1;
                if report.errors.len() < REPORTED {
                    report.errors.extend(errors);
                }
            } else {
                report.errors.extend(errors);
            }
        }
        if done % 1_024 == 0 {
            progress.advance(reached.min(total));
        }
    }
    for outcome in tx.upsert_enterprises(&good).await? {
        report.upserted(outcome);
    }
    progress.finish();
    if let Some(mut writer) = bad {
        writer
            .flush()
            .map_err(|e| ExchangeError::Io("错误行文件".into(), e))?;
    }
    let partial = bad_rows.is_some();
    if report.errors.is_empty() || partial {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
        report.discard();
    }
    Ok(report)
}

fn csv_error(i: usize, e: &csv::Error) -> ExchangeError {
    ExchangeError::Format(format!("第{}行: CSV格式错误或不是UTF-8编码: {e}", i + 1))
}
