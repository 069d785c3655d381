//! 责任单位（`units`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req("单位名称", "单位全称，全市唯一", "集贤县"),
    req("类型(市本级/县/区/开发区/部门/驻外)", "单位类型", "县"),
    opt(
        "分组(县区/部门/驻外)",
        "晒单排名分组；不填时按类型确定（县、区、开发区为县区）",
        "县区",
    ),
    opt("行政区划代码", "6位数字，如 230521", "230521"),
    opt(
        "上级单位",
        "已有单位或本文件中的单位名称；市本级不填",
        "双鸭山市",
    ),
];

pub(crate) struct Units;

impl Sheet for Units {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let name = c.required_text(key!("单位名称"));
        let unit_kind = c.get(key!("类型"), |k, cell| UnitKind::parse(k, &cell.text()));
        let group = c.get(key!("分组"), |k, cell| {
            optional(&cell.text())
                .map(|g| ScoreGroup::parse(k, &g))
                .transpose()
        });
        let division = c.get(key!("行政区划代码"), code_text);
        let parent = c.text(key!("上级单位"));
        if let Some(unit) = c.build(|| {
            Unit::new(
                &name.unwrap_or_default(),
                unit_kind.unwrap_or(UnitKind::City),
                group.flatten(),
                division.flatten(),
                parent,
            )
        }) {
            report.upserted(tx.upsert_unit(&unit).await?);
        }
        Ok(())
    }

    /// Parents before their children, so that a file may list a unit before its parent.
    fn order<'t>(table: &'t Table, index: &HashMap<&'static str, usize>, rows: &mut Vec<&'t Row>) {
        let text = |row: &Row, key: Key| {
            index
                .get(key.as_str())
                .and_then(|i| row.cells.get(*i))
                .map(Cell::text)
                .unwrap_or_default()
        };
        let parents: HashMap<String, String> = table
            .rows
            .iter()
            .map(|r| (text(r, key!("单位名称")), text(r, key!("上级单位"))))
            .collect();
        let depth = |row: &Row| {
            let mut name = text(row, key!("单位名称"));
            let mut depth = 0;
            while let Some(parent) = parents.get(&name).filter(|p| !p.is_empty()) {
                depth += 1;
                if depth > 64 {
                    break;
                }
                name = parent.clone();
            }
            depth
        };
        rows.sort_by_cached_key(|r| depth(r));
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .units()
            .await?
            .into_iter()
            .map(|u| {
                vec![
                    Value::Text(u.name),
                    Value::Text(u.kind.label().to_owned()),
                    u.group
                        .map_or(Value::Empty, |g| Value::Text(g.label().to_owned())),
                    text(&u.division_code),
                    text(&u.parent),
                ]
            })
            .collect())
    }
}
