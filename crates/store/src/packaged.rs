//! The 谋划包装项目库 (issue 23): packaged projects written with their references resolved
//! (unit, chain and its link, 链长, the target firms), read back whole, and signed into a project
//! that keeps the link.

use domain::Money;
use domain::packaged::{EstimateItem, Mu, PackagedProject, PackagedStatus, ResourceKind};
use domain::records::Project;
use domain::{EventKind, Stage};
use sqlx::Row;

use crate::rows::corrupt;
use crate::tx::{Named, Tx, Upserted};
use crate::{Result, Store, StoreError, now_millis};

/// A packaged project as held: its record, and the project it became on signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackagedRecord {
    pub id: i64,
    pub packaged: PackagedProject,
    /// The 项目编号 of the project it was signed into.
    pub project: Option<String>,
}

/// What the library is narrowed to; `None` lets everything through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackagedFilter {
    pub unit: Option<String>,
    pub chain: Option<String>,
    pub status: Option<PackagedStatus>,
}

/// How the packaged projects signed so far came out: how many, and their signed amounts (元).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PackagedSigned {
    pub projects: i64,
    pub signed_amount: i64,
}

const SELECT: &str = "SELECT k.id, k.code, k.name, k.content, k.scale, k.years, k.estimate, k.breakdown, \
     k.parcel, k.area_hundredths, k.park, k.resources, k.approvals, c.name AS chain, s.name AS segment, \
     u.name AS unit, l.name AS chain_leader, k.public, k.status, p.code AS project \
     FROM packaged_projects k JOIN units u ON u.id = k.unit_id LEFT JOIN chains c ON c.id = k.chain_id \
     LEFT JOIN chain_segments s ON s.id = k.segment_id LEFT JOIN leaders l ON l.id = k.chain_leader_id \
     LEFT JOIN projects p ON p.id = k.project_id";

fn json_of<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<PackagedRecord> {
    let code: String = row.try_get("code")?;
    let status: String = row.try_get("status")?;
    let mut p = PackagedProject::new(
        &code,
        &row.try_get::<String, _>("name")?,
        &row.try_get::<String, _>("unit")?,
    )
    .map_err(|_| corrupt("谋划包装项目", &code))?;
    p.content = row.try_get("content")?;
    p.scale = row.try_get("scale")?;
    p.years = row
        .try_get::<Option<i64>, _>("years")?
        .map(|y| u32::try_from(y).map_err(|_| corrupt("建设年限", &y.to_string())))
        .transpose()?;
    p.estimate = row
        .try_get::<Option<i64>, _>("estimate")?
        .map(|v| Money::from_units("投资概算", v))
        .transpose()?;
    let breakdown: Option<String> = row.try_get("breakdown")?;
    let lines: Vec<(String, i64)> = breakdown
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|_| corrupt("概算构成", &code))?
        .unwrap_or_default();
    for (item, units) in lines {
        p.breakdown.push(EstimateItem {
            item,
            amount: Money::from_units("概算构成", units)?,
        });
    }
    p.parcel = row.try_get("parcel")?;
    p.area = row
        .try_get::<Option<i64>, _>("area_hundredths")?
        .map(|a| Mu::from_hundredths("用地面积", a))
        .transpose()?;
    p.park = row.try_get("park")?;
    let resources: Option<String> = row.try_get("resources")?;
    let pairs: Vec<(String, String)> = resources
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|_| corrupt("资源匹配", &code))?
        .unwrap_or_default();
    for (kind, text) in pairs {
        let kind = ResourceKind::from_code(&kind).ok_or_else(|| corrupt("资源匹配", &kind))?;
        p.resources.push((kind, text));
    }
    p.approvals = row
        .try_get::<Option<String>, _>("approvals")?
        .as_deref()
        .map(domain::enterprise::Enterprise::split_tags)
        .unwrap_or_default();
    p.chain = row.try_get("chain")?;
    p.segment = row.try_get("segment")?;
    p.chain_leader = row.try_get("chain_leader")?;
    p.public = row.try_get::<i64, _>("public")? != 0;
    p.status = PackagedStatus::from_code(&status).ok_or_else(|| corrupt("状态", &status))?;
    Ok(PackagedRecord {
        id: row.try_get("id")?,
        packaged: p,
        project: row.try_get("project")?,
    })
}

