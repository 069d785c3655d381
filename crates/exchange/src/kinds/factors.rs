//! 招商要素表（`factors`）: one row a value of a factor, with its dates; a factor's rows by date.

use domain::factors::{Factor, FactorCategory, FactorValue};

use super::prelude::*;

const COLUMNS: &[Column] = &[
    req("要素编号", "同一要素的各个数值用同一编号", "DL-01"),
    req(
        "类别(土地/电力/用水/天然气/蒸汽/用工/物流/资源/其他)",
        "",
        "电力",
    ),
    req("要素名称", "", "大工业用电价格（1-10千伏）"),
    req("数值", "照报价写，可为区间，如 3200–3800", "0.5612"),
    req("单位", "", "元/千瓦时"),
    req("来源", "文件或发布单位", "省发展改革委电价文件"),
    req(
        "生效日期",
        "新数值生效后，原数值截止于前一日并保留",
        "2022-07-01",
    ),
    opt("有效期至", "不填为长期有效", ""),
    opt("备注", "", ""),
];

pub(crate) struct Factors;

impl Sheet for Factors {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let code = c.required_text(key!("要素编号"));
        let category = c.get(key!("类别"), |k, cell| {
            FactorCategory::parse(k, &cell.text())
        });
        let item = c.required_text(key!("要素名称"));
        let value = c.required_text(key!("数值"));
        let unit = c.required_text(key!("单位"));
        let source = c.required_text(key!("来源"));
        let from = c.get(key!("生效日期"), date_cell);
        let to = c.get(key!("有效期至"), optional_date);
        let note = c.text(key!("备注"));
        let (Some(code), Some(category), Some(item), Some(value), Some(unit), Some(source)) =
            (code, category, item, value, unit, source)
        else {
            return Ok(());
        };
        let (Some(from), Some(to)) = (from, to) else {
            return Ok(());
        };
        let factor = Factor::new(&code, category, &item);
        let value = FactorValue::new(&value, &unit, &source, from, to);
        match (factor, value) {
            (Ok(factor), Ok(mut value)) => {
                value.note = note;
                tx.upsert_factor(&factor).await?;
                report.upserted(tx.add_factor_value(&factor.code, &value).await?);
            }
            (factor, value) => {
                c.errors.extend(factor.err().into_iter().flatten());
                c.errors.extend(value.err().into_iter().flatten());
            }
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        let mut rows = Vec::new();
        for r in store.factors().await? {
            for v in r.values {
                rows.push(vec![
                    Value::Text(r.factor.code.clone()),
                    Value::Text(r.factor.category.label().to_owned()),
                    Value::Text(r.factor.item.clone()),
                    Value::Text(v.value),
                    Value::Text(v.unit),
                    Value::Text(v.source),
                    Value::Date(v.valid_from),
                    v.valid_to.map_or(Value::Empty, Value::Date),
                    text(&v.note),
                ]);
            }
        }
        Ok(rows)
    }

    /// Values in date order (stable within a day): each new one closes the one before.
    fn order<'t>(_table: &'t Table, index: &HashMap<&'static str, usize>, rows: &mut Vec<&'t Row>) {
        let date = |row: &Row| -> Option<NaiveDate> {
            let cell = index
                .get(key!("生效日期").as_str())
                .and_then(|i| row.cells.get(*i))
                .unwrap_or(&Cell::Empty);
            date_cell("生效日期", cell).ok()
        };
        rows.sort_by_cached_key(|r| date(r));
    }
}
