//! Importing the 招商大数据库 from registry dumps: millions of rows, never clean. A CSV or an xlsx
//! is read a record at a time, so memory stays flat as the file grows; every bad row is reported by row
//! and column; and — for this kind only — the good rows may be imported while the bad ones are
//! written to a file of their own, with the reason beside each.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::bad_rows::BadRow;
use crate::import::{ImportReport, RowError, column_index, parse_enterprise_row};
use crate::table::{Cell, Row};
use crate::{ExchangeError, Kind, Progress};
use domain::enterprise::Enterprise;

/// Good rows written to a statement batch.
const BATCH: usize = 3_000;

/// The most bad cells kept in the report when the bad rows go to a file (the file has them all).
const REPORTED: usize = 1_000;

/// Imports the firms of `path` (.csv and .xlsx streamed, .xls read whole) in one transaction.
/// `on_bad` says what a bad row does: import nothing, or leave it out and import the others, or
/// (a check) import nothing in any case. The
/// bad rows are written to `bad_rows` when given (CSV: the file's own columns, then 原行号 and
/// 错误原因), as they are met, so that a registry dump's million rows never sit in memory.
pub async fn import_enterprises(
    store: &store::Store,
    path: &Path,
    actor: &str,
    progress: &dyn Progress,
    bad_rows: Option<&Path>,
    on_bad: crate::OnBadRows,
    sink: Option<&mut dyn FirmSink>,
) -> Result<ImportReport, ExchangeError> {
    let name = path.display().to_string();
    let is_csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    // Each row and, for a CSV, the byte it ends at (the progress a stream can give without
    // knowing its row count).
    type Rows = Box<dyn Iterator<Item = Result<(Row, usize), ExchangeError>> + Send>;
    let rows: Rows;
    let headers: Vec<String>;
    let total: usize;
    let mut encoding_note = None;
    let mut facts = crate::sheet_facts::SheetFacts::default();
    if is_csv {
        let file = File::open(path).map_err(|e| ExchangeError::Io(name.clone(), e))?;
        total = file
            .metadata()
            .map(|m| usize::try_from(m.len()).unwrap_or(usize::MAX))
            .unwrap_or(0);
        let (text, encoding) =
            crate::encoding::decoding_reader(BufReader::with_capacity(1 << 20, file))
                .map_err(|e| ExchangeError::Io(name.clone(), e))?;
        if let Some(encoding) = encoding {
            encoding_note = Some(format!("文件编码为{encoding}，已按此读取。"));
        }
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
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
                let cells = record
                    .iter()
                    .map(|s| {
                        if s.trim().is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text(s.to_owned())
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
                    byte,
                )))
            }
        }));
    } else if path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
    {
        let (names, last_row, stream, read) = crate::table::stream_xlsx(path)?;
        total = last_row;
        headers = names;
        facts = read;
        rows = Box::new(stream.map(|row| {
            let row = row?;
            let reached = row.number;
            Ok((row, reached))
        }));
    } else {
        let table = crate::table::read(path)?;
        total = table.rows.len();
        headers = table.headers;
        facts.hidden = table.hidden.iter().copied().collect();
        facts.filtered = table.filtered.iter().copied().collect();
        facts.unevaluated = table.unevaluated;
        rows = Box::new(
            table
                .rows
                .into_iter()
                .enumerate()
                .map(|(i, row)| Ok((row, i + 1))),
        );
    }
    let mut report = ImportReport::new(Kind::Enterprises, 0);
    report.notes.extend(encoding_note);
    report.hidden = facts.hidden.iter().copied().collect();
    report.filtered = facts.filtered.iter().copied().collect();
    let unevaluated = facts.unevaluated;
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
            header.extend([
                crate::bad_rows::ROW_NUMBER.to_owned(),
                crate::bad_rows::REASON.to_owned(),
            ]);
            writer.write_record(&header)?;
            Some(writer)
        }
        None => None,
    };
    let mut tx = store.begin(actor).await?;
    tx.defer_enterprise_indexes().await?;
    let today = tx.today();
    // Rows are read and checked on a thread of their own, a batch at a time, while this one
    // writes the previous batch: reading and checking is a sixth of a large import.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<Checked>>(4);
    let reader = std::thread::Builder::new()
        .name("check-rows".to_owned())
        .spawn(move || {
            let mut batch = Vec::with_capacity(CHECKED);
            for next in rows {
                let checked = next.map(|(row, reached)| {
                    // A bad row keeps its cells as written, for the file of bad rows.
                    let parsed = parse_enterprise_row(&row, &index, today, &unevaluated)
                        .map_err(|errors| (errors, row.cells.iter().map(Cell::text).collect()));
                    (parsed, reached)
                });
                let stop = checked.is_err();
                batch.push(checked);
                if stop || batch.len() == CHECKED {
                    if sender.send(std::mem::take(&mut batch)).is_err() || stop {
                        return;
                    }
                    batch.reserve(CHECKED);
                }
            }
            let _ = sender.send(batch);
        })
        .map_err(|e| ExchangeError::Io("读取文件的线程".to_owned(), e))?;
    let written = write_checked(
        &mut tx,
        receiver,
        &headers,
        total,
        progress,
        bad.as_mut(),
        on_bad == crate::OnBadRows::ImportTheRest,
        sink,
        &mut report,
    )
    .await;
    // The reader stops once the receiver is gone; it never panics on a row.
    let _ = reader.join();
    written?;
    progress.finish();
    if let Some(mut writer) = bad {
        writer
            .flush()
            .map_err(|e| ExchangeError::Io("错误行文件".into(), e))?;
    }
    let keep = match on_bad {
        crate::OnBadRows::ImportNothing => report.errors.is_empty(),
        crate::OnBadRows::ImportTheRest => true,
        crate::OnBadRows::CheckOnly => false,
    };
    if keep {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
        report.discard();
    }
    Ok(report)
}

