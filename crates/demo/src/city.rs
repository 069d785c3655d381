//! The demo city: 双鸭山市 as the seed describes it, with the projects it names, and generated
//! (illustrative) projects, events, funds and visits over 2020–2022 chosen so that the 2022 H1
//! scoreboard shows the seed's headline figures: 88 签约项目, 405亿元 签约额, 80.5亿元 到位资金
//! (+91.9%), 63 开复工项目 (+57.5%, the nearest whole-number growth to the reported 56%), 196 对接
//! (近200次), with records for 到位资金 and 开复工.
//!
//! Generation is deterministic (a fixed seed), so every deployment shows the same demo.

use chrono::{Datelike, Days, NaiveDate};

use domain::figures::Indicator;
use domain::records::{
    CapitalOrigin, Chain, Fund, Leader, Project, Target, Team, Unit, UnitKind, Visit, value_lists,
};
use domain::stage::StageEvent;
use domain::{CreditCode, Currency, EventKind, Money, Stage};

/// Everything the demo loads, in the order it must be written.
#[derive(Debug, Clone)]
pub struct DemoCity {
    pub units: Vec<Unit>,
    pub leaders: Vec<Leader>,
    pub chains: Vec<Chain>,
    pub teams: Vec<Team>,
    pub projects: Vec<Project>,
    /// (项目编号, event, illustrative), in date order within each project.
    pub events: Vec<(String, StageEvent, bool)>,
    pub funds: Vec<Fund>,
    pub visits: Vec<Visit>,
    pub targets: Vec<Target>,
    /// (领导, 包保县区).
    pub leader_units: Vec<(String, Vec<String>)>,
    /// (项目编号, 计划进度) of the key projects.
    pub plans: Vec<(String, domain::responsibility::SchedulePlan)>,
    /// (项目编号, 要素保障 item) of the key projects.
    pub elements: Vec<(String, domain::responsibility::ElementSupport)>,
    /// The day the records describe the city as of (deadlines and warnings are judged on it);
    /// `None` for today.
    pub as_of: Option<NaiveDate>,
    pub blockers: Vec<DemoBlocker>,
    /// Visits 集贤县's staff reported in the demo's last days, still in the reporting cycle:
    /// the first two at 待县区审核, the third passed by the county, the fourth returned by the
    /// city with the reason given. They count in no figure.
    pub reported_visits: Vec<(Visit, Option<&'static str>)>,
    /// (专班, its members).
    pub team_members: Vec<(String, Vec<domain::responsibility::TeamMember>)>,
    /// (项目编号, 融资方案).
    pub financing: Vec<(String, domain::financing::FinancingPlan)>,
}

/// A blocker of the demo with what happened to it: a leader's 批示, and its later statuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoBlocker {
    pub raised: domain::blockers::NewBlocker,
    pub instruction: Option<String>,
    /// (status, resolution, on), in order.
    pub steps: Vec<(domain::blockers::BlockerStatus, String, NaiveDate)>,
}

/// The leader the demo's 市领导 account speaks for.
pub const DEMO_LEADER_ACCOUNT: &str = "陈立新";

/// The demo city is shown as it stood at the end of 2022, the last year it holds.
pub const DEMO_AS_OF: &str = "2022-12-31";

impl DemoCity {
    /// What the figures are computed from, as the store would hand them over.
    pub fn facts(&self) -> domain::figures::Facts {
        domain::figures::Facts::from_records(
            &self.units,
            &self.projects,
            self.events
                .iter()
                .map(|(code, event, _)| (code.as_str(), event)),
            &self.funds,
            &self.visits,
            &self.targets,
        )
    }
}

pub const CITY: &str = "双鸭山市";

pub(crate) const COUNTIES: [(&str, &str); 4] = [
    ("集贤县", "230521"),
    ("友谊县", "230522"),
    ("宝清县", "230523"),
    ("饶河县", "230524"),
];
pub(crate) const DISTRICTS: [(&str, &str); 4] = [
    ("尖山区", "230502"),
    ("岭东区", "230503"),
    ("四方台区", "230505"),
    ("宝山区", "230506"),
];
pub(crate) const ZONE: &str = "双鸭山经济技术开发区";
pub(crate) const DEPARTMENTS: [&str; 11] = [
    "市发展和改革委员会",
    "市工业和信息化局",
    "市商务局",
    "市经济合作促进局",
    "市科学技术局",
    "市农业农村局",
    "市自然资源局",
    "市住房和城乡建设局",
    "市财政局",
    "市文化广电和旅游局",
    "市能源局",
];
pub(crate) const OUTPOSTS: [&str; 2] = ["市驻北京招商服务中心", "市驻上海招商服务中心"];

/// Illustrative leaders: (name, title, chain led as 链长).
pub(crate) const LEADERS: [(&str, &str); 8] = [
    ("李明远", "市委书记"),
    ("张海峰", "市长"),
    ("王建国", "常务副市长"),
    ("刘志刚", "副市长"),
    ("陈立新", "副市长"),
    ("赵文博", "副市长"),
    ("周宏宇", "副市长"),
    ("吴晓东", "市委副书记"),
];

