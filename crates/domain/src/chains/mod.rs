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

/// The province of the city (双鸭山, the seed's): firms there earn the recommendation's region
/// reason.
pub const HOME_PROVINCE: &str = "黑龙江省";

/// Points for how far a firm's industry code agrees with the segment's: the characters shared
/// (5: the same 小类, 4: 中类, 3: 大类), the points, the words of the reason.
const INDUSTRY_POINTS: [(usize, u32, &str); 3] = [
    (5, 40, "小类相同"),
    (4, 30, "中类相同"),
    (3, 20, "大类相同"),
];
/// Points for scale (a 微型 firm earns none).
const SIZE_POINTS: [(EnterpriseSize, u32); 3] = [
    (EnterpriseSize::Large, 20),
    (EnterpriseSize::Medium, 10),
    (EnterpriseSize::Small, 3),
];
/// Points for the flags among a firm's tags.
const FLAG_POINTS: [(&str, u32); 4] = [
    ("世界500强", 25),
    ("中国500强", 20),
    ("行业龙头", 15),
    ("上市", 10),
];
const HOME_POINTS: u32 = 10;
const SOURCE_POINTS: u32 = 5;
/// For a firm visited before: a door already open.
const VISITED_POINTS: u32 = 5;

/// Regions whose firms are moving capacity north-east and inland (产业转移), as the seed's
/// 小分队 targeted them.
const SOURCE_REGIONS: [&str; 6] = ["北京市", "天津市", "上海市", "江苏省", "浙江省", "广东省"];

/// The firms to approach for `segment`, ranked: industry match (same 小类 40, 中类 30, 大类 20),
/// scale (大型 20, 中型 10, 小型 3), flags (世界500强 25, 中国500强 20, 行业龙头 15, 上市 10),
/// region (the home province 10, the source regions 5), contact (visited before 5: a door
/// already open). Firms already local to the segment, or outside its industries, are left out;
/// ties go to the lower id, so the list is the same each time.
///
/// Candidates are offered one at a time and only the best `limit` are kept. The database hands
/// them over best first by a bound on their points ([`Shortlist::take`] says when no later
/// firm can enter), so that every firm of the segment's industries is weighed without reading
/// them all: a list cut short by anything else (the largest capital, say) could leave out a
/// 世界500强 whose capital was never recorded, and an official could not defend it.
pub struct Shortlist<'a> {
    segment: &'a Segment,
    home_province: &'a str,
    limit: usize,
    /// Best first.
    kept: Vec<Recommendation>,
}

impl<'a> Shortlist<'a> {
    pub fn new(segment: &'a Segment, home_province: &'a str, limit: usize) -> Self {
        Shortlist {
            segment,
            home_province,
            limit,
            kept: Vec::new(),
        }
    }

    fn offer(&mut self, candidate: &Candidate) {
        if self.segment.local.iter().any(|l| l.id == candidate.id) {
            return;
        }
        let Some(ranked) = rank(self.segment, candidate, self.home_province) else {
            return;
        };
        let key = |r: &Recommendation| (r.score, std::cmp::Reverse(r.id));
        let at = self.kept.partition_point(|k| key(k) > key(&ranked));
        if at < self.limit {
            self.kept.insert(at, ranked);
            self.kept.truncate(self.limit);
        }
    }

    /// For candidates coming best first by their bound, ties by id: offers `candidate`, of at
    /// most `bound` points, unless the list is settled; whether later ones could still enter.
    pub fn take(&mut self, bound: u32, candidate: &Candidate) -> bool {
        if self.settled(bound, candidate.id) {
            return false;
        }
        self.offer(candidate);
        true
    }

    /// Whether the firm `id` of at most `bound` points, and any coming after it (a lower bound,
    /// or the same and a higher id), would miss the list.
    fn settled(&self, bound: u32, id: i64) -> bool {
        self.kept.len() >= self.limit
            && self.kept.last().is_some_and(|k| {
                (bound, std::cmp::Reverse(id)) < (k.score, std::cmp::Reverse(k.id))
            })
    }

    pub fn ranked(self) -> Vec<Recommendation> {
        self.kept
    }
}

/// What the database needs to order a segment's firms by the most points each could earn
/// (the flags are matched as words inside the tags, so a firm tagged 拟上市 is bounded as if
/// 上市; the bound is never below the points [`Shortlist`] gives).
#[derive(Debug, Clone, PartialEq)]
pub struct PointsBound {
    /// Code prefixes with their points, the first that a firm's code starts with counting.
    pub industry: Vec<(String, u32)>,
    /// 规模 as stored with its points.
    pub size: Vec<(&'static str, u32)>,
    pub flags: Vec<(&'static str, u32)>,
    /// Provinces with their points, the first that matches counting.
    pub regions: Vec<(&'static str, u32)>,
    pub visited: u32,
}

impl PointsBound {
    pub fn of(segment: &Segment, home_province: &'static str) -> Self {
        let mut industry = Vec::new();
        for (depth, points, _) in INDUSTRY_POINTS {
            for code in &segment.industries {
                if code.as_str().len() >= depth {
                    industry.push((code.as_str()[..depth].to_owned(), points));
                }
            }
        }
        let mut regions = vec![(home_province, HOME_POINTS)];
        regions.extend(
            SOURCE_REGIONS
                .iter()
                .filter(|r| **r != home_province)
                .map(|r| (*r, SOURCE_POINTS)),
        );
        PointsBound {
            industry,
            size: SIZE_POINTS.iter().map(|(s, p)| (s.label(), *p)).collect(),
            flags: FLAG_POINTS.to_vec(),
            regions,
            visited: VISITED_POINTS,
        }
    }

    /// The divisions (大类) whose firms can match at all: the first three characters of each
    /// code long enough to have them, each once.
    pub fn divisions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .industry
            .iter()
            .filter(|(prefix, _)| prefix.len() == 3)
            .map(|(prefix, _)| prefix.as_str())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn rank(segment: &Segment, c: &Candidate, home_province: &str) -> Option<Recommendation> {
    let code = c.firm.industry.as_ref()?;
    let (depth, matched) = segment
        .industries
        .iter()
        .filter_map(|want| common_depth(code, want).map(|d| (d, want)))
        .max_by_key(|(d, _)| *d)?;
    let mut reasons: Vec<(String, u32)> = Vec::new();
    let (points, level) = INDUSTRY_POINTS
        .iter()
        .find(|(d, _, _)| depth >= *d)
        .map(|(_, p, l)| (*p, *l))?;
    reasons.push((
        format!("行业{}与环节行业{}{level}", code.as_str(), matched.as_str()),
        points,
    ));
    if let Some(size) = c.firm.size
        && let Some((_, points)) = SIZE_POINTS.iter().find(|(s, _)| *s == size)
    {
        reasons.push((format!("{}企业", size.label()), *points));
    }
    for (flag, points) in FLAG_POINTS {
        if c.firm.has_flag(flag) {
            reasons.push((flag.to_owned(), points));
        }
    }
    match c.firm.province.as_deref() {
        Some(p) if p == home_province => reasons.push((format!("省内企业（{p}）"), HOME_POINTS)),
        Some(p) if SOURCE_REGIONS.contains(&p) => {
            reasons.push((format!("{p}：产业转移重点区域"), SOURCE_POINTS))
        }
        _ => {}
    }
    if c.visits > 0 {
        reasons.push((format!("已对接{}次，可跟进", c.visits), VISITED_POINTS));
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
mod tests;
