//! 融资方案（`financing`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req(
        "项目编号",
        "须为已录入的项目；再次导入将替换其融资方案",
        "SYS-2022-001",
    ),
    req("融资需求(万元)", "最多四位小数", "30000"),
    req("资金来源构成", "", "企业自有资金40%、银行贷款60%"),
    opt("合作金融机构", "编制中以外的状态必填", "龙江银行双鸭山分行"),
    req(
        "状态(编制中/已对接金融机构/已获批/已放款)",
        "",
        "已对接金融机构",
    ),
];

pub(crate) struct Financing;

impl Sheet for Financing {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let code = c.get(key!("项目编号"), project_code_cell);
        let need = c.get(key!("融资需求"), required_money);
        let sources = c.required_text(key!("资金来源构成"));
        let bank = c.text(key!("合作金融机构"));
        let status = c.get(key!("状态"), |k, cell| {
            FinancingStatus::parse(k, &cell.text())
        });
        let (Some(code), Some(need), Some(sources), Some(status)) = (code, need, sources, status)
        else {
            return Ok(());
        };
        match FinancingPlan::new(need, &sources, bank, status) {
            Ok(plan) => report.upserted(tx.set_financing(&code, &plan).await?),
            Err(errors) => c.errors.extend(errors),
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .all_financing()
            .await?
            .into_iter()
            .map(|(code, f)| {
                vec![
                    Value::Text(code),
                    Value::Wan(f.need),
                    Value::Text(f.sources),
                    text(&f.bank),
                    Value::Text(f.status.label().to_owned()),
                ]
            })
            .collect())
    }
}
