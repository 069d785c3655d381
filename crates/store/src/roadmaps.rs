//! The 招商路线图 (issue 23.2): a chain's or a unit's roadmap for a year and its four sets, and
//! what plan-against-done is read from — the visits to its firms and their projects' stages.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::Stage;
use domain::roadmap::{OwnerKind, SetKind};
use sqlx::Row;

use crate::rows::{corrupt, parse_day};
use crate::tx::{Named, Tx, Upserted};
use crate::{Result, Store, StoreError, now_millis};

/// A roadmap with its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoadmapRecord {
    pub id: i64,
    pub year: i32,
    pub owner_kind: OwnerKind,
    /// The chain's or unit's name.
    pub owner: String,
    pub items: Vec<RoadmapItem>,
}

/// One item of a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoadmapItem {
    pub id: i64,
    pub kind: SetKind,
    /// A packaged project: (项目库编号, name, status label, the project it was signed into).
    pub packaged: Option<(String, String, String, Option<String>)>,
    /// A firm: (id, name, credit code).
    pub firm: Option<(i64, String, Option<String>)>,
    /// A policy's reference.
    pub text: Option<String>,
    pub month: Option<u32>,
    pub leader: Option<String>,
}

/// What a roadmap's firms did: the dates each was visited (approved, not withdrawn; for a
/// unit's roadmap, by that unit) and its projects — where each stands and its first 签约.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FirmActivity {
    pub visits: HashMap<i64, Vec<NaiveDate>>,
    pub projects: HashMap<i64, Vec<(Stage, Option<NaiveDate>)>>,
}

const ROADMAPS: &str = "SELECT r.id, r.year, r.owner_kind, COALESCE(c.name, u.name) AS owner \
     FROM roadmaps r LEFT JOIN chains c ON r.owner_kind = 'chain' AND c.id = r.owner_id \
     LEFT JOIN units u ON r.owner_kind = 'unit' AND u.id = r.owner_id";

const ITEMS: &str = "SELECT i.id, i.roadmap_id, i.kind, k.code AS packaged_code, k.name AS packaged_name, \
     k.status AS packaged_status, p.code AS project, e.id AS firm_id, e.name AS firm, \
     e.credit_code, i.text, i.month, l.name AS leader FROM roadmap_items i \
     LEFT JOIN packaged_projects k ON k.id = i.packaged_id LEFT JOIN projects p ON p.id = k.project_id \
     LEFT JOIN enterprises e ON e.id = i.enterprise_id LEFT JOIN leaders l ON l.id = i.leader_id";

fn item_from_row(row: &sqlx::any::AnyRow) -> Result<RoadmapItem> {
    let kind: String = row.try_get("kind")?;
    let packaged = match row.try_get::<Option<String>, _>("packaged_code")? {
        Some(code) => {
            let status: String = row.try_get("packaged_status")?;
            let status = domain::packaged::PackagedStatus::from_code(&status)
                .ok_or_else(|| corrupt("状态", &status))?;
            Some((
                code,
                row.try_get("packaged_name")?,
                status.label().to_owned(),
                row.try_get("project")?,
            ))
        }
        None => None,
    };
    let firm = match row.try_get::<Option<i64>, _>("firm_id")? {
        Some(id) => Some((id, row.try_get("firm")?, row.try_get("credit_code")?)),
        None => None,
    };
    Ok(RoadmapItem {
        id: row.try_get("id")?,
        kind: SetKind::from_code(&kind).ok_or_else(|| corrupt("路线图内容", &kind))?,
        packaged,
        firm,
        text: row.try_get("text")?,
        month: row
            .try_get::<Option<i64>, _>("month")?
            .map(|m| u32::try_from(m).map_err(|_| corrupt("月份", &m.to_string())))
            .transpose()?,
        leader: row.try_get("leader")?,
    })
}

