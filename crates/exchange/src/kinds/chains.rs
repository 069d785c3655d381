//! 产业链（`chains`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req("产业链名称", "全市唯一", "新能源产业链"),
    opt("主导产业", "所属主导产业", "新能源"),
    opt("链长", "担任链长的市级领导姓名，须已录入", "王建国"),
];

pub(crate) struct Chains;

impl Sheet for Chains {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let name = c.required_text(key!("产业链名称"));
        let (industry, leader) = (c.text(key!("主导产业")), c.text(key!("链长")));
        if let Some(chain) = c.build(|| Chain::new(&name.unwrap_or_default(), industry, leader)) {
            report.upserted(tx.upsert_chain(&chain).await?);
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .chains()
            .await?
            .into_iter()
            .map(|c| {
                vec![
                    Value::Text(c.name),
                    text(&c.industry),
                    text(&c.chain_leader),
                ]
            })
            .collect())
    }
}