/// The eight chains: (name, leading industry, 链长).
pub(crate) const CHAINS: [(&str, &str, &str); 8] = [
    ("煤炭精深加工产业链", "能源化工", "王建国"),
    ("钢铁产业链", "冶金", "刘志刚"),
    ("石墨产业链", "新材料", "陈立新"),
    ("玄武岩纤维产业链", "新材料", "陈立新"),
    ("清洁能源装备及新能源产业链", "新能源", "王建国"),
    ("玉米精深加工产业链", "绿色食品", "赵文博"),
    ("绿色食品产业链", "绿色食品", "赵文博"),
    ("生物质能源产业链", "新能源", "周宏宇"),
];

/// Products per chain, for generated project names.
const PRODUCTS: [&[&str]; 8] = [
    &[
        "煤制甲醇",
        "煤焦油深加工",
        "焦炉煤气综合利用",
        "煤矸石综合利用",
        "洗煤厂升级改造",
    ],
    &["特钢棒材", "钢渣综合利用", "冷轧钢板", "铸造件", "铁精粉"],
    &[
        "球形石墨",
        "石墨负极材料",
        "高纯石墨",
        "石墨烯导热膜",
        "柔性石墨纸",
    ],
    &[
        "连续玄武岩纤维",
        "玄武岩复合筋材",
        "玄武岩纤维布",
        "玄武岩短切纱",
    ],
    &["风电塔筒", "光伏组件", "分布式光伏", "风机叶片", "储能电站"],
    &[
        "玉米淀粉",
        "燃料乙醇",
        "赖氨酸",
        "玉米蛋白饲料",
        "结晶葡萄糖",
    ],
    &[
        "大豆精深加工",
        "有机大米",
        "乳制品",
        "肉牛屠宰加工",
        "杂粮加工",
    ],
    &["生物质成型燃料", "秸秆发电", "生物天然气", "生物质热电联产"],
];

const FIRM_CITIES: [(&str, &str); 10] = [
    ("北京", "110105"),
    ("上海", "310115"),
    ("深圳", "440300"),
    ("杭州", "330106"),
    ("青岛", "370212"),
    ("成都", "510107"),
    ("哈尔滨", "230103"),
    ("大连", "210204"),
    ("天津", "120116"),
    ("苏州", "320506"),
];
const FIRM_WORDS: [&str; 16] = [
    "恒盛", "华泰", "中晟", "鑫源", "宏达", "北辰", "瑞丰", "天合", "金圆", "联创", "润泽", "嘉禾",
    "泰和", "东方", "远大", "龙腾",
];
const FIRM_TRADES: [&str; 8] = [
    "能源",
    "钢铁",
    "新材料",
    "复合材料",
    "新能源",
    "生物科技",
    "食品",
    "环保科技",
];
/// The value lists a new deployment starts with (招商方式, 资金来源, 对接方式), in that order.
fn value_list(index: usize) -> &'static [&'static str] {
    value_lists::DEFAULTS[index].2
}

/// Builds the demo city.
pub fn build() -> DemoCity {
    let mut g = Generator::new();
    g.named_projects();
    g.generated_projects();
    g.leads();
    g.funds();
    g.visits();
    let plans = plans(&g.projects, &g.events);
    let elements = elements(&plans, &g.events);
    let as_of = NaiveDate::parse_from_str(DEMO_AS_OF, "%Y-%m-%d").ok();
    let blockers = blockers(&g.projects, &g.events, &plans, as_of.unwrap_or_default());
    let financing = financing(&g.projects, &g.events);
    DemoCity {
        as_of,
        blockers,
        financing,
        team_members: team_members(),
        reported_visits: reported_visits(),
        projects: g.projects,
        events: g.events,
        funds: g.funds,
        visits: g.visits,
        targets: targets(),
        leader_units: leader_units(),
        plans,
        elements,
        ..organisation()
    }
}

/// The nine territorial units: four counties, four districts and the zone.
pub(crate) fn territories() -> Vec<&'static str> {
    COUNTIES
        .iter()
        .chain(&DISTRICTS)
        .map(|(name, _)| *name)
        .chain([ZONE])
        .collect()
}