impl Tx {
    async fn packaged_by_code(&mut self, code: &str) -> Result<Option<PackagedRecord>> {
        read(self.conn(), code).await
    }

    /// The project packaged project `code` was signed into, if it is held and signed.
    pub async fn packaged_signed_as(&mut self, code: &str) -> Result<Option<String>> {
        Ok(self.packaged_by_code(code).await?.and_then(|r| r.project))
    }

    /// The packaged project `code`, to be signed: not signed already.
    async fn unsigned(&mut self, code: &str) -> Result<PackagedRecord> {
        let record = self
            .packaged_by_code(code)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("项目库中没有“{code}”")))?;
        if record.packaged.status == PackagedStatus::Signed {
            return Err(StoreError::Refused(format!(
                "“{}”已签约为项目{}",
                record.packaged.name,
                record.project.unwrap_or_default()
            )));
        }
        Ok(record)
    }

    /// Marks `record` 已签约 as project `project_id`, logged as `action` with `after`.
    async fn mark_signed<A: serde::Serialize>(
        &mut self,
        record: &PackagedRecord,
        project_id: i64,
        action: &'static str,
        after: &A,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE packaged_projects SET status = $2, project_id = $3, updated_at = $4 WHERE id = $1",
        )
        .bind(record.id)
        .bind(PackagedStatus::Signed.code())
        .bind(project_id)
        .bind(now_millis())
        .execute(self.conn())
        .await?;
        self.log(
            "packaged_project",
            &record.packaged.code,
            action,
            Some(&record.packaged.status.label()),
            Some(after),
        )
        .await
    }

    /// The firm a target names: its credit code, else the one firm of that exact name.
    pub(crate) async fn target_firm(&mut self, target: &str) -> Result<i64> {
        let rows = sqlx::query(
            "SELECT COALESCE(merged_into, id) AS id FROM enterprises WHERE credit_code = $1 OR name = $2 \
             ORDER BY id LIMIT 3",
        )
        .bind(target.to_ascii_uppercase())
        .bind(target)
        .fetch_all(self.conn())
        .await?;
        let mut ids: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?;
        ids.dedup();
        match ids.as_slice() {
            [id] => Ok(*id),
            [] => Err(StoreError::invalid(
                "目标企业",
                format!("企业库中没有“{target}”，请先录入企业或填写统一社会信用代码"),
            )),
            _ => Err(StoreError::invalid(
                "目标企业",
                format!("企业库中有多家企业名为“{target}”，请填写统一社会信用代码"),
            )),
        }
    }

    /// Adds a packaged project, or updates the one with its 项目库编号. Every reference is
    /// resolved before failing, so that a form learns of all its unknown names at once. A signed
    /// one is no longer edited here (it is a project now); a status set by hand follows
    /// [`PackagedStatus::may_become`].
    pub async fn upsert_packaged(&mut self, p: &PackagedProject) -> Result<Upserted> {
        p.check().map_err(StoreError::InvalidFields)?;
        let before = self.packaged_by_code(&p.code).await?;
        match &before {
            Some(b) if b.packaged.status == PackagedStatus::Signed => {
                return Err(StoreError::Refused(format!(
                    "“{}”已签约为项目{}，请在项目中修改",
                    p.name,
                    b.project.clone().unwrap_or_default()
                )));
            }
            Some(b) if b.packaged.status != p.status => {
                b.packaged.status.may_become(p.status)?;
            }
            None => PackagedStatus::Planning.may_become(p.status)?,
            _ => {}
        }
        let mut errors = Vec::new();
        let mut keep =
            |result: Result<Option<i64>>| crate::error::keep_refusal(&mut errors, result);
        let unit = keep(
            self.resolve(Named::Unit, "责任单位", &p.unit)
                .await
                .map(Some),
        )?;
        let chain = keep(
            self.resolve_opt(Named::Chain, "产业链", p.chain.as_deref())
                .await,
        )?;
        let leader = keep(
            self.resolve_opt(Named::Leader, "链长", p.chain_leader.as_deref())
                .await,
        )?;
        let segment = match (&p.chain, &p.segment) {
            (Some(chain), Some(segment)) => keep(self.segment_id(chain, segment).await.map(Some))?,
            _ => None,
        };
        let mut targets = Vec::new();
        for target in &p.targets {
            if let Some(id) = keep(self.target_firm(target).await.map(Some))? {
                targets.push(id);
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::InvalidFields(errors));
        }
        let breakdown: Vec<(&str, i64)> = p
            .breakdown
            .iter()
            .map(|l| (l.item.as_str(), l.amount.units()))
            .collect();
        let resources: Vec<(&str, &str)> = p
            .resources
            .iter()
            .map(|(k, t)| (k.code(), t.as_str()))
            .collect();
        let now = now_millis();
        let values = (
            (!breakdown.is_empty())
                .then(|| json_of(&breakdown))
                .transpose()?,
            (!resources.is_empty())
                .then(|| json_of(&resources))
                .transpose()?,
            (!p.approvals.is_empty()).then(|| p.approvals.join("、")),
        );
        // A new one is inserted with what the table requires, then written like an old one.
        let id: i64 = match &before {
            Some(b) => {
                sqlx::query("DELETE FROM packaged_targets WHERE packaged_id = $1")
                    .bind(b.id)
                    .execute(self.conn())
                    .await?;
                b.id
            }
            None => sqlx::query(
                "INSERT INTO packaged_projects (code, name, unit_id, status, created_at, created_by, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $5) RETURNING id",
            )
            .bind(&p.code)
            .bind(&p.name)
            .bind(unit)
            .bind(p.status.code())
            .bind(now)
            .bind(self.actor_name().to_owned())
            .fetch_one(self.conn())
            .await?
            .try_get(0)?,
        };
        sqlx::query(
            "UPDATE packaged_projects SET name = $2, content = $3, scale = $4, years = $5, estimate = $6, \
             breakdown = $7, parcel = $8, area_hundredths = $9, park = $10, resources = $11, approvals = $12, \
             chain_id = $13, segment_id = $14, unit_id = $15, chain_leader_id = $16, public = $17, \
             status = $18, updated_at = $19 WHERE id = $1",
        )
        .bind(id)
        .bind(&p.name)
        .bind(&p.content)
        .bind(&p.scale)
        .bind(p.years.map(i64::from))
        .bind(p.estimate.map(Money::units))
        .bind(&values.0)
        .bind(&p.parcel)
        .bind(p.area.map(Mu::hundredths))
        .bind(&p.park)
        .bind(&values.1)
        .bind(&values.2)
        .bind(chain)
        .bind(segment)
        .bind(unit)
        .bind(leader)
        .bind(i64::from(p.public))
        .bind(p.status.code())
        .bind(now)
        .execute(self.conn())
        .await?;
        targets.sort_unstable();
        targets.dedup();
        for firm in targets {
            sqlx::query(
                "INSERT INTO packaged_targets (packaged_id, enterprise_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(firm)
            .execute(self.conn())
            .await?;
        }
        let after = self.packaged_by_code(&p.code).await?.map(|r| r.packaged);
        let outcome = match &before {
            None => Upserted::Inserted,
            Some(b) if Some(&b.packaged) == after.as_ref() => Upserted::Unchanged,
            Some(_) => Upserted::Updated,
        };
        if outcome != Upserted::Unchanged {
            let action = if before.is_some() { "update" } else { "create" };
            self.log(
                "packaged_project",
                &p.code,
                action,
                before.as_ref().map(|b| &b.packaged),
                after.as_ref(),
            )
            .await?;
        }
        Ok(outcome)
    }

    /// Signs packaged project `code` into `project` (a new project, its investor named): the
    /// project starts in 在谈 on `on`, or at 签约 with `amount` when one is given; the packaged
    /// project becomes 已签约 and keeps the link. Signing twice is refused.
    pub async fn sign_packaged(
        &mut self,
        code: &str,
        project: &Project,
        on: chrono::NaiveDate,
        amount: Option<Money>,
    ) -> Result<()> {
        let record = self.unsigned(code).await?;
        if crate::projects::project_by_code(self.conn(), &project.code)
            .await?
            .is_some()
        {
            return Err(StoreError::invalid(
                "项目编号",
                format!("项目“{}”已存在，请另取编号", project.code),
            ));
        }
        self.upsert_project(project).await?;
        let stage = if amount.is_some() {
            Stage::Signed
        } else {
            Stage::Negotiating
        };
        let event =
            domain::stage::StageEvent::new(EventKind::Stage(stage), on, amount, None, None, None)
                .map_err(StoreError::from)?;
        self.add_event(&project.code, &event).await?;
        self.flush().await?;
        let project_id: i64 = sqlx::query("SELECT id FROM projects WHERE code = $1")
            .bind(&project.code)
            .fetch_one(self.conn())
            .await?
            .try_get(0)?;
        let after = (&project.code, stage.label(), amount.map(Money::units));
        self.mark_signed(&record, project_id, "sign", &after).await
    }
}

