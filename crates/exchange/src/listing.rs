//! A list as the screens show it, written as a workbook to file or print: a title, a header
//! row that stays in view and filters, columns as wide as their content (within reason) and a
//! landscape page with the header repeated. For lists that are not an import kind (the audit
//! log); the kinds' exports are `export`'s.

use rust_xlsxwriter::{Format, FormatBorder, Workbook};

use crate::ExchangeError;
use crate::export::display_width;

/// The widest a column grows, in characters; longer text wraps.
const WIDEST: usize = 60;

/// The workbook of one sheet `title` with `headers` over `rows` of text.
pub fn listing_xlsx(
    title: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, ExchangeError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let name: String = title
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
    sheet.write_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14))?;
    let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_with_format(1, col(c)?, *h, &head)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 2).map_err(|_| too_many())?;
        for (c, value) in row.iter().enumerate() {
            sheet.write_with_format(r, col(c)?, fit(value), &cell)?;
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(display_width(value).min(WIDEST));
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(col(c)?, (*w).clamp(6, WIDEST) as f64 + 2.0)?;
    }
    let last_row = u32::try_from(rows.len() + 1).map_err(|_| too_many())?;
    let last_col = col(headers.len().saturating_sub(1))?;
    sheet.autofilter(1, 0, last_row, last_col)?;
    sheet.set_freeze_panes(2, 0)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(1, 1)?;
    Ok(book.save_to_buffer()?)
}

fn col(c: usize) -> Result<u16, ExchangeError> {
    u16::try_from(c).map_err(|_| too_many())
}

fn too_many() -> ExchangeError {
    ExchangeError::Format("行或列过多，无法写入一个工作表".into())
}

/// A cell's text within Excel's limit of 32,767 characters, marked where it was cut.
fn fit(text: &str) -> String {
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
