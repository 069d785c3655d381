//! Who may see and change what (SPEC §1). Pure rules over a role, a unit and a record; the web
//! layer asks these on every route, HTML and API alike, and denies whatever they do not allow.

use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::records::{Project, UnitKind};
use crate::review::{Reported, ReviewState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// 系统管理员: users, units, settings; no business data.
    SysAdmin,
    /// 安全管理员: security settings, lockouts.
    SecAdmin,
    /// 审计员: reads everything and the audit log; changes nothing.
    Auditor,
    /// 市领导: reads everything; comments and instructions.
    CityLeader,
    /// 招商局: reads and changes all business data.
    Bureau,
    /// 单位填报员: their own unit's projects, and city-wide aggregates.
    UnitStaff,
    /// 县区审核员: reviews what their county's (district's, zone's) staff report, and sees what
    /// they see; enters nothing, so that no one reviews their own report.
    UnitReviewer,
}

impl Role {
    /// Roles of which one enabled account must always remain: without an 审计员 nobody reads
    /// the trail, without a 安全管理员 nobody approves account changes or lifts a lock.
    pub fn must_keep_one(self) -> bool {
        matches!(self, Role::Auditor | Role::SecAdmin)
    }

    pub const ALL: [Role; 7] = [
        Role::SysAdmin,
        Role::SecAdmin,
        Role::Auditor,
        Role::CityLeader,
        Role::Bureau,
        Role::UnitStaff,
        Role::UnitReviewer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::SysAdmin => "sysadmin",
            Role::SecAdmin => "secadmin",
            Role::Auditor => "auditor",
            Role::CityLeader => "leader",
            Role::Bureau => "bureau",
            Role::UnitStaff => "unit",
            Role::UnitReviewer => "reviewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::SysAdmin => "系统管理员",
            Role::SecAdmin => "安全管理员",
            Role::Auditor => "审计员",
            Role::CityLeader => "市领导",
            Role::Bureau => "招商局",
            Role::UnitStaff => "单位填报员",
            Role::UnitReviewer => "县区审核员",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn parse(field: &str, raw: &str) -> Result<Role, FieldError> {
        let value = raw.trim();
        Self::ALL.into_iter().find(|r| r.code() == value || r.label() == value).ok_or_else(|| {
            FieldError::new(field, format!("“{value}”不是可用的角色（sysadmin、secadmin、auditor、leader、bureau、unit、reviewer）"))
        })
    }

    /// The three administrators (三员: 系统管理员, 安全管理员, 审计员), who must sign in with a
    /// second factor.
    pub fn needs_second_factor(self) -> bool {
        matches!(self, Role::SysAdmin | Role::SecAdmin | Role::Auditor)
    }

    /// Unit staff and reviewers act for exactly one unit; no other role is tied to one.
    pub fn needs_unit(self) -> bool {
        matches!(self, Role::UnitStaff | Role::UnitReviewer)
    }
}

/// The person acting: their role and, for unit staff, their unit's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub username: String,
    pub role: Role,
    pub unit: Option<String>,
}

impl Actor {
    /// Whether the actor may read project-level business data at all.
    pub fn reads_projects(&self) -> bool {
        matches!(
            self.role,
            Role::Auditor | Role::CityLeader | Role::Bureau | Role::UnitStaff | Role::UnitReviewer
        )
    }

    /// Whether the project lies within the actor's unit: held by territory or credited to it.
    fn holds(&self, project: &Project) -> bool {
        match &self.unit {
            Some(unit) => project.territory == *unit || project.credited.iter().any(|c| c == unit),
            None => false,
        }
    }

    pub fn can_see(&self, project: &Project) -> bool {
        match self.role {
            Role::Auditor | Role::CityLeader | Role::Bureau => true,
            Role::UnitStaff | Role::UnitReviewer => self.holds(project),
            Role::SysAdmin | Role::SecAdmin => false,
        }
    }

