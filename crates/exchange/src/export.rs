//! Writing records back out with the same columns an import reads, so that an export imported
//! into an empty database gives the same records.

use std::collections::HashSet;
use std::path::Path;

use chrono::NaiveDate;
use domain::Money;
use rust_xlsxwriter::{Format, Workbook};
use store::Store;

use crate::{ExchangeError, Kind, columns};

/// A value to write: text, an amount in 万 (written as a number), or a date.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Out {
    Empty,
    Text(String),
    Wan(Money),
    Count(i64),
    Date(NaiveDate),
}

pub(crate) fn text(value: &Option<String>) -> Out {
    value.as_ref().map_or(Out::Empty, |v| Out::Text(v.clone()))
}

pub(crate) fn wan(value: Option<Money>) -> Out {
    value.map_or(Out::Empty, Out::Wan)
}

/// Writes every record of `kind` to `path` (`.xlsx` or `.csv`); returns the number of rows.
///
/// Events are written as they count: each original as amended by its latest correction,
/// withdrawn ones left out. Corrections themselves are history, kept in the database and its
/// change log, not in the exchange file.
pub async fn export(store: &Store, kind: Kind, path: &Path) -> Result<usize, ExchangeError> {
    let format = FileFormat::of(&path.display().to_string())?;
    let rows = crate::kinds::export_rows(store, kind).await?;
    let bytes = encode(format, &headers(kind), &rows)?;
    std::fs::write(path, bytes).map_err(|e| ExchangeError::Io(path.display().to_string(), e))?;
    Ok(rows.len())
}

/// Every record of `kind`, with the import columns, as the bytes of a file.
pub async fn export_bytes(
    store: &Store,
    kind: Kind,
    format: FileFormat,
) -> Result<Vec<u8>, ExchangeError> {
    encode(
        format,
        &headers(kind),
        &crate::kinds::export_rows(store, kind).await?,
    )
}

/// The projects with these 项目编号 (what a filtered list shows), with the import columns, as
/// the bytes of a file.
pub async fn export_projects(
    store: &Store,
    codes: &HashSet<String>,
    format: FileFormat,
) -> Result<Vec<u8>, ExchangeError> {
    let rows: Vec<Vec<Out>> = crate::kinds::export_rows(store, Kind::Projects)
        .await?
        .into_iter()
        .filter(|row| matches!(row.first(), Some(Out::Text(code)) if codes.contains(code)))
        .collect();
    encode(format, &headers(Kind::Projects), &rows)
}

fn headers(kind: Kind) -> Vec<&'static str> {
    columns(kind).iter().map(|c| c.header).collect()
}

/// The two file types offices exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Xlsx,
    Csv,
}

impl FileFormat {
    /// By a file name's extension.
    pub fn of(name: &str) -> Result<Self, ExchangeError> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".xlsx") {
            Ok(FileFormat::Xlsx)
        } else if lower.ends_with(".csv") {
            Ok(FileFormat::Csv)
        } else {
            Err(ExchangeError::Format(format!(
                "{name}: 只能导出为 .xlsx 或 .csv 文件"
            )))
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileFormat::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "xlsx",
            FileFormat::Csv => "csv",
        }
    }
}

pub(crate) fn date(value: Option<NaiveDate>) -> Out {
    value.map_or(Out::Empty, Out::Date)
}

fn encode(
    format: FileFormat,
    headers: &[&str],
    rows: &[Vec<Out>],
) -> Result<Vec<u8>, ExchangeError> {
    match format {
        FileFormat::Csv => encode_csv(headers, rows),
        FileFormat::Xlsx => encode_xlsx(headers, rows),
    }
}

fn out_text(value: &Out) -> String {
    match value {
        Out::Empty => String::new(),
        Out::Text(t) => t.clone(),
        Out::Wan(m) => m.to_wan_exact(),
        Out::Count(n) => n.to_string(),
        Out::Date(d) => d.format("%Y-%m-%d").to_string(),
    }
}

fn encode_csv(headers: &[&str], rows: &[Vec<Out>]) -> Result<Vec<u8>, ExchangeError> {
    // The byte-order mark tells Excel the file is UTF-8; without it Chinese shows garbled.
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut bytes);
        writer.write_record(headers)?;
        for row in rows {
            writer.write_record(row.iter().map(|value| match value {
                Out::Text(text) => crate::table::guarded(text).into_owned(),
                other => out_text(other),
            }))?;
        }
        writer
            .flush()
            .map_err(|e| ExchangeError::Io("CSV".into(), e))?;
    }
    Ok(bytes)
}

fn encode_xlsx(headers: &[&str], rows: &[Vec<Out>]) -> Result<Vec<u8>, ExchangeError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("数据")?;
    let bold = Format::new().set_bold().set_background_color("#DCE6F2");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let text_format = Format::new().set_num_format("@");
    for (col, header) in headers.iter().enumerate() {
        let col = u16::try_from(col).map_err(|_| ExchangeError::Format("列数过多".into()))?;
        sheet.write_string_with_format(0, col, *header, &bold)?;
        sheet.set_column_width(col, (header.chars().count() as f64 * 2.2).clamp(10.0, 40.0))?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| ExchangeError::Format("行数过多".into()))?;
        for (col, value) in row.iter().enumerate() {
            let col = u16::try_from(col).map_err(|_| ExchangeError::Format("列数过多".into()))?;
            match value {
                Out::Empty => {}
                Out::Text(t) => {
                    sheet.write_string_with_format(r, col, t, &text_format)?;
                }
                // Whole 元 over 10,000 have at most four decimals and few enough digits for a
                // double to hold exactly; the import reads the cell back through its shortest
                // decimal form, so the amount survives the trip unchanged.
                Out::Wan(m) => {
                    sheet.write_number(r, col, m.units() as f64 / 10_000.0)?;
                }
                Out::Count(n) => {
                    sheet.write_number(r, col, *n as f64)?;
                }
                Out::Date(d) => {
                    sheet.write_datetime_with_format(r, col, d, &date)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}
