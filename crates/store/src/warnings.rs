//! The warning thresholds, the day follow-up is judged on, and what the warnings of a list of
//! projects are computed from — read in a few set-wise queries, handed to `domain::warnings`.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::responsibility::ElementItem;
use domain::warnings::{ProjectSituation, WarningRules};
use domain::{EventKind, Stage};
use sqlx::Row;

use crate::projects::listing::{SUMMARY_COLUMNS, summary_from_row};
use crate::rows::{corrupt, parse_day};
use crate::{ProjectFilter, ProjectSummary, Result, Store, Tx};

const WARNING_RULES_KEY: &str = "warning_rules";
const AS_OF_KEY: &str = "records_as_of";

impl Tx {
    /// Declares that the records describe the city as of `on` (the demo), so that deadlines and
    /// warnings are judged on that day; logged.
    pub async fn set_records_as_of(&mut self, on: NaiveDate) -> Result<()> {
        let text = on.format("%Y-%m-%d").to_string();
        sqlx::query("DELETE FROM settings WHERE key = $1")
            .bind(AS_OF_KEY)
            .execute(self.conn())
            .await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
            .bind(AS_OF_KEY)
            .bind(&text)
            .execute(self.conn())
            .await?;
        self.log("settings", AS_OF_KEY, "set", None::<&()>, Some(&text))
            .await
    }

    /// Sets the warning thresholds, logged.
    pub async fn set_warning_rules(&mut self, rules: &WarningRules) -> Result<()> {
        let before = read_rules(self.conn()).await?;
        if before == *rules {
            return Ok(());
        }
        let json = serde_json::to_string(rules).unwrap_or_default();
        sqlx::query("DELETE FROM settings WHERE key = $1")
            .bind(WARNING_RULES_KEY)
            .execute(self.conn())
            .await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
            .bind(WARNING_RULES_KEY)
            .bind(json)
            .execute(self.conn())
            .await?;
        self.log(
            "settings",
            WARNING_RULES_KEY,
            "set",
            Some(&before),
            Some(rules),
        )
        .await
    }
}

async fn read_rules(conn: &mut sqlx::AnyConnection) -> Result<WarningRules> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(WARNING_RULES_KEY)
        .fetch_optional(conn)
        .await?;
    match row {
        None => Ok(WarningRules::default()),
        Some(row) => {
            let text: String = row.try_get("value")?;
            serde_json::from_str(&text).map_err(|_| corrupt("预警规则", &text))
        }
    }
}

