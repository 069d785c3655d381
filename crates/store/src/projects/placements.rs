//! A project placed in a unit by someone other than that unit's staff or the bureau waits for
//! the unit to confirm it (`domain::access::Actor::placements_to_confirm`); until every unit it
//! waits for has confirmed, it counts in no figure (`duplicates::COUNTED`).

use serde::Serialize;
use sqlx::Row;

use crate::tx::Tx;
use crate::{Result, Store, StoreError, now_millis};

/// A placement waiting for its unit's confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingPlacement {
    pub code: String,
    pub name: String,
    pub territory: String,
    pub unit: String,
    pub requested_by: String,
    pub requested_at: i64,
}

impl Tx {
    /// Asks `units` to confirm the project `code` (a unit asked already stays asked once).
    pub async fn request_placements(&mut self, code: &str, units: &[String]) -> Result<()> {
        let project = self.project_id(code).await?;
        // The project may still sit in the batch of rows to write.
        self.flush().await?;
        for unit in units {
            let unit_id = self.unit_id("责任单位", unit).await?;
            let asked = sqlx::query(
                "SELECT 1 AS one FROM placement_requests WHERE project_id = $1 AND unit_id = $2",
            )
            .bind(project)
            .bind(unit_id)
            .fetch_optional(&mut *self.tx)
            .await?;
            if asked.is_some() {
                continue;
            }
            sqlx::query(
                "INSERT INTO placement_requests (project_id, unit_id, requested_by, requested_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(project)
            .bind(unit_id)
            .bind(self.actor.clone())
            .bind(now_millis())
            .execute(&mut *self.tx)
            .await?;
            self.log::<(), _>("placement", code, "requested", None, Some(unit))
                .await?;
        }
        // A unit the project no longer names has nothing left to confirm.
        sqlx::query(
            "DELETE FROM placement_requests WHERE project_id = $1 AND unit_id NOT IN \
             (SELECT territory_unit_id FROM projects WHERE id = $1 \
              UNION SELECT unit_id FROM project_credits WHERE project_id = $1)",
        )
        .bind(project)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// `unit` confirms that the project `code` is placed in it; it then counts there.
    pub async fn confirm_placement(&mut self, code: &str, unit: &str) -> Result<()> {
        let project = self.project_id(code).await?;
        let unit_id = self.unit_id("单位", unit).await?;
        let done =
            sqlx::query("DELETE FROM placement_requests WHERE project_id = $1 AND unit_id = $2")
                .bind(project)
                .bind(unit_id)
                .execute(&mut *self.tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!(
                "项目“{code}”没有待{unit}确认的归属"
            )));
        }
        self.log::<(), _>("placement", code, "confirmed", None, Some(&unit))
            .await
    }
}

impl Store {
    /// The placements waiting for `unit` (`None`: for every unit), oldest first.
    pub async fn pending_placements(&self, unit: Option<&str>) -> Result<Vec<PendingPlacement>> {
        let base = "SELECT p.code, p.name, tu.name AS territory, u.name AS unit, pr.requested_by, \
             pr.requested_at FROM placement_requests pr JOIN projects p ON p.id = pr.project_id \
             JOIN units u ON u.id = pr.unit_id JOIN units tu ON tu.id = p.territory_unit_id";
        let rows = match unit {
            Some(unit) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{base} WHERE u.name = $1 ORDER BY pr.requested_at, p.code"
                )))
                .bind(unit.to_owned())
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{base} ORDER BY pr.requested_at, p.code"
                )))
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter()
            .map(|r| {
                Ok(PendingPlacement {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    territory: r.try_get("territory")?,
                    unit: r.try_get("unit")?,
                    requested_by: r.try_get("requested_by")?,
                    requested_at: r.try_get("requested_at")?,
                })
            })
            .collect()
    }

    /// The units the project `code` still waits for.
    pub async fn placements_of(&self, code: &str) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT u.name FROM placement_requests pr JOIN projects p ON p.id = pr.project_id \
             JOIN units u ON u.id = pr.unit_id WHERE p.code = $1 ORDER BY u.name",
        )
        .bind(code)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }
}
