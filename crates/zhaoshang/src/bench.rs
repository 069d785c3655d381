//! `zhaoshang bench import`: times the import of a synthetic city of any size through the same
//! path an office's files take (file → cells → domain rules → store, one transaction per file).

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};
use domain::demo;
use exchange::{Kind, Quiet};
use store::{Store, Table};

const STAGES: [&str; 5] = ["线索", "在谈", "签约", "落地", "开工"];

/// Writes `projects.csv` and `events.csv` for `projects` synthetic projects with up to five
/// events each (线索 → 在谈 → 签约 → 落地 → 开工), spread over 2020–2022.
fn write_files(dir: &Path, projects: usize, events_per_project: usize) -> Result<()> {
    let territories = [
        "集贤县",
        "友谊县",
        "宝清县",
        "饶河县",
        "尖山区",
        "岭东区",
        "四方台区",
        "宝山区",
        "双鸭山经济技术开发区",
    ];
    let mut p = String::from(
        "项目编号,项目名称,所在县区,责任单位,产业链,分管领导,工作专班,招商方式,签约额(万元),重点项目\n",
    );
    let mut e = String::from("项目编号,阶段,日期,金额(万元),落地企业信用代码,地块编号,说明\n");
    for i in 0..projects {
        let territory = territories[i % territories.len()];
        let amount = 1_000 + (i * 7_919) % 90_000;
        let _ = writeln!(
            p,
            "BENCH-{i:07},基准测试项目{i},{territory},市发展和改革委员会,石墨产业链,陈立新,石墨专班,政府团队,{amount},{}",
            if amount > 50_000 { "是" } else { "否" }
        );
        let start_day = (i * 13) % 600;
        for (step, stage) in STAGES.iter().take(events_per_project).enumerate() {
            let date = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default()
                + chrono::Days::new((start_day + step * 30) as u64);
            let parcel = if *stage == "落地" {
                format!("双土储〔2021〕{i}号")
            } else {
                String::new()
            };
            let _ = writeln!(e, "BENCH-{i:07},{stage},{date},,,{parcel},");
        }
    }
    std::fs::write(dir.join("projects.csv"), p)?;
    std::fs::write(dir.join("events.csv"), e)?;
    Ok(())
}

/// Loads the demo's units, leaders, chains and teams, then imports the synthetic files and
/// reports how long each took.
pub async fn import(store: &Store, projects: usize, events_per_project: usize) -> Result<String> {
    if store.count(Table::Projects).await? > 0 {
        bail!("基准测试需要一个空数据库（用 --db 指定）");
    }
    let city = demo::build();
    let mut tx = store.begin("bench").await?;
    crate::demo::load_organisation(&mut tx, &city).await?;
    tx.commit().await?;

    let dir = std::env::temp_dir().join(format!("zhaoshang-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let events_per_project = events_per_project.min(STAGES.len());
    write_files(&dir, projects, events_per_project)?;
    let mut out = format!("数据库: {:?}\n", store.backend());
    for (kind, file) in [
        (Kind::Projects, "projects.csv"),
        (Kind::Events, "events.csv"),
    ] {
        let started = Instant::now();
        let report = exchange::import(store, kind, &dir.join(file), "bench", &Quiet).await?;
        let seconds = started.elapsed().as_secs_f64();
        if !report.is_ok() {
            bail!("基准数据导入失败: {}", report.errors[0]);
        }
        let _ = writeln!(
            out,
            "{}: {} 行, {:.1} 秒, {:.0} 行/秒",
            kind.label(),
            report.rows,
            seconds,
            report.rows as f64 / seconds.max(1e-9)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(out)
}