/// Each illustrative leader answers for one or two of the nine territorial units.
fn leader_units() -> Vec<(String, Vec<String>)> {
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
fn elements(
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
fn plans(
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

/// The demo's units, leaders, chains and teams, with no projects.
pub fn organisation() -> DemoCity {
    DemoCity {
        units: units(),
        leaders: LEADERS
            .iter()
            .map(|(name, title)| {
                let mut leader = checked(Leader::new(name, Some((*title).into())));
                leader.illustrative = true;
                leader
            })
            .collect(),
        chains: CHAINS
            .iter()
            .map(|(name, industry, leader)| {
                checked(Chain::new(
                    name,
                    Some((*industry).into()),
                    Some((*leader).into()),
                ))
            })
            .collect(),
        teams: CHAINS
            .iter()
            .map(|(name, _, leader)| checked(Team::new(&team_of(name), Some((*leader).into()))))
            .collect(),
        projects: Vec::new(),
        events: Vec::new(),
        funds: Vec::new(),
        visits: Vec::new(),
        targets: Vec::new(),
        leader_units: Vec::new(),
        plans: Vec::new(),
        elements: Vec::new(),
        team_members: Vec::new(),
        reported_visits: Vec::new(),
        as_of: None,
        blockers: Vec::new(),
        financing: Vec::new(),
    }
}

/// Blockers on every other key project, one category after another, each owned by the
/// department that handles that kind of problem: some solved, some being worked on, and some
/// past their deadline at the end of 2022 — escalated, with a leader's 批示.
fn blockers(
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

fn reached(events: &[(String, StageEvent, bool)], code: &str, stage: Stage) -> bool {
    events
        .iter()
        .any(|(c, e, _)| c == code && e.kind == EventKind::Stage(stage))
}

/// Financing plans: every key project that has started has its loans in place; of those that
/// have landed but not started, every other one is talking to a bank and the rest have none —
/// the ones the warnings flag.
fn financing(
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
    let mut waiting = 0;
    for (i, p) in projects.iter().filter(|p| p.key_project).enumerate() {
        let Some(signed) = p.signed_amount.map(Money::units).filter(|a| *a > 0) else {
            continue;
        };
        let status = if reached(events, &p.code, Stage::Started) {
            FinancingStatus::Disbursed
        } else if reached(events, &p.code, Stage::Landed) {
            waiting += 1;
            if waiting % 2 == 0 {
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

fn reported_visits() -> Vec<(Visit, Option<&'static str>)> {
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
fn team_members() -> Vec<(String, Vec<domain::responsibility::TeamMember>)> {
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

pub(crate) fn team_of(chain: &str) -> String {
    format!("{}专班", chain.trim_end_matches("产业链"))
}

pub(crate) fn units() -> Vec<Unit> {
    let mut units = vec![checked(Unit::new(
        CITY,
        UnitKind::City,
        None,
        Some("230500".into()),
        None,
    ))];
    let child = |name: &str, kind: UnitKind, code: Option<&str>| {
        checked(Unit::new(
            name,
            kind,
            kind.default_group(),
            code.map(Into::into),
            Some(CITY.into()),
        ))
    };
    units.extend(
        COUNTIES
            .iter()
            .map(|(n, c)| child(n, UnitKind::County, Some(c))),
    );
    units.extend(
        DISTRICTS
            .iter()
            .map(|(n, c)| child(n, UnitKind::District, Some(c))),
    );
    units.push(child(ZONE, UnitKind::Zone, None));
    units.extend(
        DEPARTMENTS
            .iter()
            .map(|n| child(n, UnitKind::Department, None)),
    );
    units.extend(OUTPOSTS.iter().map(|n| child(n, UnitKind::Outpost, None)));
    units
}

fn targets() -> Vec<Target> {
    let yi = |n: i64| n * 100_000_000;
    let mut out = Vec::new();
    for (year, scale) in [(2021, 85), (2022, 100)] {
        let s = |v: i64| v * scale / 100;
        let city = [
            (Indicator::SignedProjects, s(160)),
            (Indicator::SignedAmount, s(yi(700))),
            (Indicator::FundsInPlace, s(yi(150))),
            (Indicator::StartedOrResumedProjects, s(100)),
            (Indicator::Visits, s(380)),
        ];
        for (indicator, value) in city {
            out.push(checked(Target::new(year, None, indicator, value)));
        }
        // Territorial units carry most of the city's task; the shares are illustrative and,
        // as in real offices, do not quite add up to the city's figure.
        let shares: [(&str, i64); 9] = [
            ("集贤县", 16),
            ("友谊县", 10),
            ("宝清县", 14),
            ("饶河县", 7),
            ("尖山区", 9),
            ("岭东区", 9),
            ("四方台区", 7),
            ("宝山区", 8),
            (ZONE, 15),
        ];
        for (unit, share) in shares {
            for (indicator, value) in city {
                if indicator == Indicator::Visits {
                    continue;
                }
                out.push(checked(Target::new(
                    year,
                    Some(unit.into()),
                    indicator,
                    value * share / 100,
                )));
            }
        }
        for unit in DEPARTMENTS.iter().chain(OUTPOSTS.iter()) {
            out.push(checked(Target::new(
                year,
                Some((*unit).into()),
                Indicator::SignedProjects,
                s(6),
            )));
            out.push(checked(Target::new(
                year,
                Some((*unit).into()),
                Indicator::SignedAmount,
                s(yi(25)),
            )));
            out.push(checked(Target::new(
                year,
                Some((*unit).into()),
                Indicator::Visits,
                s(20),
            )));
        }
    }
    out
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// SplitMix64: small, fast, and the same everywhere, which is all the demo needs.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as i64 - 1) as usize]
    }

    pub(crate) fn chance(&mut self, percent: i64) -> bool {
        self.range(1, 100) <= percent
    }

    fn date(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(0);
        from + Days::new(self.range(0, span) as u64)
    }
}

/// Splits `total` into `parts` positive amounts, each a multiple of `step`, summing exactly.
fn split(rng: &mut Rng, total: i64, parts: usize, step: i64) -> Vec<i64> {
    let units = total / step;
    let weights: Vec<i64> = (0..parts)
        .map(|_| {
            rng.range(20, 400)
                + if rng.chance(12) {
                    rng.range(400, 2000)
                } else {
                    0
                }
        })
        .collect();
    let sum: i64 = weights.iter().sum();
    let mut out: Vec<i64> = weights.iter().map(|w| (units * w / sum).max(1)).collect();
    let assigned: i64 = out.iter().sum();
    let mut rest = units - assigned;
    let mut i = 0;
    while rest != 0 {
        let idx = i % parts;
        if rest > 0 {
            out[idx] += 1;
            rest -= 1;
        } else if out[idx] > 1 {
            out[idx] -= 1;
            rest += 1;
        }
        i += 1;
    }
    let remainder = total - units * step;
    let mut amounts: Vec<i64> = out.into_iter().map(|u| u * step).collect();
    if let Some(first) = amounts.first_mut() {
        *first += remainder;
    }
    amounts
}

/// What happens to a generated signed project after signing.
#[derive(Clone, Copy)]
struct Plan {
    sign: NaiveDate,
    amount_wan: i64,
    start: Option<NaiveDate>,
    winter: Option<(NaiveDate, NaiveDate)>,
    foreign: bool,
}

struct Generator {
    rng: Rng,
    projects: Vec<Project>,
    events: Vec<(String, StageEvent, bool)>,
    funds: Vec<Fund>,
    visits: Vec<Visit>,
    /// (code, sign date, foreign) of every signed project, for funds.
    signed: Vec<(String, NaiveDate, bool)>,
    firms: Vec<(String, CreditCode)>,
    serial: u32,
}

const LAST_DAY: (i32, u32, u32) = (2022, 12, 20);

impl Generator {
    fn new() -> Self {
        let mut rng = Rng(0x5359_5300_2022_0805);
        let mut firms = Vec::new();
        for i in 0..160 {
            let (city, division) = FIRM_CITIES[i % FIRM_CITIES.len()];
            let name = format!(
                "{city}{}{}有限公司",
                rng.pick(&FIRM_WORDS),
                rng.pick(&FIRM_TRADES)
            );
            if firms.iter().any(|(n, _)| *n == name) {
                continue;
            }
            let alphabet: Vec<char> = "0123456789ABCDEFGHJKLMNPQRTUWXY".chars().collect();
            let body: String = (0..7).map(|_| *rng.pick(&alphabet)).collect();
            if let Some(code) = CreditCode::with_check_char(&format!("91{division}MA{body}")) {
                firms.push((name, code));
            }
        }
        Generator {
            rng,
            projects: Vec::new(),
            events: Vec::new(),
            funds: Vec::new(),
            visits: Vec::new(),
            signed: Vec::new(),
            firms,
            serial: 0,
        }
    }

    fn code(&mut self, year: i32) -> String {
        self.serial += 1;
        format!("SYS-{year}-{:04}", self.serial)
    }

    fn event(&mut self, code: &str, kind: EventKind, date: NaiveDate, illustrative: bool) {
        let event = match kind {
            EventKind::Stage(Stage::Landed) => {
                let parcel = format!("双土储〔{}〕{:03}号", date.year(), self.rng.range(1, 180));
                checked(StageEvent::new(kind, date, None, None, Some(parcel), None))
            }
            EventKind::Suspend => noted(kind, date, "冬季停工"),
            EventKind::Stall => noted(kind, date, "投资方资金未落实，洽谈暂停"),
            EventKind::Terminate => noted(kind, date, "投资方调整战略布局，项目终止"),
            _ => plain(kind, date),
        };
        self.events.push((code.to_owned(), event, illustrative));
    }

    #[allow(clippy::too_many_arguments)]
    fn named(
        &mut self,
        name: &str,
        investor: &str,
        territory: &str,
        chain: usize,
        amount_yi_tenths: i64,
        credited: &[&str],
        steps: &[(EventKind, NaiveDate)],
    ) {
        let code = self.code(
            steps
                .iter()
                .find(|(k, _)| *k == EventKind::Stage(Stage::Signed))
                .map_or(2022, |(_, d)| d.year()),
        );
        let amount = Money::from_units("签约额", amount_yi_tenths * 10_000_000).unwrap_or_default();
        let mut project = base_project(&code, name, territory, chain);
        project.investor = Some(investor.into());
        project.credited = credited.iter().map(|c| (*c).to_owned()).collect();
        project.planned_investment = Some(amount);
        project.signed_amount = Some(amount);
        project.key_project = true;
        project.source_mode = Some("政府团队".into());
        self.projects.push(project);
        for (kind, date) in steps {
            self.event(&code, *kind, *date, true);
            if *kind == EventKind::Stage(Stage::Signed) {
                self.signed.push((code.clone(), *date, false));
            }
        }
    }

    fn named_projects(&mut self) {
        use EventKind::{Resume, Suspend};
        let s = EventKind::Stage;
        let (neg, sig, land, start) = (
            s(Stage::Negotiating),
            s(Stage::Signed),
            s(Stage::Landed),
            s(Stage::Started),
        );
        let fgw = "市发展和改革委员会";
        let jhj = "市经济合作促进局";
        let bj = OUTPOSTS[0];
        self.named(
            "中船集团清洁能源装备制造基地项目",
            "中国船舶集团风电发展有限公司",
            ZONE,
            4,
            150,
            &[fgw, bj],
            &[
                (neg, day(2021, 11, 10)),
                (sig, day(2022, 1, 18)),
                (land, day(2022, 3, 10)),
                (start, day(2022, 4, 25)),
            ],
        );
        self.named(
            "中船集团风光发电项目",
            "中国船舶集团风电发展有限公司",
            "友谊县",
            4,
            1500,
            &[fgw, "市能源局"],
            &[
                (neg, day(2021, 11, 10)),
                (sig, day(2022, 1, 18)),
                (land, day(2022, 5, 20)),
            ],
        );
        self.named(
            "集贤200兆瓦风力发电项目",
            "中船风电双鸭山新能源开发有限公司",
            "集贤县",
            4,
            120,
            &["市能源局"],
            &[
                (neg, day(2022, 1, 18)),
                (sig, day(2022, 3, 1)),
                (land, day(2022, 6, 20)),
            ],
        );
        self.named(
            "中船703所生物质能源项目",
            "中国船舶集团有限公司第七〇三研究所",
            "宝山区",
            7,
            30,
            &[jhj],
            &[(neg, day(2022, 4, 10)), (sig, day(2022, 6, 16))],
        );
        self.named(
            "四川航天拓新玄武岩精深加工项目",
            "四川航天拓新玄武岩实业有限公司",
            ZONE,
            3,
            60,
            &["市工业和信息化局"],
            &[
                (neg, day(2021, 12, 1)),
                (sig, day(2022, 2, 22)),
                (land, day(2022, 3, 30)),
                (start, day(2022, 5, 18)),
            ],
        );
        self.named(
            "青岛洛唯石墨精深加工项目",
            "青岛洛唯新材料有限公司",
            "宝清县",
            2,
            45,
            &[],
            &[
                (sig, day(2022, 2, 25)),
                (land, day(2022, 4, 12)),
                (start, day(2022, 5, 26)),
            ],
        );
        self.named(
            "鸿展热电联产项目",
            "四川鸿展生物科技有限公司",
            "集贤县",
            5,
            50,
            &[],
            &[
                (sig, day(2022, 2, 16)),
                (land, day(2022, 3, 20)),
                (start, day(2022, 4, 15)),
            ],
        );
        self.named(
            "褐煤干燥提质项目",
            "黑龙江龙煤能源科技有限公司",
            "宝清县",
            0,
            60,
            &[],
            &[
                (sig, day(2022, 3, 8)),
                (land, day(2022, 4, 6)),
                (start, day(2022, 5, 10)),
            ],
        );
        self.named(
            "铁矿提能改造项目",
            "双鸭山建龙矿业有限公司",
            "岭东区",
            1,
            70,
            &[],
            &[
                (sig, day(2022, 3, 15)),
                (land, day(2022, 4, 20)),
                (start, day(2022, 6, 6)),
            ],
        );
        self.named(
            "浙江碳一10万吨天然石墨高端负极材料项目",
            "浙江碳一新能源有限公司",
            "宝清县",
            2,
            200,
            &[bj],
            &[(neg, day(2021, 6, 20)), (sig, day(2021, 9, 15))],
        );
        self.named(
            "建龙钢铁500万吨产能提升项目",
            "黑龙江建龙钢铁有限公司",
            "尖山区",
            1,
            300,
            &["市工业和信息化局"],
            &[
                (sig, day(2021, 4, 8)),
                (land, day(2021, 5, 6)),
                (start, day(2021, 6, 10)),
                (Suspend, day(2021, 11, 15)),
                (Resume, day(2022, 4, 6)),
            ],
        );
        self.named(
            "万里润达30万吨燃料乙醇项目",
            "双鸭山万里润达生物科技有限公司",
            "友谊县",
            5,
            160,
            &["市农业农村局"],
            &[
                (sig, day(2021, 5, 12)),
                (land, day(2021, 6, 15)),
                (start, day(2021, 8, 2)),
                (Suspend, day(2021, 11, 18)),
                (Resume, day(2022, 4, 12)),
            ],
        );
        self.named(
            "四川鸿展追加30万吨燃料乙醇项目",
            "四川鸿展生物科技有限公司",
            "集贤县",
            5,
            120,
            &[],
            &[
                (sig, day(2021, 10, 9)),
                (land, day(2021, 10, 20)),
                (start, day(2021, 10, 28)),
                (Suspend, day(2021, 11, 20)),
                (Resume, day(2022, 4, 8)),
            ],
        );
        for (name, lead, talk) in [
            (
                "万里润达20万吨赖氨酸加工项目",
                day(2022, 3, 2),
                Some(day(2022, 5, 9)),
            ),
            ("万里润达10万吨白酒加工项目", day(2022, 5, 16), None),
        ] {
            let code = self.code(2022);
            let mut p = base_project(&code, name, "友谊县", 5);
            p.investor = Some("双鸭山万里润达生物科技有限公司".into());
            self.projects.push(p);
            self.event(&code, EventKind::Stage(Stage::Lead), lead, true);
            if let Some(talk) = talk {
                self.event(&code, EventKind::Stage(Stage::Negotiating), talk, true);
            }
        }
    }

    fn territory(&mut self) -> &'static str {
        let all: Vec<&'static str> = COUNTIES
            .iter()
            .map(|(n, _)| *n)
            .chain(DISTRICTS.iter().map(|(n, _)| *n))
            .chain([ZONE])
            .collect();
        let i = self.rng.range(0, all.len() as i64 - 1) as usize;
        all[i]
    }

    /// The firm at `picked`, or the next one that would not make the project named by `name`
    /// a suspected duplicate (重复研判) of one generated already in `territory`: generated
    /// projects are all distinct, as the seed's figures count them.
    fn distinct_firm(
        &self,
        picked: usize,
        territory: &str,
        name: impl Fn(&str) -> String,
    ) -> (String, CreditCode) {
        let clashes = |firm: &str| {
            let name = name(firm);
            self.projects.iter().any(|p| {
                p.territory == territory
                    && p.investor.as_deref() == Some(firm)
                    && domain::duplicates::similar_names(&p.name, &name)
            })
        };
        (0..self.firms.len())
            .map(|step| &self.firms[(picked + step) % self.firms.len()])
            .find(|(firm, _)| !clashes(firm))
            .unwrap_or(&self.firms[picked])
            .clone()
    }

    /// A generated signed project with its whole history.
    fn signed_project(&mut self, plan: Plan) {
        let code = self.code(plan.sign.year());
        let chain = self.rng.range(0, 7) as usize;
        let product = *self.rng.pick(PRODUCTS[chain]);
        let picked = self.rng.range(0, self.firms.len() as i64 - 1) as usize;
        let scale = self.rng.range(1, 30);
        let territory = self.territory();
        let named = |firm: &str| {
            let short: String = firm.chars().skip(2).take(4).collect();
            format!("{short}年产{scale}万吨{product}项目")
        };
        let (firm, firm_code) = self.distinct_firm(picked, territory, named);
        let name = named(&firm);
        let mut p = base_project(&code, &name, territory, chain);
        p.illustrative = true;
        p.investor = Some(firm);
        p.investor_code = Some(firm_code);
        let amount = Money::from_units("签约额", plan.amount_wan * 10_000).unwrap_or_default();
        p.signed_amount = Some(amount);
        p.planned_investment = Some(amount);
        p.key_project = plan.amount_wan >= 50_000;
        p.source_mode = Some((*self.rng.pick(value_list(0))).into());
        if plan.foreign {
            p.capital_origin = CapitalOrigin::Foreign;
            p.currency = Currency::Usd;
        }
        if self.rng.chance(45) {
            let first: Vec<&str> = DEPARTMENTS.iter().chain(OUTPOSTS.iter()).copied().collect();
            p.credited.push((*self.rng.pick(&first)).into());
        }
        // Some generated projects lack a leader or a team, as real ones do (六个一 gaps).
        if !self.rng.chance(85) {
            p.leader = None;
        }
        if !self.rng.chance(75) {
            p.team = None;
        }
        self.projects.push(p);

        let earliest = day(2020, 1, 2);
        if self.rng.chance(70) {
            let talk = plan.sign - Days::new(self.rng.range(10, 50) as u64);
            let lead = talk - Days::new(self.rng.range(20, 100) as u64);
            if lead >= earliest {
                self.event(&code, EventKind::Stage(Stage::Lead), lead, true);
            }
            if talk >= earliest {
                self.event(&code, EventKind::Stage(Stage::Negotiating), talk, true);
            }
        }
        self.event(&code, EventKind::Stage(Stage::Signed), plan.sign, true);
        self.signed.push((code.clone(), plan.sign, plan.foreign));
        let last = day(LAST_DAY.0, LAST_DAY.1, LAST_DAY.2);
        match plan.start {
            Some(start) => {
                let landed =
                    plan.sign + Days::new(((start - plan.sign).num_days() / 2).max(0) as u64);
                self.event(&code, EventKind::Stage(Stage::Landed), landed, true);
                self.event(&code, EventKind::Stage(Stage::Started), start, true);
                let mut running_since = start;
                if let Some((stop, resume)) = plan.winter {
                    self.event(&code, EventKind::Suspend, stop, true);
                    self.event(&code, EventKind::Resume, resume, true);
                    running_since = resume;
                }
                let production = running_since + Days::new(self.rng.range(200, 400) as u64);
                let no_winter_ahead = plan.winter.is_some() || start < day(2021, 6, 1);
                if production <= last && no_winter_ahead && self.rng.chance(75) {
                    self.event(&code, EventKind::Stage(Stage::Production), production, true);
                    let capacity = production + Days::new(self.rng.range(150, 360) as u64);
                    if capacity <= last && self.rng.chance(60) {
                        self.event(&code, EventKind::Stage(Stage::Capacity), capacity, true);
                    }
                }
            }
            None => {
                let landed = plan.sign + Days::new(self.rng.range(30, 120) as u64);
                if landed <= last && self.rng.chance(40) {
                    self.event(&code, EventKind::Stage(Stage::Landed), landed, true);
                } else if self.rng.chance(10) {
                    let stall = plan.sign + Days::new(self.rng.range(60, 200) as u64);
                    if stall <= last {
                        self.event(&code, EventKind::Stall, stall, true);
                    }
                }
            }
        }
    }

    /// A cohort of projects signed in `[from, to]`; `starts` gives, for each group, how many
    /// start in which window and whether some suspend for the winter.
    fn cohort(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
        amounts: Vec<i64>,
        starts: &[(usize, Window)],
    ) {
        let mut amounts = amounts.into_iter();
        for (count, window) in starts {
            for _ in 0..*count {
                let amount_wan = amounts.next().unwrap_or(5_000);
                let plan = window.plan(&mut self.rng, from, to, amount_wan);
                self.signed_project(plan);
            }
        }
        for amount_wan in amounts {
            let sign = self.rng.date(from, to);
            self.signed_project(Plan {
                sign,
                amount_wan,
                start: None,
                winter: None,
                foreign: false,
            });
        }
    }

    fn random_amounts(&mut self, count: usize) -> Vec<i64> {
        (0..count).map(|_| self.rng.range(10, 600) * 100).collect()
    }

    fn generated_projects(&mut self) {
        let winter_2020 = Some((day(2020, 11, 12), day(2021, 4, 10)));
        let winter_2021 = Some((day(2021, 11, 16), day(2022, 4, 11)));
        // 2020 H1: 52 signed, 30 of them started within the half.
        let amounts = self.random_amounts(52);
        self.cohort(
            day(2020, 1, 6),
            day(2020, 4, 30),
            amounts,
            &[
                (30, Window::start(day(2020, 1, 20), day(2020, 6, 28))),
                (10, Window::start(day(2020, 7, 5), day(2020, 10, 31))),
                (7, Window::start(day(2021, 4, 20), day(2021, 6, 25))),
            ],
        );
        // 2020 H2: 60 signed; 25 start before winter and 12 of those stop for it.
        let amounts = self.random_amounts(60);
        self.cohort(
            day(2020, 7, 1),
            day(2020, 9, 30),
            amounts,
            &[
                (
                    12,
                    Window::winter(day(2020, 7, 10), day(2020, 10, 31), winter_2020),
                ),
                (13, Window::start(day(2020, 7, 10), day(2020, 10, 31))),
                (15, Window::start(day(2021, 7, 5), day(2021, 10, 31))),
            ],
        );
        // 2021 H1: 59 generated + 2 named = 61 signed.
        let amounts = self.random_amounts(59);
        self.cohort(
            day(2021, 1, 5),
            day(2021, 5, 15),
            amounts,
            &[
                (20, Window::start(day(2021, 1, 20), day(2021, 6, 28))),
                (
                    10,
                    Window::winter(day(2021, 7, 5), day(2021, 10, 31), winter_2021),
                ),
                (5, Window::start(day(2021, 7, 5), day(2021, 10, 31))),
                (10, Window::start(day(2022, 4, 20), day(2022, 6, 28))),
            ],
        );
        // 2021 H2: 70 generated + 2 named = 72 signed; three are foreign-funded.
        let amounts = self.random_amounts(70);
        for i in 0..3 {
            let sign = day(2021, 7, 20 + i);
            self.signed_project(Plan {
                sign,
                amount_wan: 30_000,
                start: None,
                winter: None,
                foreign: true,
            });
        }
        self.cohort(
            day(2021, 7, 1),
            day(2021, 9, 30),
            amounts[3..].to_vec(),
            &[
                (
                    10,
                    Window::winter(day(2021, 7, 10), day(2021, 10, 31), winter_2021),
                ),
                (5, Window::start(day(2021, 7, 10), day(2021, 10, 31))),
                (8, Window::start(day(2022, 4, 20), day(2022, 6, 28))),
                (20, Window::start(day(2022, 7, 10), day(2022, 10, 31))),
            ],
        );
        // 2022 H1: 79 generated + 9 named = 88 signed, 405亿元 in all (named: 208.5亿元).
        let amounts = split(&mut self.rng, 1_965_000, 79, 100);
        self.cohort(
            day(2022, 1, 4),
            day(2022, 4, 30),
            amounts,
            &[
                (16, Window::start(day(2022, 1, 25), day(2022, 6, 28))),
                (25, Window::start(day(2022, 7, 5), day(2022, 10, 31))),
            ],
        );
        // 2022 H2: 45 signed.
        let amounts = self.random_amounts(45);
        self.cohort(
            day(2022, 7, 4),
            day(2022, 9, 30),
            amounts,
            &[(10, Window::start(day(2022, 8, 1), day(2022, 10, 31)))],
        );
    }

    /// Leads and talks that have not (yet) led to a signing; some stall or are dropped.
    fn leads(&mut self) {
        for year in 2020..=2022 {
            for i in 0..30 {
                let code = self.code(year);
                let chain = self.rng.range(0, 7) as usize;
                let product = *self.rng.pick(PRODUCTS[chain]);
                let picked = self.rng.range(0, self.firms.len() as i64 - 1) as usize;
                let territory = self.territory();
                let (firm, _) =
                    self.distinct_firm(picked, territory, |_| format!("{product}项目（洽谈中）"));
                let mut p =
                    base_project(&code, &format!("{product}项目（洽谈中）"), territory, chain);
                p.illustrative = true;
                p.investor = Some(firm);
                self.projects.push(p);
                let lead = self.rng.date(day(year, 1, 5), day(year, 11, 30));
                self.event(&code, EventKind::Stage(Stage::Lead), lead, true);
                if i % 2 == 0 {
                    let talk = lead + Days::new(self.rng.range(10, 40) as u64);
                    self.event(&code, EventKind::Stage(Stage::Negotiating), talk, true);
                    if i % 6 == 0 {
                        self.event(&code, EventKind::Stall, talk + Days::new(45), true);
                    } else if i % 10 == 4 {
                        self.event(&code, EventKind::Terminate, talk + Days::new(60), true);
                    }
                }
            }
        }
    }

    /// Funds in place per half-year, in whole 万元, with exact totals.
    fn funds(&mut self) {
        let halves: [(NaiveDate, NaiveDate, i64, usize); 6] = [
            (day(2020, 1, 1), day(2020, 6, 30), 3_100_000_000, 40),
            (day(2020, 7, 1), day(2020, 12, 31), 3_600_000_000, 50),
            (day(2021, 1, 1), day(2021, 6, 30), 4_195_000_000, 80),
            (day(2021, 7, 1), day(2021, 12, 31), 5_200_000_000, 90),
            (day(2022, 1, 1), day(2022, 6, 30), 8_050_000_000, 150),
            (day(2022, 7, 1), day(2022, 12, 20), 6_000_000_000, 100),
        ];
        for (from, to, total, count) in halves {
            let eligible: Vec<(String, NaiveDate)> = self
                .signed
                .iter()
                .filter(|(_, sign, foreign)| *sign <= to - Days::new(10) && !foreign)
                .map(|(c, s, _)| (c.clone(), *s))
                .collect();
            let amounts = split(&mut self.rng, total, count, 10_000);
            for amount in amounts {
                let (code, sign) = self.rng.pick(&eligible).clone();
                let date = self.rng.date(from.max(sign + Days::new(1)), to);
                self.push_fund(&code, date, amount, Currency::Cny);
            }
        }
        let foreign: Vec<String> = self
            .signed
            .iter()
            .filter(|(_, _, f)| *f)
            .map(|(c, _, _)| c.clone())
            .collect();
        for (i, code) in foreign.iter().enumerate() {
            self.push_fund(code, day(2021, 10, 10 + i as u32), 3_000_000, Currency::Usd);
            self.push_fund(
                code,
                day(2022, 3, 10 + i as u32),
                5_000_000 + 1_000_000 * i as i64,
                Currency::Usd,
            );
        }
    }

    fn push_fund(&mut self, code: &str, date: NaiveDate, amount: i64, currency: Currency) {
        let verified = self.rng.chance(70);
        let amount = checked(Money::from_units("金额", amount));
        let mut fund = checked(Fund::new(code, date, amount, currency));
        fund.source = Some((*self.rng.pick(value_list(1))).into());
        fund.verified = verified;
        fund.verifier = verified.then(|| "市经济合作促进局".to_owned());
        fund.illustrative = true;
        self.funds.push(fund);
    }

    fn visits(&mut self) {
        let halves = [
            (day(2020, 1, 1), day(2020, 6, 30), 120),
            (day(2020, 7, 1), day(2020, 12, 31), 130),
            (day(2021, 1, 1), day(2021, 6, 30), 150),
            (day(2021, 7, 1), day(2021, 12, 31), 160),
            (day(2022, 1, 1), day(2022, 6, 30), 196),
            (day(2022, 7, 1), day(2022, 12, 20), 170),
        ];
        let units: Vec<&str> = COUNTIES
            .iter()
            .map(|(n, _)| *n)
            .chain(DISTRICTS.iter().map(|(n, _)| *n))
            .chain([ZONE])
            .chain(DEPARTMENTS)
            .chain(OUTPOSTS)
            .collect();
        for (from, to, count) in halves {
            for _ in 0..count {
                let mut visit = Visit::new(self.rng.date(from, to));
                let (firm, code) = self.rng.pick(&self.firms).clone();
                visit.unit = (!self.rng.chance(15)).then(|| (*self.rng.pick(&units)).to_owned());
                visit.enterprise = Some(firm);
                visit.enterprise_code = Some(code);
                visit.leaders = Some(self.rng.pick(&LEADERS).0.to_owned());
                visit.mode = Some((*self.rng.pick(value_list(2))).to_owned());
                visit.place = Some(self.rng.pick(&FIRM_CITIES).0.to_owned());
                visit.content = Some("介绍双鸭山产业基础和招商政策，洽谈投资合作".into());
                visit.outcome = Some(
                    (*self.rng.pick(&[
                        "达成初步投资意向",
                        "约定实地考察",
                        "持续跟进",
                        "交换项目资料",
                    ]))
                    .to_owned(),
                );
                visit.illustrative = true;
                self.visits.push(visit);
            }
        }
    }
}

/// When a generated project starts, if at all.
#[derive(Clone, Copy)]
struct Window {
    from: NaiveDate,
    to: NaiveDate,
    winter: Option<(NaiveDate, NaiveDate)>,
}

impl Window {
    fn start(from: NaiveDate, to: NaiveDate) -> Self {
        Window {
            from,
            to,
            winter: None,
        }
    }

    fn winter(from: NaiveDate, to: NaiveDate, winter: Option<(NaiveDate, NaiveDate)>) -> Self {
        Window { from, to, winter }
    }

    /// A signing in `[sign_from, sign_to]` before a start in this window.
    fn plan(
        &self,
        rng: &mut Rng,
        sign_from: NaiveDate,
        sign_to: NaiveDate,
        amount_wan: i64,
    ) -> Plan {
        let sign_to = sign_to.min(self.to - Days::new(10));
        let sign = rng.date(sign_from, sign_to.max(sign_from));
        let start = rng.date(self.from.max(sign + Days::new(5)), self.to);
        Plan {
            sign,
            amount_wan,
            start: Some(start),
            winter: self.winter,
            foreign: false,
        }
    }
}

/// A record the demo builds for itself: through the domain's checked constructor, like any
/// other. The demo is fixed, so a refusal is a bug in this file, found by its tests.
pub(crate) fn checked<T>(record: Result<T, domain::FieldError>) -> T {
    record.unwrap_or_else(|e| panic!("the demo built a record the domain refuses: {e}"))
}

/// An event with nothing but its kind and date.
pub(crate) fn plain(kind: EventKind, date: NaiveDate) -> StageEvent {
    checked(StageEvent::new(kind, date, None, None, None, None))
}

/// An event with a note: 停工, 停滞 and 终止 say why.
fn noted(kind: EventKind, date: NaiveDate, note: &str) -> StageEvent {
    checked(StageEvent::new(
        kind,
        date,
        None,
        None,
        None,
        Some(note.into()),
    ))
}

pub(crate) fn base_project(code: &str, name: &str, territory: &str, chain: usize) -> Project {
    let mut project = checked(Project::new(code, name, territory));
    project.chain = Some(CHAINS[chain].0.to_owned());
    project.leader = Some(CHAINS[chain].2.to_owned());
    project.team = Some(team_of(CHAINS[chain].0));
    project
}
