//! 目标任务（`targets`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req("年度", "如 2022", "2022"),
    req("单位", "单位名称，或“全市”表示全市目标", "全市"),
    req(
        "指标",
        "指标中文名称，如 签约项目数、签约额、到位资金",
        "签约项目数",
    ),
    req("目标值", "金额类指标以万元计，其余为个数", "160"),
];

pub(crate) struct Targets;

impl Sheet for Targets {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let year = c.get(key!("年度"), whole_number);
        let unit = c.required_text(key!("单位"));
        let indicator = c.get(key!("指标"), |k, cell| Indicator::parse(k, &cell.text()));
        let value = match indicator {
            Some(i) if i.is_amount() => c.get(key!("目标值"), required_money).map(Money::units),
            _ => c.get(key!("目标值"), whole_number),
        };
        let target = c.build(|| {
            let (Some(year), Some(unit), Some(indicator), Some(value)) =
                (year, unit, indicator, value)
            else {
                return Err(incomplete());
            };
            let year = i32::try_from(year).map_err(|_| FieldError::new("年度", "不是有效年度"))?;
            let unit = (unit != CITY_TARGET_NAME).then_some(unit);
            Target::new(year, unit, indicator, value)
        });
        if let Some(target) = target {
            report.upserted(tx.upsert_target(&target).await?);
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .targets()
            .await?
            .into_iter()
            .map(|t| {
                let value = if t.indicator.is_amount() {
                    Money::from_units("目标值", t.value).map_or(Value::Count(t.value), Value::Wan)
                } else {
                    Value::Count(t.value)
                };
                vec![
                    Value::Count(i64::from(t.year)),
                    Value::Text(t.unit.unwrap_or_else(|| CITY_TARGET_NAME.to_owned())),
                    Value::Text(t.indicator.label().to_owned()),
                    value,
                ]
            })
            .collect())
    }
}
