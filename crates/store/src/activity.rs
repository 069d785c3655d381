//! Funds in place and visits: appended records, each reported once if repeated (敲门计划 in
//! `visit_plans.rs`).

use chrono::Datelike;
use domain::FieldError;
use domain::records::{Fund, Visit, value_lists};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows::{credit_code, currency, money, parse_day};
use crate::tx::{Added, Named, Tx};
use crate::{Result, Store, StoreError, now_millis};

impl Tx {
    /// Records money in place; an exact duplicate of an existing record is not added.
    pub async fn add_fund(&mut self, fund: &Fund) -> Result<Added> {
        // The fund's project may still be queued.
        self.flush().await?;
        let project_id = self.project_id(&fund.project_code).await?;
        self.check_listed(value_lists::FUND_SOURCE, "来源", fund.source.as_deref())
            .await?;
        let date = fund.date.format("%Y-%m-%d").to_string();
        self.check_window(fund.date).await?;
        if fund.date > self.today {
            return Err(StoreError::Invalid(FieldError::new(
                "日期",
                format!("不能晚于今天（{}）", self.today),
            )));
        }
        let duplicate = sqlx::query(
            "SELECT id FROM funds WHERE project_id = $1 AND fund_date = $2 AND amount = $3 AND currency = $4 \
             AND COALESCE(source, '') = $5 AND verified = $6 AND withdrawn_at IS NULL",
        )
        .bind(project_id)
        .bind(&date)
        .bind(fund.amount.units())
        .bind(fund.currency.code())
        .bind(fund.source.clone().unwrap_or_default())
        .bind(i64::from(fund.verified))
        .fetch_optional(&mut *self.tx)
        .await?;
        if duplicate.is_some() {
            return Ok(Added::Duplicate);
        }
        let verifier = if fund.verified {
            fund.verifier.clone().or_else(|| Some(self.actor.clone()))
        } else {
            None
        };
        let id: i64 = sqlx::query(
            "INSERT INTO funds (project_id, fund_date, amount, currency, source, verified, verifier, evidence, \
             illustrative, created_at, created_by, review) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(project_id)
        .bind(&date)
        .bind(fund.amount.units())
        .bind(fund.currency.code())
        .bind(&fund.source)
        .bind(i64::from(fund.verified))
        .bind(verifier)
        .bind(&fund.evidence)
        .bind(i64::from(fund.illustrative))
        .bind(now_millis())
        .bind(&self.actor)
        .bind(self.entry_review.code())
        .fetch_one(&mut *self.tx)
        .await?
        .try_get("id")?;
        self.log::<(), _>("fund", &id.to_string(), "create", None, Some(fund))
            .await?;
        Ok(Added::Added(id))
    }

    /// 核实: confirms a fund record, naming who verified it.
    pub async fn verify_fund(&mut self, fund_id: i64) -> Result<()> {
        let row = sqlx::query("SELECT verified FROM funds WHERE id = $1")
            .bind(fund_id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("到位资金记录{fund_id}不存在")))?;
        if row.try_get::<i64, _>("verified")? != 0 {
            return Err(StoreError::invalid("已核实", "该记录已核实"));
        }
        sqlx::query("UPDATE funds SET verified = 1, verifier = $1, verified_at = $2 WHERE id = $3")
            .bind(&self.actor)
            .bind(now_millis())
            .bind(fund_id)
            .execute(&mut *self.tx)
            .await?;
        let actor = self.actor.clone();
        self.log(
            "fund",
            &fund_id.to_string(),
            "verify",
            Some(&false),
            Some(&(true, actor)),
        )
        .await?;
        Ok(())
    }

    /// A visit's unit, project and contact ids, after the checks every visit written passes:
    /// the names held, the contact one of the firm's, the mode listed, the month open, the
    /// date not in the future.
    pub(crate) async fn visit_references(
        &mut self,
        visit: &Visit,
    ) -> Result<(Option<i64>, Option<i64>, Option<i64>)> {
        let unit = self
            .resolve_opt(Named::Unit, "单位", visit.unit.as_deref())
            .await?;
        let project = self
            .resolve_opt(Named::Project, "项目编号", visit.project_code.as_deref())
            .await?;
        let contact = self.visit_contact(visit).await?;
        self.check_listed(value_lists::VISIT_MODE, "方式", visit.mode.as_deref())
            .await?;
        self.check_window(visit.date).await?;
        if visit.date > self.today {
            return Err(StoreError::Invalid(FieldError::new(
                "日期",
                format!("不能晚于今天（{}）", self.today),
            )));
        }
        // The pages read years from 2000 on: an earlier date is a typing slip.
        if visit.date.year() < 2000 {
            return Err(StoreError::Invalid(FieldError::new(
                "日期",
                "不能早于2000年",
            )));
        }
        Ok((unit, project, contact))
    }

