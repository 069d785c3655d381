//! The generated (illustrative) projects, leads, funds and visits that bring the sheet to the
//! seed's headline figures.

use chrono::{Datelike, Days, NaiveDate};

use super::*;

impl Generator {
    pub(super) fn territory(&mut self) -> &'static str {
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
    pub(super) fn distinct_firm(
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
    pub(super) fn signed_project(&mut self, plan: Plan) {
        /// Days after which a signing that never landed (or a landing that never started) is
        /// dropped from the demo's ledger.
        const STALE_SIGNING_DAYS: u64 = 540;
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
        checked(p.check());
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
                // Most signings register their local company within months; a ledger then
                // drops a landed project that never broke ground after a year and a half.
                let landed = plan.sign + Days::new(self.rng.range(30, 120) as u64);
                let mut moved = false;
                if landed <= last && self.rng.chance(70) {
                    self.event(&code, EventKind::Stage(Stage::Landed), landed, true);
                    moved = true;
                    let dropped = landed + Days::new(STALE_SIGNING_DAYS);
                    if dropped <= last {
                        self.event(&code, EventKind::Terminate, dropped, true);
                    }
                } else if self.rng.chance(10) {
                    let stall = plan.sign + Days::new(self.rng.range(60, 200) as u64);
                    if stall <= last {
                        self.event(&code, EventKind::Stall, stall, true);
                        moved = true;
                        self.drop_stalled(&code, stall);
                    }
                }
                // An office clears a signing that never landed after a year, as real ledgers
                // do; the later ones stay on the warnings for the bureau to chase.
                let cleared = plan.sign + Days::new(365);
                if !moved && cleared <= last {
                    self.event(&code, EventKind::Terminate, cleared, true);
                }
            }
        }
    }

    /// A cohort of projects signed in `[from, to]`; `starts` gives, for each group, how many
    /// start in which window and whether some suspend for the winter.
    pub(super) fn cohort(
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

    pub(super) fn random_amounts(&mut self, count: usize) -> Vec<i64> {
        (0..count).map(|_| self.rng.range(10, 600) * 100).collect()
    }

    pub(super) fn generated_projects(&mut self) {
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

    /// A project stalled for a year is dropped from the ledger (终止), as offices do; the ones
    /// stalled since are left for the bureau to chase.
    fn drop_stalled(&mut self, code: &str, stalled: NaiveDate) {
        let dropped = stalled + Days::new(365);
        if dropped <= day(LAST_DAY.0, LAST_DAY.1, LAST_DAY.2) {
            self.event(code, EventKind::Terminate, dropped, true);
        }
    }

    /// Leads and talks that have not (yet) led to a signing; some stall or are dropped.
    pub(super) fn leads(&mut self) {
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
                checked(p.check());
                self.projects.push(p);
                let lead = self.rng.date(day(year, 1, 5), day(year, 11, 30));
                self.event(&code, EventKind::Stage(Stage::Lead), lead, true);
                if i % 2 == 0 {
                    let talk = lead + Days::new(self.rng.range(10, 40) as u64);
                    self.event(&code, EventKind::Stage(Stage::Negotiating), talk, true);
                    if i % 6 == 0 {
                        self.event(&code, EventKind::Stall, talk + Days::new(45), true);
                        self.drop_stalled(&code, talk + Days::new(45));
                    } else if i % 10 == 4 {
                        self.event(&code, EventKind::Terminate, talk + Days::new(60), true);
                    } else if year < 2022 {
                        // Talks idle since an earlier year were dropped by the unit.
                        self.event(&code, EventKind::Terminate, talk + Days::new(300), true);
                    }
                }
            }
        }
    }

    /// Funds in place per half-year, in whole 万元, with exact totals.
    pub(super) fn funds(&mut self) {
        let halves: [(NaiveDate, NaiveDate, i64, usize); 6] = [
            (day(2020, 1, 1), day(2020, 6, 30), 3_100_000_000, 40),
            (day(2020, 7, 1), day(2020, 12, 31), 3_600_000_000, 50),
            (day(2021, 1, 1), day(2021, 6, 30), 4_195_000_000, 80),
            (day(2021, 7, 1), day(2021, 12, 31), 5_200_000_000, 90),
            (day(2022, 1, 1), day(2022, 6, 30), 8_050_000_000, 150),
            (day(2022, 7, 1), day(2022, 12, 20), 6_000_000_000, 100),
        ];
        // Money arrives when a project builds: four funds in five go to projects started by
        // the half's end (a signing without a start rarely brings any), the fifth to any.
        let started: std::collections::HashMap<String, NaiveDate> = self
            .events
            .iter()
            .filter(|(_, e, _)| e.kind == EventKind::Stage(Stage::Started))
            .map(|(c, e, _)| (c.clone(), e.date))
            .collect();
        let signed_wan: std::collections::HashMap<String, i64> = self
            .projects
            .iter()
            .filter_map(|p| Some((p.code.clone(), p.signed_amount?.units() / 10_000)))
            .collect();
        let mut got: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        let mut building: Vec<Vec<(String, NaiveDate)>> = Vec::new();
        let mut signed: Vec<Vec<(String, NaiveDate)>> = Vec::new();
        for (_, to, _, _) in halves {
            let eligible: Vec<(String, NaiveDate)> = self
                .signed
                .iter()
                .filter(|(_, sign, foreign)| *sign <= to - Days::new(10) && !foreign)
                .map(|(c, s, _)| (c.clone(), *s))
                .collect();
            building.push(
                eligible
                    .iter()
                    .filter(|(c, _)| started.get(c.as_str()).is_some_and(|d| *d <= to))
                    .cloned()
                    .collect(),
            );
            signed.push(eligible);
        }
        for (i, (from, to, total, count)) in halves.into_iter().enumerate() {
            let amounts = split(&mut self.rng, total, count, 10_000);
            for amount in amounts {
                let pool = if !building[i].is_empty() && self.rng.chance(80) {
                    &building[i]
                } else {
                    &signed[i]
                };
                // A ledger's money reaches most projects that build: a fund goes to one still
                // below a tenth of its signed amount, mostly.
                let short: Vec<usize> = (0..pool.len())
                    .filter(|&j| {
                        let code = pool[j].0.as_str();
                        let wan = signed_wan.get(code).copied().unwrap_or(0);
                        got.get(code).copied().unwrap_or(0) * 10 < wan * 10_000
                    })
                    .collect();
                let picked = if !short.is_empty() && self.rng.chance(85) {
                    *self.rng.pick(&short)
                } else {
                    self.rng.range(0, pool.len() as i64 - 1) as usize
                };
                let (code, sign) = pool[picked].clone();
                *got.entry(code.clone()).or_default() += amount;
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

    pub(super) fn push_fund(
        &mut self,
        code: &str,
        date: NaiveDate,
        amount: i64,
        currency: Currency,
    ) {
        let verified = self.rng.chance(70);
        let amount = checked(Money::from_units("金额", amount));
        let mut fund = checked(Fund::new(code, date, amount, currency));
        fund.source = Some((*self.rng.pick(value_list(1))).into());
        fund.verified = verified;
        fund.verifier = verified.then(|| "市经济合作促进局".to_owned());
        fund.illustrative = true;
        self.funds.push(fund);
    }

    pub(super) fn visits(&mut self) {
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
pub(super) struct Window {
    pub(super) from: NaiveDate,
    pub(super) to: NaiveDate,
    pub(super) winter: Option<(NaiveDate, NaiveDate)>,
}

impl Window {
    pub(super) fn start(from: NaiveDate, to: NaiveDate) -> Self {
        Window {
            from,
            to,
            winter: None,
        }
    }

    pub(super) fn winter(
        from: NaiveDate,
        to: NaiveDate,
        winter: Option<(NaiveDate, NaiveDate)>,
    ) -> Self {
        Window { from, to, winter }
    }

    /// A signing in `[sign_from, sign_to]` before a start in this window.
    pub(super) fn plan(
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