    /// Change the project's record, its events and its funds.
    pub fn can_edit(&self, project: &Project) -> bool {
        match self.role {
            Role::Bureau => true,
            Role::UnitStaff => self.holds(project),
            _ => false,
        }
    }

    /// 核实: confirm funds in place. The city bureau checks what units report.
    pub fn verifies_funds(&self) -> bool {
        self.role == Role::Bureau
    }

    /// City-wide work on the records themselves: imports (one transaction for the whole
    /// city), the editable value lists, leaders, chains and teams.
    pub fn manages_city_data(&self) -> bool {
        self.role == Role::Bureau
    }

    /// Accounts — adding, resetting a password, disabling: the 系统管理员's alone (三员分立).
    pub fn manages_users(&self) -> bool {
        self.role == Role::SysAdmin
    }

    /// The sign-in rules, locks and sessions: the 安全管理员's alone (三员分立).
    pub fn manages_security(&self) -> bool {
        self.role == Role::SecAdmin
    }

    /// The audit log: the 审计员's alone, so that the administrators it records do not read
    /// or judge their own trail (三员分立).
    pub fn reads_audit_log(&self) -> bool {
        self.role == Role::Auditor
    }

    /// Keep the list of units: the system administrator's as well as the bureau's.
    pub fn manages_units(&self) -> bool {
        matches!(self.role, Role::Bureau | Role::SysAdmin)
    }

    /// See a 堵点问题: whoever sees its project, and the staff of the unit that owns it (who may
    /// not otherwise see the project).
    pub fn can_see_blocker(&self, project: &Project, owner_unit: &str) -> bool {
        self.can_see(project) || self.is_staff_of(owner_unit)
    }

    /// Move a 堵点问题 through its statuses and close it: the project's editors and the owner
    /// unit's staff.
    pub fn can_work_blocker(&self, project: &Project, owner_unit: &str) -> bool {
        self.can_edit(project) || self.is_staff_of(owner_unit)
    }

    /// 批示 on a 堵点问题: city leaders.
    pub fn instructs(&self) -> bool {
        self.role == Role::CityLeader
    }

    fn is_staff_of(&self, unit: &str) -> bool {
        self.role == Role::UnitStaff && self.unit.as_deref() == Some(unit)
    }

    /// Whether records of `unit` lie within what this actor reads: everything for those who
    /// read the whole city, only their own unit's for a unit's staff and reviewers.
    pub fn covers_unit(&self, unit: Option<&str>) -> bool {
        match &self.unit {
            None => true,
            Some(own) => unit == Some(own.as_str()),
        }
    }

    /// Read a whole city's records at once (the exports of every record of a kind): those
    /// who read projects and are held to no unit.
    pub fn reads_whole_city(&self) -> bool {
        self.reads_projects() && self.unit.is_none()
    }

    /// The drill-down of a figure of `unit` (`None`: the city's): a unit's accounts only
    /// their own unit's; those who read the whole city any.
    pub fn reads_unit_figures(&self, unit: Option<&str>) -> bool {
        self.reads_projects() && self.covers_unit(unit)
    }

    /// Record a visit (对接记录) for `unit`: whoever creates projects, a unit's staff for their
    /// own unit only.
    pub fn records_visit_for(&self, unit: Option<&str>) -> bool {
        self.creates_projects() && self.covers_unit(unit)
    }

    /// Record visits and 敲门计划 at all.
    pub fn records_visits(&self) -> bool {
        self.creates_projects()
    }

    /// Add a contact to a firm of the 招商大数据库.
    pub fn adds_contacts(&self) -> bool {
        self.creates_projects()
    }

    /// Set a project's 要素保障 item: the project's editors; and the staff of the department
    /// the item is with, provided the item stays with it (`before` and `after`: the item's
    /// department now and as submitted).
    pub fn sets_element(
        &self,
        project_editable: bool,
        before: Option<&str>,
        after: Option<&str>,
    ) -> bool {
        project_editable || (before.is_some_and(|d| self.is_staff_of(d)) && before == after)
    }

