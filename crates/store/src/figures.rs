//! Reading what the figures are computed from, and the records a drill-down lists.
//!
//! A scoreboard reads one row per project (its derived milestone dates, migration 4), one per
//! fund and one per visit, each with only the columns a figure looks at: at a million projects
//! the read is what costs, and the computation itself is done in memory by `domain::figures`.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::figures::facts::{FactFund, FactProject, FactUnit, FactVisit, Facts, Milestones};
use domain::records::{Fund, ScoreGroup, UnitKind, Visit};
use futures_util::TryStreamExt;
use sqlx::Row;

use crate::read::{corrupt, fund_from_row, visit_from_row};
use crate::{ProjectSummary, Result, Store};

/// An ISO date as stored, parsed without the generality of a format string.
fn day(text: &str) -> Result<NaiveDate> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| {
            NaiveDate::from_ymd_opt(
                i32::try_from(digits(0..4)?).ok()?,
                digits(5..7)?,
                digits(8..10)?,
            )
        })
        .flatten()
        .ok_or_else(|| corrupt("日期", text))
}

fn opt_day(text: Option<String>) -> Result<Option<NaiveDate>> {
    text.as_deref().map(day).transpose()
}

impl Store {
    /// Everything a scoreboard needs, read in a handful of queries.
    pub async fn figure_facts(&self) -> Result<Facts> {
        let mut units = Vec::new();
        let mut unit_index: HashMap<i64, u32> = HashMap::new();
        let rows = sqlx::query("SELECT id, name, kind, score_group FROM units ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        for row in &rows {
            let id: i64 = row.try_get(0)?;
            let kind: String = row.try_get(2)?;
            let group: Option<String> = row.try_get(3)?;
            unit_index.insert(id, units.len() as u32);
            units.push(FactUnit {
                id,
                name: row.try_get(1)?,
                kind: UnitKind::from_code(&kind).ok_or_else(|| corrupt("单位类型", &kind))?,
                group: group
                    .map(|g| ScoreGroup::from_code(&g).ok_or_else(|| corrupt("分组", &g)))
                    .transpose()?,
            });
        }
        let unit = |id: i64| {
            unit_index
                .get(&id)
                .copied()
                .ok_or_else(|| corrupt("单位", &id.to_string()))
        };

        let mut projects = Vec::new();
        let mut project_index: HashMap<i64, u32> = HashMap::new();
        let mut rows = sqlx::query(
            "SELECT id, territory_unit_id, first_on, signed_on, signed_value, landed_on, started_on, \
             production_on, capacity_on, resumed_on FROM projects ORDER BY id",
        )
        .fetch(self.pool());
        while let Some(row) = rows.try_next().await? {
            let id: i64 = row.try_get(0)?;
            let signed_on = opt_day(row.try_get(3)?)?;
            let signed_value: Option<i64> = row.try_get(4)?;
            let resumed: Option<String> = row.try_get(9)?;
            let resumed_on = match resumed.as_deref() {
                None | Some("") => Vec::new(),
                Some(list) => list.split(',').map(day).collect::<Result<_>>()?,
            };
            project_index.insert(id, projects.len() as u32);
            projects.push(FactProject {
                id,
                territory: unit(row.try_get(1)?)?,
                credited: Vec::new(),
                milestones: Milestones {
                    first_on: opt_day(row.try_get(2)?)?,
                    signed: signed_on.map(|d| (d, signed_value.unwrap_or(0))),
                    landed_on: opt_day(row.try_get(5)?)?,
                    started_on: opt_day(row.try_get(6)?)?,
                    production_on: opt_day(row.try_get(7)?)?,
                    capacity_on: opt_day(row.try_get(8)?)?,
                    resumed_on,
                },
            });
        }
        drop(rows);
        let project = |id: i64| {
            project_index
                .get(&id)
                .copied()
                .ok_or_else(|| corrupt("项目", &id.to_string()))
        };

        let mut rows = sqlx::query(
            "SELECT project_id, unit_id FROM project_credits ORDER BY project_id, position",
        )
        .fetch(self.pool());
        while let Some(row) = rows.try_next().await? {
            let p = project(row.try_get(0)?)?;
            let u = unit(row.try_get(1)?)?;
            projects[p as usize].credited.push(u);
        }
        drop(rows);

        let mut funds = Vec::new();
        let mut rows = sqlx::query(
            "SELECT id, project_id, fund_date, amount, currency, verified FROM funds \
             WHERE currency IN ('CNY', 'USD') ORDER BY id",
        )
        .fetch(self.pool());
        while let Some(row) = rows.try_next().await? {
            let date: String = row.try_get(2)?;
            let currency: String = row.try_get(4)?;
            funds.push(FactFund {
                id: row.try_get(0)?,
                project: project(row.try_get(1)?)?,
                date: day(&date)?,
                amount: row.try_get(3)?,
                usd: currency == "USD",
                verified: row.try_get::<i64, _>(5)? != 0,
            });
        }
        drop(rows);

        let mut visits = Vec::new();
        let mut rows = sqlx::query("SELECT id, visit_date, unit_id FROM visits ORDER BY id")
            .fetch(self.pool());
        while let Some(row) = rows.try_next().await? {
            let date: String = row.try_get(1)?;
            let unit_id: Option<i64> = row.try_get(2)?;
            visits.push(FactVisit {
                id: row.try_get(0)?,
                date: day(&date)?,
                unit: unit_id.map(unit).transpose()?,
            });
        }
        drop(rows);

        Ok(Facts {
            units,
            projects,
            funds,
            visits,
            targets: self.targets().await?,
        })
    }

    /// The projects with these ids, in the order given.
    pub async fn project_summaries(&self, ids: &[i64]) -> Result<Vec<ProjectSummary>> {
        let mut by_id = HashMap::new();
        for chunk in ids.chunks(500) {
            for (id, summary) in self.summaries_where_ids(chunk).await? {
                by_id.insert(id, summary);
            }
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// The fund records with these ids, in the order given.
    pub async fn funds_by_id(&self, ids: &[i64]) -> Result<Vec<(i64, Fund)>> {
        let mut by_id = HashMap::new();
        for chunk in ids.chunks(500) {
            let sql = sqlx::AssertSqlSafe(format!(
                "{} WHERE f.id IN ({})",
                crate::read::FUND_SELECT,
                id_list(chunk)
            ));
            for row in sqlx::query(sql).fetch_all(self.pool()).await? {
                let (id, fund) = fund_from_row(&row)?;
                by_id.insert(id, fund);
            }
        }
        Ok(ids
            .iter()
            .filter_map(|id| by_id.remove(id).map(|f| (*id, f)))
            .collect())
    }

    /// The visit records with these ids, in the order given.
    pub async fn visits_by_id(&self, ids: &[i64]) -> Result<Vec<Visit>> {
        let mut by_id = HashMap::new();
        for chunk in ids.chunks(500) {
            let sql = sqlx::AssertSqlSafe(format!(
                "{} WHERE v.id IN ({})",
                crate::read::VISIT_SELECT,
                id_list(chunk)
            ));
            for row in sqlx::query(sql).fetch_all(self.pool()).await? {
                let id: i64 = row.try_get(11)?;
                by_id.insert(id, visit_from_row(&row)?);
            }
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }
}

/// Ids are integers the caller took from the database, so they are written into the SQL.
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}
