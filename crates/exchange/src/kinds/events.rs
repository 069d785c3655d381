//! 项目阶段事件（`events`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req("项目编号", "须为已录入的项目", "SYS-2022-001"),
    req(
        "阶段(线索/在谈/签约/落地/开工/停工/复工/投产/达效/停滞/终止)",
        "只能向后推进，可跳过阶段",
        "签约",
    ),
    req(
        "日期(YYYY-MM-DD)",
        "不早于该项目上一事件，不晚于今天",
        "2022-03-15",
    ),
    opt(
        "金额(万元)",
        "仅签约填写：签约额；不填则取项目的签约额",
        "120000",
    ),
    opt("落地企业信用代码", "落地须填落地企业信用代码或地块编号", ""),
    opt("地块编号", "落地须填落地企业信用代码或地块编号", ""),
    opt("说明", "停滞、终止须说明原因", ""),
];

pub(crate) struct Events;

impl Sheet for Events {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let row = c.row.number;
        let code = c.get(key!("项目编号"), project_code_cell);
        let event_kind = c.get(key!("阶段"), |k, cell| EventKind::parse(k, &cell.text()));
        let date = c.get(key!("日期"), date_cell);
        let amount = c.get(key!("金额"), money_cell);
        let company = c.get(key!("落地企业信用代码"), credit_code_cell);
        let parcel = c.text(key!("地块编号"));
        let note = c.text(key!("说明"));
        let event = c.build(|| {
            let (Some(kind), Some(date)) = (event_kind, date) else {
                return Err(incomplete());
            };
            StageEvent::new(
                kind,
                date,
                amount.flatten(),
                company.flatten(),
                parcel,
                note,
            )
        });
        if let (Some(code), Some(event)) = (code, event) {
            report.appended(row, tx.add_event(&code, &event).await?);
        }
        Ok(())
    }

    /// Events go in date order (stable within a day), so that a file listing a project's
    /// history in any order is read as the history it describes.
    fn order<'t>(_table: &'t Table, index: &HashMap<&'static str, usize>, rows: &mut Vec<&'t Row>) {
        let date = |row: &Row| -> Option<NaiveDate> {
            let cell = index
                .get(key!("日期").as_str())
                .and_then(|i| row.cells.get(*i))
                .unwrap_or(&Cell::Empty);
            date_cell("日期", cell).ok()
        };
        rows.sort_by_cached_key(|r| date(r));
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok({
            let all = store.all_events().await?;
            let mut out = Vec::new();
            let mut start = 0;
            while start < all.len() {
                let code = &all[start].0;
                let end = start + all[start..].iter().take_while(|(c, _)| c == code).count();
                let recorded: Vec<_> = all[start..end].iter().map(|(_, r)| r.clone()).collect();
                for (_, e) in effective_events(&recorded) {
                    out.push(vec![
                        Value::Text(code.clone()),
                        Value::Text(e.kind.label().to_owned()),
                        Value::Date(e.date),
                        wan(e.amount),
                        e.company
                            .as_ref()
                            .map_or(Value::Empty, |c| Value::Text(c.as_str().to_owned())),
                        text(&e.parcel),
                        text(&e.note),
                    ]);
                }
                start = end;
            }
            out
        })
    }
}