impl Tx {
    /// Links packaged project `code` to a project recorded otherwise (a county that entered
    /// the signing before the library held it): the packaged project becomes 已签约 with that
    /// link. A project already linked to another packaged project is refused.
    pub async fn link_packaged(&mut self, code: &str, project_code: &str) -> Result<()> {
        self.flush().await?;
        let record = self.unsigned(code).await?;
        let project_id: i64 = sqlx::query("SELECT id FROM projects WHERE code = $1")
            .bind(project_code)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::invalid("项目编号", format!("项目“{project_code}”不存在")))?
            .try_get(0)?;
        let taken = sqlx::query("SELECT code FROM packaged_projects WHERE project_id = $1")
            .bind(project_id)
            .fetch_optional(self.conn())
            .await?;
        if let Some(row) = taken {
            let other: String = row.try_get(0)?;
            return Err(StoreError::Refused(format!(
                "项目{project_code}已关联项目库中的“{other}”"
            )));
        }
        self.mark_signed(&record, project_id, "link", &project_code)
            .await
    }
}

/// One packaged project, with its target firms (by credit code, else name).
async fn read(conn: &mut sqlx::AnyConnection, code: &str) -> Result<Option<PackagedRecord>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE k.code = $1"));
    let row = sqlx::query(sql)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut record = from_row(&row)?;
    record.packaged.targets = targets_of(conn, record.id).await?;
    Ok(Some(record))
}

