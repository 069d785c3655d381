//! Two records of one firm made one (合并重复记录), and the merge undone. A merge moves every
//! project, visit, plan, contact, chain place and subsidiary of the record merged onto the
//! record kept, and writes down exactly what it moved: undoing it puts back that and nothing
//! else, so a project added to the kept firm since stays there. The record merged stays, marked
//! `merged_into`: a ledger naming it later finds the firm kept, and the search leaves it out.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Result, Store, StoreError, Tx, now_millis};

/// A record naming a firm: (id, name, credit code).
type Named = (i64, Option<String>, Option<String>);

/// What one merge moved, kept as JSON with it.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Moved {
    projects: Vec<i64>,
    contacts: Vec<i64>,
    /// Visits and 敲门计划 named by the merged record: (id, name, credit code) before.
    visits: Vec<Named>,
    plans: Vec<Named>,
    /// Chain places moved over, and those dropped because the kept firm held the segment
    /// already (segment, role, 链主).
    segments: Vec<i64>,
    dropped_places: Vec<(i64, String, i64)>,
    children: Vec<i64>,
    /// The kept firm's parent when it was the merged record.
    kept_parent: Option<i64>,
    /// The names (the merged record's and its 曾用名) added to the kept firm's 曾用名.
    former_names: Vec<String>,
    /// Records merged into the merged one before, now pointing at the kept firm.
    remerged: Vec<i64>,
}

/// How many records a merge moves, as its preview and its result say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Moves {
    pub projects: usize,
    pub visits: usize,
    pub plans: usize,
    pub contacts: usize,
    pub places: usize,
    pub subsidiaries: usize,
}

/// A merge as the bureau's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    pub id: i64,
    pub kept_id: i64,
    pub kept_name: String,
    pub merged_id: i64,
    pub merged_name: String,
    pub reason: String,
    pub merged_at: i64,
    pub merged_by: String,
    pub undone_at: Option<i64>,
    pub undone_by: Option<String>,
}

struct Firm {
    name: String,
    code: Option<String>,
    parent: Option<i64>,
    merged_into: Option<i64>,
    former_names: Option<String>,
}

