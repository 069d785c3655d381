//! 谋划包装项目库（`packaged`）: one row a packaged project, read by the same parser as the form
//! (`PackagedInput`); a signed one is no longer changed from a file.

use domain::packaged::{PackagedStatus, ResourceKind};
use domain::records::PackagedInput;
use store::Upserted;

use super::prelude::*;

const COLUMNS: &[Column] = &[
    req("项目库编号", "再次导入同一编号即修改", "BZ-2022-001"),
    req("项目名称", "", "石墨负极材料项目"),
    req("责任单位", "须为已录入的单位", "宝清县"),
    opt("产业链", "", "石墨产业链"),
    opt("环节", "须为该产业链的环节", "负极材料"),
    opt("链长", "须为已录入的领导", ""),
    opt("建设内容", "", "建设天然石墨球形化、提纯及负极材料生产线"),
    opt("建设规模", "", "年产5万吨负极材料"),
    opt("建设年限", "年数，1至10", "2"),
    opt("投资概算(万元)", "最多四位小数", "100000"),
    opt(
        "概算构成",
        "每项写作“名称 金额（万元）”，用“；”或换行分隔，合计须等于投资概算",
        "设备购置 60000；土建工程 30000；其他 10000",
    ),
    opt("选址地块", "", "宝清县工业园区东区3号地块"),
    opt("用地面积(亩)", "最多两位小数", "300"),
    opt("园区", "", "宝清县工业园区"),
    opt("原材料", "资源匹配", "县内石墨矿年供精矿20万吨"),
    opt("能源", "资源匹配", "园区110千伏变电站"),
    opt("土地", "资源匹配", "已完成土地收储"),
    opt("物流", "资源匹配", "距铁路货运站5公里"),
    opt("前期手续", "已办结的手续，用“、”分隔", "立项、用地预审"),
    opt(
        "目标企业",
        "量身定制的目标企业，名称或统一社会信用代码，用“、”分隔",
        "",
    ),
    opt("公开(是/否)", "是否在招商门户公开", "否"),
    opt(
        "状态(谋划中/已包装/推介中/已对接/已签约)",
        "不填为谋划中",
        "已包装",
    ),
    opt(
        "签约项目编号",
        "状态为已签约时必填：已录入的项目，本项目关联到它",
        "",
    ),
];

pub(crate) struct Packaged;

impl Sheet for Packaged {
    const COLUMNS: &'static [Column] = COLUMNS;

    async fn apply(
        c: &mut Cells<'_>,
        tx: &mut Tx,
        report: &mut ImportReport,
    ) -> Result<(), StoreError> {
        let public = c.get(key!("公开"), yes_no_cell);
        let cell = |c: &Cells<'_>, key: Key| c.cell(key).text();
        // A cell holds the breakdown on one line; the parser reads one item a line.
        let breakdown = cell(c, key!("概算构成")).replace(['；', ';'], "\n");
        let fields = [
            cell(c, key!("项目库编号")),
            cell(c, key!("项目名称")),
            cell(c, key!("责任单位")),
            cell(c, key!("建设内容")),
            cell(c, key!("建设规模")),
            cell(c, key!("建设年限")),
            cell(c, key!("投资概算")),
            cell(c, key!("选址地块")),
            cell(c, key!("用地面积")),
            cell(c, key!("园区")),
            cell(c, key!("原材料")),
            cell(c, key!("能源")),
            cell(c, key!("土地")),
            cell(c, key!("物流")),
            cell(c, key!("前期手续")),
            cell(c, key!("产业链")),
            cell(c, key!("环节")),
            cell(c, key!("链长")),
            cell(c, key!("目标企业")),
            cell(c, key!("状态")),
        ];
        let signed_as = c.text(key!("签约项目编号"));
        let Some(public) = public else {
            return Ok(());
        };
        let status = match fields[19].trim() {
            "" => "谋划中",
            s => s,
        };
        let input = PackagedInput {
            code: &fields[0],
            name: &fields[1],
            unit: &fields[2],
            content: &fields[3],
            scale: &fields[4],
            years: &fields[5],
            estimate_wan: &fields[6],
            breakdown: &breakdown,
            parcel: &fields[7],
            area: &fields[8],
            park: &fields[9],
            resources: [&fields[10], &fields[11], &fields[12], &fields[13]],
            approvals: &fields[14],
            chain: &fields[15],
            segment: &fields[16],
            chain_leader: &fields[17],
            targets: &fields[18],
            public,
            status,
        };
        let mut p = match input.parse() {
            Ok(p) => p,
            Err(errors) => {
                c.errors.extend(errors);
                return Ok(());
            }
        };
        let signed = p.status == PackagedStatus::Signed;
        match (signed, signed_as) {
            (false, None) => report.upserted(tx.upsert_packaged(&p).await?),
            (false, Some(_)) => c.errors.push(FieldError::new(
                "签约项目编号",
                "状态不是“已签约”时不填签约项目编号",
            )),
            (true, None) => c.errors.push(FieldError::new(
                "签约项目编号",
                "状态为“已签约”时须填写签约项目编号",
            )),
            // Signed into that project already: a file imported again changes nothing.
            (true, Some(project)) => match tx.packaged_signed_as(&p.code).await? {
                Some(held) if held == project => report.upserted(Upserted::Unchanged),
                _ => {
                    // Written as 已对接 with the rest of its record, then linked as signing
                    // would: the project keeps the link, as one signed on the page does.
                    p.status = PackagedStatus::Engaged;
                    let outcome = tx.upsert_packaged(&p).await?;
                    tx.link_packaged(&p.code, &project).await?;
                    report.upserted(match outcome {
                        Upserted::Unchanged => Upserted::Updated,
                        other => other,
                    });
                }
            },
        }
        Ok(())
    }

    async fn export(store: &Store) -> Result<Vec<Vec<Value>>, ExchangeError> {
        let all = store
            .packaged_projects(&store::PackagedFilter::default())
            .await?;
        let mut rows = Vec::with_capacity(all.len());
        for record in all {
            // The list leaves the targets out; the file carries them.
            let p = match store.packaged(&record.packaged.code).await? {
                Some(full) => full.packaged,
                None => record.packaged.clone(),
            };
            let resource = |kind: ResourceKind| {
                p.resources
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map_or(Value::Empty, |(_, t)| Value::Text(t.clone()))
            };
            let breakdown = p
                .breakdown
                .iter()
                .map(|l| {
                    format!(
                        "{} {}",
                        l.item,
                        domain::money::format_wan(l.amount).replace(',', "")
                    )
                })
                .collect::<Vec<_>>()
                .join("；");
            rows.push(vec![
                Value::Text(p.code.clone()),
                Value::Text(p.name.clone()),
                Value::Text(p.unit.clone()),
                text(&p.chain),
                text(&p.segment),
                text(&p.chain_leader),
                text(&p.content),
                text(&p.scale),
                p.years.map_or(Value::Empty, |y| Value::Count(i64::from(y))),
                wan(p.estimate),
                Value::Text(breakdown),
                text(&p.parcel),
                p.area.map_or(Value::Empty, |a| Value::Text(a.to_string())),
                text(&p.park),
                resource(ResourceKind::ALL[0]),
                resource(ResourceKind::ALL[1]),
                resource(ResourceKind::ALL[2]),
                resource(ResourceKind::ALL[3]),
                Value::Text(p.approvals.join("、")),
                Value::Text(p.targets.join("、")),
                Value::Text(if p.public { "是" } else { "否" }.to_owned()),
                Value::Text(p.status.label().to_owned()),
                text(&record.project),
            ]);
        }
        Ok(rows)
    }
}
