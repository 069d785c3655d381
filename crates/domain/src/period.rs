//! Reporting periods: a month, quarter, half or whole calendar year, or the year to an as-of date.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PeriodKind {
    /// 1..=12
    Month(u32),
    /// 1..=4
    Quarter(u32),
    /// 1..=2
    Half(u32),
    Year,
    /// From 1 January to the as-of date.
    YearToDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    year: i32,
    kind: PeriodKind,
    start: NaiveDate,
    end: NaiveDate,
}

impl Period {
    /// `code` is one of M01..M12, Q1..Q4, H1, H2, Y, YTD; YTD needs `as_of` within `year`.
    pub fn parse(year: i32, code: &str, as_of: Option<NaiveDate>) -> Result<Self, FieldError> {
        let code = code.trim().to_ascii_uppercase();
        let bad = || {
            FieldError::new(
                "期间",
                format!("“{code}”不是可用的期间（M01–M12、Q1–Q4、H1、H2、Y、YTD）"),
            )
        };
        let number = |prefix: &str, max: u32| -> Option<u32> {
            let n: u32 = code.strip_prefix(prefix)?.parse().ok()?;
            (1..=max).contains(&n).then_some(n)
        };
        let kind = match code.as_str() {
            "Y" => PeriodKind::Year,
            "YTD" => PeriodKind::YearToDate,
            c if c.starts_with('M') && c.len() == 3 => {
                PeriodKind::Month(number("M", 12).ok_or_else(bad)?)
            }
            c if c.starts_with('Q') => PeriodKind::Quarter(number("Q", 4).ok_or_else(bad)?),
            c if c.starts_with('H') => PeriodKind::Half(number("H", 2).ok_or_else(bad)?),
            _ => return Err(bad()),
        };
        Self::new(year, kind, as_of)
    }

