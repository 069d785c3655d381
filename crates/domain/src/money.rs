//! Money as whole units (元 for 人民币, dollars for 美元) in `i64`, and the currencies it comes in.
//!
//! Amounts enter in 万元 as office files write them: text with up to four decimals, or
//! floating-point cells. Both become whole units exactly (text) or by rounding half away from
//! zero to the nearest unit (floats), never by truncation. Rounding for display happens only in
//! the `format_*` functions, at the last step.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::FieldError;

const UNITS_PER_WAN: i128 = 10_000;

/// A non-negative amount in whole units of its currency.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    /// Whole units; negative amounts have no meaning in any record here.
    pub fn from_units(field: &str, units: i64) -> Result<Self, FieldError> {
        if units < 0 {
            return Err(FieldError::new(field, "不能为负数"));
        }
        Ok(Money(units))
    }

    /// 万 written as text: `405`, `4,050,000.5`, `1.2345`. More than four decimals would be a
    /// fraction of a unit, which no record holds, so it is rejected rather than rounded.
    pub fn parse_wan(field: &str, raw: &str) -> Result<Self, FieldError> {
        let cleaned = plain_number(raw).map_err(|message| FieldError::new(field, message))?;
        let (scaled, decimals) = parse_decimal(&cleaned).ok_or_else(|| {
            FieldError::new(
                field,
                format!("“{}”不是数字，请填写万元数，如 1200 或 1,200.5", raw.trim()),
            )
        })?;
        if decimals > 4 {
            return Err(FieldError::new(field, TOO_PRECISE));
        }
        let units = scaled * 10_i128.pow(4 - decimals);
        Self::checked(field, units)
    }

    /// 万 from a floating-point spreadsheet cell, by the text's rule (at most four decimals).
    /// The float is read through its shortest decimal form; a longer tail that is only the
    /// float's noise (0.1+0.2) is rounded to the yuan, half away from zero.
    pub fn from_wan_f64(field: &str, wan: f64) -> Result<Self, FieldError> {
        if !wan.is_finite() {
            return Err(FieldError::new(field, "不是有效数字"));
        }
        let text = format!("{wan}");
        let (scaled, decimals) =
            parse_decimal(&text).ok_or_else(|| FieldError::new(field, "不是有效数字"))?;
        let units = if decimals <= 4 {
            scaled * 10_i128.pow(4 - decimals)
        } else {
            // The same rule as text: at most four decimals. A cell a formula filled (0.1+0.2)
            // differs from its four-decimal value only by the float's last bits; that is noise,
            // rounded away. Any larger difference is a fifth decimal someone meant, refused.
            let rounded = (wan * 10_000.0).round() / 10_000.0;
            let noise = 4.0 * f64::EPSILON * wan.abs().max(1.0);
            if (rounded - wan).abs() > noise {
                return Err(FieldError::new(field, TOO_PRECISE));
            }
            round_half_away(scaled, 10_i128.pow(decimals - 4))
        };
        Self::checked(field, units)
    }

    /// The largest amount one record may hold: 1万亿 (10¹² units). No single signing, fund or
    /// investment of a city comes near it, and a million records of it still sum inside `i64`
    /// (the figures' sums saturate besides), so a mistyped amount is refused here instead of
    /// overflowing a total later.
    pub const MAX_UNITS: i64 = 1_000_000_000_000;

    fn checked(field: &str, units: i128) -> Result<Self, FieldError> {
        if units < 0 {
            return Err(FieldError::new(field, "不能为负数"));
        }
        if units > i128::from(Self::MAX_UNITS) {
            return Err(FieldError::new(
                field,
                "金额超出上限：单笔不超过1万亿元（1亿万元），请检查单位是否为万元",
            ));
        }
        i64::try_from(units)
            .map(Money)
            .map_err(|_| FieldError::new(field, "金额过大"))
    }

    pub fn units(self) -> i64 {
        self.0
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// The exact amount in 万, as written back to files: no rounding, trailing zeros dropped.
    pub fn to_wan_exact(self) -> String {
        let whole = self.0 / 10_000;
        let frac = self.0 % 10_000;
        if frac == 0 {
            whole.to_string()
        } else {
            let digits = format!("{frac:04}");
            format!("{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&group_thousands(self.0))
    }
}

const TOO_PRECISE: &str =
    "万元金额最多四位小数（精确到元）；由公式算出的数请先用 ROUND(…,4) 取到四位小数";

/// A number as offices type it, made plain: full-width digits and signs (１２３．５，全角逗号)
/// read as their ASCII forms, a ¥/￥ prefix and spaces around dropped, and thousands separators
/// removed only where they group thousands (1,000 / 1,234,567.5). A comma anywhere else ("10,5",
/// "1,0000") is refused: it may be a decimal comma or a typing slip, and either way the number
/// meant is not known.
pub fn plain_number(raw: &str) -> Result<String, String> {
    let text: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            // Full-width ASCII (U+FF01–U+FF5E) to ASCII, as NFKC does.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            other => other,
        })
        .collect();
    let text = text
        .trim()
        .trim_start_matches(['¥', '￥'])
        .trim()
        .to_owned();
    if !text.contains(',') {
        return Ok(text);
    }
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let body = int_part.trim_start_matches(['-', '+']);
    let mut groups = body.split(',');
    let first_ok = groups
        .next()
        .is_some_and(|g| (1..=3).contains(&g.len()) && g.chars().all(|c| c.is_ascii_digit()));
    let rest_ok = groups.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()));
    if !first_ok || !rest_ok || frac_part.is_some_and(|f| f.contains(',')) {
        return Err(format!(
            "“{}”中的逗号位置不对：千分位逗号须每三位一个（如 1,234,567.5）；小数请用小数点（10.5，不是 10,5）",
            raw.trim()
        ));
    }
    Ok(text.replace(',', ""))
}