    /// The visit as it is kept: a firm named without a credit code is the firm of that name —
    /// the record kept when that name was merged into another (its name and code), refused
    /// when several firms carry the name (the code tells them apart).
    pub(crate) async fn visit_firm(&mut self, visit: &Visit) -> Result<Visit> {
        let mut visit = visit.clone();
        let Some(name) = visit
            .enterprise
            .clone()
            .filter(|_| visit.enterprise_code.is_none())
        else {
            return Ok(visit);
        };
        let rows = sqlx::query(
            "SELECT COALESCE(k.name, e.name) AS name, COALESCE(k.credit_code, e.credit_code) AS code, \
             COALESCE(e.merged_into, e.id) AS firm FROM enterprises e \
             LEFT JOIN enterprises k ON k.id = e.merged_into WHERE e.name = $1 ORDER BY e.id LIMIT 10",
        )
        .bind(&name)
        .fetch_all(&mut *self.tx)
        .await?;
        let mut firms: Vec<(i64, String, Option<String>)> = Vec::new();
        for row in &rows {
            let firm: i64 = row.try_get("firm")?;
            if !firms.iter().any(|(f, _, _)| *f == firm) {
                firms.push((firm, row.try_get("name")?, row.try_get("code")?));
            }
        }
        match firms.as_slice() {
            [(_, kept, code)] if *kept != name => {
                visit.enterprise = Some(kept.clone());
                visit.enterprise_code = credit_code(code.clone())?;
            }
            [_, _, ..] => {
                return Err(StoreError::Invalid(FieldError::new(
                    "统一社会信用代码",
                    format!(
                        "企业库中有{}家企业名为“{name}”，请填写统一社会信用代码以区分",
                        firms.len()
                    ),
                )));
            }
            _ => {}
        }
        Ok(visit)
    }

    /// The contact a visit names, among the contacts of the firm it names.
    async fn visit_contact(&mut self, visit: &Visit) -> Result<Option<i64>> {
        let Some(contact) = visit.contact.as_deref().filter(|c| !c.trim().is_empty()) else {
            return Ok(None);
        };
        let Some(firm) = visit.enterprise.as_deref() else {
            return Err(StoreError::Invalid(FieldError::new(
                "接待联系人",
                "请先填写所对接的企业",
            )));
        };
        let code = visit
            .enterprise_code
            .as_ref()
            .map(|c| c.as_str().to_owned());
        let found = sqlx::query(
            "SELECT c.id FROM enterprise_contacts c JOIN enterprises e ON e.id = c.enterprise_id \
             WHERE c.name = $1 AND (e.credit_code = $2 OR (e.name = $3 AND e.merged_into IS NULL)) \
             ORDER BY c.id LIMIT 1",
        )
        .bind(contact.trim())
        .bind(code.unwrap_or_default())
        .bind(firm)
        .fetch_optional(&mut *self.tx)
        .await?;
        match found {
            Some(row) => Ok(Some(row.try_get(0)?)),
            None => Err(StoreError::Invalid(FieldError::new(
                "接待联系人",
                format!("“{contact}”不是“{firm}”登记的联系人，请先在企业画像中添加"),
            ))),
        }
    }

