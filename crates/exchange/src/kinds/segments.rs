//! 产业链环节（`segments`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req("产业链", "已有的产业链名称", "新能源产业链"),
    req("环节", "同一产业链中已有的环节将被更新", "风电整机"),
    req("位置(上游/中游/下游/配套)", "", "中游"),
    opt(
        "行业代码(多个以、分隔)",
        "国民经济行业分类代码，推荐目标企业时据此匹配",
        "C3415",
    ),
];

pub(crate) struct Segments;

impl Sheet for Segments {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let chain = c.required_text(key!("产业链"));
        let name = c.required_text(key!("环节"));
        let position = c.get(key!("位置"), |k, cell| Position::parse(k, &cell.text()));
        let codes = c.get(key!("行业代码"), |k, cell| {
            IndustryCode::parse_list(k, &cell.text())
        });
        if let (Some(chain), Some(name), Some(position), Some(codes)) =
            (chain, name, position, codes)
        {
            report.upserted(tx.upsert_segment(&chain, &name, position, &codes).await?);
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .all_segments()
            .await?
            .into_iter()
            .map(|(chain, name, position, codes)| {
                vec![
                    Value::Text(chain),
                    Value::Text(name),
                    Value::Text(position),
                    text(&codes),
                ]
            })
            .collect())
    }
}
