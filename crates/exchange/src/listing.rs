//! A list as a page shows it — the filters applied, the viewer's scope kept — written as a file
//! to work with or print: a workbook with a title, who it is for and what chose its rows, a
//! header row that stays in view and filters, amounts as numbers with separators, dates as date
//! cells, columns as wide as their content (within reason), a landscape page one page wide with
//! the header repeated and the title, unit and date in the page header; or a CSV of the same
//! table. For lists that are not an import kind; the kinds' exports are `export`'s.

use chrono::NaiveDate;
use domain::Money;
use rust_xlsxwriter::{Format, FormatBorder, Workbook};

use crate::export::{Value, display_width};
use crate::{ExchangeError, FileFormat};

/// The widest a column grows, in characters; longer text wraps.
const WIDEST: usize = 60;

/// A list to download.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub title: String,
    /// Under the title and in the printed page's header: whose list (the viewer's unit, or 全市),
    /// what chose its rows (the filters), the day its figures stand on.
    pub notes: Vec<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        if text.is_empty() {
            Value::Empty
        } else {
            Value::Text(text)
        }
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        text.to_owned().into()
    }
}

impl From<Option<String>> for Value {
    fn from(text: Option<String>) -> Self {
        text.map_or(Value::Empty, Into::into)
    }
}

impl From<Money> for Value {
    fn from(amount: Money) -> Self {
        Value::Wan(amount)
    }
}

impl From<Option<Money>> for Value {
    fn from(amount: Option<Money>) -> Self {
        amount.map_or(Value::Empty, Value::Wan)
    }
}

impl From<NaiveDate> for Value {
    fn from(day: NaiveDate) -> Self {
        Value::Date(day)
    }
}

impl From<Option<NaiveDate>> for Value {
    fn from(day: Option<NaiveDate>) -> Self {
        day.map_or(Value::Empty, Value::Date)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Count(n)
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Self {
        Value::Count(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl Listing {
    /// An empty list titled `title`, with `headers`.
    pub fn new(title: impl Into<String>, headers: &[&str]) -> Self {
        Listing {
            title: title.into(),
            notes: Vec::new(),
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a line saying whose list this is or what chose its rows.
    pub fn note(&mut self, note: impl Into<String>) -> &mut Self {
        let note = note.into();
        if !note.is_empty() {
            self.notes.push(note);
        }
        self
    }

    pub fn push(&mut self, row: Vec<Value>) {
        self.rows.push(row);
    }
}

/// The list as the bytes of a file.
pub fn listing_bytes(listing: &Listing, format: FileFormat) -> Result<Vec<u8>, ExchangeError> {
    let headers: Vec<&str> = listing.headers.iter().map(String::as_str).collect();
    match format {
        FileFormat::Csv => crate::export::encode_csv(&headers, &listing.rows),
        FileFormat::Xlsx => xlsx(listing),
    }
}

/// The workbook of one sheet `title` with `headers` over `rows` of text (the audit log's).
pub fn listing_xlsx(
    title: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, ExchangeError> {
    let mut listing = Listing::new(title, headers);
    for row in rows {
        listing.push(row.iter().map(|t| Value::from(t.as_str())).collect());
    }
    xlsx(&listing)
}

fn xlsx(listing: &Listing) -> Result<Vec<u8>, ExchangeError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let name: String = listing
        .title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    sheet.set_name(if name.is_empty() { "Sheet1" } else { &name })?;
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#E8EEF4");
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let text = cell.clone().set_num_format("@");
    // Shown with separators and two decimals; the cell keeps the exact amount.
    let wan = cell.clone().set_num_format("#,##0.00");
    let count = cell.clone().set_num_format("#,##0");
    let date = cell.clone().set_num_format("yyyy-mm-dd");
    let today = crate::export::today_in_china();
    sheet.write_with_format(
        0,
        0,
        listing.title.as_str(),
        &Format::new().set_bold().set_font_size(14),
    )?;
    let mut said = listing.notes.clone();
    said.push(format!("导出于 {today}"));
    sheet.write(1, 0, said.join("；"))?;
    let top = 2u32;
    let mut widths: Vec<usize> = listing.headers.iter().map(|h| display_width(h)).collect();
    for (c, h) in listing.headers.iter().enumerate() {
        sheet.write_with_format(top, col(c)?, h.as_str(), &head)?;
    }
    for (r, row) in listing.rows.iter().enumerate() {
        let r = u32::try_from(r)
            .ok()
            .and_then(|r| r.checked_add(top + 1))
            .ok_or_else(too_many)?;
        for (c, value) in row.iter().enumerate() {
            let at = col(c)?;
            let shown = match value {
                Value::Empty => {
                    sheet.write_blank(r, at, &cell)?;
                    0
                }
                Value::Text(t) => {
                    let t = fit(t);
                    sheet.write_string_with_format(r, at, &t, &text)?;
                    display_width(&t)
                }
                Value::Wan(m) => {
                    sheet.write_number_with_format(r, at, m.units() as f64 / 10_000.0, &wan)?;
                    domain::money::format_wan(*m).len() + 2
                }
                Value::Count(n) => {
                    sheet.write_number_with_format(r, at, *n as f64, &count)?;
                    n.to_string().len() + 2
                }
                Value::Date(d) => {
                    sheet.write_datetime_with_format(r, at, d, &date)?;
                    10
                }
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(shown.min(WIDEST));
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(col(c)?, (*w).clamp(6, WIDEST) as f64 + 2.0)?;
    }
    if !listing.headers.is_empty() {
        let last_row = u32::try_from(listing.rows.len())
            .ok()
            .and_then(|n| n.checked_add(top))
            .ok_or_else(too_many)?;
        let last_col = col(listing.headers.len() - 1)?;
        sheet.autofilter(top, 0, last_row, last_col)?;
    }
    sheet.set_freeze_panes(top + 1, 0)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(top, top)?;
    // The page header names whose list it is, so a printed page lying loose says where it
    // belongs; '&' is the header's escape and is doubled.
    let whose = listing
        .notes
        .first()
        .cloned()
        .unwrap_or_default()
        .replace('&', "&&");
    sheet.set_header(format!(
        "&L{}&C{whose}&R导出于 {today}",
        listing.title.replace('&', "&&")
    ));
    sheet.set_footer("&C第 &P 页，共 &N 页");
    Ok(book.save_to_buffer()?)
}

pub(crate) fn col(c: usize) -> Result<u16, ExchangeError> {
    u16::try_from(c).map_err(|_| too_many())
}

fn too_many() -> ExchangeError {
    ExchangeError::Format("行或列过多，无法写入一个工作表".into())
}

/// A cell's text within Excel's limit of 32,767 characters, marked where it was cut.
pub(crate) fn fit(text: &str) -> String {
    const MOST: usize = 32_767;
    if text.chars().count() <= MOST {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MOST - 8).collect();
    cut.push_str("……（已截断）");
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_past_excels_limit_is_cut_and_marked_and_the_book_is_written() {
        let long = "审".repeat(40_000);
        assert_eq!(fit("短").as_str(), "短");
        let cut = fit(&long);
        assert_eq!(
            cut.chars().count(),
            32_767 - 8 + "……（已截断）".chars().count()
        );
        assert!(cut.ends_with("（已截断）"));
        let rows = vec![vec!["1".to_owned(), long]];
        let book = listing_xlsx("审计日志", &["序号", "内容"], &rows).expect("written");
        assert!(book.starts_with(b"PK"));
    }
}