    /// Records a visit; an exact duplicate of an existing record is not added.
    pub async fn add_visit(&mut self, visit: &Visit) -> Result<Added> {
        // The visit's project may still be queued.
        self.flush().await?;
        let visit = &self.visit_firm(visit).await?;
        let (unit, project, contact) = self.visit_references(visit).await?;
        let date = visit.date.format("%Y-%m-%d").to_string();
        let code = visit
            .enterprise_code
            .as_ref()
            .map(|c| c.as_str().to_owned());
        let duplicate = sqlx::query(
            "SELECT id FROM visits WHERE visit_date = $1 AND COALESCE(unit_id, 0) = $2 \
             AND COALESCE(enterprise_name, '') = $3 AND COALESCE(credit_code, '') = $4 AND COALESCE(leaders, '') = $5 \
             AND COALESCE(mode, '') = $6 AND COALESCE(place, '') = $7 AND COALESCE(content, '') = $8 \
             AND COALESCE(outcome, '') = $9 AND COALESCE(project_id, 0) = $10 AND withdrawn_at IS NULL",
        )
        .bind(&date)
        .bind(unit.unwrap_or(0))
        .bind(visit.enterprise.clone().unwrap_or_default())
        .bind(code.clone().unwrap_or_default())
        .bind(visit.leaders.clone().unwrap_or_default())
        .bind(visit.mode.clone().unwrap_or_default())
        .bind(visit.place.clone().unwrap_or_default())
        .bind(visit.content.clone().unwrap_or_default())
        .bind(visit.outcome.clone().unwrap_or_default())
        .bind(project.unwrap_or(0))
        .fetch_optional(&mut *self.tx)
        .await?;
        if duplicate.is_some() {
            return Ok(Added::Duplicate);
        }
        let id: i64 = sqlx::query(
            "INSERT INTO visits (visit_date, unit_id, enterprise_name, credit_code, leaders, mode, place, content, \
             outcome, project_id, illustrative, created_at, created_by, review, contact_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        )
        .bind(&date)
        .bind(unit)
        .bind(&visit.enterprise)
        .bind(code)
        .bind(&visit.leaders)
        .bind(&visit.mode)
        .bind(&visit.place)
        .bind(&visit.content)
        .bind(&visit.outcome)
        .bind(project)
        .bind(i64::from(visit.illustrative))
        .bind(now_millis())
        .bind(&self.actor)
        .bind(self.entry_review.code())
        .bind(contact)
        .fetch_one(&mut *self.tx)
        .await?
        .try_get("id")?;
        self.log::<(), _>("visit", &id.to_string(), "create", None, Some(visit))
            .await?;
        Ok(Added::Added(id))
    }
}

/// A fund or visit withdrawn with its reason: kept, shown, counted nowhere.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Withdrawn {
    pub kind: &'static str,
    pub id: i64,
    pub on: String,
    pub what: String,
    pub reason: String,
    pub by: String,
    pub at: i64,
}

impl Tx {
    /// Withdraws a fund in place entered wrongly: it stays on record with `reason`, counts in
    /// no figure and leaves the review queue. Withdrawing twice is refused.
    pub async fn withdraw_fund(&mut self, fund_id: i64, reason: &str) -> Result<()> {
        self.withdraw("funds", "fund", fund_id, reason).await
    }

    /// As [`Tx::withdraw_fund`] for a visit (对接记录).
    pub async fn withdraw_visit(&mut self, visit_id: i64, reason: &str) -> Result<()> {
        self.withdraw("visits", "visit", visit_id, reason).await
    }

    async fn withdraw(
        &mut self,
        table: &'static str,
        entity: &'static str,
        id: i64,
        reason: &str,
    ) -> Result<()> {
        let reason = domain::text::required("撤回理由", reason)?;
        let sql = format!(
            "UPDATE {table} SET withdrawn_reason = $1, withdrawn_by = $2, withdrawn_at = $3 \
             WHERE id = $4 AND withdrawn_at IS NULL"
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&reason)
            .bind(self.actor.clone())
            .bind(now_millis())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("记录{id}不存在或已撤回")));
        }
        self.log::<(), _>(entity, &id.to_string(), "withdraw", None, Some(&reason))
            .await
    }
}

