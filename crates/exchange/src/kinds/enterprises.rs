//! 企业（`enterprises`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req(
        "企业名称",
        "有信用代码的按代码、没有的按名称识别；再次导入将更新",
        "中国船舶集团有限公司",
    ),
    opt(
        "统一社会信用代码",
        "18位，按GB 32100校验",
        "91310000710924478P",
    ),
    opt(
        "行业代码",
        "GB/T 4754-2017，如 C3511；可省略门类字母",
        "C3731",
    ),
    opt("省份", "", "北京市"),
    opt("城市", "", "北京市"),
    opt("注册资本(万元)", "最多四位小数", "11000000"),
    opt("成立日期", "如 2019-11-08", "2019-11-08"),
    opt("规模(大型/中型/小型/微型)", "", "大型"),
    opt(
        "标签(多个以、分隔)",
        "世界500强、中国500强、上市、行业龙头等",
        "世界500强、行业龙头",
    ),
    opt(
        "经营范围",
        "营业执照所载，参与全文检索",
        "船舶、海洋工程装备的设计、制造与销售",
    ),
    opt(
        "曾用名(多个以、分隔)",
        "参与检索",
        "中国船舶工业集团有限公司",
    ),
    opt("简称(多个以、分隔)", "参与检索", "中国船舶、中船集团"),
    opt(
        "主要产品(多个以、分隔)",
        "参与检索",
        "船舶、海洋工程装备、风电装备",
    ),
];

pub(crate) struct Enterprises;

impl Sheet for Enterprises {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        if let Some(enterprise) = enterprise_from(c, tx.today()) {
            report.upserted(tx.upsert_enterprise(&enterprise).await?);
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .enterprises()
            .await?
            .into_iter()
            .map(|e| {
                vec![
                    Value::Text(e.name),
                    e.credit_code
                        .map_or(Value::Empty, |c| Value::Text(c.as_str().to_owned())),
                    e.industry
                        .map_or(Value::Empty, |c| Value::Text(c.as_str().to_owned())),
                    text(&e.province),
                    text(&e.city),
                    wan(e.registered_capital),
                    date(e.founded),
                    e.size
                        .map_or(Value::Empty, |s| Value::Text(s.label().to_owned())),
                    listed(&e.tags),
                    text(&e.scope),
                    listed(&e.former_names),
                    listed(&e.short_names),
                    listed(&e.products),
                ]
            })
            .collect())
    }
}

fn listed(list: &[String]) -> Value {
    if list.is_empty() {
        Value::Empty
    } else {
        Value::Text(list.join("、"))
    }
}

/// One row as a firm: every cell checked, the firm built when all are good.
pub(crate) fn enterprise_from(c: &mut Cells<'_>, today: NaiveDate) -> Option<Enterprise> {
    let name = c.required_text(key!("企业名称"));
    let code = c.get(key!("统一社会信用代码"), credit_code_cell);
    let industry = c.get(key!("行业代码"), |k, cell| {
        code_text(k, cell)?
            .map(|t| IndustryCode::parse(k, &t))
            .transpose()
    });
    let capital = c.get(key!("注册资本"), money_cell);
    let founded = c.get(key!("成立日期"), optional_date);
    let size = c.get(key!("规模"), |k, cell| {
        optional(&cell.text())
            .map(|s| EnterpriseSize::parse(k, &s))
            .transpose()
    });
    let (province, city) = (c.text(key!("省份")), c.text(key!("城市")));
    let tags = Enterprise::split_tags(&c.cell(key!("标签")).text());
    let scope = c.text(key!("经营范围"));
    let mut lists = [key!("曾用名"), key!("简称"), key!("主要产品")]
        .map(|k| Enterprise::split_tags(&c.cell(k).text()));
    c.build(|| {
        let (Some(name), Some(code), Some(industry), Some(capital), Some(founded), Some(size)) =
            (name, code, industry, capital, founded, size)
        else {
            return Err(incomplete());
        };
        let mut e = Enterprise::new(&name)?;
        e.credit_code = code;
        e.industry = industry;
        e.province = province;
        e.city = city;
        e.registered_capital = capital;
        e.founded = founded;
        e.size = size;
        e.tags = tags;
        e.scope = scope;
        e.former_names = std::mem::take(&mut lists[0]);
        e.short_names = std::mem::take(&mut lists[1]);
        e.products = std::mem::take(&mut lists[2]);
        e.check(today)?;
        Ok(e)
    })
}