async fn read(conn: &mut sqlx::AnyConnection, id: Option<i64>) -> Result<Vec<RoadmapRecord>> {
    let sql = match id {
        Some(_) => format!("{ROADMAPS} WHERE r.id = $1"),
        None => format!("{ROADMAPS} ORDER BY r.year DESC, r.owner_kind, owner"),
    };
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(id) = id {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut index = HashMap::new();
    for row in &rows {
        let kind: String = row.try_get("owner_kind")?;
        let id: i64 = row.try_get("id")?;
        index.insert(id, out.len());
        out.push(RoadmapRecord {
            id,
            year: i32::try_from(row.try_get::<i64, _>("year")?)
                .map_err(|_| corrupt("年度", "超出范围"))?,
            owner_kind: OwnerKind::from_code(&kind).ok_or_else(|| corrupt("路线图", &kind))?,
            owner: row
                .try_get::<Option<String>, _>("owner")?
                .unwrap_or_default(),
            items: Vec::new(),
        });
    }
    let sql = match id {
        Some(_) => format!("{ITEMS} WHERE i.roadmap_id = $1 ORDER BY i.id"),
        None => format!("{ITEMS} ORDER BY i.id"),
    };
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(id) = id {
        query = query.bind(id);
    }
    for row in query.fetch_all(&mut *conn).await? {
        if let Some(&i) = index.get(&row.try_get::<i64, _>("roadmap_id")?) {
            out[i].items.push(item_from_row(&row)?);
        }
    }
    Ok(out)
}

impl Store {
    /// Every roadmap, the latest year first.
    pub async fn roadmaps(&self) -> Result<Vec<RoadmapRecord>> {
        read(&mut *self.pool().acquire().await?, None).await
    }

    pub async fn roadmap(&self, id: i64) -> Result<Option<RoadmapRecord>> {
        Ok(read(&mut *self.pool().acquire().await?, Some(id))
            .await?
            .pop())
    }

    /// What the firms of `record` did: visits (by credit code, else exact name; approved, not
    /// withdrawn) and the stages of the projects they invest in.
    pub async fn firm_activity(&self, record: &RoadmapRecord) -> Result<FirmActivity> {
        let mut firms: Vec<&(i64, String, Option<String>)> = record
            .items
            .iter()
            .filter_map(|i| i.firm.as_ref())
            .collect();
        firms.sort_by_key(|f| f.0);
        firms.dedup_by_key(|f| f.0);
        let mut activity = FirmActivity::default();
        // A unit's roadmap is its own work: only its visits hold its plan.
        let by_unit = match record.owner_kind {
            OwnerKind::Unit => " AND unit_id = (SELECT id FROM units WHERE name = $3)",
            OwnerKind::Chain => " AND $3 = $3",
        };
        let visits_sql = format!(
            "SELECT visit_date FROM visits WHERE (credit_code = $1 OR enterprise_name = $2) \
             AND review = 'approved' AND withdrawn_at IS NULL{by_unit}"
        );
        for (id, name, code) in firms {
            let rows = sqlx::query(sqlx::AssertSqlSafe(visits_sql.clone()))
                .bind(code.clone().unwrap_or_default())
                .bind(name)
                .bind(&record.owner)
                .fetch_all(self.pool())
                .await?;
            let dates = rows
                .iter()
                .map(|r| parse_day(&r.try_get::<String, _>(0)?))
                .collect::<Result<Vec<_>>>()?;
            activity.visits.insert(*id, dates);
            let rows = sqlx::query(
                "SELECT stage, signed_on FROM projects WHERE enterprise_id = $1 AND stage IS NOT NULL",
            )
            .bind(*id)
            .fetch_all(self.pool())
            .await?;
            let projects = rows
                .iter()
                .map(|r| {
                    let code: String = r.try_get("stage")?;
                    let stage = match domain::EventKind::from_code(&code) {
                        Some(domain::EventKind::Stage(stage)) => stage,
                        _ => return Err(corrupt("阶段", &code)),
                    };
                    let signed_on = r
                        .try_get::<Option<String>, _>("signed_on")?
                        .map(|d| parse_day(&d))
                        .transpose()?;
                    Ok((stage, signed_on))
                })
                .collect::<Result<Vec<_>>>()?;
            activity.projects.insert(*id, projects);
        }
        Ok(activity)
    }
}

/// An item as typed: the set and what it names.
#[derive(Debug, Clone, Copy, Default)]
pub struct ItemInput<'a> {
    /// 项目库编号, the firm (credit code or exact name), or the policy.
    pub reference: &'a str,
    /// 对接计划: 1..=12.
    pub month: Option<u32>,
    pub leader: Option<&'a str>,
}

