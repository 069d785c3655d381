//! Saved ledger mappings (issue 21.8): how an office's own ledger's columns map to an import
//! kind's, by name for a unit. The store keeps the mapping as JSON and knows nothing of its
//! shape (that is `exchange::mapping`); it keys it, logs each save and reads it back.

use sqlx::Row;

use crate::{Result, Store, StoreError, Tx, Upserted};

/// A mapping as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedMapping {
    pub id: i64,
    /// The unit it is for; none: the city's.
    pub unit: Option<String>,
    pub kind: String,
    pub name: String,
    /// The mapping as JSON.
    pub body: String,
    pub saved_by: String,
}

/// The longest a mapping's name may be, in characters.
const MAX_NAME: usize = 40;

/// The largest mapping body kept: a ledger of a few hundred columns.
const MAX_BODY: usize = 256 * 1024;

fn saved(row: &sqlx::any::AnyRow) -> Result<SavedMapping> {
    let unit: String = row.try_get("unit_name")?;
    Ok(SavedMapping {
        id: row.try_get("id")?,
        unit: Some(unit).filter(|u| !u.is_empty()),
        kind: row.try_get("kind")?,
        name: row.try_get("name")?,
        body: row.try_get("body")?,
        saved_by: row.try_get("saved_by")?,
    })
}

const SELECT: &str = "SELECT id, unit_name, kind, name, body, saved_by FROM import_mappings";

impl Store {
    /// The mapping named `name` for `kind` of `unit` (none: the city's).
    pub async fn mapping(
        &self,
        unit: Option<&str>,
        kind: &str,
        name: &str,
    ) -> Result<Option<SavedMapping>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE unit_name = $1 AND kind = $2 AND name = $3"
        ));
        let row = sqlx::query(sql)
            .bind(unit.unwrap_or_default())
            .bind(kind)
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(saved).transpose()
    }

    /// The mappings named `name` for `kind`, whoever they are for (the command line names a
    /// mapping without its unit).
    pub async fn mappings_named(&self, kind: &str, name: &str) -> Result<Vec<SavedMapping>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE kind = $1 AND name = $2 ORDER BY unit_name"
        ));
        let rows = sqlx::query(sql)
            .bind(kind)
            .bind(name)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(saved).collect()
    }

    /// The mappings a unit may use: its own and the city's; for none, every one.
    pub async fn mappings(&self, unit: Option<&str>) -> Result<Vec<SavedMapping>> {
        let rows = match unit {
            Some(unit) => {
                let sql = sqlx::AssertSqlSafe(format!(
                    "{SELECT} WHERE unit_name IN ($1, '') ORDER BY unit_name, kind, name"
                ));
                sqlx::query(sql).bind(unit).fetch_all(self.pool()).await?
            }
            None => {
                let sql = sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY unit_name, kind, name"));
                sqlx::query(sql).fetch_all(self.pool()).await?
            }
        };
        rows.iter().map(saved).collect()
    }

    /// The mapping with this id.
    pub async fn mapping_by_id(&self, id: i64) -> Result<Option<SavedMapping>> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1"));
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(saved).transpose()
    }
}

impl Tx {
    /// Saves `body` as the mapping `name` for `kind` of `unit`, replacing one of that name.
    pub async fn save_mapping(
        &mut self,
        unit: Option<&str>,
        kind: &str,
        name: &str,
        body: &str,
    ) -> Result<Upserted> {
        let name = domain::text::required("映射名称", name)?;
        if name.chars().count() > MAX_NAME {
            return Err(StoreError::invalid(
                "映射名称",
                format!("不超过{MAX_NAME}个字"),
            ));
        }
        if body.len() > MAX_BODY {
            return Err(StoreError::invalid("映射", "过大"));
        }
        let unit_name = unit.unwrap_or_default();
        let key = format!(
            "{}/{kind}/{name}",
            if unit_name.is_empty() {
                "全市"
            } else {
                unit_name
            }
        );
        let before = sqlx::query(
            "SELECT id, body FROM import_mappings WHERE unit_name = $1 AND kind = $2 AND name = $3",
        )
        .bind(unit_name)
        .bind(kind)
        .bind(&name)
        .fetch_optional(&mut *self.tx)
        .await?;
        let actor = self.actor.clone();
        match before {
            None => {
                sqlx::query(
                    "INSERT INTO import_mappings (unit_name, kind, name, body, saved_by) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(unit_name)
                .bind(kind)
                .bind(&name)
                .bind(body)
                .bind(&actor)
                .execute(&mut *self.tx)
                .await?;
                self.log_json(
                    "import_mapping",
                    &key,
                    None,
                    "create",
                    None,
                    Some(body.to_owned()),
                )
                .await?;
                Ok(Upserted::Inserted)
            }
            Some(row) => {
                let old: String = row.try_get("body")?;
                if old == body {
                    return Ok(Upserted::Unchanged);
                }
                sqlx::query("UPDATE import_mappings SET body = $1, saved_by = $2 WHERE id = $3")
                    .bind(body)
                    .bind(&actor)
                    .bind(row.try_get::<i64, _>("id")?)
                    .execute(&mut *self.tx)
                    .await?;
                self.log_json(
                    "import_mapping",
                    &key,
                    None,
                    "update",
                    Some(old),
                    Some(body.to_owned()),
                )
                .await?;
                Ok(Upserted::Updated)
            }
        }
    }
}