impl Tx {
    async fn firm(&mut self, id: i64) -> Result<Firm> {
        let row = sqlx::query(
            "SELECT name, credit_code, parent_id, merged_into, former_names FROM enterprises WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.conn())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("企业库中没有编号为{id}的企业")))?;
        Ok(Firm {
            name: row.try_get("name")?,
            code: row.try_get("credit_code")?,
            parent: row.try_get("parent_id")?,
            merged_into: row.try_get("merged_into")?,
            former_names: row.try_get("former_names")?,
        })
    }

    /// Refuses a change to a record merged into another: the firm is the record kept.
    pub(crate) async fn live_firm(&mut self, id: i64) -> Result<()> {
        let firm = self.firm(id).await?;
        match firm.merged_into {
            Some(kept) => Err(StoreError::Refused(format!(
                "“{}”已并入企业编号为{kept}的记录，请在保留的记录上操作",
                firm.name
            ))),
            None => Ok(()),
        }
    }

    async fn ids(&mut self, sql: &'static str, firm: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query(sql).bind(firm).fetch_all(self.conn()).await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// Merges the record `merged` into `kept`; returns the merge's number and what moved. Two
    /// records that both carry a credit code are two legal persons and are not merged. (A
    /// preview is this, rolled back.)
    pub async fn merge_enterprises(
        &mut self,
        kept: i64,
        merged: i64,
        reason: &str,
    ) -> Result<(i64, Moves)> {
        let reason = domain::text::required("合并理由", reason)?;
        if kept == merged {
            return Err(StoreError::Refused("不能把一条记录与它自己合并".into()));
        }
        let (k, m) = (self.firm(kept).await?, self.firm(merged).await?);
        for f in [&k, &m] {
            if f.merged_into.is_some() {
                return Err(StoreError::Refused(format!(
                    "“{}”已并入其他记录，请先撤销那次合并",
                    f.name
                )));
            }
        }
        match (&k.code, &m.code) {
            (Some(a), Some(b)) => {
                return Err(StoreError::Refused(format!(
                    "两条记录的统一社会信用代码不同（{a}、{b}），是两家企业，不能合并"
                )));
            }
            // The registered record is the one to keep, with its name and code.
            (None, Some(_)) => {
                return Err(StoreError::Refused(format!(
                    "“{}”有统一社会信用代码，应保留它：请打开它的企业画像，把“{}”并入它",
                    m.name, k.name
                )));
            }
            _ => {}
        }
        let mut moved = Moved {
            projects: self
                .ids(
                    "SELECT id FROM projects WHERE enterprise_id = $1 ORDER BY id",
                    merged,
                )
                .await?,
            contacts: self
                .ids(
                    "SELECT id FROM enterprise_contacts WHERE enterprise_id = $1 ORDER BY id",
                    merged,
                )
                .await?,
            children: self
                .ids(
                    "SELECT id FROM enterprises WHERE parent_id = $1 ORDER BY id",
                    merged,
                )
                .await?,
            ..Moved::default()
        };
        moved.children.retain(|&c| c != kept);
        let m_code = m.code.clone().unwrap_or_default();
        for table in ["visits", "visit_plans"] {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, enterprise_name, credit_code FROM {table} \
                 WHERE credit_code = $1 OR (credit_code IS NULL AND enterprise_name = $2) ORDER BY id"
            )))
            .bind(&m_code)
            .bind(&m.name)
            .fetch_all(self.conn())
            .await?;
            let named = rows
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
                .collect::<Result<Vec<_>>>()?;
            match table {
                "visits" => moved.visits = named,
                _ => moved.plans = named,
            }
        }
        for row in sqlx::query(
            "SELECT segment_id, role, chain_leader, \
             CASE WHEN EXISTS (SELECT 1 FROM segment_firms k WHERE k.segment_id = s.segment_id \
             AND k.enterprise_id = $2) THEN 1 ELSE 0 END AS held \
             FROM segment_firms s WHERE s.enterprise_id = $1 ORDER BY segment_id",
        )
        .bind(merged)
        .bind(kept)
        .fetch_all(self.conn())
        .await?
        {
            let segment: i64 = row.try_get(0)?;
            if row.try_get::<i64, _>(3)? != 0 {
                moved
                    .dropped_places
                    .push((segment, row.try_get(1)?, row.try_get(2)?));
            } else {
                moved.segments.push(segment);
            }
        }
        if k.parent == Some(merged) {
            moved.kept_parent = Some(merged);
        }
        moved.remerged = self
            .ids(
                "SELECT id FROM enterprises WHERE merged_into = $1 ORDER BY id",
                merged,
            )
            .await?;
        let split = |names: &Option<String>| {
            names
                .as_deref()
                .map(domain::enterprise::Enterprise::split_tags)
                .unwrap_or_default()
        };
        let mut former = split(&k.former_names);
        for name in std::iter::once(m.name.clone()).chain(split(&m.former_names)) {
            if name != k.name && !former.contains(&name) {
                former.push(name.clone());
                moved.former_names.push(name);
            }
        }

        let revision = self.enterprise_revision().await?;
        sqlx::query(
            "UPDATE enterprises SET merged_into = $2, parent_id = NULL, revision = $3 WHERE id = $1",
        )
        .bind(merged)
        .bind(kept)
        .bind(revision)
        .execute(self.conn())
        .await?;
        let kept_parent = if moved.kept_parent.is_some() {
            None
        } else {
            k.parent
        };
        sqlx::query(
            "UPDATE enterprises SET parent_id = $2, former_names = $3, revision = $4 WHERE id = $1",
        )
        .bind(kept)
        .bind(kept_parent)
        .bind((!former.is_empty()).then(|| former.join("、")))
        .bind(revision)
        .execute(self.conn())
        .await?;
        self.move_all(&moved, merged, kept, Some((&k.name, k.code.as_deref())))
            .await?;
        let json = serde_json::to_string(&moved).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let id: i64 = sqlx::query(
            "INSERT INTO enterprise_merges (kept_id, merged_id, reason, moved, merged_at, merged_by) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(kept)
        .bind(merged)
        .bind(&reason)
        .bind(&json)
        .bind(now_millis())
        .bind(self.actor_name().to_owned())
        .fetch_one(self.conn())
        .await?
        .try_get(0)?;
        self.log(
            "enterprise",
            &k.code.clone().unwrap_or_else(|| k.name.clone()),
            "merge",
            Some(&(merged, &m.name, &m.code)),
            Some(&(kept, &k.name, &k.code, &reason, &moved)),
        )
        .await?;
        let moves = Moves {
            projects: moved.projects.len(),
            visits: moved.visits.len(),
            plans: moved.plans.len(),
            contacts: moved.contacts.len(),
            places: moved.segments.len() + moved.dropped_places.len(),
            subsidiaries: moved.children.len(),
        };
        Ok((id, moves))
    }

