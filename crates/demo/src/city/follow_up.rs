//! What the demo's key projects carry besides their stages: 包保县区, 要素保障, schedule plans,
//! blockers with 批示, financing plans, reported visits and 专班 members.

use chrono::{Datelike, Days, NaiveDate};

use super::*;

/// Each illustrative leader answers for one or two of the nine territorial units.
pub(super) fn leader_units() -> Vec<(String, Vec<String>)> {
    let territories = territories();
    LEADERS
        .iter()
        .enumerate()
        .map(|(i, (leader, _))| {
            let mut units = vec![territories[i].to_owned()];
            if i == 0 {
                units.push(territories[8].to_owned());
            }
            ((*leader).to_owned(), units)
        })
        .collect()
}

/// The key projects' 要素保障: land and approvals done before the planned 开工, the construction
/// permit and power in hand around it — the later ones still open, some of them overdue.
pub(super) fn elements(
    plans: &[(String, domain::responsibility::SchedulePlan)],
    events: &[(String, StageEvent, bool)],
) -> Vec<(String, domain::responsibility::ElementSupport)> {
    use chrono::Days;
    use domain::responsibility::{ElementItem as I, ElementStatus as S, ElementSupport};
    let mut out = Vec::new();
    for (i, (code, plan)) in plans.iter().enumerate() {
        let Some(signed) = plan.planned(Stage::Signed) else {
            continue;
        };
        let on = |days: u64| Some(signed + Days::new(days));
        // A project that has started holds its permit; one in production has its power.
        let permit_open = i % 3 == 0 && !reached(events, code, Stage::Started);
        let power_open = i % 2 == 0 && !reached(events, code, Stage::Production);
        let items = [
            (I::Approval, S::Done, "市发展和改革委员会", on(30), on(25)),
            (I::LandQuota, S::Done, "市自然资源局", on(60), on(70)),
            (
                I::EnvironmentalAssessment,
                S::Done,
                "市发展和改革委员会",
                on(120),
                on(110),
            ),
            (
                I::ConstructionPermit,
                if permit_open { S::InProgress } else { S::Done },
                "市住房和城乡建设局",
                on(170),
                if permit_open { None } else { on(165) },
            ),
            (
                I::Electricity,
                if power_open { S::NotStarted } else { S::Done },
                "市能源局",
                on(200),
                if power_open { None } else { on(190) },
            ),
            (I::Gas, S::NotApplicable, "", None, None),
        ];
        for (item, status, department, due, done) in items {
            let department = (!department.is_empty()).then(|| department.to_owned());
            if let Ok(element) = ElementSupport::new(item, status, department, due, done) {
                out.push((code.clone(), element));
            }
        }
    }
    out
}

/// Key projects carry a schedule plan: 落地 three months after signing, 开工 six, 投产
/// eighteen, 达效 thirty — so that some are on time, some early and some late.
pub(super) fn plans(
    projects: &[Project],
    events: &[(String, StageEvent, bool)],
) -> Vec<(String, domain::responsibility::SchedulePlan)> {
    use chrono::Days;
    projects
        .iter()
        .filter(|p| p.key_project)
        .filter_map(|p| {
            let signed = events
                .iter()
                .find(|(code, e, _)| *code == p.code && e.kind == EventKind::Stage(Stage::Signed))?
                .1
                .date;
            let after = |days: u64| signed + Days::new(days);
            domain::responsibility::SchedulePlan::new(vec![
                (Stage::Signed, signed),
                (Stage::Landed, after(90)),
                (Stage::Started, after(180)),
                (Stage::Production, after(540)),
                (Stage::Capacity, after(900)),
            ])
            .ok()
            .map(|plan| (p.code.clone(), plan))
        })
        .collect()
}

/// The schedule plans units keep for their other signed projects (一套进度计划), six in seven
/// of them: made at signing and holding the dates that came true, the milestones still ahead
/// set for the next building season. Key projects have theirs from [`plans`].
pub(super) fn ledger_plans(
    projects: &[Project],
    events: &[(String, StageEvent, bool)],
    as_of: NaiveDate,
) -> Vec<(String, domain::responsibility::SchedulePlan)> {
    let first = |code: &str, stage: Stage| {
        events
            .iter()
            .find(|(c, e, _)| c == code && e.kind == EventKind::Stage(stage))
            .map(|(_, e, _)| e.date)
    };
    // Construction in 黑龙江 starts in spring: what has not started by the demo's day is
    // planned for the April after it.
    let next_spring = NaiveDate::from_ymd_opt(as_of.year() + 1, 4, 20).unwrap_or(as_of);
    projects
        .iter()
        .filter(|p| !p.key_project && !ended(events, &p.code))
        .enumerate()
        .filter(|(i, _)| i % 7 != 6)
        .filter_map(|(_, p)| {
            let signed = first(&p.code, Stage::Signed)?;
            let landed = first(&p.code, Stage::Landed).unwrap_or(signed + Days::new(90));
            let started = first(&p.code, Stage::Started)
                .unwrap_or_else(|| (signed + Days::new(180)).max(next_spring));
            let production = first(&p.code, Stage::Production)
                .unwrap_or_else(|| (started + Days::new(540)).max(next_spring));
            let capacity = first(&p.code, Stage::Capacity).unwrap_or(production + Days::new(360));
            domain::responsibility::SchedulePlan::new(vec![
                (Stage::Signed, signed),
                (Stage::Landed, landed.max(signed)),
                (Stage::Started, started.max(landed)),
                (Stage::Production, production.max(started)),
                (Stage::Capacity, capacity.max(production)),
            ])
            .ok()
            .map(|plan| (p.code.clone(), plan))
        })
        .collect()
}

