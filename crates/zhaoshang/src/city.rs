//! `zhaoshang demo` and `serve --demo`: the demo city (or a synthetic one) of the `demo` crate
//! loaded into an empty database in one transaction, and one account per role.

use anyhow::{Result, bail};
use demo::DemoCity;
use store::{Added, Store, Table, Tx};

/// Writes the demo's units, leaders, chains and teams: what projects refer to.
pub async fn load_organisation(tx: &mut Tx, city: &DemoCity) -> Result<()> {
    for unit in &city.units {
        tx.upsert_unit(unit).await?;
    }
    for leader in &city.leaders {
        tx.upsert_leader(leader).await?;
    }
    for chain in &city.chains {
        tx.upsert_chain(chain).await?;
    }
    for team in &city.teams {
        tx.upsert_team(team).await?;
    }
    Ok(())
}

/// Loads the demo; refuses a database that already holds projects, so that illustrative
/// records never mix with real ones.
pub async fn load(store: &Store, actor: &str) -> Result<String> {
    let city = demo::build();
    load_city(store, actor, &city).await?;
    load_chain_maps(store, actor, &city).await?;
    Ok(format!(
        "已载入演示数据（双鸭山市，2020—2022年，生成的记录均标为示例）：{}。",
        counts(&city)
    ))
}

