//! 委托招商合同（`agency-contracts`）: one row a contract with its scope and fee rule, of an agency
//! already held.

use domain::agencies::ContractInput;

use super::prelude::*;

const COLUMNS: &[Column] = &[
    req("合同编号", "再次导入同一编号即修改", "WT-2022-001"),
    req(
        "机构名称",
        "首次出现的机构将新增",
        "北京某产业招商咨询有限公司",
    ),
    req("合同开始日期", "", "2022-01-01"),
    req("合同截止日期", "", "2022-12-31"),
    req(
        "计费方式(固定金额/签约额比例/到位资金比例)",
        "",
        "签约额比例",
    ),
    opt("固定金额(万元)", "按固定金额计费时填写，每个项目", ""),
    opt(
        "比例(%)",
        "按比例计费时填写，至多两位小数，0.5即0.5%",
        "0.5",
    ),
    req("计付时点(签约/资金到位/开工)", "", "签约"),
    opt("单项封顶(万元)", "", "50"),
    opt("合同封顶(万元)", "", "200"),
    opt(
        "约定区域",
        "县区或部门，用“、”分隔；不填为全市",
        "宝清县、集贤县",
    ),
    opt("约定产业链", "用“、”分隔；不填为各产业链", ""),
    opt("备注", "", ""),
];

pub(crate) struct Contracts;

impl Sheet for Contracts {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let cell = |c: &mut Cells<'_>, key: Key| c.cell(key).text();
        let (number, agency) = (cell(c, key!("合同编号")), cell(c, key!("机构名称")));
        let (starts, ends) = (cell(c, key!("合同开始日期")), cell(c, key!("合同截止日期")));
        let (basis, fixed, rate) = (
            cell(c, key!("计费方式")),
            cell(c, key!("固定金额")),
            cell(c, key!("比例")),
        );
        let (trigger, project_cap, total_cap) = (
            cell(c, key!("计付时点")),
            cell(c, key!("单项封顶")),
            cell(c, key!("合同封顶")),
        );
        let (units, chains, note) = (
            cell(c, key!("约定区域")),
            cell(c, key!("约定产业链")),
            cell(c, key!("备注")),
        );
        let parsed = ContractInput {
            number: &number,
            agency: &agency,
            starts_on: &starts,
            ends_on: &ends,
            basis: &basis,
            fixed: &fixed,
            rate: &rate,
            trigger: &trigger,
            project_cap: &project_cap,
            total_cap: &total_cap,
            units: &units,
            chains: &chains,
            note: &note,
        }
        .parse();
        match parsed {
            Ok(contract) => {
                if tx.agency_exists(&contract.agency).await? {
                    report.upserted(tx.upsert_contract(&contract).await?);
                } else {
                    c.errors.push(FieldError::new(
                        "机构名称",
                        format!(
                            "委托招商机构“{}”不存在，请先在委托招商机构页面添加或导入机构",
                            contract.agency
                        ),
                    ));
                }
            }
            Err(errors) => c.errors.extend(errors),
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        let mut rows = Vec::new();
        for agency in store.agencies(None).await? {
            for record in agency.contracts {
                let c = record.contract;
                let rule = c.rule;
                rows.push(vec![
                    Value::Text(c.number),
                    Value::Text(c.agency),
                    Value::Date(c.starts_on),
                    Value::Date(c.ends_on),
                    // As the form offers it; the import reads it back.
                    Value::Text(rule.basis.label().to_owned()),
                    wan(rule.fixed),
                    rule.rate.map_or(Value::Empty, |r| {
                        Value::Text(r.to_string().trim_end_matches('%').to_owned())
                    }),
                    Value::Text(rule.trigger.label().to_owned()),
                    wan(rule.project_cap),
                    wan(rule.total_cap),
                    Value::Text(c.units.join("、")),
                    Value::Text(c.chains.join("、")),
                    text(&c.note),
                ]);
            }
        }
        Ok(rows)
    }
}
