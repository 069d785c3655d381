//! Chain segments (环节) with their firms and projects, the candidates for a segment, and the
//! profile (画像) of a firm: everything the city holds that points at it.

mod shortlist;

use domain::chains::{ChainMap, FirmRef, Position, Segment, SegmentProject};
use domain::enterprise::IndustryCode;
use serde::Serialize;
use sqlx::Row;

use crate::rows::corrupt;
use crate::tx::Named;
use crate::{Result, Store, StoreError, Tx, Upserted};

/// Whether a firm is one the city has in a segment, or one it goes after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentRole {
    Local,
    Target,
}

impl SegmentRole {
    pub fn code(self) -> &'static str {
        match self {
            SegmentRole::Local => "local",
            SegmentRole::Target => "target",
        }
    }

    /// As forms and files write it.
    pub fn label(self) -> &'static str {
        match self {
            SegmentRole::Local => "已有",
            SegmentRole::Target => "目标",
        }
    }

    pub fn parse(field: &str, raw: &str) -> std::result::Result<Self, domain::FieldError> {
        match raw.trim() {
            "local" | "已有" | "本地" => Ok(SegmentRole::Local),
            "target" | "目标" => Ok(SegmentRole::Target),
            other => Err(domain::FieldError::new(
                field,
                format!("“{other}”应为已有或目标"),
            )),
        }
    }
}

/// A firm's place in a chain, as its profile shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ChainPosition {
    pub chain: String,
    pub segment: String,
    pub position: String,
    pub role: String,
    pub chain_leader: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub note: Option<String>,
}

