//! 领导（`leaders`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req("姓名", "领导姓名，全市唯一", "王建国"),
    opt("职务", "如 副市长", "副市长"),
];

pub(crate) struct Leaders;

impl Sheet for Leaders {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let name = c.required_text(key!("姓名"));
        let title = c.text(key!("职务"));
        if let Some(leader) = c.build(|| Leader::new(&name.unwrap_or_default(), title)) {
            report.upserted(tx.upsert_leader(&leader).await?);
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .leaders()
            .await?
            .into_iter()
            .map(|l| vec![Value::Text(l.name), text(&l.title)])
            .collect())
    }
}