    /// Disable or enable `username`: the 系统管理员, and never their own account.
    pub fn may_disable(&self, username: &str) -> bool {
        self.manages_users() && self.username != username
    }

    /// Decide a change to an account that `requested_by` asked for (creating it, its role,
    /// enabling it again, resetting its second factor): the 安全管理员, and never the one who
    /// asked — 三员分立 needs two people for what would let one person act as another.
    pub fn approves_account_change(&self, requested_by: &str) -> bool {
        self.role == Role::SecAdmin && self.username != requested_by
    }

    /// Place a project in `unit` — as its territory or a unit credited with it — so that it
    /// counts in that unit's figures at once: the bureau, and the unit's own staff. Anyone
    /// else's placement waits for the unit to confirm it (SPEC §1: a unit's figures change
    /// only with its knowledge).
    pub fn places_in(&self, unit: &str) -> bool {
        self.role == Role::Bureau || self.is_staff_of(unit)
    }

    /// The units that must confirm `after` before it counts in their figures: those it is
    /// placed in that it was not in before (`before`: the record as it stood) and in which
    /// this actor may not place it alone.
    pub fn placements_to_confirm(&self, before: Option<&Project>, after: &Project) -> Vec<String> {
        let held_before = |unit: &str| {
            before.is_some_and(|b| b.territory == unit || b.credited.iter().any(|c| c == unit))
        };
        let mut units: Vec<String> = Vec::new();
        for unit in std::iter::once(&after.territory).chain(&after.credited) {
            if !held_before(unit) && !self.places_in(unit) && !units.contains(unit) {
                units.push(unit.clone());
            }
        }
        units
    }

    /// Confirm a project placed in `unit` by someone else: the unit's reviewers where the unit
    /// reviews at the county level (counties, districts, zones); the unit's staff where it has
    /// no such level (departments, outposts).
    pub fn confirms_placement(&self, unit: &str, kind: UnitKind) -> bool {
        if self.unit.as_deref() != Some(unit) {
            return false;
        }
        match ReviewState::first_for(kind) {
            ReviewState::County => self.role == Role::UnitReviewer,
            _ => self.role == Role::UnitStaff,
        }
    }

    /// Create projects (each new project is then checked with [`Actor::can_edit`]).
    pub fn creates_projects(&self) -> bool {
        matches!(self.role, Role::Bureau | Role::UnitStaff)
    }

    /// 委托招商机构, their contracts and fees: city-level money matters, read by those who read the
    /// whole city and kept by the bureau ([`Actor::manages_city_data`]).
    pub fn reads_agencies(&self) -> bool {
        self.reads_whole_city()
    }

    /// Read a 招商路线图: a chain's is city-wide work, read by those who read the whole city; a
    /// unit's as its packaged projects are.
    pub fn sees_roadmap(&self, kind: crate::roadmap::OwnerKind, owner: &str) -> bool {
        match kind {
            crate::roadmap::OwnerKind::Chain => self.reads_whole_city(),
            crate::roadmap::OwnerKind::Unit => self.sees_packaged(owner),
        }
    }

    /// Change a 招商路线图: a chain's the bureau's; a unit's its own staff's too.
    pub fn edits_roadmap(&self, kind: crate::roadmap::OwnerKind, owner: &str) -> bool {
        match kind {
            crate::roadmap::OwnerKind::Chain => self.manages_city_data(),
            crate::roadmap::OwnerKind::Unit => self.edits_packaged(owner),
        }
    }

    /// Read a packaged project (谋划包装项目) owned by `unit`: readers of the whole city, and a
    /// unit's accounts their own unit's.
    pub fn sees_packaged(&self, unit: &str) -> bool {
        match self.role {
            Role::Auditor | Role::CityLeader | Role::Bureau => true,
            Role::UnitStaff | Role::UnitReviewer => self.unit.as_deref() == Some(unit),
            Role::SysAdmin | Role::SecAdmin => false,
        }
    }

