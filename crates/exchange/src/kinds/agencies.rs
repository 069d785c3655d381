//! 委托招商机构（`agencies`）: one row an agency; contracts name agencies held (a misspelt name
//! would otherwise split one agency's fees in two).

use domain::agencies::Agency;

use super::prelude::*;

const COLUMNS: &[Column] = &[
    req(
        "机构名称",
        "再次导入同一名称即修改",
        "北京某产业招商咨询有限公司",
    ),
    opt("统一社会信用代码", "18位", ""),
    opt("联系人", "", "王经理"),
    opt("联系电话", "", ""),
    opt("备注", "", ""),
];

pub(crate) struct Agencies;

impl Sheet for Agencies {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let name = c.required_text(key!("机构名称"));
        let code = c.get(key!("统一社会信用代码"), credit_code_cell);
        let contact = c.text(key!("联系人"));
        let phone = c.text(key!("联系电话"));
        let note = c.text(key!("备注"));
        let (Some(name), Some(code)) = (name, code) else {
            return Ok(());
        };
        match Agency::new(&name) {
            Ok(mut agency) => {
                agency.credit_code = code;
                agency.contact = contact;
                agency.phone = phone;
                agency.note = note;
                report.upserted(tx.upsert_agency(&agency).await?);
            }
            Err(e) => c.errors.push(e),
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .agencies(None)
            .await?
            .into_iter()
            .map(|a| {
                let a = a.agency;
                vec![
                    Value::Text(a.name),
                    a.credit_code
                        .map_or(Value::Empty, |c| Value::Text(c.as_str().to_owned())),
                    text(&a.contact),
                    text(&a.phone),
                    text(&a.note),
                ]
            })
            .collect())
    }
}
