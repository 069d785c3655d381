//! Queries that read records back as domain values. The row-level helpers take a connection, so that a [`Tx`]
//! reads its own writes through the same code as the [`Store`] reads committed data.
//!
//! [`Tx`]: crate::Tx

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::figures::Indicator;
use domain::records::{
    CapitalOrigin, Chain, Fund, Leader, Project, ScoreGroup, Target, Team, Unit, UnitKind, Visit,
};
use domain::stage::{
    Correction, NextStep, Progress, ProjectFacts, RecordedEvent, RuleContext, StageEvent,
    next_step, progress_of,
};
use domain::{CreditCode, Currency, EventKind, Money};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, Store, StoreError};

/// A project as stored, with its key and times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectRecord {
    pub id: i64,
    pub project: Project,
    pub created_at: i64,
    pub updated_at: i64,
    /// Moves on with every change of the record (an edit names the one it started from).
    pub version: i64,
}

/// Where a project stands: its record, its stored events, the progress they add up to, and
/// what is missing before its next step.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectStatus {
    pub record: ProjectRecord,
    pub events: Vec<RecordedEvent>,
    pub progress: Progress,
    pub next_step: NextStep,
}

/// One entry of the change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub entity: String,
    pub entity_key: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

const CHANGE_SELECT: &str =
    "SELECT id, at, actor, entity, entity_key, action, before_json, after_json FROM change_log";

fn change_entry(row: &sqlx::any::AnyRow) -> Result<ChangeEntry> {
    Ok(ChangeEntry {
        id: row.try_get(0)?,
        at: row.try_get(1)?,
        actor: row.try_get(2)?,
        entity: row.try_get(3)?,
        entity_key: row.try_get(4)?,
        action: row.try_get(5)?,
        before: row.try_get(6)?,
        after: row.try_get(7)?,
    })
}

const PROJECT_SELECT: &str = "SELECT p.id, p.code, p.name, e.name, e.credit_code, c.name, u.name, l.name, t.name, \
     p.source_mode, p.capital_origin, p.currency, p.planned_investment, p.signed_amount, p.key_project, \
     p.illustrative, p.created_at, p.updated_at, p.version \
     FROM projects p JOIN units u ON u.id = p.territory_unit_id \
     LEFT JOIN enterprises e ON e.id = p.enterprise_id LEFT JOIN chains c ON c.id = p.chain_id \
     LEFT JOIN leaders l ON l.id = p.leader_id LEFT JOIN teams t ON t.id = p.team_id";

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value}"))
}

pub(crate) fn parse_day(value: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| corrupt("日期", value))
}

fn money(value: Option<i64>) -> Result<Option<Money>> {
    value
        .map(|v| Money::from_units("金额", v).map_err(|_| corrupt("金额", &v.to_string())))
        .transpose()
}

fn credit_code(value: Option<String>) -> Result<Option<CreditCode>> {
    value
        .map(|v| {
            CreditCode::parse("统一社会信用代码", &v).map_err(|_| corrupt("统一社会信用代码", &v))
        })
        .transpose()
}

fn currency(value: &str) -> Result<Currency> {
    Currency::from_code(value).ok_or_else(|| corrupt("币种", value))
}

fn project_from_row(row: &AnyRow) -> Result<ProjectRecord> {
    let origin: String = row.try_get(10)?;
    let currency_code: String = row.try_get(11)?;
    let project = Project {
        code: row.try_get(1)?,
        name: row.try_get(2)?,
        investor: row.try_get(3)?,
        investor_code: credit_code(row.try_get(4)?)?,
        chain: row.try_get(5)?,
        territory: row.try_get(6)?,
        credited: Vec::new(),
        leader: row.try_get(7)?,
        team: row.try_get(8)?,
        source_mode: row.try_get(9)?,
        capital_origin: CapitalOrigin::from_code(&origin)
            .ok_or_else(|| corrupt("资金来源", &origin))?,
        currency: currency(&currency_code)?,
        planned_investment: money(row.try_get(12)?)?,
        signed_amount: money(row.try_get(13)?)?,
        key_project: row.try_get::<i64, _>(14)? != 0,
        illustrative: row.try_get::<i64, _>(15)? != 0,
    };
    Ok(ProjectRecord {
        id: row.try_get(0)?,
        project,
        created_at: row.try_get(16)?,
        updated_at: row.try_get(17)?,
        version: row.try_get(18)?,
    })
}