/// Rows checked per batch handed from the reading thread.
const CHECKED: usize = 1_000;

/// A row read and checked: the firm, or its errors with its cells as written (for the file of
/// bad rows); how far the file is.
type Checked = Result<(Result<Enterprise, (Vec<RowError>, Vec<String>)>, usize), ExchangeError>;

/// Hears each firm an enterprise import adds or changes, as it is written: the search index
/// follows the import this way instead of reading a million firms back after it.
pub trait FirmSink {
    /// `replaces`: the firm was held before, and what was known of it goes.
    fn written(&mut self, id: i64, firm: &Enterprise, replaces: bool) -> Result<(), String>;
}

#[allow(clippy::too_many_arguments)]
async fn write_checked(
    tx: &mut store::Tx,
    receiver: std::sync::mpsc::Receiver<Vec<Checked>>,
    headers: &[String],
    total: usize,
    progress: &dyn Progress,
    mut bad: Option<&mut csv::Writer<File>>,
    partial: bool,
    mut sink: Option<&mut dyn FirmSink>,
    report: &mut ImportReport,
) -> Result<(), ExchangeError> {
    // Good rows are written a batch at a time.
    let mut good: Vec<Enterprise> = Vec::with_capacity(BATCH);
    progress.start(total);
    let mut done = 0usize;
    // Waiting on the reader blocks this thread: the import owns it (the command line).
    for batch in receiver.iter() {
        for checked in batch {
            let (parsed, reached) = checked?;
            report.rows += 1;
            match parsed {
                // Once a file that must import whole has a bad row, nothing will be written:
                // the rest is only checked.
                Ok(_) if !partial && !report.errors.is_empty() => {}
                Ok(enterprise) => {
                    good.push(enterprise);
                    if good.len() >= BATCH {
                        write(tx, &good, &mut sink, report).await?;
                        good.clear();
                    }
                }
                Err((errors, cells)) => {
                    let row = BadRow {
                        number: errors.first().map_or(0, |e| e.row),
                        cells,
                        errors,
                    };
                    if let Some(writer) = bad.as_mut() {
                        writer.write_record(crate::bad_rows::csv_line(headers.len(), &row))?;
                    }
                    if partial {
                        report.skipped += 1;
                        if report.errors.len() < REPORTED {
                            report.errors.extend(row.errors);
                        }
                    } else {
                        report.errors.extend(row.errors);
                    }
                }
            }
            if done.is_multiple_of(1_024) {
                progress.advance(reached.min(total));
            }
            done += 1;
        }
    }
    write(tx, &good, &mut sink, report).await
}

/// Writes a batch of good firms, counts what became of each, and tells the sink.
async fn write(
    tx: &mut store::Tx,
    firms: &[Enterprise],
    sink: &mut Option<&mut dyn FirmSink>,
    report: &mut ImportReport,
) -> Result<(), ExchangeError> {
    let written = tx.upsert_enterprises(firms).await?;
    for w in &written {
        report.upserted(w.outcome);
    }
    if let Some(sink) = sink.as_mut() {
        for (firm, w) in firms.iter().zip(&written) {
            if w.outcome != store::Upserted::Unchanged {
                sink.written(w.id, firm, w.outcome == store::Upserted::Updated)
                    .map_err(ExchangeError::Format)?;
            }
        }
    }
    Ok(())
}

fn csv_error(i: usize, e: &csv::Error) -> ExchangeError {
    let why = match e.kind() {
        csv::ErrorKind::Io(io) => io.to_string(),
        csv::ErrorKind::Utf8 { .. } => "含有无法识别的字符".to_owned(),
        _ => "CSV格式错误（引号不成对或列数异常）".to_owned(),
    };
    ExchangeError::Format(format!("第{}行: {why}", i + 1))
}
