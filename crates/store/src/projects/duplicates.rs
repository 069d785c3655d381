//! 重复研判 in the store: new projects that look like a second report of one already held are
//! marked `held` and left out of the figures until the bureau judges them.

use domain::duplicates::{DuplicateState, similar_names};
use domain::records::Project;
use serde::Serialize;
use sqlx::Row;

use crate::tx::Named;
use crate::{Result, Store, StoreError, Tx};

/// A suspected duplicate and the project it resembles.
#[derive(Debug, Clone, Serialize)]
pub struct SuspectedDuplicate {
    pub code: String,
    pub name: String,
    pub territory: String,
    pub investor: Option<String>,
    pub original_code: String,
    pub original_name: String,
    pub state: DuplicateState,
}

impl Tx {
    /// The id of the project `project` looks like a second report of: the same investor (the
    /// same enterprise record: by credit code, or by name where none was given), the same
    /// county, a similar name. Projects already judged duplicates are not originals, nor is
    /// the project itself (`own`, when an edit is checked).
    pub(crate) async fn suspected_original(
        &mut self,
        project: &Project,
        enterprise: i64,
        territory: i64,
        own: Option<i64>,
    ) -> Result<Option<i64>> {
        if let Some(fresh) = self.fresh_projects.get(&(enterprise, territory))
            && let Some((id, _)) = fresh
                .iter()
                .find(|(id, name)| Some(*id) != own && similar_names(name, &project.name))
        {
            return Ok(Some(*id));
        }
        if self.fresh_firms.contains(&enterprise) {
            // Created in this transaction: its only projects are the fresh ones above.
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT id, name FROM projects WHERE enterprise_id = $1 AND territory_unit_id = $2 \
             AND id <> $3 AND (duplicate_state IS NULL OR duplicate_state <> 'confirmed') ORDER BY id",
        )
        .bind(enterprise)
        .bind(territory)
        .bind(own.unwrap_or(-1))
        .fetch_all(self.conn())
        .await?;
        for row in rows {
            let name: String = row.try_get("name")?;
            if similar_names(&name, &project.name) {
                return Ok(Some(row.try_get("id")?));
            }
        }
        Ok(None)
    }

    /// The project's 重复研判 state as stored (held, confirmed, cleared), if it ever had one.
    pub(crate) async fn duplicate_state(&mut self, id: i64) -> Result<Option<String>> {
        Ok(
            sqlx::query("SELECT duplicate_state FROM projects WHERE id = $1")
                .bind(id)
                .fetch_one(self.conn())
                .await?
                .try_get("duplicate_state")?,
        )
    }

    /// Marks the projects this transaction held as suspected duplicates (after they are written).
    pub(crate) async fn mark_held_duplicates(&mut self) -> Result<()> {
        for (id, original) in std::mem::take(&mut self.held_duplicates) {
            sqlx::query(
                "UPDATE projects SET duplicate_of = $1, duplicate_state = $2 WHERE id = $3",
            )
            .bind(original)
            .bind(DuplicateState::Held.code())
            .bind(id)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// The bureau's judgement of a held project: a duplicate (never counted) or a project of
    /// its own (counted from now on).
    pub async fn judge_duplicate(&mut self, code: &str, duplicate: bool) -> Result<()> {
        let id = self.resolve(Named::Project, "项目编号", code).await?;
        let state = self.duplicate_state(id).await?;
        if state.as_deref() != Some(DuplicateState::Held.code()) {
            return Err(StoreError::invalid(
                "项目编号",
                format!("项目“{code}”不在待研判列表中"),
            ));
        }
        let to = if duplicate {
            DuplicateState::Confirmed
        } else {
            DuplicateState::Cleared
        };
        sqlx::query("UPDATE projects SET duplicate_state = $1 WHERE id = $2")
            .bind(to.code())
            .bind(id)
            .execute(self.conn())
            .await?;
        self.log(
            "duplicate",
            code,
            "judge",
            Some(&DuplicateState::Held.code()),
            Some(&to.code()),
        )
        .await?;
        Ok(())
    }
}

impl Store {
    /// Projects suspected or judged duplicates, held ones first.
    /// `scope_unit` keeps a unit's own: the suspicions about the projects it holds by territory
    /// or is credited with (`None`: the whole city).
    pub async fn suspected_duplicates(
        &self,
        scope_unit: Option<&str>,
    ) -> Result<Vec<SuspectedDuplicate>> {
        let scope = match scope_unit {
            Some(_) => format!("AND {}", crate::projects::listing::held_by("$1")),
            None => String::new(),
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT p.code AS code, p.name AS name, u.name AS territory, e.name AS investor, \
             o.code AS original_code, o.name AS original_name, p.duplicate_state FROM projects p \
             JOIN units u ON u.id = p.territory_unit_id JOIN projects o ON o.id = p.duplicate_of \
             LEFT JOIN enterprises e ON e.id = p.enterprise_id WHERE p.duplicate_state IS NOT NULL {scope} \
             ORDER BY CASE WHEN p.duplicate_state = 'held' THEN 0 ELSE 1 END, p.code"
        ));
        let mut query = sqlx::query(sql);
        if let Some(unit) = scope_unit {
            query = query.bind(unit);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get("duplicate_state")?;
                Ok(SuspectedDuplicate {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    territory: r.try_get("territory")?,
                    investor: r.try_get("investor")?,
                    original_code: r.try_get("original_code")?,
                    original_name: r.try_get("original_name")?,
                    state: DuplicateState::from_code(&state)
                        .ok_or_else(|| crate::rows::corrupt("重复研判", &state))?,
                })
            })
            .collect()
    }

    /// Where a project stands in 重复研判, with the project it resembles, if it was ever suspected.
    pub async fn duplicate_status(&self, code: &str) -> Result<Option<(DuplicateState, String)>> {
        let row = sqlx::query(
            "SELECT p.duplicate_state, o.code FROM projects p JOIN projects o ON o.id = p.duplicate_of \
             WHERE p.code = $1 AND p.duplicate_state IS NOT NULL",
        )
        .bind(code)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            let state: String = r.try_get("duplicate_state")?;
            Ok((
                DuplicateState::from_code(&state)
                    .ok_or_else(|| crate::rows::corrupt("重复研判", &state))?,
                r.try_get("code")?,
            ))
        })
        .transpose()
    }

    /// The ids of projects the figures leave out: held or confirmed duplicates, and projects
    /// whose placement a unit has still to confirm.
    pub(crate) async fn uncounted_projects(&self) -> Result<std::collections::HashSet<i64>> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT p.id FROM projects p WHERE NOT {COUNTED}"));
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }
}

/// Whether project `p` counts in figures and warnings: never held or confirmed as a duplicate
/// (`DuplicateState::counts`, in SQL), and confirmed by every unit it was placed in by someone
/// else (`placements`).
pub(crate) const COUNTED: &str = "((p.duplicate_state IS NULL OR p.duplicate_state = 'cleared') \
     AND NOT EXISTS (SELECT 1 FROM placement_requests pr WHERE pr.project_id = p.id))";
