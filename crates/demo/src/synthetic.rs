//! Synthetic cities of any size for benchmarks: the demo's units, leaders and chains, with
//! `projects` generated projects over the ten years 2013–2022, their events (including 停工 and
//! 复工), credited departments and outposts, funds in 人民币 and 美元, visits and targets.
//! Deterministic for a given size; every record is marked illustrative.

use chrono::{Days, NaiveDate};

use crate::city::{
    self, CHAINS, DEPARTMENTS, DemoCity, OUTPOSTS, Rng, base_project, checked, plain,
};
use domain::figures::Indicator;
use domain::records::{Fund, Target, Visit};
use domain::stage::StageEvent;
use domain::{Currency, EventKind, Money, Stage};

const FIRST_YEAR: i32 = 2013;
const LAST_YEAR: i32 = 2022;

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap_or_default()
}

fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(LAST_YEAR, 12, 20).unwrap_or_default()
}

fn money(units: i64) -> Money {
    Money::from_units("金额", units).unwrap_or(Money::ZERO)
}

/// A synthetic city of `projects` projects.
pub fn city(projects: usize) -> DemoCity {
    let mut city = city::organisation();
    let mut rng = Rng(0x5359_4E54_4845_5449 ^ projects as u64);
    let territories = city::territories();
    let span = (last_day() - first_day()).num_days();
    for i in 0..projects {
        let code = format!("SYN-{i:08}");
        let chain = rng.range(0, CHAINS.len() as i64 - 1) as usize;
        let territory = *rng.pick(&territories);
        let mut project = base_project(&code, &format!("示例项目{i}"), territory, chain);
        project.illustrative = true;
        if rng.chance(20) {
            project.credited.push((*rng.pick(&DEPARTMENTS)).to_owned());
        }
        if rng.chance(5) {
            project.credited.push((*rng.pick(&OUTPOSTS)).to_owned());
        }
        let mut date = first_day() + Days::new(rng.range(0, span) as u64);
        let mut events = vec![plain(EventKind::Stage(Stage::Lead), date)];
        let mut step = |rng: &mut Rng, lo: i64, hi: i64| -> Option<NaiveDate> {
            let next = date + Days::new(rng.range(lo, hi) as u64);
            (next <= last_day()).then(|| {
                date = next;
                next
            })
        };
        let mut signed: Option<(NaiveDate, i64)> = None;
        'stages: {
            if !rng.chance(60) {
                break 'stages;
            }
            let Some(d) = step(&mut rng, 10, 150) else {
                break 'stages;
            };
            // 500万 to 20亿, most of them small.
            let amount = match rng.range(1, 100) {
                1..=60 => rng.range(500, 10_000),
                61..=95 => rng.range(10_000, 100_000),
                _ => rng.range(100_000, 200_000),
            } * 10_000;
            let signing = EventKind::Stage(Stage::Signed);
            events.push(checked(StageEvent::new(
                signing,
                d,
                Some(money(amount)),
                None,
                None,
                None,
            )));
            signed = Some((d, amount));
            if !rng.chance(80) {
                break 'stages;
            }
            let Some(d) = step(&mut rng, 20, 150) else {
                break 'stages;
            };
            let parcel = Some(format!("示例地块{i}"));
            let landing = EventKind::Stage(Stage::Landed);
            events.push(checked(StageEvent::new(
                landing, d, None, None, parcel, None,
            )));
            if !rng.chance(75) {
                break 'stages;
            }
            let Some(d) = step(&mut rng, 20, 200) else {
                break 'stages;
            };
            events.push(plain(EventKind::Stage(Stage::Started), d));
            if rng.chance(10) {
                let Some(d) = step(&mut rng, 30, 120) else {
                    break 'stages;
                };
                events.push(plain(EventKind::Suspend, d));
                let Some(d) = step(&mut rng, 10, 90) else {
                    break 'stages;
                };
                events.push(plain(EventKind::Resume, d));
            }
            for (kind, chance, lo, hi) in [
                (EventKind::Stage(Stage::Production), 60, 100, 400),
                (EventKind::Stage(Stage::Capacity), 50, 60, 300),
            ] {
                if !rng.chance(chance) {
                    break 'stages;
                }
                let Some(d) = step(&mut rng, lo, hi) else {
                    break 'stages;
                };
                events.push(plain(kind, d));
            }
        }
        if let Some((signed_on, amount)) = signed
            && events.len() > 3
        {
            // Funds on distinct days after signing, up to about a third of the amount.
            let days = (last_day() - signed_on).num_days().max(1);
            let count = rng.range(1, 3);
            let mut day = signed_on;
            for _ in 0..count {
                day = day + Days::new(rng.range(1, (days / 4).max(1)) as u64);
                if day > last_day() {
                    break;
                }
                let usd = rng.chance(3);
                let share = rng.range(5, 15);
                let units = if usd {
                    (amount * share / 100 / 7).max(10_000)
                } else {
                    (amount * share / 100).max(10_000)
                };
                if let Ok(mut fund) = Fund::new(
                    &code,
                    day,
                    money(units),
                    if usd { Currency::Usd } else { Currency::Cny },
                ) {
                    fund.verified = rng.chance(70);
                    fund.illustrative = true;
                    city.funds.push(fund);
                }
            }
        }
        checked(project.check());
        city.projects.push(project);
        city.events
            .extend(events.into_iter().map(|e| (code.clone(), e, true)));
    }
    let units: Vec<String> = city.units.iter().skip(1).map(|u| u.name.clone()).collect();
    for v in 0..projects / 2 {
        let mut visit = Visit::new(first_day() + Days::new(rng.range(0, span) as u64));
        visit.unit = rng.chance(90).then(|| rng.pick(&units).clone());
        visit.enterprise = Some(format!("示例企业{v}"));
        visit.illustrative = true;
        city.visits.push(visit);
    }
    for year in FIRST_YEAR..=LAST_YEAR {
        // About what a year brings, so that task progress lands near time progress.
        let per_year = (projects as i64 / 10).max(1);
        for (unit, share) in std::iter::once((None, 100)).chain(
            territories
                .iter()
                .map(|t| (Some((*t).to_owned()), 100 / territories.len() as i64)),
        ) {
            for (indicator, value) in [
                (Indicator::SignedProjects, per_year * 6 / 10),
                (Indicator::SignedAmount, per_year * 6 / 10 * 250_000_000),
                (Indicator::StartedOrResumedProjects, per_year * 4 / 10),
                (Indicator::Visits, per_year / 2),
            ] {
                if let Ok(target) = Target::new(year, unit.clone(), indicator, value * share / 100)
                {
                    city.targets.push(target);
                }
            }
        }
    }
    city
}
