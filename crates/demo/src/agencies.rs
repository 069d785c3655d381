//! The demo's 委托招商机构 (issue 23.5): two agencies (fictitious) under contract in 2022, one paid
//! a share of the signed amount at signing in three counties, one a share of funds in place
//! city-wide; the demo's projects brought by 委托 and 中介 attributed to them within each
//! contract's scope, and some fees paid. Illustrative.

use chrono::NaiveDate;
use domain::agencies::{Agency, Contract, FeeBasis, FeePayment, FeeRule, FeeTrigger, Rate};
use domain::{EventKind, Money, Stage};

use crate::DemoCity;

pub struct DemoAgencies {
    pub agencies: Vec<Agency>,
    pub contracts: Vec<Contract>,
    /// (项目编号, 合同编号).
    pub attributions: Vec<(String, String)>,
    pub payments: Vec<FeePayment>,
}

fn wan(n: i64) -> Option<Money> {
    Money::from_units("金额", n * 10_000).ok()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// A contract of `agency` for the demo; the rules are the domain's, so they hold.
fn contract(
    number: &str,
    agency: &str,
    term: (NaiveDate, NaiveDate),
    rule: FeeRule,
) -> Option<Contract> {
    Contract::new(number, agency, term.0, term.1, rule).ok()
}

pub fn agencies(city: &DemoCity) -> DemoAgencies {
    let names = [
        "北京中链产业招商咨询有限公司（示例）",
        "深圳前海聚商招商服务有限公司（示例）",
    ];
    let agencies: Vec<Agency> = names
        .iter()
        .filter_map(|n| {
            let mut a = Agency::new(n).ok()?;
            a.contact = Some("项目部（示例）".into());
            a.note = Some("演示数据，机构为虚构".into());
            Some(a)
        })
        .collect();
    let territories = crate::city::territories();
    let mut contracts = Vec::new();
    if let Some(mut c) = contract(
        "WT-2022-001",
        names[0],
        (day(2022, 1, 1), day(2023, 1, 31)),
        FeeRule {
            basis: FeeBasis::SignedShare,
            fixed: None,
            rate: Rate::from_basis_points("比例", 30).ok(),
            trigger: FeeTrigger::Signed,
            project_cap: wan(100),
            total_cap: wan(300),
        },
    ) {
        c.units = territories
            .iter()
            .take(3)
            .map(|t| (*t).to_owned())
            .collect();
        contracts.push(c);
    }
    if let Some(mut c) = contract(
        "WT-2022-002",
        names[1],
        (day(2022, 3, 1), day(2024, 2, 29)),
        FeeRule {
            basis: FeeBasis::FundsShare,
            fixed: None,
            rate: Rate::from_basis_points("比例", 100).ok(),
            trigger: FeeTrigger::Funds,
            project_cap: wan(50),
            total_cap: None,
        },
    ) {
        c.chains = city
            .chains
            .iter()
            .take(3)
            .map(|ch| ch.name.clone())
            .collect();
        contracts.push(c);
    }
    // Each agency brought projects signed within its contract's term, of its 招商方式.
    let signed_within = |code: &str, c: &Contract| {
        city.events.iter().any(|(p, e, _)| {
            p == code
                && e.kind == EventKind::Stage(Stage::Signed)
                && c.starts_on <= e.date
                && e.date <= c.ends_on
        })
    };
    let mut attributions = Vec::new();
    let modes: [(&[&str], usize); 2] = [(&["委托"], 6), (&["中介", "委托"], 4)];
    for (contract, (modes, most)) in contracts.iter().zip(modes) {
        let taken: Vec<String> = attributions
            .iter()
            .map(|(c, _): &(String, String)| c.clone())
            .collect();
        let chosen = city
            .projects
            .iter()
            .filter(|p| p.source_mode.as_deref().is_some_and(|m| modes.contains(&m)))
            .filter(|p| !taken.contains(&p.code) && signed_within(&p.code, contract))
            .filter(|p| {
                contract
                    .covers(&p.territory, &p.credited, p.chain.as_deref())
                    .is_ok()
            })
            .take(most);
        for p in chosen {
            attributions.push((p.code.clone(), contract.number.clone()));
        }
    }
    let mut payments = Vec::new();
    for (code, number) in attributions
        .iter()
        .filter(|(_, n)| n == "WT-2022-001")
        .take(2)
    {
        if let Some(amount) = wan(20) {
            payments.push(FeePayment {
                contract: number.clone(),
                project: Some(code.clone()),
                paid_on: day(2022, 9, 30),
                amount,
                note: Some("首期（示例）".into()),
            });
        }
    }
    if let Some(amount) = wan(5) {
        payments.push(FeePayment {
            contract: "WT-2022-002".into(),
            project: None,
            paid_on: day(2022, 12, 20),
            amount,
            note: Some("按合同整体预付（示例）".into()),
        });
    }
    DemoAgencies {
        agencies,
        contracts,
        attributions,
        payments,
    }
}
