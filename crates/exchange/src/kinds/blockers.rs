//! 堵点问题（`blockers`）: the file's columns, how a row is applied, and the export's rows.

use super::prelude::*;

/// The columns, in the order templates and exports write them.
const COLUMNS: &[Column] = &[
    req("项目编号", "须为已录入的项目", "SYS-2022-001"),
    req(
        "问题描述",
        "同一项目同一天同样描述的问题只登记一次",
        "施工用电接入工程未完成",
    ),
    req("问题类别", "取值见“堵点类别”可选值", "水电气暖"),
    req("提出日期", "", "2022-06-01"),
    req("责任单位", "须为已录入的单位", "市能源局"),
    opt("责任领导", "须为已录入的领导", "王建国"),
    req("办结时限", "不早于提出日期", "2022-06-30"),
    opt("状态(待处理/处理中/已解决)", "不填为待处理", "待处理"),
    opt("解决情况", "已解决的必填", ""),
    opt("办结日期", "已解决的必填", ""),
];

pub(crate) struct Blockers;

impl Sheet for Blockers {
    const COLUMNS: &'static [Column] = COLUMNS;
    const VALUE_LISTS: &'static [(Key, &'static str)] = &[(key!("问题类别"), BLOCKER_CATEGORY)];

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let row = c.row.number;
        let code = c.get(key!("项目编号"), project_code_cell);
        let description = c.required_text(key!("问题描述"));
        let category = c.required_text(key!("问题类别"));
        let raised_on = c.get(key!("提出日期"), date_cell);
        let owner = c.required_text(key!("责任单位"));
        let leader = c.text(key!("责任领导"));
        let deadline = c.get(key!("办结时限"), date_cell);
        let status = c.get(key!("状态"), |k, cell| match optional(&cell.text()) {
            None => Ok(BlockerStatus::Open),
            Some(text) => BlockerStatus::parse(k, &text),
        });
        let resolution = c.text(key!("解决情况")).unwrap_or_default();
        let resolved_on = c.get(key!("办结日期"), optional_date);
        let (
            Some(code),
            Some(description),
            Some(category),
            Some(raised_on),
            Some(owner),
            Some(deadline),
            Some(status),
            Some(resolved_on),
        ) = (
            code,
            description,
            category,
            raised_on,
            owner,
            deadline,
            status,
            resolved_on,
        )
        else {
            return Ok(());
        };
        if let Err(e) = tx.check_blocker_category(&category).await {
            match e {
                StoreError::Invalid(e) => c.errors.push(e),
                other => return Err(other),
            }
        }
        let blocker = match NewBlocker::new(
            &code,
            &description,
            &category,
            raised_on,
            &owner,
            leader,
            deadline,
            tx.today(),
        ) {
            Ok(blocker) if c.ok() => blocker,
            Ok(_) => return Ok(()),
            Err(errors) => {
                c.errors.extend(errors);
                return Ok(());
            }
        };
        if status == BlockerStatus::Resolved && resolved_on.is_none() {
            c.errors
                .push(FieldError::new("办结日期", "已解决的堵点须填写办结日期"));
            return Ok(());
        }
        if tx.blocker_raised_as(&blocker).await?.is_some() {
            report.duplicates.push(row);
            return Ok(());
        }
        let id = tx.raise_blocker(&blocker).await?;
        if status != BlockerStatus::Open {
            let on = resolved_on.unwrap_or(raised_on);
            tx.change_blocker_status(id, status, &resolution, on)
                .await?;
        }
        report.added += 1;
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        Ok(store
            .blockers(&store::BlockerFilter::default())
            .await?
            .into_iter()
            .map(|v| {
                let b = v.blocker;
                vec![
                    Value::Text(b.raised.project_code),
                    Value::Text(b.raised.description),
                    Value::Text(b.raised.category),
                    Value::Date(b.raised.raised_on),
                    Value::Text(b.raised.owner_unit),
                    text(&b.raised.leader),
                    Value::Date(b.raised.deadline),
                    Value::Text(b.status.label().to_owned()),
                    text(&b.resolution),
                    date(b.resolved_on),
                ]
            })
            .collect())
    }
}
