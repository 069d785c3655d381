//! The chain map's strengths, actions and the target shortlist.

use super::*;

fn firm_ref(id: i64) -> FirmRef {
    FirmRef {
        id,
        name: format!("企业{id}"),
        chain_leader: false,
    }
}

fn segment(position: Position, local: usize) -> Segment {
    Segment {
        id: 1,
        name: "环节".into(),
        position,
        industries: vec![IndustryCode::parse("行业代码", "C3731").unwrap()],
        local: (0..local as i64).map(firm_ref).collect(),
        targets: Vec::new(),
        projects: Vec::new(),
    }
}

#[test]
fn empty_segments_are_gaps_to_fill_or_extend_and_thin_ones_to_strengthen() {
    assert_eq!(segment(Position::Midstream, 0).action(), Some(Action::Fill));
    assert_eq!(segment(Position::Support, 0).action(), Some(Action::Fill));
    assert_eq!(
        segment(Position::Upstream, 0).action(),
        Some(Action::Extend)
    );
    assert_eq!(
        segment(Position::Downstream, 0).action(),
        Some(Action::Extend)
    );
    assert_eq!(
        segment(Position::Midstream, 1).action(),
        Some(Action::Strengthen)
    );
    assert_eq!(
        segment(Position::Midstream, 2).action(),
        Some(Action::Strengthen)
    );
    assert_eq!(segment(Position::Midstream, 3).action(), None);
    assert_eq!(segment(Position::Upstream, 0).strength(), Strength::Gap);
}

fn candidate(
    id: i64,
    code: &str,
    size: EnterpriseSize,
    tags: &str,
    province: &str,
    visits: usize,
) -> Candidate {
    let mut firm = Enterprise::new(&format!("企业{id}")).unwrap();
    firm.industry = Some(IndustryCode::parse("行业代码", code).unwrap());
    firm.size = Some(size);
    firm.tags = Enterprise::split_tags(tags);
    firm.province = Some(province.into());
    Candidate { id, firm, visits }
}

#[test]
fn recommendations_are_ranked_by_points_each_with_its_reason() {
    use EnterpriseSize::*;
    let seg = segment(Position::Midstream, 1); // firm 0 is local already
    let mut candidates = vec![
        candidate(0, "C3731", Large, "世界500强", "北京市", 0),
        candidate(1, "C3731", Large, "世界500强", "北京市", 0),
        candidate(2, "C3732", Medium, "", "黑龙江省", 2),
        candidate(3, "C3799", Small, "上市", "四川省", 0),
        candidate(4, "C3511", Large, "世界500强、行业龙头", "上海市", 0),
    ];
    let recommend = |candidates: &[Candidate], limit: usize| {
        let mut list = Shortlist::new(&seg, "黑龙江省", limit);
        for c in candidates {
            list.offer(c);
        }
        list.ranked()
    };
    let ranked = recommend(&candidates, 10);
    let scores: Vec<(i64, u32)> = ranked.iter().map(|r| (r.id, r.score)).collect();
    // 1: 40 + 20 + 25 + 5 (北京) = 90; 2: 30 + 10 + 10 (省内) + 5 (visited) = 55;
    // 3: 20 + 3 + 10 = 33; 4 is another 大类; 0 is local.
    assert_eq!(scores, vec![(1, 90), (2, 55), (3, 33)]);
    let reasons: Vec<&str> = ranked[1].reasons.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        reasons,
        vec![
            "行业C3732与环节行业C3731中类相同",
            "中型企业",
            "省内企业（黑龙江省）",
            "已对接2次，可跟进"
        ]
    );
    assert_eq!(
        ranked[0].reasons.last().map(|r| r.0.as_str()),
        Some("尚未对接")
    );
    // Kept to the limit whatever order the candidates come in: the best, not the first.
    let best = recommend(&candidates, 1);
    assert_eq!(best.iter().map(|r| r.id).collect::<Vec<_>>(), vec![1]);
    candidates.reverse();
    let best_two = recommend(&candidates, 2);
    assert_eq!(
        best_two.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![1, 2]
    );
    // Ties go to the lower id, whichever came first.
    candidates.push(candidate(9, "C3731", Large, "世界500强", "北京市", 0));
    candidates.insert(0, candidate(8, "C3731", Large, "世界500强", "北京市", 0));
    let tied = recommend(&candidates, 3);
    assert_eq!(tied.iter().map(|r| r.id).collect::<Vec<_>>(), vec![1, 8, 9]);
}

