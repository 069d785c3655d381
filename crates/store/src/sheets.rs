//! Published scoreboards (晒单): stored once, never changed, checked against their hash on
//! every read.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::rows::corrupt;
use crate::{Result, Store, StoreError, Tx, now_millis};

/// A published sheet without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetInfo {
    pub id: i64,
    pub year: i32,
    pub period: String,
    pub as_of: Option<String>,
    /// Epoch milliseconds.
    pub published_at: i64,
    pub published_by: String,
    pub sha256: String,
}

pub fn sha256_hex(content: &str) -> String {
    hex::encode(Sha256::digest(content.as_bytes()))
}

const SHEET_COLUMNS: &str = "SELECT id, year, period, as_of, published_at, published_by, sha256, content FROM published_sheets";

fn info_from_row(row: &sqlx::any::AnyRow) -> Result<SheetInfo> {
    let year: i64 = row.try_get("year")?;
    Ok(SheetInfo {
        id: row.try_get("id")?,
        year: i32::try_from(year).map_err(|_| corrupt("年度", &year.to_string()))?,
        period: row.try_get("period")?,
        as_of: row.try_get("as_of")?,
        published_at: row.try_get("published_at")?,
        published_by: row.try_get("published_by")?,
        sha256: row.try_get("sha256")?,
    })
}

impl Tx {
    /// Stores `content` (the scoreboard as JSON) as a published sheet; returns its id.
    pub async fn publish_sheet(
        &mut self,
        year: i32,
        period: &str,
        as_of: Option<&str>,
        content: &str,
    ) -> Result<(i64, String)> {
        let id = self.reserve_id("published_sheets").await?;
        let hash = sha256_hex(content);
        sqlx::query(
            "INSERT INTO published_sheets (id, year, period, as_of, published_at, published_by, content, sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(i64::from(year))
        .bind(period)
        .bind(as_of)
        .bind(now_millis())
        .bind(self.actor_name().to_owned())
        .bind(content)
        .bind(&hash)
        .execute(self.conn())
        .await?;
        self.log::<(), _>(
            "published_sheet",
            &id.to_string(),
            "publish",
            None,
            Some(&(year, period, as_of, &hash)),
        )
        .await?;
        Ok((id, hash))
    }
}

impl Store {
    /// Every published sheet, newest first.
    pub async fn published_sheets(&self) -> Result<Vec<SheetInfo>> {
        let sql = sqlx::AssertSqlSafe(format!("{SHEET_COLUMNS} ORDER BY id DESC"));
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter().map(info_from_row).collect()
    }

    /// A published sheet and its content, after checking the content against its hash.
    pub async fn published_sheet(&self, id: i64) -> Result<Option<(SheetInfo, String)>> {
        let sql = sqlx::AssertSqlSafe(format!("{SHEET_COLUMNS} WHERE id = $1"));
        let Some(row) = sqlx::query(sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let info = info_from_row(&row)?;
        let content: String = row.try_get("content")?;
        if sha256_hex(&content) != info.sha256 {
            return Err(StoreError::Corrupt(format!(
                "已发布晒单{id}的内容与其哈希不符，可能被篡改"
            )));
        }
        Ok(Some((info, content)))
    }
}

const ISSUING_OFFICE_KEY: &str = "issuing_office";

impl Tx {
    /// Sets the office printouts name as their issuer (empty: the default); logged.
    pub async fn set_issuing_office(&mut self, office: &str) -> Result<()> {
        let before = read_setting(self.conn(), ISSUING_OFFICE_KEY).await?;
        sqlx::query("DELETE FROM settings WHERE key = $1")
            .bind(ISSUING_OFFICE_KEY)
            .execute(self.conn())
            .await?;
        if !office.is_empty() {
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
                .bind(ISSUING_OFFICE_KEY)
                .bind(office)
                .execute(self.conn())
                .await?;
        }
        self.log(
            "settings",
            ISSUING_OFFICE_KEY,
            "set",
            before.as_ref(),
            Some(&office),
        )
        .await
    }
}

async fn read_setting(conn: &mut sqlx::AnyConnection, key: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get("value")).transpose()?)
}

impl Store {
    /// The office printouts name as their issuer, if the bureau set one.
    pub async fn issuing_office(&self) -> Result<Option<String>> {
        let mut conn = self.pool().acquire().await?;
        read_setting(&mut conn, ISSUING_OFFICE_KEY).await
    }
}
