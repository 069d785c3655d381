//! Who may see and change what (SPEC §1). Pure rules over a role, a unit and a record; the web
//! layer asks these on every route, HTML and API alike, and denies whatever they do not allow.

use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::records::Project;

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

    /// Create projects (each new project is then checked with [`Actor::can_edit`]).
    pub fn creates_projects(&self) -> bool {
        matches!(self.role, Role::Bureau | Role::UnitStaff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, unit: Option<&str>) -> Actor {
        Actor {
            username: "u".into(),
            role,
            unit: unit.map(Into::into),
        }
    }

    fn project(territory: &str, credited: &[&str]) -> Project {
        let mut p = Project::new("P-1", "项目", territory).unwrap();
        p.credited = credited.iter().map(|c| (*c).to_owned()).collect();
        p
    }

    #[test]
    fn unit_staff_see_and_edit_only_projects_held_or_credited_by_their_unit() {
        let staff = actor(Role::UnitStaff, Some("集贤县"));
        assert!(staff.can_see(&project("集贤县", &[])) && staff.can_edit(&project("集贤县", &[])));
        assert!(staff.can_see(&project("宝清县", &["集贤县"])));
        assert!(
            !staff.can_see(&project("宝清县", &[])) && !staff.can_edit(&project("宝清县", &[]))
        );
        let unattached = actor(Role::UnitStaff, None);
        assert!(!unattached.can_see(&project("集贤县", &[])));
    }

    #[test]
    fn readers_read_everything_and_change_nothing_and_admins_see_no_projects() {
        let p = project("宝清县", &[]);
        for role in [Role::Auditor, Role::CityLeader] {
            assert!(
                actor(role, None).can_see(&p) && !actor(role, None).can_edit(&p),
                "{role:?}"
            );
        }
        assert!(actor(Role::Bureau, None).can_edit(&p));
        for role in [Role::SysAdmin, Role::SecAdmin] {
            assert!(
                !actor(role, None).can_see(&p) && !actor(role, None).reads_projects(),
                "{role:?}"
            );
        }
    }

    #[test]
    fn city_data_is_the_bureaus_and_units_also_the_system_administrators() {
        assert!(actor(Role::Bureau, None).manages_city_data());
        assert!(
            actor(Role::SysAdmin, None).manages_units()
                && !actor(Role::SysAdmin, None).manages_city_data()
        );
        for role in [Role::Auditor, Role::CityLeader, Role::SecAdmin] {
            assert!(
                !actor(role, None).manages_city_data() && !actor(role, None).manages_units(),
                "{role:?}"
            );
        }
        assert!(!actor(Role::UnitStaff, Some("集贤县")).manages_units());
    }

    #[test]
    fn a_blocker_is_worked_by_the_projects_editors_and_its_owner_unit() {
        let p = project("集贤县", &[]);
        let owner = actor(Role::UnitStaff, Some("市自然资源局"));
        assert!(owner.can_see_blocker(&p, "市自然资源局") && !owner.can_see(&p));
        assert!(owner.can_work_blocker(&p, "市自然资源局"));
        assert!(!owner.can_work_blocker(&p, "市住房和城乡建设局"));
        let county = actor(Role::UnitStaff, Some("集贤县"));
        assert!(county.can_work_blocker(&p, "市自然资源局") && !county.instructs());
        let leader = actor(Role::CityLeader, None);
        assert!(leader.can_see_blocker(&p, "市自然资源局") && leader.instructs());
        assert!(!leader.can_work_blocker(&p, "市自然资源局"));
        assert!(!actor(Role::SysAdmin, None).can_see_blocker(&p, "市自然资源局"));
    }

    #[test]
    fn roles_parse_by_code_or_chinese_name() {
        assert_eq!(Role::parse("角色", "unit"), Ok(Role::UnitStaff));
        assert_eq!(Role::parse("角色", "招商局"), Ok(Role::Bureau));
        assert!(Role::parse("角色", "root").is_err());
    }
}
