//! A figure's value (exact counts, amounts and rates; as JSON) and its light against the target.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// An exact value: a count or amount, or a rate as numerator and denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    Count(i64),
    Ratio(i64, i64),
}

impl Amount {
    /// (numerator, denominator); `None` for a rate whose denominator is 0.
    pub(crate) fn fraction(self) -> Option<(i64, i64)> {
        match self {
            Amount::Count(n) => Some((n, 1)),
            Amount::Ratio(_, 0) => None,
            Amount::Ratio(n, d) => Some((n, d)),
        }
    }

    pub(crate) fn number(self) -> Option<Number> {
        match self {
            Amount::Count(n) => Some(Number::Int(n)),
            Amount::Ratio(_, 0) => None,
            Amount::Ratio(n, d) => Some(Number::Frac(n as f64 / d as f64)),
        }
    }

    /// Strictly greater, compared exactly; `None` when either has no value.
    pub(crate) fn exceeds(self, other: Amount) -> Option<bool> {
        let (a, b) = self.fraction()?;
        let (c, d) = other.fraction()?;
        Some(i128::from(a) * i128::from(d) > i128::from(c) * i128::from(b))
    }
}

/// A figure's value as JSON carries it: whole numbers for counts and amounts, fractions for rates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Number {
    Int(i64),
    Frac(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(n) => n as f64,
            Number::Frac(f) => f,
        }
    }
}

/// 红黄绿灯 of time against task (SPEC §2): yellow 10–30 points behind, red beyond 30.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    Green,
    Yellow,
    Red,
}

impl Light {
    pub fn label(self) -> &'static str {
        match self {
            Light::Green => "绿灯",
            Light::Yellow => "黄灯",
            Light::Red => "红灯",
        }
    }
}

/// How many points 任务进度 may lag 时间进度 before the light turns yellow, and beyond how many
/// it turns red.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LightThresholds {
    pub yellow_points: u32,
    pub red_points: u32,
}

impl Default for LightThresholds {
    /// SPEC §2: yellow 10–30 points behind, red beyond 30. The 晒单 always uses these, so that
    /// sheets published under different settings stay comparable.
    fn default() -> Self {
        LightThresholds {
            yellow_points: 10,
            red_points: 30,
        }
    }
}

/// The light of `cumulative` against a positive `target` at `end` (时间进度 counts both ends of
/// the year's days), compared exactly in integers.
pub fn time_task_light(
    cumulative: i64,
    target: i64,
    end: NaiveDate,
    thresholds: LightThresholds,
) -> Light {
    let days_in_year: i128 = if end.leap_year() { 366 } else { 365 };
    let (c, t) = (i128::from(cumulative), i128::from(target.max(1)));
    let (e, n) = (i128::from(end.ordinal()), days_in_year);
    // Points behind × n × t: 100·(e/n − c/t)·n·t.
    let gap = 100 * (e * t - c * n);
    if gap > i128::from(thresholds.red_points) * n * t {
        Light::Red
    } else if gap >= i128::from(thresholds.yellow_points) * n * t {
        Light::Yellow
    } else {
        Light::Green
    }
}

/// The light of a 任务进度 given as a fraction (a mean of several) against 时间进度 at `end`,
/// compared to nine decimals, as the rank compares means.
pub fn progress_light(task: f64, end: NaiveDate, thresholds: LightThresholds) -> Light {
    let days_in_year = if end.leap_year() { 366.0 } else { 365.0 };
    let time = f64::from(end.ordinal()) / days_in_year;
    let behind = ((time - task) * 100.0 * 1e9).round() as i64;
    let points = |p: u32| i64::from(p) * 1_000_000_000;
    if behind > points(thresholds.red_points) {
        Light::Red
    } else if behind >= points(thresholds.yellow_points) {
        Light::Yellow
    } else {
        Light::Green
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mean_progress_is_lit_as_a_single_figure_is() {
        let end = NaiveDate::from_ymd_opt(2022, 12, 31).unwrap_or_default();
        let t = LightThresholds::default();
        assert_eq!(progress_light(0.95, end, t), Light::Green);
        assert_eq!(
            progress_light(0.90, end, t),
            Light::Yellow,
            "10 points: yellow"
        );
        assert_eq!(
            progress_light(0.70, end, t),
            Light::Yellow,
            "30 points: still yellow"
        );
        assert_eq!(progress_light(0.69, end, t), Light::Red);
        assert_eq!(progress_light(1.317, end, t), Light::Green);
        // The same at the same points as time_task_light, which works in integers.
        for (c, target) in [(90, 100), (70, 100), (69, 100), (131, 100)] {
            assert_eq!(
                progress_light(f64::from(c) / f64::from(target), end, t),
                time_task_light(i64::from(c), i64::from(target), end, t)
            );
        }
    }
}