    /// Write a packaged project owned by `unit` (and sign it): the bureau any, a unit's staff
    /// their own unit's.
    pub fn edits_packaged(&self, unit: &str) -> bool {
        match self.role {
            Role::Bureau => true,
            Role::UnitStaff => self.unit.as_deref() == Some(unit),
            _ => false,
        }
    }
}

/// What an account's review queue holds: records in these states, of this unit (`None`: every
/// unit), under this heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewQueue {
    pub heading: &'static str,
    pub states: Vec<ReviewState>,
    pub unit: Option<String>,
}

/// Rules over the reporting cycle (审核): where an actor's records start, who reviews, sees and
/// resubmits a reported record, and what each account's queue holds.
impl Actor {
    /// The state the records this actor enters start in: approved for the bureau (and for
    /// the command line, which has no actor); the first level for unit staff.
    pub fn entry_review(&self, unit_kind: Option<UnitKind>) -> ReviewState {
        match (self.role, unit_kind) {
            (Role::UnitStaff, Some(kind)) => ReviewState::first_for(kind),
            _ => ReviewState::Approved,
        }
    }

    /// Whether this actor may approve or return `record` at its current level: the county's
    /// reviewers at 县区审核, the bureau at 市级审核 — never whoever entered it.
    pub fn reviews(&self, record: &Reported<'_>) -> bool {
        if record.entered_by == self.username {
            return false;
        }
        match record.state {
            ReviewState::County => {
                self.role == Role::UnitReviewer && self.unit.as_deref() == Some(record.unit)
            }
            ReviewState::City => self.role == Role::Bureau,
            ReviewState::Returned | ReviewState::Approved => false,
        }
    }

    /// Whether this actor may see a reported record at all: a unit's staff and reviewers their
    /// unit's, those who read the whole city every one.
    pub fn sees_report(&self, record: &Reported<'_>) -> bool {
        match self.role {
            Role::UnitStaff | Role::UnitReviewer => self.unit.as_deref() == Some(record.unit),
            Role::Bureau | Role::CityLeader | Role::Auditor => true,
            Role::SysAdmin | Role::SecAdmin => false,
        }
    }

    /// Whether this actor may send a returned record in again: the unit's staff.
    pub fn resubmits(&self, record: &Reported<'_>) -> bool {
        record.state == ReviewState::Returned
            && self.role == Role::UnitStaff
            && self.unit.as_deref() == Some(record.unit)
    }

    /// The review page's queue: the county's reviewers their unit's 待县区审核, the bureau the
    /// 待市级审核 of every unit, a unit's staff everything of theirs still in the cycle, leaders
    /// and auditors everything in it; the administrators none (`None`: 403).
    pub fn review_queue(&self) -> Option<ReviewQueue> {
        let in_cycle = vec![
            ReviewState::County,
            ReviewState::City,
            ReviewState::Returned,
        ];
        let (heading, states, unit) = match self.role {
            Role::UnitReviewer => ("待县区审核", vec![ReviewState::County], self.unit.clone()),
            Role::Bureau => ("待市级审核", vec![ReviewState::City], None),
            Role::UnitStaff => ("本单位报送的记录", in_cycle, self.unit.clone()),
            Role::CityLeader | Role::Auditor => ("审核中的记录", in_cycle, None),
            Role::SysAdmin | Role::SecAdmin => return None,
        };
        Some(ReviewQueue {
            heading,
            states,
            unit,
        })
    }

    /// What waits on this actor in the cycle (我的工作): a reviewer's or the bureau's level to
    /// review, the records returned to a unit's staff; nothing for the others.
    pub fn review_todo(&self) -> Option<ReviewQueue> {
        let (heading, state) = match self.role {
            Role::UnitReviewer => ("待我审核（县区审核）", ReviewState::County),
            Role::Bureau => ("待我审核（市级审核）", ReviewState::City),
            Role::UnitStaff => ("被退回、待重新报送的记录", ReviewState::Returned),
            _ => return None,
        };
        Some(ReviewQueue {
            heading,
            states: vec![state],
            unit: self.unit.clone(),
        })
    }
}

#[cfg(test)]
mod tests;
