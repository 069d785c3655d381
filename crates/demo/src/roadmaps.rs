//! The demo's 招商路线图 for 2022 (issue 23.5): one per seed chain, its four sets drawn from the
//! demo's own records — the chain's packaged projects, the investors of its projects as clients,
//! two policy references, and a visit planned to each client in a month — so that plan against
//! done shows visits held on time, late and missed, and clients in talks and signed.

use chrono::Datelike;
use domain::roadmap::SetKind;

use crate::DemoCity;

/// One demo roadmap: the chain and its items as (set, reference, month, leader).
pub struct DemoRoadmap {
    pub chain: String,
    pub items: Vec<(SetKind, String, Option<u32>, Option<String>)>,
}

const POLICIES: [&str; 2] = [
    "双鸭山市招商引资若干优惠政策（示例）",
    "黑龙江省支持产业链招商的若干措施（示例）",
];

/// `packaged`: (项目库编号, chain) of the demo's packaged projects.
pub fn roadmaps(city: &DemoCity, packaged: &[(String, Option<String>)]) -> Vec<DemoRoadmap> {
    city.chains
        .iter()
        .map(|chain| {
            let mut items = Vec::new();
            for (code, _) in packaged
                .iter()
                .filter(|(_, c)| c.as_deref() == Some(chain.name.as_str()))
                .take(3)
            {
                items.push((SetKind::Project, code.clone(), None, None));
            }
            // Investors named by credit code: one firm each, whatever their names.
            let mut clients: Vec<(String, String)> = Vec::new();
            for p in city
                .projects
                .iter()
                .filter(|p| p.chain.as_deref() == Some(chain.name.as_str()))
            {
                if let (Some(code), Some(name)) = (&p.investor_code, &p.investor)
                    && !clients.iter().any(|(c, _)| c == code.as_str())
                {
                    clients.push((code.as_str().to_owned(), name.clone()));
                }
                if clients.len() == 4 {
                    break;
                }
            }
            for (i, (code, name)) in clients.iter().enumerate() {
                items.push((SetKind::Client, code.clone(), None, None));
                // The month of the firm's first visit of 2022, one earlier for every third
                // client (held late), else March–November (missed where no visit came).
                let first = city
                    .visits
                    .iter()
                    .filter(|v| v.date.year() == 2022 && v.enterprise.as_deref() == Some(name))
                    .map(|v| v.date.month())
                    .min();
                let month = match first {
                    Some(m) if i % 3 == 2 && m > 1 => m - 1,
                    Some(m) => m,
                    None => 3 + (i as u32 * 2) % 9,
                };
                items.push((
                    SetKind::Visit,
                    code.clone(),
                    Some(month),
                    chain.chain_leader.clone(),
                ));
            }
            for policy in POLICIES {
                items.push((SetKind::Policy, policy.to_owned(), None, None));
            }
            DemoRoadmap {
                chain: chain.name.clone(),
                items,
            }
        })
        .collect()
}
