//! 敲门计划（`visit-plans`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req("目标企业", "", "中国船舶集团风电发展有限公司"),
    opt("统一社会信用代码", "", ""),
    opt("单位", "负责走访的单位；空表示市级计划", "集贤县"),
    opt("带队领导", "", ""),
    req("计划日期", "YYYY-MM-DD", "2022-12-15"),
    opt("目的", "", "风电整机环节招商"),
];

pub(crate) struct VisitPlans;

impl Sheet for VisitPlans {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let row = c.row.number;
        let firm = c.required_text(key!("目标企业"));
        let code = c.get(key!("统一社会信用代码"), credit_code_cell);
        let planned = c.get(key!("计划日期"), date_cell);
        let (unit, leader, purpose) = (
            c.text(key!("单位")),
            c.text(key!("带队领导")),
            c.text(key!("目的")),
        );
        let plan = c.build(|| {
            let (Some(firm), Some(code), Some(planned)) = (firm, code, planned) else {
                return Err(incomplete());
            };
            let mut plan = VisitPlan::new(&firm, planned)?;
            plan.credit_code = code;
            plan.unit = unit;
            plan.leader = leader;
            plan.purpose = purpose;
            Ok(plan)
        });
        if let Some(plan) = plan {
            report.appended(row, tx.add_visit_plan(&plan).await?);
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .visit_plans(None)
            .await?
            .into_iter()
            .map(|p| {
                vec![
                    Value::Text(p.enterprise),
                    p.credit_code
                        .map_or(Value::Empty, |c| Value::Text(c.as_str().to_owned())),
                    text(&p.unit),
                    text(&p.leader),
                    Value::Date(p.planned),
                    text(&p.purpose),
                ]
            })
            .collect())
    }
}
