//! 领导包保县区（`leader-units`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req(
        "领导",
        "须为已录入的领导；再次导入将替换其包保县区",
        "王建国",
    ),
    opt(
        "包保县区(多个以、分隔)",
        "须为已录入的单位；不填表示不包保县区",
        "集贤县、宝清县",
    ),
];

pub(crate) struct LeaderUnits;

impl Sheet for LeaderUnits {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let leader = c.required_text(key!("领导"));
        let units = Project::split_units(&c.cell(key!("包保县区")).text());
        if let (Some(leader), true) = (leader, c.ok()) {
            report.upserted(tx.set_leader_units(&leader, &units).await?);
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .all_leader_units()
            .await?
            .into_iter()
            .map(|(leader, units)| vec![Value::Text(leader), Value::Text(units.join("、"))])
            .collect())
    }
}
