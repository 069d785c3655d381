//! The access rules, role by role.
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
    assert!(!staff.can_see(&project("宝清县", &[])) && !staff.can_edit(&project("宝清县", &[])));
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
fn a_project_placed_in_another_unit_waits_for_that_unit_to_confirm() {
    let staff = actor(Role::UnitStaff, Some("集贤县"));
    // 集贤县's staff put a project in 宝清县's territory, credited to themselves.
    let moved = project("宝清县", &["集贤县"]);
    assert_eq!(staff.placements_to_confirm(None, &moved), vec!["宝清县"]);
    // Their own unit needs no one's confirmation; the bureau's placements none.
    assert!(
        staff
            .placements_to_confirm(None, &project("集贤县", &[]))
            .is_empty()
    );
    assert!(
        actor(Role::Bureau, None)
            .placements_to_confirm(None, &moved)
            .is_empty()
    );
    // Moving a held project to another territory asks that territory again; a unit the
    // project was already in is not asked twice.
    let before = project("集贤县", &["宝清县"]);
    assert!(
        staff
            .placements_to_confirm(Some(&before), &moved)
            .is_empty()
    );
    assert_eq!(
        staff.placements_to_confirm(
            Some(&project("集贤县", &[])),
            &project("友谊县", &["集贤县"])
        ),
        vec!["友谊县"]
    );
    // A department's project in a county: the county's reviewer confirms, not its staff;
    // a department credited by a county: the department's staff.
    let reviewer = actor(Role::UnitReviewer, Some("宝清县"));
    assert!(reviewer.confirms_placement("宝清县", UnitKind::County));
    assert!(!actor(Role::UnitStaff, Some("宝清县")).confirms_placement("宝清县", UnitKind::County));
    assert!(!reviewer.confirms_placement("集贤县", UnitKind::County));
    assert!(
        actor(Role::UnitStaff, Some("市自然资源局"))
            .confirms_placement("市自然资源局", UnitKind::Department)
    );
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

#[test]
fn each_account_reviews_its_own_level_and_the_administrators_have_no_queue() {
    let reviewer = actor(Role::UnitReviewer, Some("集贤县"))
        .review_queue()
        .unwrap();
    assert_eq!(
        (reviewer.states, reviewer.unit.as_deref()),
        (vec![ReviewState::County], Some("集贤县"))
    );
    let bureau = actor(Role::Bureau, None).review_queue().unwrap();
    assert_eq!(
        (bureau.states, bureau.unit),
        (vec![ReviewState::City], None)
    );
    let staff = actor(Role::UnitStaff, Some("集贤县"))
        .review_queue()
        .unwrap();
    assert_eq!(staff.states.len(), 3);
    assert_eq!(staff.unit.as_deref(), Some("集贤县"));
    for role in [Role::SysAdmin, Role::SecAdmin] {
        assert!(actor(role, None).review_queue().is_none(), "{role:?}");
        assert!(actor(role, None).review_todo().is_none(), "{role:?}");
    }
    let returned = actor(Role::UnitStaff, Some("集贤县"))
        .review_todo()
        .unwrap();
    assert_eq!(returned.states, vec![ReviewState::Returned]);
    assert!(actor(Role::CityLeader, None).review_todo().is_none());
}

#[test]
fn a_units_accounts_reach_their_own_units_figures_and_visits_only() {
    let staff = actor(Role::UnitStaff, Some("集贤县"));
    assert!(staff.covers_unit(Some("集贤县")) && !staff.covers_unit(Some("宝清县")));
    assert!(
        !staff.covers_unit(None),
        "the city's figures are not one unit's"
    );
    assert!(staff.reads_unit_figures(Some("集贤县")) && !staff.reads_unit_figures(None));
    assert!(staff.records_visit_for(Some("集贤县")) && !staff.records_visit_for(Some("宝清县")));
    assert!(!staff.reads_whole_city());
    let reviewer = actor(Role::UnitReviewer, Some("集贤县"));
    assert!(!reviewer.records_visits() && !reviewer.records_visit_for(Some("集贤县")));
    let bureau = actor(Role::Bureau, None);
    assert!(bureau.reads_unit_figures(Some("宝清县")) && bureau.reads_unit_figures(None));
    assert!(bureau.records_visit_for(Some("宝清县")) && bureau.reads_whole_city());
    let admin = actor(Role::SysAdmin, None);
    assert!(!admin.reads_unit_figures(None) && !admin.reads_whole_city());
}

#[test]
fn an_element_is_set_by_the_projects_editors_or_by_the_department_it_stays_with() {
    let department = actor(Role::UnitStaff, Some("市自然资源局"));
    let (own, other) = (Some("市自然资源局"), Some("市住房和城乡建设局"));
    assert!(department.sets_element(false, own, own));
    assert!(
        !department.sets_element(false, own, other),
        "it may not hand the item on"
    );
    assert!(!department.sets_element(false, other, other));
    assert!(!department.sets_element(false, None, None));
    let reviewer = actor(Role::UnitReviewer, Some("市自然资源局"));
    assert!(
        !reviewer.sets_element(false, own, own),
        "reviewers enter nothing"
    );
    assert!(actor(Role::Bureau, None).sets_element(true, own, other));
}

#[test]
fn the_system_administrator_disables_others_but_never_themselves() {
    let admin = actor(Role::SysAdmin, None);
    assert!(admin.may_disable("someone") && !admin.may_disable("u"));
    assert!(!actor(Role::Bureau, None).may_disable("someone"));
}

#[test]
fn an_account_change_takes_a_second_administrator_who_did_not_ask_for_it() {
    let security = actor(Role::SecAdmin, None);
    assert!(security.approves_account_change("sysadmin"));
    assert!(
        !security.approves_account_change("u"),
        "nobody approves their own request"
    );
    for role in [Role::SysAdmin, Role::Auditor, Role::Bureau] {
        assert!(!actor(role, None).approves_account_change("someone"));
    }
    assert!(Role::Auditor.must_keep_one() && Role::SecAdmin.must_keep_one());
    assert!(!Role::SysAdmin.must_keep_one() && !Role::UnitStaff.must_keep_one());
}

#[test]
fn agencies_are_read_by_whole_city_readers_and_packaged_projects_by_their_unit_too() {
    for (role, unit, reads) in [
        (Role::Bureau, None, true),
        (Role::CityLeader, None, true),
        (Role::Auditor, None, true),
        (Role::UnitStaff, Some("集贤县"), false),
        (Role::UnitReviewer, Some("集贤县"), false),
        (Role::SysAdmin, None, false),
    ] {
        let a = actor(role, unit);
        assert_eq!(a.reads_agencies(), reads, "{role:?}");
        assert_eq!(a.sees_packaged("宝清县"), reads, "{role:?}");
    }
    let staff = actor(Role::UnitStaff, Some("集贤县"));
    assert!(staff.sees_packaged("集贤县") && staff.edits_packaged("集贤县"));
    assert!(!staff.edits_packaged("宝清县"));
    assert!(!actor(Role::CityLeader, None).edits_packaged("集贤县"));
    assert!(actor(Role::Bureau, None).edits_packaged("集贤县"));
    use crate::roadmap::OwnerKind::{Chain, Unit};
    assert!(staff.sees_roadmap(Unit, "集贤县") && staff.edits_roadmap(Unit, "集贤县"));
    assert!(!staff.sees_roadmap(Unit, "宝清县") && !staff.sees_roadmap(Chain, "石墨产业链"));
    let leader = actor(Role::CityLeader, None);
    assert!(leader.sees_roadmap(Chain, "石墨产业链") && !leader.edits_roadmap(Chain, "石墨产业链"));
    assert!(actor(Role::Bureau, None).edits_roadmap(Chain, "石墨产业链"));
}
