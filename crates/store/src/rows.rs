//! Reading stored values back as the domain's: a value the domain refuses is a corrupt row
//! (a bug or a hand edit of the database), never a panic.

use chrono::NaiveDate;
use domain::{CreditCode, Currency, Money};

use crate::{Result, StoreError};

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value}"))
}

pub(crate) fn parse_day(value: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| corrupt("日期", value))
}

pub(crate) fn money(value: Option<i64>) -> Result<Option<Money>> {
    value
        .map(|v| Money::from_units("金额", v).map_err(|_| corrupt("金额", &v.to_string())))
        .transpose()
}

pub(crate) fn credit_code(value: Option<String>) -> Result<Option<CreditCode>> {
    value
        .map(|v| {
            CreditCode::parse("统一社会信用代码", &v).map_err(|_| corrupt("统一社会信用代码", &v))
        })
        .transpose()
}

pub(crate) fn currency(value: &str) -> Result<Currency> {
    Currency::from_code(value).ok_or_else(|| corrupt("币种", value))
}