    /// Moves the records listed in `moved` from firm `from` to firm `to`; visits and plans
    /// take the name and code `renamed` (`None`: each its own name and code from before).
    async fn move_all(
        &mut self,
        moved: &Moved,
        from: i64,
        to: i64,
        renamed: Option<(&str, Option<&str>)>,
    ) -> Result<()> {
        for (sql, ids) in [
            (
                "UPDATE projects SET enterprise_id = $2 WHERE id = $1",
                &moved.projects,
            ),
            (
                "UPDATE enterprise_contacts SET enterprise_id = $2 WHERE id = $1",
                &moved.contacts,
            ),
            (
                "UPDATE enterprises SET parent_id = $2 WHERE id = $1",
                &moved.children,
            ),
            (
                "UPDATE enterprises SET merged_into = $2 WHERE id = $1",
                &moved.remerged,
            ),
        ] {
            for id in ids {
                sqlx::query(sql)
                    .bind(id)
                    .bind(to)
                    .execute(self.conn())
                    .await?;
            }
        }
        for segment in &moved.segments {
            sqlx::query(
                "UPDATE segment_firms SET enterprise_id = $3 WHERE segment_id = $1 AND enterprise_id = $2",
            )
            .bind(segment)
            .bind(from)
            .bind(to)
            .execute(self.conn())
            .await?;
        }
        for (table, rows) in [("visits", &moved.visits), ("visit_plans", &moved.plans)] {
            for (id, name, code) in rows {
                let (name, code) = match renamed {
                    Some((n, c)) => (Some(n.to_owned()), c.map(str::to_owned)),
                    None => (name.clone(), code.clone()),
                };
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET enterprise_name = $2, credit_code = $3 WHERE id = $1"
                )))
                .bind(id)
                .bind(name)
                .bind(code)
                .execute(self.conn())
                .await?;
            }
        }
        Ok(())
    }

    /// Undoes merge `id`: what it moved goes back, the merged record is a firm of its own
    /// again. Records added to the kept firm since stay where they are.
    pub async fn undo_merge(&mut self, id: i64) -> Result<()> {
        let row = sqlx::query(
            "SELECT kept_id, merged_id, moved, undone_at FROM enterprise_merges WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.conn())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("没有第{id}号合并记录")))?;
        let (kept, merged): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
        if row.try_get::<Option<i64>, _>(3)?.is_some() {
            return Err(StoreError::Refused(format!("第{id}号合并已撤销")));
        }
        let moved: Moved = serde_json::from_str(&row.try_get::<String, _>(2)?)
            .map_err(|e| StoreError::Corrupt(format!("合并记录{id}: {e}")))?;
        let k = self.firm(kept).await?;
        if k.merged_into.is_some() {
            return Err(StoreError::Refused(format!(
                "“{}”此后又并入了其他记录，请先撤销那次合并",
                k.name
            )));
        }
        let revision = self.enterprise_revision().await?;
        let mut former = k
            .former_names
            .as_deref()
            .map(domain::enterprise::Enterprise::split_tags)
            .unwrap_or_default();
        former.retain(|n| !moved.former_names.contains(n));
        sqlx::query(
            "UPDATE enterprises SET parent_id = COALESCE($2, parent_id), former_names = $3, \
             revision = $4 WHERE id = $1",
        )
        .bind(kept)
        .bind(moved.kept_parent)
        .bind((!former.is_empty()).then(|| former.join("、")))
        .bind(revision)
        .execute(self.conn())
        .await?;
        sqlx::query("UPDATE enterprises SET merged_into = NULL, revision = $2 WHERE id = $1")
            .bind(merged)
            .bind(revision)
            .execute(self.conn())
            .await?;
        self.move_all(&moved, kept, merged, None).await?;
        for (segment, role, leader) in &moved.dropped_places {
            sqlx::query(
                "INSERT INTO segment_firms (segment_id, enterprise_id, role, chain_leader) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (segment_id, enterprise_id) DO NOTHING",
            )
            .bind(segment)
            .bind(merged)
            .bind(role)
            .bind(leader)
            .execute(self.conn())
            .await?;
        }
        sqlx::query("UPDATE enterprise_merges SET undone_at = $2, undone_by = $3 WHERE id = $1")
            .bind(id)
            .bind(now_millis())
            .bind(self.actor_name().to_owned())
            .execute(self.conn())
            .await?;
        self.log(
            "enterprise",
            &k.code.clone().unwrap_or_else(|| k.name.clone()),
            "unmerge",
            Some(&(kept, merged, &moved)),
            None::<&()>,
        )
        .await?;
        Ok(())
    }
}