/// Parses an optionally signed decimal into (digits as an integer, number of decimals).
fn parse_decimal(text: &str) -> Option<(i128, u32)> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part
        .chars()
        .chain(frac_part.chars())
        .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    if int_part.len() + frac_part.len() > 30 {
        return None;
    }
    let digits = format!("{int_part}{frac_part}");
    let value: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    let decimals = u32::try_from(frac_part.len()).ok()?;
    Some((if negative { -value } else { value }, decimals))
}

/// Divides with rounding half away from zero.
fn round_half_away(value: i128, divisor: i128) -> i128 {
    let quotient = value / divisor;
    let remainder = value % divisor;
    if remainder.abs() * 2 >= divisor {
        quotient + value.signum()
    } else {
        quotient
    }
}

fn group_thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An amount in 万 with two decimals and thousands separators, rounded half-up: `4,050,000.00`.
pub fn format_wan(amount: Money) -> String {
    format_scaled(amount.units(), UNITS_PER_WAN)
}

/// An amount in 亿 with two decimals, rounded half-up: `405.00`.
pub fn format_yi(amount: Money) -> String {
    format_scaled(amount.units(), UNITS_PER_WAN * UNITS_PER_WAN)
}

fn format_scaled(units: i64, per: i128) -> String {
    let hundredths = round_half_away(i128::from(units) * 100, per);
    let whole = i64::try_from(hundredths / 100).unwrap_or(i64::MAX);
    let frac = (hundredths % 100).abs();
    format!("{}.{frac:02}", group_thousands(whole))
}

/// The currencies a record may name. Funds in place are counted only in 人民币 and 美元.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Currency {
    Cny,
    Usd,
    Eur,
    Hkd,
    Jpy,
}

