//! 对接走访记录（`visits`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req("日期", "对接日期", "2022-05-06"),
    opt("单位", "开展对接的单位；不填只计入全市", "集贤县"),
    opt("企业名称", "", "浙江碳一新能源有限公司"),
    opt("统一社会信用代码", "企业的18位代码", ""),
    opt("带队领导", "", "王建国"),
    opt("方式", "取值见“对接方式”可选值", "上门拜访"),
    opt("地点", "", "杭州"),
    opt("内容", "", "洽谈石墨负极材料项目"),
    opt("成果", "", "达成投资意向"),
    opt("项目编号", "关联的项目，须已录入", ""),
];

pub(crate) struct Visits;

impl Sheet for Visits {
    const COLUMNS: &'static [Column] = COLUMNS;
    const VALUE_LISTS: &'static [(Key, &'static str)] = &[(key!("方式"), VISIT_MODE)];

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let row = c.row.number;
        let date = c.get(key!("日期"), date_cell);
        let enterprise_code = c.get(key!("统一社会信用代码"), credit_code_cell);
        let project = c.get(key!("项目编号"), |k, cell| {
            code_text(k, cell)?.map(|t| project_code(&t)).transpose()
        });
        let mut visit = match date {
            Some(date) => Visit::new(date),
            None => return Ok(()),
        };
        visit.unit = c.text(key!("单位"));
        visit.enterprise = c.text(key!("企业名称"));
        visit.enterprise_code = enterprise_code.flatten();
        visit.leaders = c.text(key!("带队领导"));
        visit.mode = c.text(key!("方式"));
        visit.place = c.text(key!("地点"));
        visit.content = c.text(key!("内容"));
        visit.outcome = c.text(key!("成果"));
        visit.project_code = project.flatten();
        if c.ok() {
            report.appended(row, tx.add_visit(&visit).await?);
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .visits()
            .await?
            .into_iter()
            .map(|v| {
                vec![
                    Value::Date(v.date),
                    text(&v.unit),
                    text(&v.enterprise),
                    v.enterprise_code
                        .map_or(Value::Empty, |c| Value::Text(c.as_str().to_owned())),
                    text(&v.leaders),
                    text(&v.mode),
                    text(&v.place),
                    text(&v.content),
                    text(&v.outcome),
                    text(&v.project_code),
                ]
            })
            .collect())
    }
}
