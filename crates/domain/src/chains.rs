//! Industrial chains as the offices map them (产业链图谱): links (环节) by position, the firms the
//! city already has in each and the ones it targets, the projects that fill them; where the
//! chain is missing or thin; and which firms of the database to approach for a gap, with the
//! reasons for their order (目标企业推荐).

use serde::Serialize;

use crate::FieldError;
use crate::enterprise::{Enterprise, EnterpriseSize, IndustryCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Position {
    Upstream,
    Midstream,
    Downstream,
    Support,
}

impl Position {
    pub const ALL: [Position; 4] = [
        Position::Upstream,
        Position::Midstream,
        Position::Downstream,
        Position::Support,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Position::Upstream => "上游",
            Position::Midstream => "中游",
            Position::Downstream => "下游",
            Position::Support => "配套",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        Self::ALL
            .into_iter()
            .find(|p| p.label() == value)
            .ok_or_else(|| FieldError::new(field, format!("“{value}”应为上游、中游、下游或配套")))
    }
}

/// A segment with no local firm is a gap; one with fewer than this many is thin (薄弱).
pub const THIN_BELOW: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Strength {
    /// No local firm: the link is missing (缺失).
    Gap,
    /// One or two local firms (薄弱).
    Thin,
    /// Three or more (较强).
    Strong,
}

impl Strength {
    pub fn of(local_firms: usize) -> Self {
        match local_firms {
            0 => Strength::Gap,
            n if n < THIN_BELOW => Strength::Thin,
            _ => Strength::Strong,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Strength::Gap => "缺失",
            Strength::Thin => "薄弱",
            Strength::Strong => "较强",
        }
    }
}

/// What the office does about a segment: 补链 fills a missing link inside the chain (中游,
/// 配套), 延链 reaches a missing end of it (上游, 下游), 强链 strengthens a thin one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Action {
    Fill,
    Extend,
    Strengthen,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Fill => "补链",
            Action::Extend => "延链",
            Action::Strengthen => "强链",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Action::Fill => "fill",
            Action::Extend => "extend",
            Action::Strengthen => "strengthen",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Action::Fill, Action::Extend, Action::Strengthen]
            .into_iter()
            .find(|a| a.code() == code)
    }
}

/// A firm as a segment lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FirmRef {
    pub id: i64,
    pub name: String,
    pub chain_leader: bool,
}

/// A project placed in a segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SegmentProject {
    pub code: String,
    pub name: String,
    pub stage: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub id: i64,
    pub name: String,
    pub position: Position,
    pub industries: Vec<IndustryCode>,
    pub local: Vec<FirmRef>,
    pub targets: Vec<FirmRef>,
    pub projects: Vec<SegmentProject>,
}

impl Segment {
    pub fn strength(&self) -> Strength {
        Strength::of(self.local.len())
    }

    /// What the segment calls for, if anything.
    pub fn action(&self) -> Option<Action> {
        match (self.strength(), self.position) {
            (Strength::Gap, Position::Upstream | Position::Downstream) => Some(Action::Extend),
            (Strength::Gap, _) => Some(Action::Fill),
            (Strength::Thin, _) => Some(Action::Strengthen),
            (Strength::Strong, _) => None,
        }
    }

    pub fn chain_leaders(&self) -> impl Iterator<Item = &FirmRef> {
        self.local.iter().filter(|f| f.chain_leader)
    }
}

/// A chain's segments, in position order, then as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainMap {
    pub chain: String,
    pub industry: Option<String>,
    pub segments: Vec<Segment>,
}

impl ChainMap {
    pub fn calling_for(&self, action: Action) -> Vec<&Segment> {
        self.segments
            .iter()
            .filter(|s| s.action() == Some(action))
            .collect()
    }

    pub fn gaps(&self) -> Vec<&Segment> {
        self.segments
            .iter()
            .filter(|s| s.strength() == Strength::Gap)
            .collect()
    }
}

/// A firm of the database considered for a segment, with what the city knows of its contact.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    pub firm: Enterprise,
    /// Visits recorded to it so far.
    pub visits: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    pub id: i64,
    pub name: String,
    pub score: u32,
    /// Each reason with the points it gave, in the order they count.
    pub reasons: Vec<(String, u32)>,
}

