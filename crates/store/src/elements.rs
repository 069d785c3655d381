//! 要素保障: the thirteen items a project may need from the city's departments, each with its
//! status and dates; a department's queue of open items.

use chrono::NaiveDate;
use domain::responsibility::{ElementItem, ElementStatus, ElementSupport};
use sqlx::Row;

use crate::rows::{corrupt, parse_day};
use crate::{Result, Store, Tx, Upserted};

/// An open 要素保障 item in a department's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedElement {
    pub project_code: String,
    pub project_name: String,
    pub element: ElementSupport,
}

const ELEMENT_SELECT: &str = "SELECT p.code AS project_code, p.name AS project_name, e.item, e.status, \
     d.name AS department, e.due_on, e.done_on \
     FROM element_items e JOIN projects p ON p.id = e.project_id LEFT JOIN units d ON d.id = e.department_id";

fn element_from_row(row: &sqlx::any::AnyRow) -> Result<QueuedElement> {
    let item: String = row.try_get("item")?;
    let status: String = row.try_get("status")?;
    let day = |column: &str| -> Result<Option<NaiveDate>> {
        let text: Option<String> = row.try_get(column)?;
        text.as_deref().map(parse_day).transpose()
    };
    Ok(QueuedElement {
        project_code: row.try_get("project_code")?,
        project_name: row.try_get("project_name")?,
        element: ElementSupport {
            item: ElementItem::parse("要素", &item).map_err(|_| corrupt("要素", &item))?,
            status: ElementStatus::parse("状态", &status).map_err(|_| corrupt("状态", &status))?,
            department: row.try_get("department")?,
            due: day("due_on")?,
            done: day("done_on")?,
        },
    })
}

impl Tx {
    /// Sets one 要素保障 item of a project, logged with what it was.
    pub async fn set_element(
        &mut self,
        project_code: &str,
        element: &ElementSupport,
    ) -> Result<Upserted> {
        let project_id = self.project_id(project_code).await?;
        let department = match &element.department {
            Some(name) => Some(self.unit_id("责任部门", name).await?),
            None => None,
        };
        let item = element.item.label();
        let sql = sqlx::AssertSqlSafe(format!(
            "{ELEMENT_SELECT} WHERE e.project_id = $1 AND e.item = $2"
        ));
        let before = match sqlx::query(sql)
            .bind(project_id)
            .bind(item)
            .fetch_optional(self.conn())
            .await?
        {
            Some(row) => Some(element_from_row(&row)?.element),
            None => None,
        };
        if before.as_ref() == Some(element) {
            return Ok(Upserted::Unchanged);
        }
        let day = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        sqlx::query("DELETE FROM element_items WHERE project_id = $1 AND item = $2")
            .bind(project_id)
            .bind(item)
            .execute(self.conn())
            .await?;
        sqlx::query(
            "INSERT INTO element_items (project_id, item, status, department_id, due_on, done_on) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(project_id)
        .bind(item)
        .bind(element.status.label())
        .bind(department)
        .bind(day(element.due))
        .bind(day(element.done))
        .execute(self.conn())
        .await?;
        self.log(
            "element",
            &format!("{project_code}/{item}"),
            "set",
            before.as_ref(),
            Some(element),
        )
        .await?;
        Ok(Upserted::changed(before.is_some()))
    }
}

impl Store {
    /// A project's 要素保障 items that were set, in the order of the thirteen.
    pub async fn elements_of(&self, project_code: &str) -> Result<Vec<ElementSupport>> {
        let sql = sqlx::AssertSqlSafe(format!("{ELEMENT_SELECT} WHERE p.code = $1"));
        let rows = sqlx::query(sql)
            .bind(project_code)
            .fetch_all(self.pool())
            .await?;
        let mut items = rows
            .iter()
            .map(|r| Ok(element_from_row(r)?.element))
            .collect::<Result<Vec<_>>>()?;
        items.sort_by_key(|e| e.item);
        Ok(items)
    }

    /// A department's open items (未启动, 办理中), the earliest due first.
    pub async fn element_queue(&self, department: &str) -> Result<Vec<QueuedElement>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{ELEMENT_SELECT} WHERE d.name = $1 AND e.status IN ('未启动', '办理中') \
             ORDER BY COALESCE(e.due_on, '9999-12-31'), p.code, e.item"
        ));
        let rows = sqlx::query(sql)
            .bind(department)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(element_from_row).collect()
    }
}

impl Store {
    /// Every 要素保障 item set, by 项目编号 and then in the order of the thirteen.
    pub async fn all_elements(&self) -> Result<Vec<(String, ElementSupport)>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ELEMENT_SELECT} ORDER BY p.code"
        )))
        .fetch_all(self.pool())
        .await?;
        let mut items = rows
            .iter()
            .map(|r| element_from_row(r).map(|q| (q.project_code, q.element)))
            .collect::<Result<Vec<_>>>()?;
        items.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.item.cmp(&b.1.item)));
        Ok(items)
    }
}
