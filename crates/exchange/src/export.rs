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
pub enum Value {
    Empty,
    Text(String),
    Wan(Money),
    Count(i64),
    Date(NaiveDate),
}

pub(crate) fn text(value: &Option<String>) -> Value {
    value
        .as_ref()
        .map_or(Value::Empty, |v| Value::Text(v.clone()))
}

pub(crate) fn wan(value: Option<Money>) -> Value {
    value.map_or(Value::Empty, Value::Wan)
}

/// Writes every record of `kind` to `path` (`.xlsx` or `.csv`); returns the number of rows.
///
/// Events are written as they count: each original as amended by its latest correction,
/// withdrawn ones left out. Corrections themselves are history, kept in the database and its
/// change log, not in the exchange file.
pub async fn export(store: &Store, kind: Kind, path: &Path) -> Result<usize, ExchangeError> {
    let format = FileFormat::of(&path.display().to_string())?;
    let rows = crate::kinds::export_rows(store, kind).await?;
    let bytes = encode(format, kind.label(), "全市", &headers(kind), &rows)?;
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
        kind.label(),
        "全市",
        &headers(kind),
        &crate::kinds::export_rows(store, kind).await?,
    )
}

/// The projects with these 项目编号 (what a filtered list shows), with the import columns, as
/// the bytes of a file; `whose` (范围：集贤县) goes into the printed page's header.
pub async fn export_projects(
    store: &Store,
    codes: &HashSet<String>,
    format: FileFormat,
    whose: &str,
) -> Result<Vec<u8>, ExchangeError> {
    let rows: Vec<Vec<Value>> = crate::kinds::export_rows(store, Kind::Projects)
        .await?
        .into_iter()
        .filter(|row| matches!(row.first(), Some(Value::Text(code)) if codes.contains(code)))
        .collect();
    encode(
        format,
        Kind::Projects.label(),
        whose,
        &headers(Kind::Projects),
        &rows,
    )
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

pub(crate) fn date(value: Option<NaiveDate>) -> Value {
    value.map_or(Value::Empty, Value::Date)
}

fn encode(
    format: FileFormat,
    title: &str,
    whose: &str,
    headers: &[&str],
    rows: &[Vec<Value>],
) -> Result<Vec<u8>, ExchangeError> {
    match format {
        FileFormat::Csv => encode_csv(headers, rows),
        FileFormat::Xlsx => encode_xlsx(title, whose, headers, rows),
    }
}

/// The widest a column grows, in Latin characters; longer text wraps when printed.
const WIDEST: usize = 50;

/// Width in Latin characters of the longest line, a Chinese character counted double: how wide a
/// spreadsheet's column must be to show the text.
pub(crate) fn display_width(text: &str) -> usize {
    text.lines()
        .map(|l| l.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum())
        .max()
        .unwrap_or(0)
}

fn out_text(value: &Value) -> String {
    match value {
        Value::Empty => String::new(),
        Value::Text(t) => t.clone(),
        Value::Wan(m) => m.to_wan_exact(),
        Value::Count(n) => n.to_string(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
    }
}

/// Today in China (UTC+8), as an export's page header dates it.
pub(crate) fn today_in_china() -> String {
    let china = chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| {
        chrono::FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!("UTC is valid"))
    });
    chrono::Utc::now()
        .with_timezone(&china)
        .format("%Y-%m-%d")
        .to_string()
}

pub(crate) fn encode_csv(headers: &[&str], rows: &[Vec<Value>]) -> Result<Vec<u8>, ExchangeError> {
    // The byte-order mark tells Excel the file is UTF-8; without it Chinese shows garbled.
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut bytes);
        writer.write_record(headers)?;
        for row in rows {
            writer.write_record(row.iter().map(|value| match value {
                Value::Text(text) => crate::table::guarded(text).into_owned(),
                other => out_text(other),
            }))?;
        }
        writer
            .flush()
            .map_err(|e| ExchangeError::Io("CSV".into(), e))?;
    }
    Ok(bytes)
}

fn encode_xlsx(
    title: &str,
    whose: &str,
    headers: &[&str],
    rows: &[Vec<Value>],
) -> Result<Vec<u8>, ExchangeError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("数据")?;
    let bold = Format::new().set_bold().set_background_color("#DCE6F2");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let text_format = Format::new().set_num_format("@");
    // Shown with separators and two decimals; the cell keeps the exact amount (four decimals).
    let wan_format = Format::new().set_num_format("#,##0.00");
    let count_format = Format::new().set_num_format("#,##0");
    let too_many = || ExchangeError::Format("列数过多".into());
    let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
    for (col, header) in headers.iter().enumerate() {
        let col = u16::try_from(col).map_err(|_| too_many())?;
        sheet.write_string_with_format(0, col, *header, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| ExchangeError::Format("行数过多".into()))?;
        for (c, value) in row.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| too_many())?;
            let shown = match value {
                Value::Empty => 0,
                Value::Text(t) => {
                    // A cell holds at most 32,767 characters; a longer text (only an abuse of
                    // a form makes one) is cut and marked rather than failing the whole file.
                    let t = crate::listing::fit(t);
                    sheet.write_string_with_format(r, col, &t, &text_format)?;
                    display_width(&t)
                }
                // Whole 元 over 10,000 have at most four decimals and few enough digits for a
                // double to hold exactly; the import reads the cell back through its shortest
                // decimal form, so the amount survives the trip unchanged.
                Value::Wan(m) => {
                    sheet.write_number_with_format(
                        r,
                        col,
                        m.units() as f64 / 10_000.0,
                        &wan_format,
                    )?;
                    domain::money::format_wan(*m).len()
                }
                Value::Count(n) => {
                    sheet.write_number_with_format(r, col, *n as f64, &count_format)?;
                    n.to_string().len() + 2
                }
                Value::Date(d) => {
                    sheet.write_datetime_with_format(r, col, d, &date)?;
                    10
                }
            };
            if let Some(width) = widths.get_mut(c) {
                *width = (*width).max(shown);
            }
        }
    }
    // As wide as the content (a code must never show cut, as SYS-2020-001 for SYS-2020-0016),
    // up to a cap past which text wraps.
    for (c, width) in widths.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| too_many())?;
        sheet.set_column_width(col, (*width).clamp(6, WIDEST) as f64 + 2.0)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    if !headers.is_empty() {
        let last_col = u16::try_from(headers.len() - 1).map_err(|_| too_many())?;
        let last_row = u32::try_from(rows.len()).map_err(|_| too_many())?;
        sheet.autofilter(0, 0, last_row, last_col)?;
    }
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    let today = today_in_china();
    // The page header names whose records they are, so a printed page lying loose says where
    // it belongs; '&' is the header's escape and is doubled.
    sheet.set_header(format!(
        "&L{}&C{}&R导出于 {today}",
        title.replace('&', "&&"),
        whose.replace('&', "&&")
    ));
    sheet.set_footer("&C第 &P 页，共 &N 页");
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text longer than a cell holds (a form abused) is cut and marked, not a failed file:
    /// the export of a whole kind must not fail on one record.
    #[test]
    fn an_overlong_text_does_not_fail_the_workbook() {
        let long = "项".repeat(40_000);
        let rows = vec![vec![Value::Text(long), Value::Count(1)]];
        let bytes =
            encode(FileFormat::Xlsx, "项目", "全市", &["项目名称", "数"], &rows).expect("written");
        assert!(bytes.starts_with(b"PK"));
    }
}
