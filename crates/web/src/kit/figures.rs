//! The scoreboard's period as a page's query carries it, the figures computed for it (always by
//! `domain::figures`, from the records as they are now), and how pages write a figure.

use chrono::{Datelike, NaiveDate};
use domain::figures::facts::Facts;
use domain::figures::{Indicator, Light, Measure, Number, RankWeights, Scoreboard, scoreboard};
use domain::money::format_wan;
use domain::{Money, Period};
use serde::{Deserialize, Serialize};

use super::error::WebError;
use super::user::CurrentUser;
use crate::AppState;

/// The period a scoreboard page shows, as its query string carries it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PeriodQuery {
    /// Text, not a number: inside a flattened query serde_urlencoded hands every value over
    /// as a string, and a typed field would refuse it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub year: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub period: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub as_of: String,
    /// `1` to count the records still in review as well (a view, never what is published).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pending: String,
}

impl PeriodQuery {
    /// The period asked for; without one, the latest year that holds records: the whole year
    /// when it is over, else the year to today.
    pub fn resolve(&self, facts: &Facts, today: NaiveDate) -> Result<Period, WebError> {
        let bad = |e: domain::FieldError| WebError::BadRequest(e.to_string());
        let as_of = match self.as_of.trim() {
            "" => None,
            text => Some(domain::period::parse_date("截至日期", text).map_err(bad)?),
        };
        let latest = facts.last_year().unwrap_or(today.year());
        let year = match self.year.trim() {
            "" => latest,
            text => text
                .parse()
                .map_err(|_| WebError::BadRequest(format!("年度：“{text}”不是年份")))?,
        };
        let code = match self.period.trim() {
            "" if year >= today.year() => "YTD",
            "" => "Y",
            code => code,
        };
        let as_of = match (code.eq_ignore_ascii_case("YTD"), as_of) {
            (true, None) if year == today.year() => Some(today),
            (true, None) => NaiveDate::from_ymd_opt(year, 12, 31),
            (_, as_of) => as_of,
        };
        Period::parse(year, code, as_of).map_err(bad)
    }

    pub fn of(period: &Period) -> Self {
        PeriodQuery {
            year: period.year().to_string(),
            period: period.code(),
            as_of: match period.kind() {
                domain::PeriodKind::YearToDate => period.end().to_string(),
                _ => String::new(),
            },
            pending: String::new(),
        }
    }

    pub fn counted(&self) -> store::Counted {
        if self.pending == "1" {
            store::Counted::WithPending
        } else {
            store::Counted::Approved
        }
    }
}

/// A value as a query string.
pub fn query_string<T: Serialize>(value: &T) -> String {
    serde_urlencoded::to_string(value).unwrap_or_default()
}

/// A figure's value as the pages show it: counts whole, amounts in 亿元 (万美元), rates in %.
pub fn show_value(indicator: Indicator, value: Option<Number>) -> String {
    match (indicator.measure(), value) {
        (_, None) => "—".to_owned(),
        (Measure::Count, Some(v)) => format!("{}", v.as_f64() as i64),
        (Measure::Yuan, Some(Number::Int(n))) => {
            domain::money::format_yi(Money::from_units("金额", n).unwrap_or(Money::ZERO))
        }
        (Measure::Dollars, Some(Number::Int(n))) => {
            format_wan(Money::from_units("金额", n).unwrap_or(Money::ZERO))
        }
        (Measure::Rate, Some(v)) => format!("{:.1}%", v.as_f64() * 100.0),
        (_, Some(v)) => format!("{}", v.as_f64()),
    }
}

/// The unit the pages write an indicator's values in.
pub fn unit_of(indicator: Indicator) -> &'static str {
    match indicator.measure() {
        Measure::Count => "",
        Measure::Yuan => "亿元",
        Measure::Dollars => "万美元",
        Measure::Rate => "",
    }
}

/// An indicator's name with the unit its values are shown in.
pub fn heading(indicator: Indicator) -> String {
    match unit_of(indicator) {
        "" => indicator.label().to_owned(),
        u => format!("{}（{u}）", indicator.label()),
    }
}

pub(crate) fn light_class(light: Option<Light>) -> &'static str {
    match light {
        Some(Light::Red) => "light red",
        Some(Light::Yellow) => "light yellow",
        Some(Light::Green) => "light green",
        None => "",
    }
}

/// The 包保县区 of the signed-in leader, for the rows to highlight (SPEC §1: a leader's own
/// scope highlighted); none for other accounts.
pub(crate) async fn own_units(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<String>, WebError> {
    Ok(match &user.user.leader {
        Some(leader) => state.store.leader_units(leader).await?,
        None => Vec::new(),
    })
}

/// The city's name: its root unit's, or 全市.
pub fn city_name(facts: &Facts) -> String {
    facts
        .units
        .iter()
        .find(|u| u.kind == domain::records::UnitKind::City)
        .map_or_else(|| "全市".to_owned(), |u| u.name.clone())
}

/// The city's name from its organisation, for pages without figures: its root unit's, or 本市.
pub async fn city_name_of(store: &store::Store) -> Result<String, WebError> {
    Ok(store
        .units()
        .await?
        .into_iter()
        .find(|u| u.kind == domain::records::UnitKind::City)
        .map_or_else(|| "本市".to_owned(), |u| u.name))
}

pub fn title(city: &str, period: &Period) -> String {
    format!("{city}{}招商引资晒单", period.label())
}

pub(crate) struct Computed {
    pub facts: std::sync::Arc<Facts>,
    pub period: Period,
    pub board: Scoreboard,
    pub city: String,
}

/// The records and the period a query asks for.
pub(crate) async fn records_for(
    state: &AppState,
    query: &PeriodQuery,
) -> Result<(std::sync::Arc<Facts>, Period), WebError> {
    let facts = state.store.figure_facts_counting(query.counted()).await?;
    let period = query.resolve(&facts, store::today_in_china())?;
    Ok((facts, period))
}

pub(crate) async fn compute(state: &AppState, query: &PeriodQuery) -> Result<Computed, WebError> {
    let (facts, period) = records_for(state, query).await?;
    let mut board = scoreboard(&facts, &period, &RankWeights::default());
    // Live pages judge lights by the bureau's thresholds, the warnings' too.
    board.relight(state.store.warning_rules().await?.lights());
    let city = city_name(&facts);
    Ok(Computed {
        facts,
        period,
        board,
        city,
    })
}