pub(crate) async fn project_by_code(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<ProjectRecord>> {
    let sql = sqlx::AssertSqlSafe(format!("{PROJECT_SELECT} WHERE p.code = $1"));
    let Some(row) = sqlx::query(sql)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let mut record = project_from_row(&row)?;
    let credited = sqlx::query(
        "SELECT u.name FROM project_credits pc JOIN units u ON u.id = pc.unit_id \
         WHERE pc.project_id = $1 ORDER BY pc.position",
    )
    .bind(record.id)
    .fetch_all(&mut *conn)
    .await?;
    record.project.credited = credited
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    Ok(Some(record))
}

fn event_from_row(row: &AnyRow) -> Result<RecordedEvent> {
    let kind_code: String = row.try_get(1)?;
    let date: String = row.try_get(2)?;
    let corrects: Option<i64> = row.try_get(9)?;
    let event = StageEvent {
        kind: EventKind::from_code(&kind_code).ok_or_else(|| corrupt("阶段", &kind_code))?,
        date: parse_day(&date)?,
        amount: money(row.try_get(3)?)?,
        company: credit_code(row.try_get(4)?)?,
        parcel: row.try_get(5)?,
        note: row.try_get(6)?,
        evidence: row.try_get(7)?,
    };
    let correction = match corrects {
        Some(corrects) => Some(Correction {
            corrects,
            reason: row.try_get::<Option<String>, _>(8)?.unwrap_or_default(),
            withdrawn: row.try_get::<i64, _>(10)? != 0,
        }),
        None => None,
    };
    Ok(RecordedEvent {
        id: row.try_get(0)?,
        event,
        correction,
        approved: row.try_get::<i64, _>(11)? != 0,
    })
}

const EVENT_COLUMNS: &str = "e.id, e.kind, e.event_date, e.amount, e.company_code, e.parcel, e.note, e.evidence, \
     e.correction_reason, e.corrects_id, e.withdrawn, CASE WHEN e.review = 'approved' THEN 1 ELSE 0 END";

pub(crate) async fn events_of_project(
    conn: &mut AnyConnection,
    project_id: i64,
) -> Result<Vec<RecordedEvent>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} FROM events e WHERE e.project_id = $1 ORDER BY e.id"
    ));
    let rows = sqlx::query(sql)
        .bind(project_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(event_from_row).collect()
}

/// Every stored event with its project's id, ordered by project and then as recorded.
pub(crate) async fn all_events_by_project(
    conn: &mut AnyConnection,
) -> Result<Vec<(i64, RecordedEvent)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS}, e.project_id FROM events e ORDER BY e.project_id, e.id"
    ));
    let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| Ok((row.try_get(12)?, event_from_row(row)?)))
        .collect()
}

pub(crate) const FUND_SELECT: &str = "SELECT f.id, p.code, f.fund_date, f.amount, f.currency, f.source, f.verified, \
     f.verifier, f.evidence, f.illustrative FROM funds f JOIN projects p ON p.id = f.project_id";

pub(crate) const VISIT_SELECT: &str = "SELECT v.visit_date, u.name, v.enterprise_name, v.credit_code, v.leaders, \
     v.mode, v.place, v.content, v.outcome, p.code, v.illustrative, v.id FROM visits v \
     LEFT JOIN units u ON u.id = v.unit_id LEFT JOIN projects p ON p.id = v.project_id";

pub(crate) fn visit_from_row(row: &AnyRow) -> Result<Visit> {
    let date: String = row.try_get(0)?;
    Ok(Visit {
        date: parse_day(&date)?,
        unit: row.try_get(1)?,
        enterprise: row.try_get(2)?,
        enterprise_code: credit_code(row.try_get(3)?)?,
        leaders: row.try_get(4)?,
        mode: row.try_get(5)?,
        place: row.try_get(6)?,
        content: row.try_get(7)?,
        outcome: row.try_get(8)?,
        project_code: row.try_get(9)?,
        illustrative: row.try_get::<i64, _>(10)? != 0,
    })
}

pub(crate) fn fund_from_row(row: &AnyRow) -> Result<(i64, Fund)> {
    let date: String = row.try_get(2)?;
    let currency_code: String = row.try_get(4)?;
    let fund = Fund {
        project_code: row.try_get(1)?,
        date: parse_day(&date)?,
        amount: money(Some(row.try_get(3)?))?.unwrap_or_default(),
        currency: currency(&currency_code)?,
        source: row.try_get(5)?,
        verified: row.try_get::<i64, _>(6)? != 0,
        verifier: row.try_get(7)?,
        evidence: row.try_get(8)?,
        illustrative: row.try_get::<i64, _>(9)? != 0,
    };
    Ok((row.try_get(0)?, fund))
}

