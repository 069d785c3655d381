//! 项目（`projects`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req(
        "项目编号",
        "全市唯一；再次导入同一编号将更新该项目",
        "SYS-2022-001",
    ),
    req("项目名称", "", "集贤200兆瓦风电项目"),
    opt(
        "投资企业",
        "投资方企业名称",
        "中船风电双鸭山新能源开发有限公司",
    ),
    opt(
        "统一社会信用代码",
        "投资企业的18位代码，按GB 32100校验",
        "91350100M000100Y43",
    ),
    opt("产业链", "须为已录入的产业链", "新能源产业链"),
    req("所在县区", "项目落地的单位，须已录入", "集贤县"),
    opt(
        "责任单位(多个以、分隔)",
        "承担该项目任务的部门或驻外机构",
        "市发展和改革委员会、市驻北京招商服务中心",
    ),
    opt("分管领导", "须为已录入的领导", "王建国"),
    opt("工作专班", "须为已录入的专班", "新能源产业专班"),
    opt("招商方式", "取值见“招商方式”可选值", "政府团队"),
    opt("资金来源(内资/外资)", "不填为内资", "内资"),
    opt(
        "币种",
        "人民币、美元、欧元、港元、日元；不填为人民币",
        "人民币",
    ),
    opt("计划总投资(万元)", "最多四位小数", "120000"),
    opt("签约额(万元)", "人民币万元，最多四位小数", "120000"),
    opt("重点项目(是/否)", "", "是"),
];

pub(crate) struct Projects;

impl Sheet for Projects {
    const COLUMNS: &'static [Column] = COLUMNS;
    const VALUE_LISTS: &'static [(Key, &'static str)] = &[(key!("招商方式"), SOURCE_MODE)];

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        if let Some(project) = project_from(c) {
            report.upserted(tx.upsert_project(&project).await?);
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .projects()
            .await?
            .into_iter()
            .map(|p| {
                vec![
                    Value::Text(p.code),
                    Value::Text(p.name),
                    text(&p.investor),
                    p.investor_code
                        .map_or(Value::Empty, |c| Value::Text(c.as_str().to_owned())),
                    text(&p.chain),
                    Value::Text(p.territory),
                    if p.credited.is_empty() {
                        Value::Empty
                    } else {
                        Value::Text(p.credited.join("、"))
                    },
                    text(&p.leader),
                    text(&p.team),
                    text(&p.source_mode),
                    Value::Text(p.capital_origin.label().to_owned()),
                    Value::Text(p.currency.label().to_owned()),
                    wan(p.planned_investment),
                    wan(p.signed_amount),
                    Value::Text(yes_no_text(p.key_project).to_owned()),
                ]
            })
            .collect())
    }
}

/// One row as a project: every cell checked, the project built when all are good.
fn project_from(c: &mut Cells<'_>) -> Option<Project> {
    let code = c.get(key!("项目编号"), project_code_cell);
    let name = c.required_text(key!("项目名称"));
    let territory = c.required_text(key!("所在县区"));
    let investor = c.text(key!("投资企业"));
    let investor_code = c.get(key!("统一社会信用代码"), credit_code_cell);
    let credited = Project::split_units(&c.cell(key!("责任单位")).text());
    let origin = c.get(key!("资金来源"), |k, cell| {
        CapitalOrigin::parse(k, &cell.text())
    });
    let currency = c.get(key!("币种"), |k, cell| Currency::parse(k, &cell.text()));
    let planned = c.get(key!("计划总投资"), money_cell);
    let signed = c.get(key!("签约额"), money_cell);
    let key_project = c.get(key!("重点项目"), yes_no_cell);
    let (chain, leader, team, source_mode) = (
        c.text(key!("产业链")),
        c.text(key!("分管领导")),
        c.text(key!("工作专班")),
        c.text(key!("招商方式")),
    );
    c.build(|| {
        let (Some(code), Some(name), Some(territory)) = (code, name, territory) else {
            return Err(incomplete());
        };
        let mut p = Project::new(&code, &name, &territory)?;
        p.investor = investor;
        p.investor_code = investor_code.flatten();
        p.chain = chain;
        p.credited = credited;
        p.leader = leader;
        p.team = team;
        p.source_mode = source_mode;
        p.capital_origin = origin.unwrap_or(CapitalOrigin::Domestic);
        p.currency = currency.unwrap_or(Currency::Cny);
        p.planned_investment = planned.flatten();
        p.signed_amount = signed.flatten();
        p.key_project = key_project.unwrap_or(false);
        p.check()?;
        Ok(p)
    })
}
