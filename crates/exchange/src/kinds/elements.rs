//! 要素保障（`elements`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req("项目编号", "须为已录入的项目", "SYS-2022-001"),
    req(
        "事项",
        "立项、可研批复、用地指标、规划许可、环评、能评、施工许可、资金/融资、用工、水、电、气、运输",
        "施工许可",
    ),
    req("状态(不涉及/未启动/办理中/已完成)", "", "办理中"),
    opt(
        "责任部门",
        "未完成的事项必填，须为已录入的单位",
        "市住房和城乡建设局",
    ),
    opt("应完成日期", "", "2022-09-30"),
    opt("完成日期", "已完成的事项必填", ""),
];

pub(crate) struct Elements;

impl Sheet for Elements {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let code = c.get(key!("项目编号"), project_code_cell);
        let item = c.get(key!("事项"), |k, cell| {
            ElementItem::parse(k, &cell.text())
        });
        let status = c.get(key!("状态"), |k, cell| {
            ElementStatus::parse(k, &cell.text())
        });
        let department = c.text(key!("责任部门"));
        let due = c.get(key!("应完成日期"), optional_date);
        let done = c.get(key!("完成日期"), optional_date);
        let element = c.build(|| {
            let (Some(item), Some(status), Some(due), Some(done)) = (item, status, due, done)
            else {
                return Err(incomplete());
            };
            ElementSupport::new(item, status, department, due, done)
        });
        if let (Some(code), Some(element)) = (code, element) {
            report.upserted(tx.set_element(&code, &element).await?);
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .all_elements()
            .await?
            .into_iter()
            .map(|(code, e)| {
                vec![
                    Value::Text(code),
                    Value::Text(e.item.label().to_owned()),
                    Value::Text(e.status.label().to_owned()),
                    text(&e.department),
                    date(e.due),
                    date(e.done),
                ]
            })
            .collect())
    }
}