impl Tx {
    /// The roadmap of `owner` (a chain or unit by name) for `year`, made if it does not exist.
    pub async fn roadmap_for(&mut self, year: i32, kind: OwnerKind, owner: &str) -> Result<i64> {
        if !(2000..=2100).contains(&year) {
            return Err(StoreError::invalid("年度", "应在2000至2100之间"));
        }
        let owner_id = match kind {
            OwnerKind::Chain => self.resolve(Named::Chain, "产业链", owner).await?,
            OwnerKind::Unit => self.resolve(Named::Unit, "单位", owner).await?,
        };
        let found = sqlx::query(
            "SELECT id FROM roadmaps WHERE year = $1 AND owner_kind = $2 AND owner_id = $3",
        )
        .bind(i64::from(year))
        .bind(kind.code())
        .bind(owner_id)
        .fetch_optional(self.conn())
        .await?;
        if let Some(row) = found {
            return Ok(row.try_get(0)?);
        }
        let id: i64 = sqlx::query(
            "INSERT INTO roadmaps (year, owner_kind, owner_id, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(i64::from(year))
        .bind(kind.code())
        .bind(owner_id)
        .bind(now_millis())
        .bind(self.actor_name().to_owned())
        .fetch_one(self.conn())
        .await?
        .try_get(0)?;
        let key = format!("{year} {owner}");
        self.log("roadmap", &key, "create", None::<&()>, Some(&kind.label()))
            .await?;
        Ok(id)
    }

    /// Adds an item to roadmap `id`'s set `kind`: a packaged project by 项目库编号, a firm by
    /// credit code or exact name, a policy as text, a planned visit to a firm in a month. The
    /// same item twice is kept once (a file imported again).
    pub async fn add_roadmap_item(
        &mut self,
        id: i64,
        kind: SetKind,
        input: &ItemInput<'_>,
    ) -> Result<Upserted> {
        let reference = input.reference.trim();
        let field = match kind {
            SetKind::Project => "项目库编号",
            SetKind::Client | SetKind::Visit => "企业",
            SetKind::Policy => "政策",
        };
        if reference.is_empty() {
            return Err(StoreError::invalid(field, "不能为空"));
        }
        let mut errors = Vec::new();
        let (mut packaged, mut firm, mut text, mut month, mut leader) =
            (None, None, None, None, None);
        match kind {
            SetKind::Project => {
                // A unit's roadmap holds its own packaged projects; a chain's any.
                let row = sqlx::query(
                    "SELECT k.id FROM packaged_projects k WHERE k.code = $1 AND NOT EXISTS \
                     (SELECT 1 FROM roadmaps r WHERE r.id = $2 AND r.owner_kind = 'unit' \
                     AND r.owner_id <> k.unit_id)",
                )
                .bind(reference)
                .bind(id)
                .fetch_optional(self.conn())
                .await?;
                match row {
                    Some(row) => packaged = Some(row.try_get::<i64, _>(0)?),
                    None => errors.push(domain::FieldError::new(
                        field,
                        format!("项目库中没有本单位的“{reference}”"),
                    )),
                }
            }
            SetKind::Policy => text = Some(reference.chars().take(500).collect::<String>()),
            SetKind::Client | SetKind::Visit => match self.target_firm(reference).await {
                Ok(id) => firm = Some(id),
                Err(StoreError::Invalid(e)) => {
                    errors.push(domain::FieldError::new(field, e.message));
                }
                Err(other) => return Err(other),
            },
        }
        if kind == SetKind::Visit {
            match input.month {
                Some(m) if (1..=12).contains(&m) => month = Some(i64::from(m)),
                _ => errors.push(domain::FieldError::new("计划月份", "对接计划须填写1至12月")),
            }
            if let Some(name) = input.leader.map(str::trim).filter(|l| !l.is_empty()) {
                match self.resolve(Named::Leader, "带队领导", name).await {
                    Ok(id) => leader = Some(id),
                    Err(StoreError::Invalid(e)) => errors.push(e),
                    Err(other) => return Err(other),
                }
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::InvalidFields(errors));
        }
        let found = sqlx::query("SELECT year FROM roadmaps WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        if found.is_none() {
            return Err(StoreError::NotFound("路线图不存在".into()));
        }
        let same = sqlx::query(
            "SELECT id FROM roadmap_items WHERE roadmap_id = $1 AND kind = $2 \
             AND COALESCE(packaged_id, 0) = COALESCE($3, 0) AND COALESCE(enterprise_id, 0) = COALESCE($4, 0) \
             AND COALESCE(text, '') = COALESCE($5, '') AND COALESCE(month, 0) = COALESCE($6, 0)",
        )
        .bind(id)
        .bind(kind.code())
        .bind(packaged)
        .bind(firm)
        .bind(&text)
        .bind(month)
        .fetch_optional(self.conn())
        .await?;
        if same.is_some() {
            return Ok(Upserted::Unchanged);
        }
        sqlx::query(
            "INSERT INTO roadmap_items (roadmap_id, kind, packaged_id, enterprise_id, text, month, \
             leader_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(kind.code())
        .bind(packaged)
        .bind(firm)
        .bind(&text)
        .bind(month)
        .bind(leader)
        .execute(self.conn())
        .await?;
        self.log(
            "roadmap_item",
            &id.to_string(),
            "add",
            None::<&()>,
            Some(&(kind.label(), reference, input.month, input.leader)),
        )
        .await?;
        Ok(Upserted::Inserted)
    }

    /// Takes item `item` out of roadmap `id`.
    pub async fn remove_roadmap_item(&mut self, id: i64, item: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM roadmap_items WHERE id = $1 AND roadmap_id = $2")
            .bind(item)
            .bind(id)
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("路线图中没有此项".into()));
        }
        self.log(
            "roadmap_item",
            &id.to_string(),
            "remove",
            Some(&item),
            None::<&()>,
        )
        .await
    }
}