impl Store {
    pub async fn project(&self, code: &str) -> Result<Option<ProjectRecord>> {
        let mut conn = self.pool().acquire().await?;
        project_by_code(&mut conn, code).await
    }

    /// The project with this 项目编号 and where it stands, judged as of `today`.
    pub async fn project_status(
        &self,
        code: &str,
        today: NaiveDate,
    ) -> Result<Option<ProjectStatus>> {
        let mut conn = self.pool().acquire().await?;
        let Some(record) = project_by_code(&mut conn, code).await? else {
            return Ok(None);
        };
        let events = events_of_project(&mut conn, record.id).await?;
        let project = &record.project;
        let ctx = RuleContext {
            today,
            project_signed_amount: project.signed_amount,
        };
        let progress = progress_of(&events, &ctx)
            .map_err(|e| StoreError::Corrupt(format!("项目“{code}”的已有事件不符合规则: {e}")))?;
        let facts = ProjectFacts {
            has_investor: project.investor.is_some(),
            signed_amount: progress
                .signed
                .map(|(_, amount)| amount)
                .or(project.signed_amount),
            has_leader: project.leader.is_some(),
            has_team: project.team.is_some(),
        };
        let next_step = next_step(&progress, &facts);
        Ok(Some(ProjectStatus {
            record,
            events,
            progress,
            next_step,
        }))
    }

    /// All projects, ordered by 项目编号.
    pub async fn projects(&self) -> Result<Vec<Project>> {
        let sql = sqlx::AssertSqlSafe(format!("{PROJECT_SELECT} ORDER BY p.code"));
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        let mut records: Vec<ProjectRecord> =
            rows.iter().map(project_from_row).collect::<Result<_>>()?;
        let credits = sqlx::query(
            "SELECT pc.project_id, u.name FROM project_credits pc JOIN units u ON u.id = pc.unit_id \
             ORDER BY pc.project_id, pc.position",
        )
        .fetch_all(self.pool())
        .await?;
        let mut by_project: HashMap<i64, Vec<String>> = HashMap::new();
        for row in &credits {
            by_project
                .entry(row.try_get(0)?)
                .or_default()
                .push(row.try_get(1)?);
        }
        for record in &mut records {
            record.project.credited = by_project.remove(&record.id).unwrap_or_default();
        }
        Ok(records.into_iter().map(|r| r.project).collect())
    }

