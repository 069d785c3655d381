//! 环节企业（`segment-firms`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req("产业链", "", "新能源产业链"),
    req("环节", "该产业链中已有的环节", "风电整机"),
    req(
        "企业",
        "企业库中企业的统一社会信用代码或完整名称",
        "91350100M000100Y43",
    ),
    req("类别(已有/目标)", "已有：本地企业；目标：招引对象", "目标"),
    opt("链主企业(是/否)", "链主须为已有企业", "否"),
];

pub(crate) struct SegmentFirms;

impl Sheet for SegmentFirms {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let chain = c.required_text(key!("产业链"));
        let segment = c.required_text(key!("环节"));
        let firm = c.get(key!("企业"), |k, cell| {
            code_text(k, cell)?.ok_or_else(|| FieldError::new(k, "不能为空"))
        });
        let role = c.get(key!("类别"), |k, cell| {
            SegmentRole::parse(k, &cell.text())
        });
        let leader = c.get(key!("链主企业"), |k, cell| match cell.text().trim() {
            "" => Ok(false),
            _ => yes_no_cell(k, cell),
        });
        if let (Some(chain), Some(segment), Some(firm), Some(role), Some(leader)) =
            (chain, segment, firm, role, leader)
        {
            report.upserted(tx.place_firm(&chain, &segment, &firm, role, leader).await?);
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .all_segment_firms()
            .await?
            .into_iter()
            .map(|(chain, segment, firm, role, leader)| {
                vec![
                    Value::Text(chain),
                    Value::Text(segment),
                    Value::Text(firm),
                    Value::Text(role.label().to_owned()),
                    Value::Text(yes_no_text(leader).to_owned()),
                ]
            })
            .collect())
    }
}
