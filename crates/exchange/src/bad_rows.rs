//! The bad rows of a file, written as a file of their own: the file's own columns as they were
//! typed, then 原行号 and 错误原因. The office mends the rows there and imports that file again
//! (the two added columns are not import columns, so an import passes over them).

use std::collections::BTreeMap;

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};

use crate::export::display_width;
use crate::import::{ImportReport, RowError};
use crate::listing::col;
use crate::table::{Table, header_key};
use crate::{ExchangeError, FileFormat};

/// The columns added after the file's own.
pub const ROW_NUMBER: &str = "原行号";
pub const REASON: &str = "错误原因";

/// One bad row: its number in the file, its cells as text, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub number: usize,
    pub cells: Vec<String>,
    pub errors: Vec<RowError>,
}

impl BadRow {
    /// The reasons in one cell: `列名: 原因；列名: 原因`.
    pub fn reason(&self) -> String {
        self.errors
            .iter()
            .map(|e| format!("{}: {}", e.column, e.message))
            .collect::<Vec<_>>()
            .join("；")
    }
}

/// The rows of `table` that `report` found bad, in file order. Empty when the fault is the
/// header's (a column missing): no row is to blame, the file's columns are. A file that is
/// itself a file of bad rows, mended and checked again, gives its rows their first 原行号 and
/// loses its old 原行号 and 错误原因 (see [`own_columns`]).
pub fn bad_rows(table: &Table, report: &ImportReport) -> Vec<BadRow> {
    let mut by_row: BTreeMap<usize, Vec<RowError>> = BTreeMap::new();
    for e in &report.errors {
        by_row.entry(e.row).or_default().push(e.clone());
    }
    let kept = own_columns(&table.headers);
    let first_number = table.headers.iter().position(|h| h == ROW_NUMBER);
    table
        .rows
        .iter()
        .filter_map(|row| {
            let errors = by_row.remove(&row.number)?;
            let number = first_number
                .and_then(|at| row.cells.get(at))
                .and_then(|c| c.text().parse().ok())
                .unwrap_or(row.number);
            Some(BadRow {
                number,
                cells: kept
                    .iter()
                    .map(|at| {
                        row.cells
                            .get(*at)
                            .map(crate::table::Cell::text)
                            .unwrap_or_default()
                    })
                    .collect(),
                errors,
            })
        })
        .collect()
}

/// The positions of a file's own columns: all but the 原行号 and 错误原因 a file of bad rows
/// added, which a new file of bad rows writes afresh.
pub fn own_columns(headers: &[String]) -> Vec<usize> {
    (0..headers.len())
        .filter(|at| headers[*at] != ROW_NUMBER && headers[*at] != REASON)
        .collect()
}

/// The headers a file of bad rows of a file with `headers` starts with.
pub fn own_headers(headers: &[String]) -> Vec<String> {
    own_columns(headers)
        .into_iter()
        .map(|at| headers[at].clone())
        .collect()
}

/// The bad rows as a file under the file's `headers`: CSV (UTF-8 with the mark Excel looks for)
/// or a workbook in which each bad cell is filled red and the reason stands beside the row.
pub fn bad_rows_bytes(
    headers: &[String],
    rows: &[BadRow],
    format: FileFormat,
) -> Result<Vec<u8>, ExchangeError> {
    let headers = &own_headers(headers);
    match format {
        FileFormat::Csv => {
            let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
            let mut header: Vec<&str> = headers.iter().map(String::as_str).collect();
            header.extend([ROW_NUMBER, REASON]);
            writer.write_record(&header)?;
            for row in rows {
                writer.write_record(csv_line(headers.len(), row))?;
            }
            writer
                .into_inner()
                .map_err(|e| ExchangeError::Format(format!("写入CSV文件失败: {e}")))
        }
        FileFormat::Xlsx => xlsx(headers, rows),
    }
}

/// A bad row as a CSV line under a header of `width` columns, guarded against formulas.
pub(crate) fn csv_line(width: usize, row: &BadRow) -> Vec<String> {
    let mut line: Vec<String> = row
        .cells
        .iter()
        .map(|c| crate::table::guarded(c).into_owned())
        .collect();
    line.resize(width, String::new());
    line.push(row.number.to_string());
    line.push(crate::table::guarded(&row.reason()).into_owned());
    line
}

fn xlsx(headers: &[String], rows: &[BadRow]) -> Result<Vec<u8>, ExchangeError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("错误行")?;
    let bold = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xF2_F2_F2))
        .set_border(FormatBorder::Thin);
    let text = Format::new().set_num_format("@");
    let bad = Format::new()
        .set_num_format("@")
        .set_background_color(Color::RGB(0xFF_C7_CE))
        .set_font_color(Color::RGB(0x9C_00_06));
    let reason = Format::new()
        .set_font_color(Color::RGB(0x9C_00_06))
        .set_text_wrap();
    let width = headers.len();
    for (c, h) in headers
        .iter()
        .map(String::as_str)
        .chain([ROW_NUMBER, REASON])
        .enumerate()
    {
        sheet.write_string_with_format(0, col(c)?, h, &bold)?;
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
    for (r, row) in rows.iter().enumerate() {
        let at = u32::try_from(r + 1)
            .map_err(|_| ExchangeError::Format("错误行太多，无法写入一个工作表".into()))?;
        let columns: Vec<&str> = row.errors.iter().map(|e| e.column.as_str()).collect();
        for (c, value) in row.cells.iter().enumerate().take(width) {
            let marked = columns.contains(&header_key(&headers[c]));
            let format = if marked { &bad } else { &text };
            let value = crate::listing::fit(value);
            sheet.write_string_with_format(at, col(c)?, &value, format)?;
            widths[c] = widths[c].max(display_width(&value));
        }
        // A bad cell the row did not fill (a required column left empty) is marked all the same.
        for (c, header) in headers.iter().enumerate().skip(row.cells.len()) {
            if columns.contains(&header_key(header)) {
                sheet.write_string_with_format(at, col(c)?, "", &bad)?;
            }
        }
        sheet.write_number(at, col(width)?, row.number as f64)?;
        sheet.write_string_with_format(at, col(width + 1)?, row.reason(), &reason)?;
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(col(c)?, (*w).clamp(6, 40) as f64 + 2.0)?;
    }
    sheet.set_column_width(col(width)?, 8)?;
    sheet.set_column_width(col(width + 1)?, 60)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(book.save_to_buffer()?)
}
