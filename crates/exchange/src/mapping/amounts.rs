//! Amounts carried from a ledger's unit to 万元 as text, never through a float.

use super::Scale;
use crate::table::Cell;

/// A ledger cell written in `scale` as the text of its amount in 万元, exactly: the decimal
/// point moves, nothing is rounded (a fraction of a yuan stays and is refused by the import).
pub(super) fn to_wan(cell: &Cell, scale: Scale) -> Result<Cell, String> {
    if cell.is_empty() || (scale == Scale::Wan && !matches!(cell, Cell::Text(_))) {
        return Ok(cell.clone());
    }
    let (text, scale) = match cell {
        // The shortest decimal that reads back as the number: what the sheet shows.
        Cell::Number(n) => (format!("{n}"), scale),
        other => {
            // A unit written in the cell ("1.25亿元", "3500万") says more than the column's.
            let raw = other.text();
            let raw = raw.trim();
            let (number, said) = [
                ("亿元", Scale::Yi),
                ("亿", Scale::Yi),
                ("万元", Scale::Wan),
                ("万", Scale::Wan),
                ("元", Scale::Yuan),
            ]
            .iter()
            .find_map(|(suffix, s)| raw.strip_suffix(suffix).map(|n| (n, *s)))
            .unwrap_or((raw, scale));
            (domain::money::plain_number(number)?, said)
        }
    };
    if scale == Scale::Wan {
        return Ok(Cell::Text(text));
    }
    shift_decimal(&text, scale.shift())
        .map(Cell::Text)
        .ok_or_else(|| format!("“{}”不是数字", cell.text()))
}

/// `digits` (a plain decimal: `123.45`) with its point moved `by` places right (left when
/// negative), as text without needless zeros.
pub(super) fn shift_decimal(digits: &str, by: i32) -> Option<String> {
    let (negative, digits) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, digits),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let all: String = format!("{whole}{fraction}");
    let point = i64::try_from(whole.len()).ok()? + i64::from(by);
    let (int_part, frac_part) = if point <= 0 {
        let zeros = usize::try_from(-point).ok()?;
        (String::new(), format!("{}{all}", "0".repeat(zeros)))
    } else {
        let point = usize::try_from(point).ok()?;
        if point >= all.len() {
            (
                format!("{all}{}", "0".repeat(point - all.len())),
                String::new(),
            )
        } else {
            (all[..point].to_owned(), all[point..].to_owned())
        }
    };
    let int_part = int_part.trim_start_matches('0');
    let frac_part = frac_part.trim_end_matches('0');
    let int_part = if int_part.is_empty() { "0" } else { int_part };
    let sign = if negative { "-" } else { "" };
    Some(if frac_part.is_empty() {
        format!("{sign}{int_part}")
    } else {
        format!("{sign}{int_part}.{frac_part}")
    })
}