    pub fn new(year: i32, kind: PeriodKind, as_of: Option<NaiveDate>) -> Result<Self, FieldError> {
        if !(1990..=2200).contains(&year) {
            return Err(FieldError::new("年度", format!("{year}不是有效年度")));
        }
        let (start_month, end_month) = match kind {
            PeriodKind::Month(m) => (m, m),
            PeriodKind::Quarter(q) => (q * 3 - 2, q * 3),
            PeriodKind::Half(h) => (h * 6 - 5, h * 6),
            PeriodKind::Year | PeriodKind::YearToDate => (1, 12),
        };
        let invalid = || FieldError::new("期间", "期间无效");
        let start = NaiveDate::from_ymd_opt(year, start_month, 1).ok_or_else(invalid)?;
        let end = match kind {
            PeriodKind::YearToDate => {
                let as_of =
                    as_of.ok_or_else(|| FieldError::new("截至日期", "年初至今须给出截至日期"))?;
                if as_of.year() != year {
                    return Err(FieldError::new(
                        "截至日期",
                        format!("截至日期应在{year}年内"),
                    ));
                }
                as_of
            }
            _ => last_day_of_month(year, end_month).ok_or_else(invalid)?,
        };
        Ok(Period {
            year,
            kind,
            start,
            end,
        })
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> NaiveDate {
        self.end
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// The same period of another year; a year-to-date ending on 29 February ends on
    /// 28 February in a year without one.
    pub fn in_year(&self, year: i32) -> Result<Self, FieldError> {
        let as_of = match self.kind {
            PeriodKind::YearToDate => Some(
                NaiveDate::from_ymd_opt(year, self.end.month(), self.end.day())
                    .or_else(|| NaiveDate::from_ymd_opt(year, 2, 28))
                    .ok_or_else(|| FieldError::new("截至日期", "截至日期无效"))?,
            ),
            _ => None,
        };
        Self::new(year, self.kind, as_of)
    }

    pub fn code(&self) -> String {
        match self.kind {
            PeriodKind::Month(m) => format!("M{m:02}"),
            PeriodKind::Quarter(q) => format!("Q{q}"),
            PeriodKind::Half(h) => format!("H{h}"),
            PeriodKind::Year => "Y".to_owned(),
            PeriodKind::YearToDate => "YTD".to_owned(),
        }
    }

    /// How the seed's reports name the period: 2022年上半年, 2022年第三季度, 2022年1—5月.
    pub fn label(&self) -> String {
        let y = self.year;
        match self.kind {
            PeriodKind::Month(m) => format!("{y}年{m}月"),
            PeriodKind::Quarter(q) => {
                format!("{y}年第{}季度", ["一", "二", "三", "四"][q as usize - 1])
            }
            PeriodKind::Half(1) => format!("{y}年上半年"),
            PeriodKind::Half(_) => format!("{y}年下半年"),
            PeriodKind::Year => format!("{y}年"),
            PeriodKind::YearToDate => {
                format!("{y}年1月1日至{}月{}日", self.end.month(), self.end.day())
            }
        }
    }
}

/// `H:MM`, `HH:MM:SS` or `HH:MM:SS.fff`, within a day.
fn is_time_of_day(text: &str) -> bool {
    let mut parts = text.split(':');
    let hour = parts.next().and_then(|h| h.parse::<u32>().ok());
    let minute = parts.next().and_then(|m| m.parse::<u32>().ok());
    let second = parts
        .next()
        .map(|s| s.split('.').next().and_then(|s| s.parse::<u32>().ok()));
    parts.next().is_none()
        && hour.is_some_and(|h| h < 24)
        && minute.is_some_and(|m| m < 60)
        && second.is_none_or(|s| s.is_some_and(|s| s < 61))
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// Parses a date as people write it in files and forms: 2022-06-30, 2022/6/30, 2022.6.30,
/// 20220630 or 2022年6月30日.
pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    let full_width: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .collect();
    // A date with a time of day, as spreadsheets and databases write one (2022-01-05 00:00:00,
    // 2022-01-05T14:30): the day is what counts.
    let text = match full_width.split_once([' ', 'T']) {
        Some((day, time)) if is_time_of_day(time.trim()) => day,
        _ => full_width.as_str(),
    };
    let bad = || FieldError::new(field, format!("“{text}”不是有效日期（格式：2022-06-30）"));
    if text.is_empty() {
        return Err(FieldError::new(field, "不能为空"));
    }
    if text.len() == 8 && text.chars().all(|c| c.is_ascii_digit()) {
        return NaiveDate::parse_from_str(text, "%Y%m%d").map_err(|_| bad());
    }
    let normalised: String = text
        .trim_end_matches('日')
        .chars()
        .map(|c| {
            if matches!(c, '/' | '.' | '年' | '月') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let parts: Vec<&str> = normalised.split('-').collect();
    if parts.len() != 3 {
        return Err(bad());
    }
    let number = |s: &str| s.trim().parse::<u32>().ok();
    let (Some(y), Some(m), Some(d)) = (number(parts[0]), number(parts[1]), number(parts[2])) else {
        return Err(bad());
    };
    if parts[0].trim().len() != 4 {
        return Err(bad());
    }
    let year = i32::try_from(y).map_err(|_| bad())?;
    NaiveDate::from_ymd_opt(year, m, d).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_have_the_calendar_bounds() {
        let h1 = Period::parse(2022, "H1", None).unwrap();
        assert_eq!((h1.start(), h1.end()), (d(2022, 1, 1), d(2022, 6, 30)));
        let q3 = Period::parse(2022, "q3", None).unwrap();
        assert_eq!((q3.start(), q3.end()), (d(2022, 7, 1), d(2022, 9, 30)));
        let feb = Period::parse(2024, "M02", None).unwrap();
        assert_eq!(feb.end(), d(2024, 2, 29));
        let dec = Period::parse(2022, "M12", None).unwrap();
        assert_eq!(dec.end(), d(2022, 12, 31));
        assert_eq!(
            Period::parse(2022, "Y", None).unwrap().end(),
            d(2022, 12, 31)
        );
    }

    #[test]
    fn bad_codes_and_ytd_without_a_date_are_rejected() {
        for code in ["M13", "M00", "Q5", "H3", "X", "M1", ""] {
            assert!(Period::parse(2022, code, None).is_err(), "{code}");
        }
        assert_eq!(
            Period::parse(2022, "YTD", None).unwrap_err().to_string(),
            "截至日期: 年初至今须给出截至日期"
        );
        assert!(Period::parse(2022, "YTD", Some(d(2021, 5, 1))).is_err());
    }

    #[test]
    fn ytd_on_29_february_maps_to_28_february_last_year() {
        let ytd = Period::parse(2024, "YTD", Some(d(2024, 2, 29))).unwrap();
        let last = ytd.in_year(2023).unwrap();
        assert_eq!((last.start(), last.end()), (d(2023, 1, 1), d(2023, 2, 28)));
    }

    #[test]
    fn labels_read_as_the_reports_write_them() {
        assert_eq!(
            Period::parse(2022, "H1", None).unwrap().label(),
            "2022年上半年"
        );
        assert_eq!(
            Period::parse(2022, "Q3", None).unwrap().label(),
            "2022年第三季度"
        );
        assert_eq!(Period::parse(2022, "M05", None).unwrap().code(), "M05");
    }

    #[test]
    fn dates_are_read_in_the_forms_offices_write() {
        for text in [
            "2022-06-30",
            "2022/6/30",
            "2022.06.30",
            "20220630",
            "2022年6月30日",
            "2022-06-30 00:00:00",
            "2022-06-30T14:30",
            "2022/6/30 9:05:00.000",
            "２０２２－０６－３０",
        ] {
            assert_eq!(parse_date("日期", text), Ok(d(2022, 6, 30)), "{text}");
        }
        assert_eq!(
            parse_date("日期", "2022-02-30").unwrap_err().to_string(),
            "日期: “2022-02-30”不是有效日期（格式：2022-06-30）"
        );
        assert!(parse_date("日期", "22-6-30").is_err());
        assert!(parse_date("日期", "2022-06-30 25:00").is_err());
        assert!(parse_date("日期", "2022-06-30 later").is_err());
        assert_eq!(parse_date("日期", " ").unwrap_err().message, "不能为空");
    }
}