impl Store {
    /// The withdrawn funds and visits of a project, oldest first.
    pub async fn withdrawn_of(&self, code: &str) -> Result<Vec<Withdrawn>> {
        let rows = sqlx::query(
            "SELECT 'fund' AS kind, f.id, f.fund_date AS on_date, f.amount, NULL AS firm, f.withdrawn_reason, \
             f.withdrawn_by, f.withdrawn_at FROM funds f JOIN projects p ON p.id = f.project_id \
             WHERE p.code = $1 AND f.withdrawn_at IS NOT NULL \
             UNION ALL SELECT 'visit' AS kind, v.id, v.visit_date AS on_date, NULL AS amount, v.enterprise_name AS firm, \
             v.withdrawn_reason, v.withdrawn_by, v.withdrawn_at FROM visits v JOIN projects p ON p.id = v.project_id \
             WHERE p.code = $1 AND v.withdrawn_at IS NOT NULL ORDER BY withdrawn_at",
        )
        .bind(code)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                let amount: Option<i64> = r.try_get("amount")?;
                let firm: Option<String> = r.try_get("firm")?;
                Ok(Withdrawn {
                    kind: if kind == "fund" {
                        "到位资金"
                    } else {
                        "对接记录"
                    },
                    id: r.try_get("id")?,
                    on: r.try_get("on_date")?,
                    what: match amount {
                        Some(a) => domain::money::format_wan(money(Some(a))?.unwrap_or_default()),
                        None => firm.unwrap_or_default(),
                    },
                    reason: r.try_get("withdrawn_reason")?,
                    by: r.try_get("withdrawn_by")?,
                    at: r.try_get("withdrawn_at")?,
                })
            })
            .collect()
    }

    /// The unit a visit was recorded for (`Some(None)`: the city's own), `None` for no such
    /// live visit.
    pub async fn visit_unit(&self, visit_id: i64) -> Result<Option<Option<String>>> {
        let row = sqlx::query(
            "SELECT u.name FROM visits v LEFT JOIN units u ON u.id = v.unit_id \
             WHERE v.id = $1 AND v.withdrawn_at IS NULL",
        )
        .bind(visit_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok(r.try_get(0)?)).transpose()
    }

    /// The project a live fund belongs to.
    pub async fn fund_project(&self, fund_id: i64) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT p.code FROM funds f JOIN projects p ON p.id = f.project_id \
             WHERE f.id = $1 AND f.withdrawn_at IS NULL",
        )
        .bind(fund_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok(r.try_get(0)?)).transpose()
    }
}

pub(crate) const FUND_SELECT: &str = "SELECT f.id, p.code, f.fund_date, f.amount, f.currency, f.source, f.verified, \
     f.verifier, f.evidence, f.illustrative FROM funds f JOIN projects p ON p.id = f.project_id \
     WHERE f.withdrawn_at IS NULL";

pub(crate) const VISIT_SELECT: &str = "SELECT v.visit_date, u.name, v.enterprise_name, v.credit_code, v.leaders, \
     v.mode, v.place, v.content, v.outcome, p.code, v.illustrative, v.id, vc.name AS contact_name FROM visits v \
     LEFT JOIN units u ON u.id = v.unit_id LEFT JOIN projects p ON p.id = v.project_id \
     LEFT JOIN enterprise_contacts vc ON vc.id = v.contact_id \
     WHERE v.withdrawn_at IS NULL";

pub(crate) fn visit_from_row(row: &AnyRow) -> Result<Visit> {
    let date: String = row.try_get("visit_date")?;
    Ok(Visit {
        date: parse_day(&date)?,
        unit: row.try_get("name")?,
        enterprise: row.try_get("enterprise_name")?,
        enterprise_code: credit_code(row.try_get("credit_code")?)?,
        leaders: row.try_get("leaders")?,
        mode: row.try_get("mode")?,
        place: row.try_get("place")?,
        content: row.try_get("content")?,
        outcome: row.try_get("outcome")?,
        project_code: row.try_get("code")?,
        illustrative: row.try_get::<i64, _>("illustrative")? != 0,
        contact: row.try_get("contact_name")?,
    })
}

pub(crate) fn fund_from_row(row: &AnyRow) -> Result<(i64, Fund)> {
    let date: String = row.try_get("fund_date")?;
    let currency_code: String = row.try_get("currency")?;
    let fund = Fund {
        project_code: row.try_get("code")?,
        date: parse_day(&date)?,
        amount: money(Some(row.try_get("amount")?))?.unwrap_or_default(),
        currency: currency(&currency_code)?,
        source: row.try_get("source")?,
        verified: row.try_get::<i64, _>("verified")? != 0,
        verifier: row.try_get("verifier")?,
        evidence: row.try_get("evidence")?,
        illustrative: row.try_get::<i64, _>("illustrative")? != 0,
    };
    Ok((row.try_get("id")?, fund))
}

/// A fund as the 核实 queue lists it: its project, and when it was verified.
#[derive(Debug, Clone, PartialEq)]
pub struct FundLine {
    pub id: i64,
    pub project_name: String,
    pub territory: String,
    pub fund: Fund,
    /// When it was verified (milliseconds since the epoch).
    pub verified_at: Option<i64>,
}

