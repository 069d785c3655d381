//! 统一社会信用代码 per GB 32100-2015: 18 characters from a 31-symbol alphabet (no I, O, Z, S, V),
//! the administrative division code in positions 3–8, and a check character in position 18.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::FieldError;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A unified social credit code whose check character has been verified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CreditCode(String);

impl CreditCode {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let code: String = raw.trim().to_ascii_uppercase();
        let count = code.chars().count();
        if count != 18 {
            return Err(FieldError::new(field, format!("应为18位，实际为{count}位")));
        }
        let mut values = [0u32; 18];
        for (i, c) in code.chars().enumerate() {
            values[i] = value_of(c).ok_or_else(|| {
                FieldError::new(
                    field,
                    format!(
                        "第{}位“{c}”不是有效字符（代码只用数字和除I、O、Z、S、V外的大写字母）",
                        i + 1
                    ),
                )
            })?;
        }
        if !code[2..8].chars().all(|c| c.is_ascii_digit()) {
            return Err(FieldError::new(
                field,
                "第3至8位应为行政区划代码（6位数字）",
            ));
        }
        if check_value(&values[..17]) != values[17] {
            return Err(FieldError::new(
                field,
                "校验位（第18位）不符，请核对代码是否抄错",
            ));
        }
        Ok(CreditCode(code))
    }

    /// Completes 17 characters with their check character; the demo data and tests use it to
    /// make codes of the real format.
    pub fn with_check_char(first17: &str) -> Option<Self> {
        let mut values = Vec::with_capacity(17);
        for c in first17.chars() {
            values.push(value_of(c)?);
        }
        if values.len() != 17 {
            return None;
        }
        let check = ALPHABET[check_value(&values) as usize] as char;
        Some(CreditCode(format!("{first17}{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The administrative division where the code was issued (positions 3–8).
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn value_of(c: char) -> Option<u32> {
    let byte = u8::try_from(c).ok()?;
    ALPHABET
        .iter()
        .position(|a| *a == byte)
        .and_then(|p| u32::try_from(p).ok())
}

fn check_value(values: &[u32]) -> u32 {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    (31 - sum % 31) % 31
}

#[cfg(test)]
mod tests {
    use super::*;

    // The standard's own example and two codes of registered firms, as published.
    const REAL: [&str; 3] = [
        "91350100M000100Y43",
        "91110108551385082Q",
        "91440300708461136T",
    ];

    #[test]
    fn real_codes_are_accepted() {
        for code in REAL {
            assert_eq!(
                CreditCode::parse("统一社会信用代码", code).map(|c| c.0),
                Ok(code.to_owned())
            );
        }
    }

    #[test]
    fn lowercase_and_spaces_are_normalised() {
        let code = CreditCode::parse("代码", " 91350100m000100y43 ").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
        assert_eq!(code.division_code(), "350100");
    }

    #[test]
    fn every_one_character_change_of_a_real_code_is_rejected() {
        for code in REAL {
            for pos in 0..18 {
                for replacement in ALPHABET.iter().map(|b| *b as char) {
                    let mut chars: Vec<char> = code.chars().collect();
                    if chars[pos] == replacement {
                        continue;
                    }
                    chars[pos] = replacement;
                    let changed: String = chars.into_iter().collect();
                    assert!(
                        CreditCode::parse("代码", &changed).is_err(),
                        "{changed} was accepted"
                    );
                }
            }
        }
    }

    #[test]
    fn a_one_digit_off_code_names_the_check_position() {
        let err = CreditCode::parse("统一社会信用代码", "91350100M000100Y44").unwrap_err();
        assert_eq!(
            err.to_string(),
            "统一社会信用代码: 校验位（第18位）不符，请核对代码是否抄错"
        );
    }

    #[test]
    fn wrong_length_and_forbidden_letters_say_so() {
        let short = CreditCode::parse("代码", "9135010").unwrap_err();
        assert_eq!(short.message, "应为18位，实际为7位");
        let letter_o = CreditCode::parse("代码", "91350100M0001O0Y43").unwrap_err();
        assert!(
            letter_o.message.starts_with("第14位“O”"),
            "{}",
            letter_o.message
        );
        let division = CreditCode::parse("代码", "91A50100M000100Y43").unwrap_err();
        assert!(division.message.contains("行政区划"));
    }

    #[test]
    fn with_check_char_completes_a_valid_code() {
        let made = CreditCode::with_check_char("91230500MA1BXYGK0").unwrap();
        assert!(CreditCode::parse("代码", made.as_str()).is_ok());
        assert!(CreditCode::with_check_char("9123050").is_none());
    }
}
