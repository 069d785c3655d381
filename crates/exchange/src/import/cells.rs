//! A row's cells read by column, each parsed as its kind of value, every bad one kept.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::enterprise::Enterprise;
use domain::period::parse_date;
use domain::records::project_code;
use domain::text::{optional, required, yes_no};
use domain::{CreditCode, FieldError, Money};

use super::{RowError, refuse_unevaluated, total_row};
use crate::kinds::Key;
use crate::table::{Cell, Row};

/// One row's cells by column, collecting every bad cell rather than stopping at the first.
pub(crate) struct Cells<'a> {
    pub(crate) row: &'a Row,
    pub(crate) index: &'a HashMap<&'static str, usize>,
    pub(crate) errors: Vec<FieldError>,
}

impl Cells<'_> {
    pub(crate) fn cell(&self, key: Key) -> &Cell {
        self.index
            .get(key.as_str())
            .and_then(|i| self.row.cells.get(*i))
            .unwrap_or(&Cell::Empty)
    }

    /// Parses one cell, recording its error; `None` means the cell was bad.
    pub(crate) fn get<T>(
        &mut self,
        key: Key,
        parse: impl FnOnce(&str, &Cell) -> Result<T, FieldError>,
    ) -> Option<T> {
        match parse(key.as_str(), self.cell(key)) {
            Ok(value) => Some(value),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    pub(crate) fn text(&mut self, key: Key) -> Option<String> {
        optional(&self.cell(key).text())
    }

    pub(crate) fn required_text(&mut self, key: Key) -> Option<String> {
        self.get(key, |k, c| required(k, &c.text()))
    }

    pub(crate) fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// Keeps a record built from the row if every cell was good, recording a rule it breaks.
    pub(crate) fn build<T>(&mut self, build: impl FnOnce() -> Result<T, FieldError>) -> Option<T> {
        if !self.ok() {
            return None;
        }
        match build() {
            Ok(value) => Some(value),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }
}

pub(crate) fn date_cell(key: &str, cell: &Cell) -> Result<NaiveDate, FieldError> {
    match cell {
        Cell::Date(d) => Ok(*d),
        // A date whose cell lost its date format shows as Excel's day number.
        Cell::Number(n) if n.fract() == 0.0 && (20_000.0..=80_000.0).contains(n) => {
            let base = NaiveDate::from_ymd_opt(1899, 12, 30)
                .ok_or_else(|| FieldError::new(key, "日期无效"))?;
            base.checked_add_days(chrono::Days::new(*n as u64))
                .ok_or_else(|| FieldError::new(key, "日期无效"))
        }
        other => parse_date(key, &other.text()),
    }
}

pub(crate) fn money_cell(key: &str, cell: &Cell) -> Result<Option<Money>, FieldError> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) => Money::from_wan_f64(key, *n).map(Some),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Text(t) => Money::parse_wan(key, t).map(Some),
        Cell::Date(_) | Cell::Bool(_) => Err(FieldError::new(key, "应为数字（万元）")),
    }
}

pub(crate) fn required_money(key: &str, cell: &Cell) -> Result<Money, FieldError> {
    money_cell(key, cell)?.ok_or_else(|| FieldError::new(key, "不能为空"))
}

/// A code cell. An 18-digit code that a spreadsheet stored as a number has lost its last
/// digits (floating point holds 15 or 16), so it is refused rather than guessed at.
pub(crate) fn code_text(key: &str, cell: &Cell) -> Result<Option<String>, FieldError> {
    if let Cell::Number(n) = cell
        && n.abs() >= 1e15
    {
        return Err(FieldError::new(
            key,
            "代码被表格存成了数字，末几位可能已丢失；请将该列设为文本格式后重新填写",
        ));
    }
    Ok(optional(&cell.text()))
}

pub(crate) fn credit_code_cell(key: &str, cell: &Cell) -> Result<Option<CreditCode>, FieldError> {
    code_text(key, cell)?
        .map(|t| CreditCode::parse(key, &t))
        .transpose()
}

pub(crate) fn project_code_cell(key: &str, cell: &Cell) -> Result<String, FieldError> {
    let text = code_text(key, cell)?.unwrap_or_default();
    project_code(&text)
}

pub(crate) fn yes_no_cell(key: &str, cell: &Cell) -> Result<bool, FieldError> {
    match cell {
        Cell::Bool(b) => Ok(*b),
        other => yes_no(key, &other.text()),
    }
}

pub(crate) fn whole_number(key: &str, cell: &Cell) -> Result<i64, FieldError> {
    let text = cell.text();
    let plain =
        domain::money::plain_number(&text).map_err(|message| FieldError::new(key, message))?;
    let value: f64 = plain
        .parse()
        .map_err(|_| FieldError::new(key, format!("“{text}”不是数字，请填写整数，如 12")))?;
    if value.fract() != 0.0 || value.abs() > 1e15 {
        return Err(FieldError::new(key, format!("“{text}”应为整数")));
    }
    Ok(value as i64)
}

pub(crate) fn optional_date(key: &str, cell: &Cell) -> Result<Option<NaiveDate>, FieldError> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        other => date_cell(key, other).map(Some),
    }
}

/// One row of an enterprise file as a firm, or its bad cells in column order.
pub(crate) fn parse_enterprise_row(
    row: &Row,
    index: &HashMap<&'static str, usize>,
    today: NaiveDate,
    unevaluated: &std::collections::BTreeSet<(usize, usize)>,
) -> Result<Enterprise, Vec<RowError>> {
    if let Some((_, word)) = total_row(row, &[]) {
        return Err(vec![RowError {
            row: row.number,
            column: "企业名称".into(),
            message: format!("“{word}”是合计行，不是一家企业；请删除合计、小计行后再导入"),
        }]);
    }
    let mut cells = Cells {
        row,
        index,
        errors: Vec::new(),
    };
    let firm = crate::kinds::enterprise_from(&mut cells, today);
    refuse_unevaluated(&mut cells.errors, unevaluated, row.number, index);
    match firm {
        Some(enterprise) if cells.ok() => Ok(enterprise),
        _ => {
            let position = |field: &str| index.get(field).copied().unwrap_or(usize::MAX);
            cells.errors.sort_by_key(|e| position(&e.field));
            Err(cells
                .errors
                .into_iter()
                .map(|e| RowError {
                    row: row.number,
                    column: e.field,
                    message: e.message,
                })
                .collect())
        }
    }
}

/// `Cells::build` runs only when every cell parsed, so the `Option`s it unpacks are `Some` and
/// this error is never seen; it stands in for a panic.
pub(crate) fn incomplete() -> FieldError {
    FieldError::new("", "内部错误：单元格未能解析")
}