impl Store {
    /// The funds in place of the projects `filter` selects, newest first: only the unverified
    /// or only the verified when `verified` says, only those dated in `year` when given.
    pub async fn fund_queue(
        &self,
        filter: &crate::ProjectFilter,
        verified: Option<bool>,
        year: Option<i32>,
    ) -> Result<Vec<FundLine>> {
        let (from, clause, mut params) = crate::projects::listing::matching(filter);
        let mut conditions = vec!["f.withdrawn_at IS NULL".to_owned()];
        if let Some(verified) = verified {
            conditions.push(format!("f.verified = {}", i64::from(verified)));
        }
        if let Some(year) = year {
            params.push(format!("{year:04}-01-01"));
            let from_day = params.len();
            params.push(format!("{:04}-01-01", year + 1));
            conditions.push(format!(
                "f.fund_date >= ${from_day} AND f.fund_date < ${}",
                params.len()
            ));
        }
        let clause = if clause.is_empty() {
            format!("WHERE {}", conditions.join(" AND "))
        } else {
            format!("{clause} AND {}", conditions.join(" AND "))
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT f.id, p.code, p.name AS project_name, u.name AS territory, f.fund_date, \
             f.amount, f.currency, f.source, f.verified, f.verifier, f.verified_at, f.evidence, \
             f.illustrative {from} JOIN funds f ON f.project_id = p.id {clause} \
             ORDER BY f.fund_date DESC, f.id DESC"
        ));
        let mut query = sqlx::query(sql);
        for value in &params {
            query = query.bind(value.clone());
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let (id, fund) = fund_from_row(row)?;
                Ok(FundLine {
                    id,
                    project_name: row.try_get("project_name")?,
                    territory: row.try_get("territory")?,
                    fund,
                    verified_at: row.try_get("verified_at")?,
                })
            })
            .collect()
    }

    /// Every fund-in-place record with its id, ordered by project, date and id.
    pub async fn funds(&self) -> Result<Vec<(i64, Fund)>> {
        let sql = sqlx::AssertSqlSafe(format!("{FUND_SELECT} ORDER BY p.code, f.fund_date, f.id"));
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter().map(fund_from_row).collect()
    }

    /// The fund-in-place records of one project, by date and id.
    pub async fn funds_of(&self, code: &str) -> Result<Vec<(i64, Fund)>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{FUND_SELECT} AND p.code = $1 ORDER BY f.fund_date, f.id"
        ));
        let rows = sqlx::query(sql).bind(code).fetch_all(self.pool()).await?;
        rows.iter().map(fund_from_row).collect()
    }

    /// Every visit record, ordered by date and id.
    pub async fn visits(&self) -> Result<Vec<Visit>> {
        let sql = sqlx::AssertSqlSafe(format!("{VISIT_SELECT} ORDER BY v.visit_date, v.id"));
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter().map(visit_from_row).collect()
    }

    /// The visits a scope reaches, oldest first: those of `unit` (a unit account's own), or
    /// every visit with `None` (the accounts that read the whole city), as
    /// `Actor::covers_unit` says.
    pub async fn visits_of(&self, unit: Option<&str>) -> Result<Vec<Visit>> {
        let Some(unit) = unit else {
            return self.visits().await;
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "{VISIT_SELECT} AND u.name = $1 ORDER BY v.visit_date, v.id"
        ));
        let rows = sqlx::query(sql).bind(unit).fetch_all(self.pool()).await?;
        rows.iter().map(visit_from_row).collect()
    }

    /// The visits recorded for a project with their ids, oldest first.
    pub async fn visits_of_project(&self, project_code: &str) -> Result<Vec<(i64, Visit)>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{VISIT_SELECT} AND p.code = $1 ORDER BY v.visit_date, v.id"
        ));
        let rows = sqlx::query(sql)
            .bind(project_code)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, visit_from_row(r)?)))
            .collect()
    }

    /// The visits to a firm: by its credit code, or by its name where a visit gave no code.
    pub async fn visits_to(&self, name: &str, code: Option<&str>) -> Result<Vec<Visit>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{VISIT_SELECT} AND (v.credit_code = $1 OR (v.credit_code IS NULL AND v.enterprise_name = $2)) \
             ORDER BY v.visit_date DESC, v.id DESC"
        ));
        let rows = sqlx::query(sql)
            .bind(code.unwrap_or(""))
            .bind(name)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(visit_from_row).collect()
    }
}
