//! The demo's 谋划包装项目库 (issue 23): one packaged project for each link of the seed's chains,
//! owned by the counties in turn, at every depth of maturity; those whose link one of the seed's
//! projects fills are linked to it, as the library's record of how it was signed. Illustrative.

use domain::Money;
use domain::packaged::{EstimateItem, Mu, PackagedProject, PackagedStatus, ResourceKind};

use crate::chains::{PROJECT_LINKS, SEGMENTS, firms};

/// A demo packaged project, and the seed project (by name) it was signed into, if any.
pub struct DemoPackaged {
    pub packaged: PackagedProject,
    pub signed_as: Option<&'static str>,
}

fn wan(n: i64) -> Money {
    Money::from_units("金额", n * 10_000).unwrap_or_default()
}

/// `chain_leaders`: each chain's 链长 (by chain name).
pub fn packaged(chain_leaders: &[(String, Option<String>)]) -> Vec<DemoPackaged> {
    let territories = crate::city::territories();
    let targets = firms();
    SEGMENTS
        .iter()
        .enumerate()
        .filter_map(|(i, (chain, link, _, _))| {
            let unit = territories[i % territories.len()];
            let mut p = PackagedProject::new(
                &format!("BZ-2022-{:03}", i + 1),
                &format!("{}{}项目（示例）", unit, link),
                unit,
            )
            .ok()?;
            p.chain = Some((*chain).to_owned());
            p.segment = Some((*link).to_owned());
            p.chain_leader = chain_leaders
                .iter()
                .find(|(c, _)| c == chain)
                .and_then(|(_, l)| l.clone());
            p.public = i % 3 == 0;
            let depth = i % 4;
            let estimate = 10_000 + 5_000 * i as i64;
            p.content = Some(format!(
                "围绕{chain}{link}环节，建设生产线及配套仓储、研发设施，引进成熟工艺，延伸本地产业链条（示例）"
            ));
            p.scale = Some(format!("年产{}万吨{}产品", 5 + i % 20, link));
            p.estimate = Some(wan(estimate));
            if depth != 2 {
                p.years = Some(2 + (i % 2) as u32);
                let civil = estimate * 3 / 10;
                let equipment = estimate * 6 / 10;
                p.breakdown = vec![
                    EstimateItem {
                        item: "土建工程".into(),
                        amount: wan(civil),
                    },
                    EstimateItem {
                        item: "设备购置".into(),
                        amount: wan(equipment),
                    },
                    EstimateItem {
                        item: "流动资金".into(),
                        amount: wan(estimate - civil - equipment),
                    },
                ];
                p.park = Some(format!("{unit}产业园区"));
                p.area = Mu::from_hundredths("用地面积", (100 + 20 * i as i64) * 100).ok();
            }
            if depth == 0 || depth == 3 {
                p.resources = vec![
                    (ResourceKind::RawMaterial, format!("本地{link}原料供应")),
                    (ResourceKind::Energy, "园区变电站、供热管网".into()),
                    (ResourceKind::Land, "已收储工业用地".into()),
                    (ResourceKind::Logistics, "佳木斯港、双鸭山铁路货场".into()),
                ];
                p.approvals = vec!["立项备案".into(), "用地预审".into()];
            }
            if depth == 0 {
                p.targets = targets
                    .iter()
                    .filter(|f| f.placed.iter().any(|(c, l, _, _)| c == chain && l == link))
                    .map(|f| f.firm.name.clone())
                    .collect();
            }
            p.status = match depth {
                0 => PackagedStatus::Engaged,
                1 => PackagedStatus::Packaged,
                2 => PackagedStatus::Planning,
                _ => PackagedStatus::Promoting,
            };
            let signed_as = PROJECT_LINKS
                .iter()
                .find(|(_, c, l)| c == chain && l == link)
                .map(|(name, _, _)| *name);
            Some(DemoPackaged { packaged: p, signed_as })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_library_holds_every_depth_and_keeps_the_rules() {
        let all = packaged(&[]);
        assert_eq!(all.len(), SEGMENTS.len());
        assert!(all.iter().all(|d| d.packaged.check().is_ok()));
        let levels: std::collections::BTreeSet<&str> =
            all.iter().map(|d| d.packaged.maturity().level()).collect();
        assert_eq!(levels.len(), 3, "{levels:?}");
        assert!(all.iter().filter(|d| d.signed_as.is_some()).count() >= 5);
    }
}
