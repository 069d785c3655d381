//! The columns of each kind of file (SPEC §5), shared by import, export and the templates.

use crate::table::header_key;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Units,
    Leaders,
    Chains,
    Teams,
    Enterprises,
    Segments,
    SegmentFirms,
    Projects,
    ProjectSegments,
    Events,
    Funds,
    Visits,
    VisitPlans,
    Targets,
    LeaderUnits,
    Elements,
    Blockers,
    Financing,
    Packaged,
    Factors,
    Agencies,
    AgencyContracts,
    Roadmaps,
}

impl Kind {
    pub const ALL: [Kind; 23] = [
        Kind::Units,
        Kind::Leaders,
        Kind::Chains,
        Kind::Teams,
        Kind::Enterprises,
        Kind::Segments,
        Kind::SegmentFirms,
        Kind::Projects,
        Kind::ProjectSegments,
        Kind::Events,
        Kind::Funds,
        Kind::Visits,
        Kind::VisitPlans,
        Kind::Targets,
        Kind::LeaderUnits,
        Kind::Elements,
        Kind::Blockers,
        Kind::Financing,
        Kind::Packaged,
        Kind::Factors,
        Kind::Agencies,
        Kind::AgencyContracts,
        Kind::Roadmaps,
    ];

    /// The word used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Units => "units",
            Kind::Leaders => "leaders",
            Kind::Chains => "chains",
            Kind::Teams => "teams",
            Kind::Enterprises => "enterprises",
            Kind::Segments => "segments",
            Kind::SegmentFirms => "segment-firms",
            Kind::Projects => "projects",
            Kind::ProjectSegments => "project-segments",
            Kind::Events => "events",
            Kind::Funds => "funds",
            Kind::Visits => "visits",
            Kind::VisitPlans => "visit-plans",
            Kind::Targets => "targets",
            Kind::LeaderUnits => "leader-units",
            Kind::Elements => "elements",
            Kind::Blockers => "blockers",
            Kind::Financing => "financing",
            Kind::Packaged => "packaged",
            Kind::Factors => "factors",
            Kind::Agencies => "agencies",
            Kind::AgencyContracts => "agency-contracts",
            Kind::Roadmaps => "roadmaps",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Units => "责任单位",
            Kind::Leaders => "领导",
            Kind::Chains => "产业链",
            Kind::Teams => "工作专班",
            Kind::Enterprises => "企业",
            Kind::Segments => "产业链环节",
            Kind::SegmentFirms => "环节企业",
            Kind::Projects => "项目",
            Kind::ProjectSegments => "项目所在环节",
            Kind::Events => "项目阶段事件",
            Kind::Funds => "到位资金",
            Kind::Visits => "对接走访记录",
            Kind::VisitPlans => "敲门计划",
            Kind::Targets => "目标任务",
            Kind::LeaderUnits => "领导包保县区",
            Kind::Elements => "要素保障",
            Kind::Blockers => "堵点问题",
            Kind::Financing => "融资方案",
            Kind::Packaged => "谋划包装项目",
            Kind::Factors => "招商要素",
            Kind::Agencies => "委托招商机构",
            Kind::AgencyContracts => "委托招商合同",
            Kind::Roadmaps => "招商路线图",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One column: its header as written in templates and exports (the unit or allowed values in
/// parentheses), whether it is required, a note for the template, and an example value.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub required: bool,
    pub note: &'static str,
    pub example: &'static str,
}

impl Column {
    /// The name used to match headers and to name the column in messages.
    pub fn key(&self) -> &'static str {
        header_key(self.header)
    }
}

pub(crate) const fn req(header: &'static str, note: &'static str, example: &'static str) -> Column {
    Column {
        header,
        required: true,
        note,
        example,
    }
}

pub(crate) const fn opt(header: &'static str, note: &'static str, example: &'static str) -> Column {
    Column {
        header,
        required: false,
        note,
        example,
    }
}

/// Which value list, if any, gives a column's allowed values (the template lists them).
pub fn value_list_of(kind: Kind, key: &str) -> Option<&'static str> {
    crate::kinds::value_lists(kind)
        .iter()
        .find(|(column, _)| column.as_str() == key)
        .map(|(_, list)| *list)
}

/// The columns of `kind`, in the order templates and exports write them.
pub fn columns(kind: Kind) -> &'static [Column] {
    crate::kinds::columns(kind)
}

/// Whether `columns` hold one whose key (its header before any parenthesis, see
/// `table::header_key`) is `key`; evaluated at compile time by `key!`.
pub(crate) const fn has_key(columns: &[Column], key: &str) -> bool {
    let mut i = 0;
    while i < columns.len() {
        if header_has_key(columns[i].header.as_bytes(), key.as_bytes()) {
            return true;
        }
        i += 1;
    }
    false
}

const fn header_has_key(header: &[u8], key: &[u8]) -> bool {
    let mut start = 0;
    while start < header.len() && (header[start] == b'*' || header[start] == b' ') {
        start += 1;
    }
    if header.len() - start < key.len() {
        return false;
    }
    let mut i = 0;
    while i < key.len() {
        if header[start + i] != key[i] {
            return false;
        }
        i += 1;
    }
    let mut rest = start + key.len();
    while rest < header.len() && header[rest] == b' ' {
        rest += 1;
    }
    // The end, '(' or the full-width '（' (EF BC 88).
    rest == header.len()
        || header[rest] == b'('
        || (rest + 2 < header.len()
            && header[rest] == 0xEF
            && header[rest + 1] == 0xBC
            && header[rest + 2] == 0x88)
}