/// Blockers on every other key project, one category after another, each owned by the
/// department that handles that kind of problem: some solved, some being worked on, and some
/// past their deadline at the end of 2022 — escalated, with a leader's 批示.
pub(super) fn blockers(
    projects: &[Project],
    events: &[(String, StageEvent, bool)],
    plans: &[(String, domain::responsibility::SchedulePlan)],
    as_of: NaiveDate,
) -> Vec<DemoBlocker> {
    use domain::blockers::{BlockerStatus, NewBlocker};
    const KINDS: [(&str, &str, &str, &str); 7] = [
        (
            "用地",
            "项目用地指标尚未落实，需全市统筹调剂",
            "市自然资源局",
            "已调剂建设用地指标",
        ),
        (
            "审批手续",
            "施工许可办理进度慢，需并联审批",
            "市住房和城乡建设局",
            "已并联审批，施工许可证已核发",
        ),
        (
            "资金融资",
            "项目贷款审批未通过，需协调金融机构",
            "市财政局",
            "已协调银行完成授信",
        ),
        (
            "水电气暖",
            "施工用电接入工程未完成",
            "市能源局",
            "电力接入工程已完工送电",
        ),
        (
            "基础配套",
            "园区道路和供水管网未通到项目红线",
            "市住房和城乡建设局",
            "道路和管网已接通",
        ),
        (
            "用工",
            "技术工人缺口约80人，需组织专场招聘",
            "市工业和信息化局",
            "已组织专场招聘，缺口补齐",
        ),
        (
            "政策兑现",
            "招商引资优惠政策未兑现到位",
            "市经济合作促进局",
            "奖补资金已拨付",
        ),
    ];
    let mut out = Vec::new();
    // The key projects still being built or not yet started.
    let pending = plans
        .iter()
        .filter(|(code, _)| !reached(events, code, Stage::Production));
    for (i, (code, _)) in pending.enumerate().filter(|(i, _)| i % 2 == 0) {
        let leader = projects
            .iter()
            .find(|p| p.code == *code)
            .and_then(|p| p.leader.clone());
        let (category, description, owner, resolution) = KINDS[(i / 2) % KINDS.len()];
        // Half raised in the demo's last fortnight (still in time), the others two months
        // before its end (a month past their deadline).
        let raised_on = if (i / 2) % 2 == 1 {
            as_of - Days::new(10 + i as u64 % 5)
        } else {
            as_of - Days::new(60 + (i as u64 % 5) * 3)
        };
        let deadline = raised_on + Days::new(30);
        let Ok(raised) = NewBlocker::new(
            code,
            description,
            category,
            raised_on,
            owner,
            // In-time ones name the leader in charge as responsible; the overdue ones reach
            // that leader by escalation.
            if raised_on + Days::new(30) >= as_of {
                leader.clone()
            } else {
                None
            },
            deadline,
            as_of,
        ) else {
            continue;
        };
        let mut steps = Vec::new();
        let mut instruction = None;
        match (i / 2) % 3 {
            0 => {
                steps.push((
                    BlockerStatus::InProgress,
                    String::new(),
                    (raised_on + Days::new(3)).min(as_of),
                ));
                steps.push((
                    BlockerStatus::Resolved,
                    resolution.to_owned(),
                    (raised_on + Days::new(25)).min(as_of),
                ));
            }
            1 => steps.push((
                BlockerStatus::InProgress,
                String::new(),
                (raised_on + Days::new(5)).min(as_of),
            )),
            _ => {}
        }
        if steps
            .last()
            .is_none_or(|(s, _, _)| *s != BlockerStatus::Resolved)
            && deadline < as_of
        {
            instruction = Some(format!(
                "请{owner}牵头，本月底前解决，解决情况报市政府督查室。"
            ));
        }
        out.push(DemoBlocker {
            raised,
            instruction,
            steps,
        });
    }
    out
}

pub(super) fn reached(events: &[(String, StageEvent, bool)], code: &str, stage: Stage) -> bool {
    events
        .iter()
        .any(|(c, e, _)| c == code && e.kind == EventKind::Stage(stage))
}

