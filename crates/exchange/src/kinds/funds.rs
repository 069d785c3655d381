//! 到位资金（`funds`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req("项目编号", "须为已录入的项目", "SYS-2022-001"),
    req("日期", "资金到位日期，如 2022-05-31", "2022-05-31"),
    req("金额(万元)", "按币种计的万元数，最多四位小数", "5000"),
    opt("币种", "人民币或美元；不填为人民币", "人民币"),
    opt("来源", "取值见“资金来源”可选值", "自有"),
    opt("已核实(是/否)", "", "否"),
];

pub(crate) struct Funds;

impl Sheet for Funds {
    const COLUMNS: &'static [Column] = COLUMNS;
    const VALUE_LISTS: &'static [(Key, &'static str)] = &[(key!("来源"), FUND_SOURCE)];

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let row = c.row.number;
        let code = c.get(key!("项目编号"), project_code_cell);
        let date = c.get(key!("日期"), date_cell);
        let amount = c.get(key!("金额"), required_money);
        let currency = c.get(key!("币种"), |k, cell| {
            Currency::parse_for_funds(k, &cell.text())
        });
        let source = c.text(key!("来源"));
        let verified = c.get(key!("已核实"), yes_no_cell);
        let fund = c.build(|| {
            let (Some(code), Some(date), Some(amount), Some(currency)) =
                (code, date, amount, currency)
            else {
                return Err(incomplete());
            };
            let mut fund = Fund::new(&code, date, amount, currency)?;
            fund.source = source;
            fund.verified = verified.unwrap_or(false);
            Ok(fund)
        });
        if let Some(fund) = fund {
            report.appended(row, tx.add_fund(&fund).await?);
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .funds()
            .await?
            .into_iter()
            .map(|(_, f)| {
                vec![
                    Value::Text(f.project_code),
                    Value::Date(f.date),
                    Value::Wan(f.amount),
                    Value::Text(f.currency.label().to_owned()),
                    text(&f.source),
                    Value::Text(yes_no_text(f.verified).to_owned()),
                ]
            })
            .collect())
    }
}
