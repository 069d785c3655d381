//! A segment's best targets: the firms of its 大类 by an index range on `industry_code`,
//! ordered by the most points each could earn (built in SQL from the domain's `PointsBound`),
//! a page at a time until `Shortlist::take` says no later firm can enter.

use std::collections::HashMap;

use domain::CreditCode;
use domain::chains::{Candidate, PointsBound, Recommendation, Segment, Shortlist};
use sqlx::Row;

use crate::{Result, Store};

impl Store {
    /// The best `limit` firms of the database to approach for `segment` (see [`Shortlist`]),
    /// and how many firms its industries' divisions (大类) hold. Every firm of them is weighed:
    /// the database orders them by the most points each could earn ([`PointsBound`]), so the
    /// list is settled after a page or two however many the divisions hold.
    pub async fn shortlist(
        &self,
        segment: &Segment,
        home_province: &'static str,
        limit: usize,
    ) -> Result<(usize, Vec<Recommendation>)> {
        const PAGE: usize = 64;
        let mut list = Shortlist::new(segment, home_province, limit);
        let bound = PointsBound::of(segment, home_province);
        let divisions = bound.divisions();
        if divisions.is_empty() {
            return Ok((0, list.ranked()));
        }
        let mut binds: Vec<String> = Vec::new();
        let mut mark = |value: String| {
            binds.push(value);
            format!("${}", binds.len())
        };
        // Ranges on the indexed column rather than LIKE, which PostgreSQL will not index under
        // every collation; the divisions' ranges do not overlap.
        let within = divisions
            .iter()
            .map(|d| {
                format!(
                    "(industry_code >= {} AND industry_code < {})",
                    mark((*d).to_owned()),
                    mark(format!("{d}~"))
                )
            })
            .collect::<Vec<_>>()
            .join(" OR ");
        // A record merged into another is not a firm to target.
        let within = format!("({within}) AND merged_into IS NULL");
        let within_binds = divisions.len() * 2;
        let first_of = |cases: Vec<String>| format!("CASE {} ELSE 0 END", cases.join(" "));
        let industry = first_of(
            bound
                .industry
                .iter()
                .map(|(prefix, points)| {
                    let n = prefix.chars().count();
                    format!(
                        "WHEN substr(industry_code, 1, {n}) = {} THEN {points}",
                        mark(prefix.clone())
                    )
                })
                .collect(),
        );
        let size = first_of(
            bound
                .size
                .iter()
                .map(|(label, points)| {
                    format!("WHEN size = {} THEN {points}", mark((*label).to_owned()))
                })
                .collect(),
        );
        let flags = bound
            .flags
            .iter()
            .map(|(flag, points)| {
                format!(
                    "CASE WHEN COALESCE(tags, '') LIKE {} THEN {points} ELSE 0 END",
                    mark(format!("%{flag}%"))
                )
            })
            .collect::<Vec<_>>()
            .join(" + ");
        let region = first_of(
            bound
                .regions
                .iter()
                .map(|(province, points)| {
                    format!(
                        "WHEN province = {} THEN {points}",
                        mark((*province).to_owned())
                    )
                })
                .collect(),
        );
        let visited = format!(
            "CASE WHEN credit_code IN (SELECT credit_code FROM visits) THEN {} ELSE 0 END",
            bound.visited
        );
        let points = [industry, size, flags, region, visited]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" + ");
        let ordered = format!(
            "SELECT id, name, credit_code, industry_code, province, city, registered_capital, \
             founded_on, size, tags, CAST(NULL AS TEXT) AS scope, former_names, short_names, products, \
             CAST({points} AS BIGINT) AS bound \
             FROM enterprises WHERE {within} ORDER BY bound DESC, id LIMIT {PAGE}"
        );
        'pages: for page in 0.. {
            let sql = sqlx::AssertSqlSafe(format!("{ordered} OFFSET {}", page * PAGE));
            let mut query = sqlx::query(sql);
            for value in &binds {
                query = query.bind(value);
            }
            let rows = query.fetch_all(self.pool()).await?;
            let mut firms = Vec::with_capacity(rows.len());
            for row in &rows {
                let (id, firm) = crate::enterprises::from_row(row)?;
                firms.push((row.try_get::<i64, _>("bound")? as u32, id, firm));
            }
            let visits = self
                .visit_counts(firms.iter().filter_map(|(_, _, f)| f.credit_code.as_ref()))
                .await?;
            for (points, id, firm) in firms {
                let visits = firm
                    .credit_code
                    .as_ref()
                    .and_then(|c| visits.get(c.as_str()))
                    .copied()
                    .unwrap_or(0);
                if !list.take(points, &Candidate { id, firm, visits }) {
                    break 'pages;
                }
            }
            if rows.len() < PAGE {
                break;
            }
        }
        let count = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM enterprises WHERE {within}"));
        let mut query = sqlx::query(count);
        for value in &binds[..within_binds] {
            query = query.bind(value);
        }
        let matching = query.fetch_one(self.pool()).await?.try_get::<i64, _>(0)?;
        Ok((matching as usize, list.ranked()))
    }

    /// How many visits each of the firms `codes` has had (those with none are absent).
    async fn visit_counts(
        &self,
        codes: impl Iterator<Item = &CreditCode>,
    ) -> Result<HashMap<String, usize>> {
        let codes: Vec<&str> = codes.map(CreditCode::as_str).collect();
        let mut counts = HashMap::new();
        if codes.is_empty() {
            return Ok(counts);
        }
        let marks = (1..=codes.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT credit_code, COUNT(*) AS count FROM visits WHERE credit_code IN ({marks}) GROUP BY credit_code"
        ));
        let mut query = sqlx::query(sql);
        for code in codes {
            query = query.bind(code);
        }
        for row in query.fetch_all(self.pool()).await? {
            counts.insert(
                row.try_get("credit_code")?,
                row.try_get::<i64, _>("count")? as usize,
            );
        }
        Ok(counts)
    }
}
