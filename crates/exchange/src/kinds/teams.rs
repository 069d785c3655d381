//! 工作专班（`teams`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req("专班名称", "全市唯一", "新能源产业专班"),
    opt("牵头领导", "牵头的市级领导姓名，须已录入", "王建国"),
];

pub(crate) struct Teams;

impl Sheet for Teams {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let name = c.required_text(key!("专班名称"));
        let leader = c.text(key!("牵头领导"));
        if let Some(team) = c.build(|| Team::new(&name.unwrap_or_default(), leader)) {
            report.upserted(tx.upsert_team(&team).await?);
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .teams()
            .await?
            .into_iter()
            .map(|t| vec![Value::Text(t.name), text(&t.leader)])
            .collect())
    }
}
