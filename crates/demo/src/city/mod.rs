//! The demo city: 双鸭山市 as the seed describes it, with the projects it names, and generated
//! (illustrative) projects, events, funds and visits over 2020–2022 chosen so that the 2022 H1
//! scoreboard shows the seed's headline figures: 88 签约项目, 405亿元 签约额, 80.5亿元 到位资金
//! (+91.9%), 63 开复工项目 (+57.5%, the nearest whole-number growth to the reported 56%), 196 对接
//! (近200次), with records for 到位资金 and 开复工.
//!
//! Generation is deterministic (a fixed seed), so every deployment shows the same demo.

mod follow_up;
mod generated;
mod seed;

use chrono::{Days, NaiveDate};

use follow_up::*;
use seed::*;

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
    let mut plans = plans;
    plans.extend(ledger_plans(
        &g.projects,
        &g.events,
        as_of.unwrap_or_default(),
    ));
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
        // A department or an outpost shares in a few projects a year (a credited unit beside
        // the county): its task is set at what such a unit signs in a good year.
        for unit in DEPARTMENTS.iter().chain(OUTPOSTS.iter()) {
            out.push(checked(Target::new(
                year,
                Some((*unit).into()),
                Indicator::SignedProjects,
                s(4),
            )));
            out.push(checked(Target::new(
                year,
                Some((*unit).into()),
                Indicator::SignedAmount,
                s(yi(12)),
            )));
            out.push(checked(Target::new(
                year,
                Some((*unit).into()),
                Indicator::Visits,
                s(15),
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
