//! The generator's state and the projects the seed report names, with their histories.

use chrono::{Datelike, NaiveDate};

use super::*;

/// What happens to a generated signed project after signing.
#[derive(Clone, Copy)]
pub(super) struct Plan {
    pub(super) sign: NaiveDate,
    pub(super) amount_wan: i64,
    pub(super) start: Option<NaiveDate>,
    pub(super) winter: Option<(NaiveDate, NaiveDate)>,
    pub(super) foreign: bool,
}

pub(super) struct Generator {
    pub(super) rng: Rng,
    pub(super) projects: Vec<Project>,
    pub(super) events: Vec<(String, StageEvent, bool)>,
    pub(super) funds: Vec<Fund>,
    pub(super) visits: Vec<Visit>,
    /// (code, sign date, foreign) of every signed project, for funds.
    pub(super) signed: Vec<(String, NaiveDate, bool)>,
    pub(super) firms: Vec<(String, CreditCode)>,
    pub(super) serial: u32,
}

pub(super) const LAST_DAY: (i32, u32, u32) = (2022, 12, 20);

impl Generator {
    pub(super) fn new() -> Self {
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

    pub(super) fn code(&mut self, year: i32) -> String {
        self.serial += 1;
        format!("SYS-{year}-{:04}", self.serial)
    }

    pub(super) fn event(
        &mut self,
        code: &str,
        kind: EventKind,
        date: NaiveDate,
        illustrative: bool,
    ) {
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
    pub(super) fn named(
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
        checked(project.check());
        self.projects.push(project);
        for (kind, date) in steps {
            self.event(&code, *kind, *date, true);
            if *kind == EventKind::Stage(Stage::Signed) {
                self.signed.push((code.clone(), *date, false));
            }
        }
    }

    pub(super) fn named_projects(&mut self) {
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
            checked(p.check());
            self.projects.push(p);
            self.event(&code, EventKind::Stage(Stage::Lead), lead, true);
            if let Some(talk) = talk {
                self.event(&code, EventKind::Stage(Stage::Negotiating), talk, true);
            }
        }
    }
}