impl Tx {
    /// Adds a segment to a chain, or updates the one of that name; a segment given again as
    /// it is changes nothing and logs nothing.
    pub async fn upsert_segment(
        &mut self,
        chain: &str,
        name: &str,
        position: Position,
        industries: &[IndustryCode],
    ) -> Result<Upserted> {
        let name = domain::text::required("环节名称", name)?;
        let chain_id = self.resolve(Named::Chain, "产业链", chain).await?;
        let codes = industries
            .iter()
            .map(IndustryCode::as_str)
            .collect::<Vec<_>>()
            .join("、");
        let codes = (!codes.is_empty()).then_some(codes);
        let order = Position::ALL
            .iter()
            .position(|p| *p == position)
            .unwrap_or(0) as i64;
        let existing = sqlx::query(
            "SELECT id, position, industry_codes FROM chain_segments WHERE chain_id = $1 AND name = $2",
        )
        .bind(chain_id)
        .bind(&name)
        .fetch_optional(self.conn())
        .await?;
        let (outcome, before) = match existing {
            Some(row) => {
                let id: i64 = row.try_get("id")?;
                let before: (String, Option<String>) =
                    (row.try_get("position")?, row.try_get("industry_codes")?);
                if before.0 == position.label() && before.1 == codes {
                    return Ok(Upserted::Unchanged);
                }
                sqlx::query(
                    "UPDATE chain_segments SET position = $1, position_order = $2, industry_codes = $3 WHERE id = $4",
                )
                .bind(position.label())
                .bind(order)
                .bind(&codes)
                .bind(id)
                .execute(self.conn())
                .await?;
                (Upserted::Updated, Some(before))
            }
            None => {
                sqlx::query(
                    "INSERT INTO chain_segments (chain_id, name, position, position_order, industry_codes) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(chain_id)
                .bind(&name)
                .bind(position.label())
                .bind(order)
                .bind(&codes)
                .execute(self.conn())
                .await?;
                (Upserted::Inserted, None)
            }
        };
        let key = format!("{chain}/{name}");
        self.log(
            "chain_segment",
            &key,
            "set",
            before.as_ref(),
            Some(&(position.label(), &codes)),
        )
        .await?;
        Ok(outcome)
    }

    pub(crate) async fn segment_id(&mut self, chain: &str, segment: &str) -> Result<i64> {
        let chain_id = self.resolve(Named::Chain, "产业链", chain).await?;
        sqlx::query("SELECT id FROM chain_segments WHERE chain_id = $1 AND name = $2")
            .bind(chain_id)
            .bind(segment.trim())
            .fetch_optional(self.conn())
            .await?
            .map(|r| r.try_get::<i64, _>("id"))
            .transpose()?
            .ok_or_else(|| {
                StoreError::invalid("环节", format!("{chain}没有环节“{}”", segment.trim()))
            })
    }

    /// Places a firm of the database (by credit code, else by exact name) in a segment as
    /// local or target; a 链主 is a local firm. A firm placed again as it is changes nothing.
    pub async fn place_firm(
        &mut self,
        chain: &str,
        segment: &str,
        firm: &str,
        role: SegmentRole,
        chain_leader: bool,
    ) -> Result<Upserted> {
        let segment_id = self.segment_id(chain, segment).await?;
        let firm = firm.trim();
        // By credit code (as typed, in any case), else by the exact name.
        let row = sqlx::query(
            "SELECT id FROM enterprises WHERE credit_code = $1 OR name = $2 \
             ORDER BY CASE WHEN credit_code = $1 THEN 0 ELSE 1 END, id LIMIT 1",
        )
        .bind(firm.to_ascii_uppercase())
        .bind(firm)
        .fetch_optional(self.conn())
        .await?;
        let firm_id: i64 = row
            .ok_or_else(|| {
                StoreError::invalid(
                    "企业",
                    format!("企业库中没有“{firm}”（填写统一社会信用代码或完整名称）"),
                )
            })?
            .try_get(0)?;
        if chain_leader && role != SegmentRole::Local {
            return Err(StoreError::invalid("链主企业", "链主企业须为本地已有企业"));
        }
        let before = sqlx::query(
            "SELECT role, chain_leader FROM segment_firms WHERE segment_id = $1 AND enterprise_id = $2",
        )
        .bind(segment_id)
        .bind(firm_id)
        .fetch_optional(self.conn())
        .await?
        .map(|r| {
            Ok::<_, StoreError>((
                r.try_get::<String, _>("role")?,
                r.try_get::<i64, _>("chain_leader")? != 0,
            ))
        })
        .transpose()?;
        let after = (role.code().to_owned(), chain_leader);
        if before.as_ref() == Some(&after) {
            return Ok(Upserted::Unchanged);
        }
        sqlx::query("DELETE FROM segment_firms WHERE segment_id = $1 AND enterprise_id = $2")
            .bind(segment_id)
            .bind(firm_id)
            .execute(self.conn())
            .await?;
        sqlx::query(
            "INSERT INTO segment_firms (segment_id, enterprise_id, role, chain_leader) VALUES ($1, $2, $3, $4)",
        )
        .bind(segment_id)
        .bind(firm_id)
        .bind(role.code())
        .bind(i64::from(chain_leader))
        .execute(self.conn())
        .await?;
        let key = format!("{chain}/{}/{firm}", segment.trim());
        self.log("segment_firm", &key, "set", before.as_ref(), Some(&after))
            .await?;
        Ok(Upserted::changed(before.is_some()))
    }

    /// Says which segment of its chain a project fills; the same again changes and logs
    /// nothing.
    pub async fn place_project(
        &mut self,
        code: &str,
        chain: &str,
        segment: &str,
    ) -> Result<Upserted> {
        // The project may still be queued: the update below must find its row.
        self.flush().await?;
        let project_id = self.resolve(Named::Project, "项目编号", code).await?;
        let segment_id = self.segment_id(chain, segment).await?;
        let before = sqlx::query(
            "SELECT s.id, c.name AS c_name, s.name AS s_name FROM projects p JOIN chain_segments s ON s.id = p.segment_id \
             JOIN chains c ON c.id = s.chain_id WHERE p.id = $1",
        )
        .bind(project_id)
        .fetch_optional(self.conn())
        .await?
        .map(|r| {
            Ok::<_, StoreError>((
                r.try_get::<i64, _>("id")?,
                (r.try_get::<String, _>("c_name")?, r.try_get::<String, _>("s_name")?),
            ))
        })
        .transpose()?;
        if before.as_ref().is_some_and(|(id, _)| *id == segment_id) {
            return Ok(Upserted::Unchanged);
        }
        sqlx::query("UPDATE projects SET segment_id = $1 WHERE id = $2")
            .bind(segment_id)
            .bind(project_id)
            .execute(self.conn())
            .await?;
        self.log(
            "project_segment",
            code,
            "set",
            before.as_ref().map(|(_, names)| names),
            Some(&(chain, segment.trim())),
        )
        .await?;
        Ok(Upserted::changed(before.is_some()))
    }

    /// Adds a contact person to a firm.
    pub async fn add_contact(&mut self, firm_id: i64, contact: &Contact) -> Result<()> {
        let name = domain::text::required("联系人", &contact.name)?;
        self.live_firm(firm_id).await?;
        let actor = self.actor_name().to_owned();
        sqlx::query(
            "INSERT INTO enterprise_contacts (enterprise_id, name, title, phone, note, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(firm_id)
        .bind(&name)
        .bind(&contact.title)
        .bind(&contact.phone)
        .bind(&contact.note)
        .bind(crate::now_millis())
        .bind(actor)
        .execute(self.conn())
        .await?;
        self.log(
            "enterprise_contact",
            &firm_id.to_string(),
            "create",
            None::<&()>,
            Some(contact),
        )
        .await?;
        Ok(())
    }
}

fn industries(raw: Option<String>) -> Result<Vec<IndustryCode>> {
    raw.as_deref()
        .unwrap_or("")
        .split('、')
        .filter(|c| !c.trim().is_empty())
        .map(|c| IndustryCode::parse("行业代码", c).map_err(|_| corrupt("行业代码", c)))
        .collect()
}

impl Store {
    /// Every segment as its import file has it: chain, segment, position and industry codes
    /// (、-separated), by chain and position.
    pub async fn all_segments(&self) -> Result<Vec<(String, String, String, Option<String>)>> {
        let rows = sqlx::query(
            "SELECT c.name AS c_name, s.name AS s_name, s.position, s.industry_codes FROM chain_segments s \
             JOIN chains c ON c.id = s.chain_id ORDER BY c.name, s.position_order, s.name",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("c_name")?,
                    r.try_get("s_name")?,
                    r.try_get("position")?,
                    r.try_get("industry_codes")?,
                ))
            })
            .collect()
    }

    /// Every project placed in a segment: its code, the chain and the segment, by code.
    pub async fn all_project_segments(&self) -> Result<Vec<(String, String, String)>> {
        let rows = sqlx::query(
            "SELECT p.code, c.name AS c_name, s.name AS s_name FROM projects p JOIN chain_segments s ON s.id = p.segment_id \
             JOIN chains c ON c.id = s.chain_id ORDER BY p.code",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("code")?,
                    r.try_get("c_name")?,
                    r.try_get("s_name")?,
                ))
            })
            .collect()
    }

    /// Every firm placed in a segment: chain, segment, the firm (its credit code, else its
    /// name), local or target, and whether it is the 链主.
    pub async fn all_segment_firms(
        &self,
    ) -> Result<Vec<(String, String, String, SegmentRole, bool)>> {
        let rows = sqlx::query(
            "SELECT c.name AS c_name, s.name AS s_name, COALESCE(e.credit_code, e.name) AS value_2, f.role, f.chain_leader \
             FROM segment_firms f JOIN chain_segments s ON s.id = f.segment_id \
             JOIN chains c ON c.id = s.chain_id JOIN enterprises e ON e.id = f.enterprise_id \
             ORDER BY c.name, s.position_order, s.name, e.name",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let role: String = r.try_get("role")?;
                let role = SegmentRole::parse("类别", &role).map_err(|_| corrupt("类别", &role))?;
                Ok((
                    r.try_get("c_name")?,
                    r.try_get("s_name")?,
                    r.try_get("value_2")?,
                    role,
                    r.try_get::<i64, _>("chain_leader")? != 0,
                ))
            })
            .collect()
    }

    /// A chain's map: its segments with their firms and the projects filling them — of those,
    /// only the ones held by `scope_unit` when one is given (a unit account's view).
    pub async fn chain_map(
        &self,
        chain: &str,
        scope_unit: Option<&str>,
    ) -> Result<Option<ChainMap>> {
        let Some(head) = sqlx::query("SELECT id, industry FROM chains WHERE name = $1")
            .bind(chain)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let chain_id: i64 = head.try_get("id")?;
        let rows = sqlx::query(
            "SELECT id, name, position, industry_codes FROM chain_segments WHERE chain_id = $1 \
             ORDER BY position_order, id",
        )
        .bind(chain_id)
        .fetch_all(self.pool())
        .await?;
        let mut segments = Vec::with_capacity(rows.len());
        for row in &rows {
            let position: String = row.try_get("position")?;
            segments.push(Segment {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                position: Position::parse("位置", &position)
                    .map_err(|_| corrupt("位置", &position))?,
                industries: industries(row.try_get("industry_codes")?)?,
                local: Vec::new(),
                targets: Vec::new(),
                projects: Vec::new(),
            });
        }
        let firms = sqlx::query(
            "SELECT f.segment_id, e.id, e.name, f.role, f.chain_leader FROM segment_firms f \
             JOIN enterprises e ON e.id = f.enterprise_id JOIN chain_segments s ON s.id = f.segment_id \
             WHERE s.chain_id = $1 ORDER BY f.chain_leader DESC, e.name",
        )
        .bind(chain_id)
        .fetch_all(self.pool())
        .await?;
        for row in &firms {
            let segment_id: i64 = row.try_get("segment_id")?;
            let role: String = row.try_get("role")?;
            let firm = FirmRef {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                chain_leader: row.try_get::<i64, _>("chain_leader")? != 0,
            };
            if let Some(s) = segments.iter_mut().find(|s| s.id == segment_id) {
                if role == SegmentRole::Local.code() {
                    s.local.push(firm);
                } else {
                    s.targets.push(firm);
                }
            }
        }
        let scoped = match scope_unit {
            Some(_) => format!(" AND {}", crate::projects::listing::held_by("$2")),
            None => String::new(),
        };
        let sql = format!(
            "SELECT p.segment_id, p.code, p.name, p.state_label FROM projects p \
             JOIN chain_segments s ON s.id = p.segment_id JOIN units u ON u.id = p.territory_unit_id \
             WHERE s.chain_id = $1{scoped} ORDER BY p.code"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(chain_id);
        if let Some(unit) = scope_unit {
            query = query.bind(unit);
        }
        let projects = query.fetch_all(self.pool()).await?;
        for row in &projects {
            let segment_id: i64 = row.try_get("segment_id")?;
            let stage: Option<String> = row.try_get("state_label")?;
            if let Some(s) = segments.iter_mut().find(|s| s.id == segment_id) {
                s.projects.push(SegmentProject {
                    code: row.try_get("code")?,
                    name: row.try_get("name")?,
                    stage: stage.unwrap_or_else(|| "未开始".into()),
                });
            }
        }
        Ok(Some(ChainMap {
            chain: chain.to_owned(),
            industry: head.try_get("industry")?,
            segments,
        }))
    }

    /// The segments a firm sits in, with their chains.
    pub async fn chain_positions(&self, firm_id: i64) -> Result<Vec<ChainPosition>> {
        let rows = sqlx::query(
            "SELECT c.name AS chain, s.name AS segment, s.position, f.role, f.chain_leader FROM segment_firms f \
             JOIN chain_segments s ON s.id = f.segment_id JOIN chains c ON c.id = s.chain_id \
             WHERE f.enterprise_id = $1 ORDER BY c.id, s.position_order, s.id",
        )
        .bind(firm_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let role: String = r.try_get("role")?;
                Ok(ChainPosition {
                    chain: r.try_get("chain")?,
                    segment: r.try_get("segment")?,
                    position: r.try_get("position")?,
                    role: if role == SegmentRole::Local.code() {
                        "已有".into()
                    } else {
                        "目标".into()
                    },
                    chain_leader: r.try_get::<i64, _>("chain_leader")? != 0,
                })
            })
            .collect()
    }

    pub async fn contacts(&self, firm_id: i64) -> Result<Vec<(i64, Contact)>> {
        let rows = sqlx::query(
            "SELECT id, name, title, phone, note FROM enterprise_contacts WHERE enterprise_id = $1 ORDER BY id",
        )
        .bind(firm_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    Contact {
                        name: r.try_get("name")?,
                        title: r.try_get("title")?,
                        phone: r.try_get("phone")?,
                        note: r.try_get("note")?,
                    },
                ))
            })
            .collect()
    }
}

impl Store {
    /// The ids of a chain's projects (as the figures' facts number them).
    pub async fn chain_project_ids(&self, chain: &str) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT p.id FROM projects p JOIN chains c ON c.id = p.chain_id WHERE c.name = $1",
        )
        .bind(chain)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }
}