/// The bound as the database computes it (a prefix, a label, a word inside the tags, a
/// province, a visit), evaluated here to check it against the points given.
fn bound_of(bound: &PointsBound, c: &Candidate) -> u32 {
    let code = c.firm.industry.as_ref().map_or("", |i| i.as_str());
    let tags = c.firm.tags.join("、");
    let province = c.firm.province.as_deref().unwrap_or("");
    let size = c.firm.size.map_or("", |s| s.label());
    let first = |list: &[(&str, u32)], hit: &dyn Fn(&str) -> bool| {
        list.iter().find(|(x, _)| hit(x)).map_or(0, |(_, p)| *p)
    };
    let industry: Vec<(&str, u32)> = bound
        .industry
        .iter()
        .map(|(p, n)| (p.as_str(), *n))
        .collect();
    first(&industry, &|p| code.starts_with(p))
        + first(&bound.size, &|s| s == size)
        + bound
            .flags
            .iter()
            .filter(|(f, _)| tags.contains(f))
            .map(|(_, p)| p)
            .sum::<u32>()
        + first(&bound.regions, &|r| r == province)
        + if c.visits > 0 { bound.visited } else { 0 }
}

#[test]
fn the_bound_the_database_orders_by_is_never_below_the_points_and_equal_for_exact_tags() {
    use EnterpriseSize::*;
    let mut seg = segment(Position::Midstream, 0);
    seg.industries
        .push(IndustryCode::parse("行业代码", "D441").unwrap());
    let bound = PointsBound::of(&seg, "黑龙江省");
    assert_eq!(bound.divisions(), vec!["C37", "D44"]);
    let firms = [
        candidate(1, "C3731", Large, "世界500强、行业龙头", "北京市", 0),
        candidate(2, "C3732", Medium, "", "黑龙江省", 2),
        candidate(3, "C3799", Small, "上市", "四川省", 0),
        candidate(4, "D4415", Micro, "中国500强", "广东省", 1),
        candidate(5, "D4499", Large, "", "浙江省", 0),
    ];
    for c in &firms {
        let points = rank(&seg, c, "黑龙江省").map_or(0, |r| r.score);
        assert_eq!(bound_of(&bound, c), points, "firm {}", c.id);
    }
    // 拟上市 is not 上市: bounded above, never below.
    let hopeful = candidate(6, "C3731", Small, "拟上市", "北京市", 0);
    assert_eq!(
        rank(&seg, &hopeful, "黑龙江省").map_or(0, |r| r.score),
        40 + 3 + 5
    );
    assert_eq!(bound_of(&bound, &hopeful), 40 + 3 + 10 + 5);
}

#[test]
fn a_full_shortlist_is_settled_once_no_later_firm_can_beat_its_last() {
    use EnterpriseSize::*;
    let seg = segment(Position::Midstream, 0);
    let mut list = Shortlist::new(&seg, "黑龙江省", 2);
    assert!(!list.settled(0, 9), "not full");
    list.offer(&candidate(1, "C3731", Large, "", "北京市", 0)); // 65
    list.offer(&candidate(5, "C3731", Medium, "", "北京市", 0)); // 55
    assert!(!list.settled(55, 4), "a tie with a lower id would enter");
    assert!(
        list.settled(55, 6),
        "a tie with a higher id would not, nor any after it"
    );
    assert!(list.settled(54, 2));
    // A firm whose bound was above its points (拟上市) sits last; a tie below its id enters.
    let mut list = Shortlist::new(&seg, "黑龙江省", 1);
    assert!(list.take(58, &candidate(7, "C3731", Small, "拟上市", "北京市", 0))); // 48
    assert!(list.take(48, &candidate(3, "C3731", Small, "", "北京市", 0))); // 48, lower id
    assert!(!list.take(48, &candidate(8, "C3731", Small, "", "北京市", 0)));
    assert_eq!(
        list.ranked().iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![3]
    );
}