/// Financing plans: every key project that has started has its loans in place; of the key
/// projects that have landed but not started, every other one is talking to a bank, of the
/// other landed projects two in three — the rest have none, the ones the warnings flag.
/// Whether the project was terminated.
fn ended(events: &[(String, StageEvent, bool)], code: &str) -> bool {
    events
        .iter()
        .any(|(c, e, _)| c == code && e.kind == EventKind::Terminate)
}

pub(super) fn financing(
    projects: &[Project],
    events: &[(String, StageEvent, bool)],
) -> Vec<(String, domain::financing::FinancingPlan)> {
    use domain::financing::{FinancingPlan, FinancingStatus};
    const BANKS: [&str; 4] = [
        "中国工商银行双鸭山分行",
        "中国建设银行双鸭山分行",
        "龙江银行双鸭山分行",
        "中国农业发展银行双鸭山市分行",
    ];
    let mut out = Vec::new();
    let (mut waiting, mut others_waiting) = (0, 0);
    for (i, p) in projects.iter().enumerate() {
        let Some(signed) = p.signed_amount.map(Money::units).filter(|a| *a > 0) else {
            continue;
        };
        let status = if reached(events, &p.code, Stage::Started) {
            if !p.key_project {
                continue;
            }
            FinancingStatus::Disbursed
        } else if reached(events, &p.code, Stage::Landed) && !ended(events, &p.code) {
            // Key projects: every other one; the others, two in three (the rest are flagged).
            let (count, every) = if p.key_project {
                (&mut waiting, 2)
            } else {
                (&mut others_waiting, 3)
            };
            *count += 1;
            if *count % every == 0 {
                continue;
            }
            FinancingStatus::BankEngaged
        } else {
            continue;
        };
        let need = Money::from_units("融资需求", signed / 100 * 60);
        if let Ok(plan) = need.map_err(|e| vec![e]).and_then(|need| {
            FinancingPlan::new(
                need,
                "企业自有资金40%、银行贷款60%",
                Some(BANKS[i % BANKS.len()].to_owned()),
                status,
            )
        }) {
            out.push((p.code.clone(), plan));
        }
    }
    out
}

pub(super) fn reported_visits() -> Vec<(Visit, Option<&'static str>)> {
    const VISITS: [(&str, &str, &str, &str, Option<&str>); 4] = [
        (
            "2022-12-26",
            "宁德时代新能源科技股份有限公司",
            "上门拜访",
            "洽谈储能电池生产基地项目",
            None,
        ),
        (
            "2022-12-27",
            "隆基绿能科技股份有限公司",
            "云洽谈",
            "推介集贤光伏治沙项目",
            None,
        ),
        (
            "2022-12-28",
            "北京金隅集团股份有限公司",
            "来访",
            "考察玄武岩纤维产业园",
            Some(""),
        ),
        (
            "2022-12-29",
            "中国化学工程集团有限公司",
            "上门拜访",
            "",
            Some("未填写对接内容和成果，请补充后重新报送"),
        ),
    ];
    VISITS
        .iter()
        .filter_map(|(date, enterprise, mode, content, returned)| {
            let mut visit = Visit::new(NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?);
            visit.unit = Some("集贤县".into());
            visit.enterprise = Some((*enterprise).into());
            visit.mode = Some((*mode).into());
            visit.content = (!content.is_empty()).then(|| (*content).to_owned());
            visit.leaders = Some("集贤县招商局".into());
            visit.illustrative = true;
            Some((visit, *returned))
        })
        .collect()
}

/// Three illustrative members per 专班: its office head from the chain's department, a service
/// officer from the bureau, and an element-support coordinator from a county.
pub(super) fn team_members() -> Vec<(String, Vec<domain::responsibility::TeamMember>)> {
    use domain::responsibility::TeamMember;
    const PEOPLE: [&str; 24] = [
        "孙立军",
        "马红梅",
        "郑国庆",
        "何志强",
        "高丽华",
        "林海涛",
        "罗建平",
        "谢文静",
        "韩雪峰",
        "唐振华",
        "冯玉兰",
        "曹文杰",
        "邓晓明",
        "彭建新",
        "曾凡荣",
        "萧立伟",
        "梁志远",
        "宋佳宁",
        "许振东",
        "杜春燕",
        "袁国栋",
        "田晓峰",
        "蒋丽娟",
        "姚俊杰",
    ];
    let department = |industry: &str| match industry {
        "能源化工" | "新能源" => "市能源局",
        "冶金" | "新材料" => "市工业和信息化局",
        _ => "市农业农村局",
    };
    let territories = territories();
    CHAINS
        .iter()
        .enumerate()
        .map(|(i, (chain, industry, _))| {
            let member = |k: usize, unit: &str, duty: &str| TeamMember {
                name: PEOPLE[i * 3 + k].to_owned(),
                unit: Some(unit.to_owned()),
                duty: Some(duty.to_owned()),
            };
            (
                team_of(chain),
                vec![
                    member(0, department(industry), "专班办公室主任"),
                    member(1, "市经济合作促进局", "项目服务专员"),
                    member(2, territories[i % territories.len()], "要素保障协调"),
                ],
            )
        })
        .collect()
}
