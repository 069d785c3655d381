//! 项目所在环节（`project-segments`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req("项目编号", "已录入的项目", "SYS-2022-001"),
    req("产业链", "", "新能源产业链"),
    req(
        "环节",
        "该产业链中已有的环节：项目补上或做强的一环",
        "风电整机",
    ),
];

pub(crate) struct ProjectSegments;

impl Sheet for ProjectSegments {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let code = c.get(key!("项目编号"), project_code_cell);
        let chain = c.required_text(key!("产业链"));
        let segment = c.required_text(key!("环节"));
        if let (Some(code), Some(chain), Some(segment)) = (code, chain, segment) {
            report.upserted(tx.place_project(&code, &chain, &segment).await?);
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .all_project_segments()
            .await?
            .into_iter()
            .map(|(code, chain, segment)| {
                vec![Value::Text(code), Value::Text(chain), Value::Text(segment)]
            })
            .collect())
    }
}