/// Regions whose firms are moving capacity north-east and inland (产业转移), as the seed's
/// 小分队 targeted them.
const SOURCE_REGIONS: [&str; 6] = ["北京市", "天津市", "上海市", "江苏省", "浙江省", "广东省"];

/// Ranks `candidates` for `segment`: industry match (same 小类 40, 中类 30, 大类 20), scale
/// (大型 20, 中型 10, 小型 3), flags (世界500强 25, 中国500强 20, 行业龙头 15, 上市 10), region
/// (the home province 10, the source regions 5), contact (visited before 5: a door already open).
/// Firms already local to the segment, or outside its industries, are left out; ties go to the
/// lower id, so the list is the same each time.
pub fn recommend(
    segment: &Segment,
    candidates: &[Candidate],
    home_province: &str,
    limit: usize,
) -> Vec<Recommendation> {
    let mut out: Vec<Recommendation> = candidates
        .iter()
        .filter(|c| !segment.local.iter().any(|l| l.id == c.id))
        .filter_map(|c| rank(segment, c, home_province))
        .collect();
    out.sort_by(|a, b| b.score.cmp(&a.score).then(a.id.cmp(&b.id)));
    out.truncate(limit);
    out
}

fn rank(segment: &Segment, c: &Candidate, home_province: &str) -> Option<Recommendation> {
    let code = c.firm.industry.as_ref()?;
    let (depth, matched) = segment
        .industries
        .iter()
        .filter_map(|want| common_depth(code, want).map(|d| (d, want)))
        .max_by_key(|(d, _)| *d)?;
    let mut reasons: Vec<(String, u32)> = Vec::new();
    let (points, level) = match depth {
        5.. => (40, "小类相同"),
        4 => (30, "中类相同"),
        _ => (20, "大类相同"),
    };
    reasons.push((
        format!("行业{}与环节行业{}{level}", code.as_str(), matched.as_str()),
        points,
    ));
    if let Some(size) = c.firm.size {
        let points = match size {
            EnterpriseSize::Large => 20,
            EnterpriseSize::Medium => 10,
            EnterpriseSize::Small => 3,
            EnterpriseSize::Micro => 0,
        };
        if points > 0 {
            reasons.push((format!("{}企业", size.label()), points));
        }
    }
    for (flag, points) in [
        ("世界500强", 25),
        ("中国500强", 20),
        ("行业龙头", 15),
        ("上市", 10),
    ] {
        if c.firm.has_flag(flag) {
            reasons.push((flag.to_owned(), points));
        }
    }
    match c.firm.province.as_deref() {
        Some(p) if p == home_province => reasons.push((format!("省内企业（{p}）"), 10)),
        Some(p) if SOURCE_REGIONS.contains(&p) => {
            reasons.push((format!("{p}：产业转移重点区域"), 5))
        }
        _ => {}
    }
    if c.visits > 0 {
        reasons.push((format!("已对接{}次，可跟进", c.visits), 5));
    } else {
        reasons.push(("尚未对接".to_owned(), 0));
    }
    Some(Recommendation {
        id: c.id,
        name: c.firm.name.clone(),
        score: reasons.iter().map(|(_, p)| p).sum(),
        reasons,
    })
}

/// How many leading characters two codes share if one's 大类 matches the other's (3 = 大类,
/// 4 = 中类, 5 = 小类); `None` when even the 大类 differs. A segment coded by 大类 alone (C37)
/// matches every firm within it at the 大类 level.
fn common_depth(code: &IndustryCode, want: &IndustryCode) -> Option<usize> {
    let (a, b) = (code.as_str(), want.as_str());
    if a.len() < 3 || b.len() < 3 || a[..3] != b[..3] {
        return None;
    }
    Some(a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count())
}

#[cfg(test)]
mod tests {
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
        let candidates = vec![
            candidate(0, "C3731", Large, "世界500强", "北京市", 0),
            candidate(1, "C3731", Large, "世界500强", "北京市", 0),
            candidate(2, "C3732", Medium, "", "黑龙江省", 2),
            candidate(3, "C3799", Small, "上市", "四川省", 0),
            candidate(4, "C3511", Large, "世界500强、行业龙头", "上海市", 0),
        ];
        let ranked = recommend(&seg, &candidates, "黑龙江省", 10);
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
        assert_eq!(recommend(&seg, &candidates, "黑龙江省", 1).len(), 1);
    }
}