impl Currency {
    pub const ALL: [Currency; 5] = [
        Currency::Cny,
        Currency::Usd,
        Currency::Eur,
        Currency::Hkd,
        Currency::Jpy,
    ];

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        let found = match value.to_ascii_uppercase().as_str() {
            "" | "人民币" | "CNY" | "RMB" | "元" => Some(Currency::Cny),
            "美元" | "USD" | "US$" => Some(Currency::Usd),
            "欧元" | "EUR" => Some(Currency::Eur),
            "港元" | "港币" | "HKD" => Some(Currency::Hkd),
            "日元" | "JPY" => Some(Currency::Jpy),
            _ => None,
        };
        found.ok_or_else(|| {
            FieldError::new(
                field,
                format!("“{value}”不是可用的币种（人民币、美元、欧元、港元、日元）"),
            )
        })
    }

    /// Funds in place are reported in 人民币 and, for 实际利用外资, in 美元 only.
    pub fn parse_for_funds(field: &str, raw: &str) -> Result<Self, FieldError> {
        match Self::parse(field, raw)? {
            c @ (Currency::Cny | Currency::Usd) => Ok(c),
            _ => Err(FieldError::new(field, "到位资金只能是人民币或美元")),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Currency::Cny => "CNY",
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Hkd => "HKD",
            Currency::Jpy => "JPY",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Currency::Cny => "人民币",
            Currency::Usd => "美元",
            Currency::Eur => "欧元",
            Currency::Hkd => "港元",
            Currency::Jpy => "日元",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wan(raw: &str) -> Result<i64, String> {
        Money::parse_wan("金额", raw)
            .map(Money::units)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn wan_text_becomes_exact_yuan() {
        assert_eq!(wan("405"), Ok(4_050_000));
        assert_eq!(wan("4,050,000"), Ok(40_500_000_000));
        assert_eq!(wan("1.2345"), Ok(12_345));
        assert_eq!(wan(" 0.5 "), Ok(5_000));
        assert_eq!(wan(".5"), Ok(5_000));
    }

    #[test]
    fn numbers_are_read_as_offices_type_them_and_a_misplaced_comma_is_refused() {
        assert_eq!(wan("1,000"), Ok(10_000_000));
        assert_eq!(wan("1,234,567.5"), Ok(12_345_675_000));
        assert_eq!(wan("１２３．５"), Ok(1_235_000));
        assert_eq!(wan("１，２３４"), Ok(12_340_000));
        assert_eq!(wan("￥1,200"), Ok(12_000_000));
        assert_eq!(wan("¥ 8"), Ok(80_000));
        for slip in [
            "10,5", "1,2,3", "1,0000", ",100", "1,000,00", "1.5,0", "1,,000", "12,34.5",
        ] {
            let refused = wan(slip).unwrap_err();
            assert!(refused.contains("逗号位置不对"), "{slip}: {refused}");
        }
    }

    #[test]
    fn wan_text_rejects_fractions_of_a_yuan_negatives_and_words() {
        assert!(wan("1.23456").unwrap_err().contains("万元金额最多四位小数"));
        assert_eq!(wan("-3"), Err("金额: 不能为负数".into()));
        assert!(wan("三亿").unwrap_err().starts_with("金额: “三亿”不是数字"));
        assert!(wan("").unwrap_err().starts_with("金额: “”不是数字"));
        assert!(wan("99999999999999999999").is_err());
    }

    #[test]
    fn one_record_holds_at_most_a_trillion_yuan() {
        assert_eq!(wan("100000000"), Ok(Money::MAX_UNITS));
        for too_much in ["100000000.0001", "922337203685477", "1e20"] {
            assert!(wan(too_much).is_err(), "{too_much}");
        }
        assert!(Money::from_wan_f64("金额", 922_337_203_685_477.0).is_err());
    }

    #[test]
    fn number_cells_follow_the_texts_rule_and_only_float_noise_is_rounded() {
        let f = |x: f64| Money::from_wan_f64("金额", x).map(Money::units);
        assert_eq!(f(0.1 + 0.2), Ok(3_000));
        assert_eq!(f(1234.5678 * 3.0 / 3.0), Ok(12_345_678));
        assert_eq!(f(1.2345), Ok(12_345));
        for meant in [1.00005, 1.00004, 2.99999999] {
            assert_eq!(
                f(meant).map_err(|e| e.message.contains("最多四位小数")),
                Err(true),
                "{meant}: the same as the text"
            );
            assert!(wan(&meant.to_string()).is_err());
        }
        assert_eq!(f(405.0), Ok(4_050_000));
        assert!(f(f64::NAN).is_err());
        assert!(f(-1.0).is_err());
    }

    #[test]
    fn exact_wan_text_round_trips() {
        for units in [0, 1, 12_345, 4_050_000, 40_500_000_000, 10_001] {
            let money = Money(units);
            assert_eq!(Money::parse_wan("金额", &money.to_wan_exact()), Ok(money));
        }
        assert_eq!(Money(12_300).to_wan_exact(), "1.23");
    }

    #[test]
    fn display_rounds_half_up_only_at_the_end() {
        assert_eq!(format_yi(Money(40_500_000_000)), "405.00");
        assert_eq!(format_yi(Money(8_050_000_000)), "80.50");
        assert_eq!(format_yi(Money(1_234_500_000)), "12.35");
        assert_eq!(format_yi(Money(1_234_499_999)), "12.34");
        assert_eq!(format_wan(Money(12_345_678)), "1,234.57");
        assert_eq!(Money(1_234_567).to_string(), "1,234,567");
    }

    #[test]
    fn currencies_accept_chinese_and_codes_and_funds_only_cny_or_usd() {
        assert_eq!(Currency::parse("币种", "美元"), Ok(Currency::Usd));
        assert_eq!(Currency::parse("币种", "cny"), Ok(Currency::Cny));
        assert_eq!(Currency::parse("币种", ""), Ok(Currency::Cny));
        assert!(
            Currency::parse("币种", "卢布")
                .unwrap_err()
                .message
                .contains("卢布")
        );
        assert!(Currency::parse_for_funds("币种", "欧元").is_err());
    }
}