async fn targets_of(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT COALESCE(e.credit_code, e.name) AS target FROM packaged_targets t \
         JOIN enterprises e ON e.id = t.enterprise_id WHERE t.packaged_id = $1 ORDER BY e.name",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get("target")?)).collect()
}

impl Store {
    /// One packaged project, with its target firms (by credit code, else name).
    pub async fn packaged(&self, code: &str) -> Result<Option<PackagedRecord>> {
        read(&mut *self.pool().acquire().await?, code).await
    }

    /// The packaged projects `filter` lets through, by 项目库编号 (targets not read: the list
    /// does not show them).
    pub async fn packaged_projects(&self, filter: &PackagedFilter) -> Result<Vec<PackagedRecord>> {
        let mut conditions = Vec::new();
        let mut binds = Vec::new();
        for (column, value) in [
            ("u.name", filter.unit.clone()),
            ("c.name", filter.chain.clone()),
            ("k.status", filter.status.map(|s| s.code().to_owned())),
        ] {
            if let Some(value) = value {
                binds.push(value);
                conditions.push(format!("{column} = ${}", binds.len()));
            }
        }
        let clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = sqlx::AssertSqlSafe(format!("{SELECT} {clause} ORDER BY k.code"));
        let mut query = sqlx::query(sql);
        for value in binds {
            query = query.bind(value);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(from_row).collect()
    }

    /// The packaged projects signed into projects that count as signed: how many, and for how
    /// much (each project's first 签约 amount, once).
    /// `unit` narrows to one unit's packaged projects.
    pub async fn packaged_signed(&self, unit: Option<&str>) -> Result<PackagedSigned> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(p.signed_value), 0) AS BIGINT) AS amount FROM packaged_projects k \
             JOIN projects p ON p.id = k.project_id WHERE p.signed_on IS NOT NULL \
             AND ($1 = '' OR k.unit_id = (SELECT id FROM units WHERE name = $1))",
        )
        .bind(unit.unwrap_or_default())
        .fetch_one(self.pool())
        .await?;
        Ok(PackagedSigned {
            projects: row.try_get("n")?,
            signed_amount: row.try_get("amount")?,
        })
    }
}
