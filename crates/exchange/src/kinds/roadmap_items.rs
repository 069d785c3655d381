//! 招商路线图（`roadmaps`）: one row an item of a chain's or a unit's roadmap for a year — the four
//! sets; a roadmap named for the first time is made.

use domain::roadmap::{OwnerKind, SetKind, parse_month};

use super::prelude::*;

const COLUMNS: &[Column] = &[
    req("年度", "", "2022"),
    opt("产业链", "产业链的路线图填写；与“单位”二选一", "石墨产业链"),
    opt("单位", "县区或部门的路线图填写", ""),
    req(
        "类型(重点招商项目/重要客户/招商政策/对接计划)",
        "",
        "对接计划",
    ),
    req(
        "内容",
        "项目库编号、企业名称或统一社会信用代码、政策名称",
        "贝特瑞新材料集团股份有限公司",
    ),
    opt("计划月份", "对接计划必填，1至12", "5"),
    opt("带队领导", "对接计划可填", ""),
];

pub(crate) struct RoadmapItems;

impl Sheet for RoadmapItems {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let year = c.get(key!("年度"), whole_number);
        let chain = c.text(key!("产业链"));
        let unit = c.text(key!("单位"));
        let kind = c.get(key!("类型"), |k, cell| SetKind::parse(k, &cell.text()));
        let reference = c.required_text(key!("内容"));
        let month = c.get(key!("计划月份"), |k, cell| match cell.text().trim() {
            "" => Ok(None),
            text => parse_month(k, text).map(Some),
        });
        let leader = c.text(key!("带队领导"));
        let owner = match (chain, unit) {
            (Some(chain), None) => Some((OwnerKind::Chain, chain)),
            (None, Some(unit)) => Some((OwnerKind::Unit, unit)),
            _ => {
                c.errors
                    .push(FieldError::new("产业链", "“产业链”和“单位”须填且只填一个"));
                None
            }
        };
        let (Some(year), Some(kind), Some(reference), Some(month), Some((owner_kind, owner))) =
            (year, kind, reference, month, owner)
        else {
            return Ok(());
        };
        let year = i32::try_from(year).unwrap_or(0);
        let id = tx.roadmap_for(year, owner_kind, &owner).await?;
        let input = store::ItemInput {
            reference: &reference,
            month,
            leader: leader.as_deref(),
        };
        report.upserted(tx.add_roadmap_item(id, kind, &input).await?);
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        let mut rows = Vec::new();
        for r in store.roadmaps().await? {
            for item in r.items {
                let (chain, unit) = match r.owner_kind {
                    OwnerKind::Chain => (Value::Text(r.owner.clone()), Value::Empty),
                    OwnerKind::Unit => (Value::Empty, Value::Text(r.owner.clone())),
                };
                let reference = match (&item.packaged, &item.firm, &item.text) {
                    (Some((code, ..)), _, _) => code.clone(),
                    (_, Some((_, name, code)), _) => code.clone().unwrap_or_else(|| name.clone()),
                    (_, _, Some(text)) => text.clone(),
                    _ => String::new(),
                };
                rows.push(vec![
                    Value::Count(i64::from(r.year)),
                    chain,
                    unit,
                    Value::Text(item.kind.label().to_owned()),
                    Value::Text(reference),
                    item.month
                        .map_or(Value::Empty, |m| Value::Count(i64::from(m))),
                    text(&item.leader),
                ]);
            }
        }
        Ok(rows)
    }
}