impl Store {
    /// The day follow-up is judged on (deadlines, warnings): today, unless the database says
    /// its records describe the city as of an earlier day, as the demo's do (2022-06-30).
    pub async fn follow_up_date(&self) -> Result<NaiveDate> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(AS_OF_KEY)
            .fetch_optional(self.pool())
            .await?;
        match row {
            None => Ok(crate::today_in_china()),
            Some(row) => {
                let text: String = row.try_get("value")?;
                parse_day(&text)
            }
        }
    }

    /// The warning thresholds in force: SPEC §2's defaults until 招商局 changes them.
    pub async fn warning_rules(&self) -> Result<WarningRules> {
        let mut conn = self.pool().acquire().await?;
        read_rules(&mut conn).await
    }

    /// For each project `filter` selects (ignoring its paging), what its warnings are computed
    /// from as of `today`, by 项目编号.
    pub async fn project_situations(
        &self,
        filter: &ProjectFilter,
        today: NaiveDate,
    ) -> Result<Vec<(ProjectSummary, ProjectSituation)>> {
        let (from, clause, params) = crate::projects::listing::matching(filter);
        // A project held or confirmed in 重复研判 counts in no figure, and so raises no
        // warning: the project it repeats carries them.
        let counted = crate::projects::duplicates::COUNTED;
        let clause = if clause.is_empty() {
            format!("WHERE {counted}")
        } else {
            format!("{clause} AND {counted}")
        };
        let today_text = today.format("%Y-%m-%d").to_string();
        let started = EventKind::Stage(Stage::Started).code();
        let production = EventKind::Stage(Stage::Production).code();
        let (suspend_code, stall_code) = (EventKind::Suspend.code(), EventKind::Stall.code());
        let sql = sqlx::AssertSqlSafe(format!(
            "{SUMMARY_COLUMNS}, p.signed_value, p.stage, p.landed_on, p.started_on, \
             (SELECT MAX(e.event_date) FROM events e WHERE e.project_id = p.id) AS last_event, \
             (SELECT MAX(v.visit_date) FROM visits v WHERE v.project_id = p.id AND v.withdrawn_at IS NULL) AS last_visit, \
             (SELECT pp.planned_on FROM project_plans pp WHERE pp.project_id = p.id AND pp.stage = '{started}') \
             AS planned_start, \
             (SELECT pp.planned_on FROM project_plans pp WHERE pp.project_id = p.id AND pp.stage = '{production}') \
             AS planned_production, \
             (SELECT MAX(e.event_date) FROM events e WHERE e.project_id = p.id \
              AND e.kind IN ('{suspend_code}', '{stall_code}') AND e.withdrawn = 0) AS paused_on, \
             (SELECT CAST(SUM(f.amount) AS BIGINT) FROM funds f WHERE f.project_id = p.id AND f.currency = 'CNY' AND f.withdrawn_at IS NULL) \
             AS funds_in_place, \
             CASE WHEN EXISTS (SELECT 1 FROM financing_plans fp WHERE fp.project_id = p.id) THEN 1 ELSE 0 END \
             AS has_financing \
             {from} {clause} ORDER BY p.code"
        ));
        let mut query = sqlx::query(sql);
        for value in &params {
            query = query.bind(value.clone());
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut index: HashMap<String, usize> = HashMap::new();
        for row in &rows {
            let day = |column: &str| -> Result<Option<NaiveDate>> {
                let text: Option<String> = row.try_get(column)?;
                text.as_deref().map(parse_day).transpose()
            };
            let summary = summary_from_row(row)?;
            let signed_value: Option<i64> = row.try_get("signed_value")?;
            let stage: Option<String> = row.try_get("stage")?;
            let stage = match stage.as_deref().map(EventKind::from_code) {
                None => None,
                Some(Some(EventKind::Stage(s))) => Some(s),
                Some(_) => return Err(corrupt("阶段", stage.as_deref().unwrap_or_default())),
            };
            let (terminated, stalled) = domain::stage::label_flags(&summary.state);
            let last_activity = day("last_event")?.max(day("last_visit")?);
            let situation = ProjectSituation {
                stage,
                terminated,
                stalled,
                suspended: summary.state == domain::stage::SUSPENDED_LABEL,
                paused_on: day("paused_on")?,
                last_activity,
                signed: summary.signed_on.zip(signed_value),
                landed_on: day("landed_on")?,
                started_on: day("started_on")?,
                planned_start: day("planned_start")?,
                planned_production: day("planned_production")?,
                overdue_elements: Vec::new(),
                overdue_blockers: Vec::new(),
                funds_in_place: row
                    .try_get::<Option<i64>, _>("funds_in_place")?
                    .unwrap_or(0),
                has_financing: row.try_get::<i64, _>("has_financing")? != 0,
            };
            index.insert(summary.code.clone(), out.len());
            out.push((summary, situation));
        }
        // The overdue items and blockers of the same projects: the filter's joins and
        // conditions, and the day as the next parameter.
        let scoped = |join: &str, condition: &str| {
            let next = params.len() + 1;
            let condition = condition.replace("$day", &format!("${next}"));
            let clause = if clause.is_empty() {
                format!("WHERE {condition}")
            } else {
                format!("{clause} AND {condition}")
            };
            format!("{from} {join} {clause}")
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT p.code, e.item, e.due_on {} ORDER BY p.code, e.due_on",
            scoped(
                "JOIN element_items e ON e.project_id = p.id",
                "e.status IN ('未启动', '办理中') AND e.due_on < $day",
            )
        ));
        let mut query = sqlx::query(sql);
        for value in params.iter().chain([&today_text]) {
            query = query.bind(value.clone());
        }
        let overdue_elements = query.fetch_all(self.pool()).await?;
        for row in &overdue_elements {
            let code: String = row.try_get("code")?;
            let Some(&i) = index.get(&code) else { continue };
            let item: String = row.try_get("item")?;
            let due: String = row.try_get("due_on")?;
            out[i].1.overdue_elements.push((
                ElementItem::parse("要素", &item).map_err(|_| corrupt("要素", &item))?,
                parse_day(&due)?,
            ));
        }
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT p.code, b.description, b.deadline {} ORDER BY p.code, b.deadline, b.id",
            scoped(
                "JOIN blockers b ON b.project_id = p.id",
                "b.status <> '已解决' AND b.deadline < $day",
            )
        ));
        let mut query = sqlx::query(sql);
        for value in params.iter().chain([&today_text]) {
            query = query.bind(value.clone());
        }
        let overdue_blockers = query.fetch_all(self.pool()).await?;
        for row in &overdue_blockers {
            let code: String = row.try_get("code")?;
            let Some(&i) = index.get(&code) else { continue };
            let deadline: String = row.try_get("deadline")?;
            out[i]
                .1
                .overdue_blockers
                .push((row.try_get("description")?, parse_day(&deadline)?));
        }
        Ok(out)
    }
}