/// The chains' links, the illustrative firms of the 招商大数据库 placed in them, and the seed's
/// projects in the links they fill.
async fn load_chain_maps(store: &Store, actor: &str, city: &DemoCity) -> Result<()> {
    use demo::chains::{CONTACTS, GROUPS, PROJECT_LINKS, SEGMENTS, firms};
    let mut tx = store.begin(actor).await?;
    for (chain, link, position, codes) in SEGMENTS {
        let codes = codes
            .iter()
            .map(|c| domain::enterprise::IndustryCode::parse("行业代码", c))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        tx.upsert_segment(chain, link, position, &codes).await?;
    }
    let firms = firms();
    let records: Vec<_> = firms.iter().map(|f| f.firm.clone()).collect();
    let written = tx.upsert_enterprises(&records).await?;
    // A firm of the groups or contacts is a listed firm, or one the projects named (by name).
    let mut ids: std::collections::HashMap<&str, i64> = records
        .iter()
        .zip(&written)
        .map(|(f, w)| (f.name.as_str(), w.id))
        .collect();
    for (child, parent) in GROUPS {
        for name in [child, parent] {
            if !ids.contains_key(name) {
                let firm = domain::enterprise::Enterprise::new(name)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let id = tx.upsert_enterprises(&[firm]).await?[0].id;
                ids.insert(name, id);
            }
        }
        tx.set_parent(ids[child], Some(ids[parent])).await?;
    }
    for (firm, name, title) in CONTACTS {
        let contact = store::Contact {
            name: (*name).to_owned(),
            title: Some((*title).to_owned()),
            phone: None,
            note: Some("示例".to_owned()),
        };
        tx.add_contact(ids[firm], &contact).await?;
    }
    for f in &firms {
        let code = f.firm.credit_code.as_ref().map_or("", |c| c.as_str());
        for (chain, link, local, leader) in &f.placed {
            let role = if *local {
                store::SegmentRole::Local
            } else {
                store::SegmentRole::Target
            };
            tx.place_firm(chain, link, code, role, *leader).await?;
        }
    }
    // Knock-door plans to the target firms: the first ones due before the demo's day, so the
    // page shows plans overdue beside plans to come.
    let targets = firms
        .iter()
        .filter(|f| f.placed.iter().any(|(_, _, local, _)| !local));
    for (i, f) in targets.enumerate() {
        let on = if i < 3 {
            chrono::NaiveDate::from_ymd_opt(2022, 11, 30)
        } else {
            chrono::NaiveDate::from_ymd_opt(2023, 1, 20)
        };
        let Some(on) = on else { continue };
        let mut plan =
            domain::visits::VisitPlan::new(&f.firm.name, on).map_err(|e| anyhow::anyhow!("{e}"))?;
        plan.credit_code = f.firm.credit_code.clone();
        plan.purpose = f
            .placed
            .first()
            .map(|(chain, link, _, _)| format!("{chain}{link}环节招商（示例）"));
        tx.add_visit_plan(&plan).await?;
    }
    for (name, chain, link) in PROJECT_LINKS {
        if let Some(project) = city.projects.iter().find(|p| p.name == name) {
            tx.place_project(&project.code, chain, link).await?;
        }
    }
    // The 谋划包装项目库: a packaged project per link, those the seed's projects fill linked.
    let leaders: Vec<(String, Option<String>)> = city
        .chains
        .iter()
        .map(|c| (c.name.clone(), c.chain_leader.clone()))
        .collect();
    // The 招商要素表, before the packaged projects whose 推介书 quote it.
    for (factor, values) in demo::factors::factors() {
        tx.upsert_factor(&factor).await?;
        for value in &values {
            tx.add_factor_value(&factor.code, value).await?;
        }
    }
    let packaged = demo::packaged::packaged(&leaders);
    for demo in &packaged {
        tx.upsert_packaged(&demo.packaged).await?;
        let quoted = demo::factors::quoted(demo.packaged.chain.as_deref());
        tx.set_packaged_factors(&demo.packaged.code, &quoted)
            .await?;
        let signed = demo
            .signed_as
            .and_then(|name| city.projects.iter().find(|p| p.name == name));
        if let Some(project) = signed {
            tx.link_packaged(&demo.packaged.code, &project.code).await?;
        }
    }
    // 招商路线图 for 2022, one per chain.
    let codes: Vec<(String, Option<String>)> = packaged
        .iter()
        .map(|d| (d.packaged.code.clone(), d.packaged.chain.clone()))
        .collect();
    for roadmap in demo::roadmaps::roadmaps(city, &codes) {
        let id = tx
            .roadmap_for(2022, domain::roadmap::OwnerKind::Chain, &roadmap.chain)
            .await?;
        for (kind, reference, month, leader) in &roadmap.items {
            let input = store::ItemInput {
                reference,
                month: *month,
                leader: leader.as_deref(),
            };
            tx.add_roadmap_item(id, *kind, &input).await?;
        }
    }
    // 委托招商机构: two agencies, their contracts, the projects they brought, fees paid.
    let agencies = demo::agencies::agencies(city);
    for agency in &agencies.agencies {
        tx.upsert_agency(agency).await?;
    }
    for contract in &agencies.contracts {
        tx.upsert_contract(contract).await?;
    }
    for (code, number) in &agencies.attributions {
        tx.attribute_project(code, number).await?;
    }
    for payment in &agencies.payments {
        tx.add_fee_payment(payment).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Loads a synthetic city of `projects` projects over 2013–2022 (for benchmarks).
pub async fn load_synthetic(store: &Store, actor: &str, projects: usize) -> Result<String> {
    let city = demo::synthetic::city(projects);
    load_city(store, actor, &city).await?;
    Ok(format!(
        "已载入合成数据（双鸭山市的单位，2013—2022年，全部标为示例）：{}。",
        counts(&city)
    ))
}

fn counts(city: &DemoCity) -> String {
    format!(
        "单位{}个，项目{}个，阶段事件{}条，到位资金{}条，对接记录{}条，目标{}条，堵点问题{}个，融资方案{}个",
        city.units.len(),
        city.projects.len(),
        city.events.len(),
        city.funds.len(),
        city.visits.len(),
        city.targets.len(),
        city.blockers.len(),
        city.financing.len()
    )
}

async fn load_city(store: &Store, actor: &str, city: &DemoCity) -> Result<()> {
    if store.count(Table::Projects).await? > 0 {
        bail!("数据库中已有项目，演示数据只能载入空数据库（可用 --db 指定一个新的数据库）");
    }
    let mut tx = store.begin(actor).await?;
    load_organisation(&mut tx, city).await?;
    for project in &city.projects {
        tx.upsert_project(project).await?;
    }
    // The demo's totals are exact by construction; a record dropped as a duplicate would
    // change them silently, so it is an error here.
    tx.preload_histories().await?;
    for (code, event, illustrative) in &city.events {
        if tx.add_event_marked(code, event, *illustrative).await? == Added::Duplicate {
            bail!("演示数据有重复事件: {code} {}", event.date);
        }
    }
    for fund in &city.funds {
        if tx.add_fund(fund).await? == Added::Duplicate {
            bail!(
                "演示数据有重复到位资金: {} {}",
                fund.project_code,
                fund.date
            );
        }
    }
    for visit in &city.visits {
        if tx.add_visit(visit).await? == Added::Duplicate {
            bail!("演示数据有重复对接记录: {}", visit.date);
        }
    }
    for target in &city.targets {
        tx.upsert_target(target).await?;
    }
    for (leader, units) in &city.leader_units {
        tx.set_leader_units(leader, units).await?;
    }
    for (code, plan) in &city.plans {
        tx.set_plan(code, plan).await?;
    }
    for (code, element) in &city.elements {
        tx.set_element(code, element).await?;
    }
    for (team, members) in &city.team_members {
        tx.set_team_members(team, members).await?;
    }
    for (code, plan) in &city.financing {
        tx.set_financing(code, plan).await?;
    }
    let mut instructions = Vec::new();
    for blocker in &city.blockers {
        let id = tx.raise_blocker(&blocker.raised).await?;
        for (status, resolution, on) in &blocker.steps {
            tx.change_blocker_status(id, *status, resolution, *on)
                .await?;
        }
        if let Some(text) = &blocker.instruction {
            instructions.push((id, text));
        }
    }
    if let Some(on) = city.as_of {
        tx.set_records_as_of(on).await?;
    }
    tx.commit().await?;
    // The 批示 are the demo leader account's.
    if !instructions.is_empty() {
        let mut tx = store.begin("leader").await?;
        for (id, text) in instructions {
            tx.instruct_blocker(id, text).await?;
        }
        tx.commit().await?;
    }
    load_reported(store, city).await
}

/// The visits 集贤县's staff reported that are still in the reporting cycle: entered as the
/// demo's county account, then taken one or two steps by the county's reviewer and the city.
async fn load_reported(store: &Store, city: &DemoCity) -> Result<()> {
    use domain::review::ReviewState;
    use store::{ReportKind, ReviewStep};
    if city.reported_visits.is_empty() {
        return Ok(());
    }
    let mut tx = store.begin("jixian").await?;
    tx.enter_as(ReviewState::County);
    let mut ids = Vec::new();
    for (visit, returned) in &city.reported_visits {
        if let Added::Added(id) = tx.add_visit(visit).await? {
            ids.push((id, *returned));
        }
    }
    tx.commit().await?;
    for (id, returned) in ids {
        let Some(reason) = returned else { continue };
        let mut tx = store.begin("jixian-review").await?;
        tx.review(ReportKind::Visit, id, &ReviewStep::Approve)
            .await?;
        tx.commit().await?;
        if !reason.is_empty() {
            let mut tx = store.begin("bureau").await?;
            tx.review(
                ReportKind::Visit,
                id,
                &ReviewStep::Return(reason.to_owned()),
            )
            .await?;
            tx.commit().await?;
        }
    }
    Ok(())
}

/// One account per role for the demo, each with a random password; returns
/// (username, role name, password).
pub async fn add_accounts(store: &Store) -> Result<Vec<(String, &'static str, String)>> {
    use domain::access::Role;
    let accounts = [
        ("sysadmin", Role::SysAdmin, None),
        ("secadmin", Role::SecAdmin, None),
        ("auditor", Role::Auditor, None),
        ("leader", Role::CityLeader, None),
        ("bureau", Role::Bureau, None),
        ("jixian", Role::UnitStaff, Some("集贤县")),
        ("jixian-review", Role::UnitReviewer, Some("集贤县")),
        ("baoqing", Role::UnitStaff, Some("宝清县")),
        ("ziran", Role::UnitStaff, Some("市自然资源局")),
        ("zhujian", Role::UnitStaff, Some("市住房和城乡建设局")),
    ];
    let policy = store.security_policy().await?;
    let mut tx = store.begin("demo").await?;
    let mut out = Vec::new();
    for (username, role, unit) in accounts {
        let password = store::accounts::temporary_password(&policy, username)?;
        let hash = store::accounts::hash_password(&password)?;
        let name = match (role, unit) {
            (Role::CityLeader, _) => demo::DEMO_LEADER_ACCOUNT.to_owned(),
            (Role::UnitReviewer, Some(u)) => format!("{u}审核员"),
            (_, Some(u)) => format!("{u}填报员"),
            (_, None) => role.label().to_owned(),
        };
        tx.add_user(username, &name, role, unit, &hash).await?;
        out.push((username.to_owned(), role.label(), password));
    }
    // The leader account speaks for a vice-mayor, 链长 of the graphite and basalt chains, whose
    // 包保 scope and escalated blockers then fill its home page.
    tx.link_leader("leader", Some(demo::DEMO_LEADER_ACCOUNT))
        .await?;
    tx.commit().await?;
    Ok(out)
}

/// `zhaoshang demo [--scale N]`.
pub async fn run(cx: &crate::context::Context, scale: Option<usize>) -> Result<()> {
    let store = cx.open().await?;
    let actor = crate::context::actor(None);
    let summary = match scale {
        None => load(&store, &actor).await?,
        Some(n) => load_synthetic(&store, &actor, n).await?,
    };
    println!("{summary}");
    Ok(())
}