impl Store {
    /// Every merge, the latest first.
    pub async fn merges(&self) -> Result<Vec<Merge>> {
        self.merges_where("", None).await
    }

    /// The merges a firm took part in, kept or merged.
    pub async fn merges_of(&self, firm: i64) -> Result<Vec<Merge>> {
        self.merges_where("WHERE m.kept_id = $1 OR m.merged_id = $1", Some(firm))
            .await
    }

    async fn merges_where(&self, filter: &str, firm: Option<i64>) -> Result<Vec<Merge>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT m.id, m.kept_id, k.name AS kept_name, m.merged_id, d.name AS merged_name, m.reason, \
             m.merged_at, m.merged_by, m.undone_at, m.undone_by FROM enterprise_merges m \
             JOIN enterprises k ON k.id = m.kept_id JOIN enterprises d ON d.id = m.merged_id \
             {filter} ORDER BY m.id DESC"
        ));
        let mut query = sqlx::query(sql);
        if let Some(firm) = firm {
            query = query.bind(firm);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(Merge {
                    id: r.try_get("id")?,
                    kept_id: r.try_get("kept_id")?,
                    kept_name: r.try_get("kept_name")?,
                    merged_id: r.try_get("merged_id")?,
                    merged_name: r.try_get("merged_name")?,
                    reason: r.try_get("reason")?,
                    merged_at: r.try_get("merged_at")?,
                    merged_by: r.try_get("merged_by")?,
                    undone_at: r.try_get("undone_at")?,
                    undone_by: r.try_get("undone_by")?,
                })
            })
            .collect()
    }

    /// The firms a bureau's entry names: an 企业编号, a credit code, or an exact name (not
    /// those merged into another).
    pub async fn firms_named(&self, text: &str) -> Result<Vec<i64>> {
        let text = text.trim();
        if let Ok(id) = text.parse::<i64>()
            && text.len() < 18
        {
            let row = sqlx::query("SELECT id FROM enterprises WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
            return Ok(row.map(|r| r.try_get(0)).transpose()?.into_iter().collect());
        }
        let rows = sqlx::query(
            "SELECT id FROM enterprises WHERE (credit_code = $1 OR name = $2) AND merged_into IS NULL ORDER BY id LIMIT 5",
        )
        .bind(text.to_ascii_uppercase())
        .bind(text)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// Names shared by more than one firm record (疑似重复), with the records' ids, at most
    /// `limit` names.
    pub async fn twin_names(&self, limit: i64) -> Result<Vec<(String, Vec<i64>)>> {
        let rows = sqlx::query(
            "SELECT name FROM enterprises WHERE merged_into IS NULL GROUP BY name HAVING COUNT(*) > 1 \
             ORDER BY name LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut twins = Vec::with_capacity(rows.len());
        for row in rows {
            let name: String = row.try_get(0)?;
            let ids = sqlx::query(
                "SELECT id FROM enterprises WHERE name = $1 AND merged_into IS NULL ORDER BY id",
            )
            .bind(&name)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<Vec<i64>, _>>()?;
            twins.push((name, ids));
        }
        Ok(twins)
    }

    /// The record a firm was merged into, if it was.
    pub async fn merged_into(&self, firm: i64) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT merged_into FROM enterprises WHERE id = $1")
            .bind(firm)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?.flatten())
    }
}