    /// The stored events of one project, corrections included, in the order recorded.
    pub async fn events_of(&self, code: &str) -> Result<Vec<RecordedEvent>> {
        let project = self
            .project(code)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("项目“{code}”不存在")))?;
        let mut conn = self.pool().acquire().await?;
        events_of_project(&mut conn, project.id).await
    }

    /// Every stored event with its project's 项目编号, ordered by project and then as recorded.
    pub async fn all_events(&self) -> Result<Vec<(String, RecordedEvent)>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS}, p.code FROM events e JOIN projects p ON p.id = e.project_id ORDER BY p.code, e.id"
        ));
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| Ok((row.try_get(12)?, event_from_row(row)?)))
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
            "{FUND_SELECT} WHERE p.code = $1 ORDER BY f.fund_date, f.id"
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

    /// Every unit, parents before children, then by id.
    pub async fn units(&self) -> Result<Vec<Unit>> {
        let rows = sqlx::query(
            "SELECT u.name, u.kind, u.score_group, u.division_code, p.name FROM units u \
             LEFT JOIN units p ON p.id = u.parent_id ORDER BY u.id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get(1)?;
                let group: Option<String> = row.try_get(2)?;
                Ok(Unit {
                    name: row.try_get(0)?,
                    kind: UnitKind::from_code(&kind).ok_or_else(|| corrupt("类型", &kind))?,
                    group: group
                        .map(|g| ScoreGroup::from_code(&g).ok_or_else(|| corrupt("分组", &g)))
                        .transpose()?,
                    division_code: row.try_get(3)?,
                    parent: row.try_get(4)?,
                })
            })
            .collect()
    }

    pub async fn leaders(&self) -> Result<Vec<Leader>> {
        let rows = sqlx::query("SELECT name, title, illustrative FROM leaders ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Leader {
                    name: row.try_get(0)?,
                    title: row.try_get(1)?,
                    illustrative: row.try_get::<i64, _>(2)? != 0,
                })
            })
            .collect()
    }

    pub async fn chains(&self) -> Result<Vec<Chain>> {
        let rows = sqlx::query(
            "SELECT c.name, c.industry, l.name FROM chains c LEFT JOIN leaders l ON l.id = c.chain_leader_id ORDER BY c.id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Chain {
                    name: row.try_get(0)?,
                    industry: row.try_get(1)?,
                    chain_leader: row.try_get(2)?,
                })
            })
            .collect()
    }

    pub async fn teams(&self) -> Result<Vec<Team>> {
        let rows =
            sqlx::query("SELECT t.name, l.name FROM teams t LEFT JOIN leaders l ON l.id = t.leader_id ORDER BY t.id")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|row| {
                Ok(Team {
                    name: row.try_get(0)?,
                    leader: row.try_get(1)?,
                })
            })
            .collect()
    }

    /// Every target, by year, unit (the city's own first) and indicator.
    pub async fn targets(&self) -> Result<Vec<Target>> {
        let rows = sqlx::query(
            "SELECT t.year, u.name, t.indicator, t.value FROM targets t LEFT JOIN units u ON u.id = t.unit_id \
             ORDER BY t.year, COALESCE(t.unit_id, 0), t.indicator",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let indicator: String = row.try_get(2)?;
                let year: i64 = row.try_get(0)?;
                Ok(Target {
                    year: i32::try_from(year).map_err(|_| corrupt("年度", &year.to_string()))?,
                    unit: row.try_get(1)?,
                    indicator: Indicator::from_id(&indicator)
                        .ok_or_else(|| corrupt("指标", &indicator))?,
                    value: row.try_get(3)?,
                })
            })
            .collect()
    }

    /// The kind of the unit with this name, if there is one.
    pub async fn unit_kind(&self, name: &str) -> Result<Option<domain::records::UnitKind>> {
        let row = sqlx::query("SELECT kind FROM units WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => {
                let kind: String = row.try_get(0)?;
                Ok(Some(
                    domain::records::UnitKind::from_code(&kind)
                        .ok_or_else(|| corrupt("单位类型", &kind))?,
                ))
            }
            None => Ok(None),
        }
    }

    /// The entries of an editable value list, in their order.
    pub async fn value_list(&self, list: &str) -> Result<Vec<String>> {
        let rows =
            sqlx::query("SELECT value FROM value_lists WHERE list = $1 ORDER BY position, value")
                .bind(list)
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// The change log of one record (`entity` and its key), oldest first. A firm's entries
    /// are found by its id: [`Store::firm_changes`].
    pub async fn changes_of(&self, entity: &str, key: &str) -> Result<Vec<ChangeEntry>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CHANGE_SELECT} WHERE entity = $1 AND entity_key = $2 AND entity_id IS NULL ORDER BY id"
        )))
        .bind(entity)
        .bind(key)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(change_entry).collect()
    }

    /// The change log of the firm `id` of the 招商大数据库, oldest first.
    pub async fn firm_changes(&self, id: i64) -> Result<Vec<ChangeEntry>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CHANGE_SELECT} WHERE entity = 'enterprise' AND entity_id = $1 ORDER BY id"
        )))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(change_entry).collect()
    }

    /// How many rows a table holds; for tests, benchmarks and the CLI's summaries.
    pub async fn count(&self, table: Table) -> Result<i64> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {}", table.name()));
        Ok(sqlx::query(sql).fetch_one(self.pool()).await?.try_get(0)?)
    }
}

/// The tables whose rows [`Store::count`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Units,
    Leaders,
    Chains,
    Teams,
    Enterprises,
    Projects,
    Events,
    Funds,
    Visits,
    Targets,
    ChangeLog,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Units => "units",
            Table::Leaders => "leaders",
            Table::Chains => "chains",
            Table::Teams => "teams",
            Table::Enterprises => "enterprises",
            Table::Projects => "projects",
            Table::Events => "events",
            Table::Funds => "funds",
            Table::Visits => "visits",
            Table::Targets => "targets",
            Table::ChangeLog => "change_log",
        }
    }
}

impl Store {
    /// The visits to a firm: by its credit code, or by its name where a visit gave no code.
    pub async fn visits_to(&self, name: &str, code: Option<&str>) -> Result<Vec<Visit>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{VISIT_SELECT} WHERE v.credit_code = $1 OR (v.credit_code IS NULL AND v.enterprise_name = $2) \
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
