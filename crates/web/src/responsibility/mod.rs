//! Who answers for what: the account's own work (我的工作), a leader's and a work team's pages,
//! 堵点问题 and their escalation, 红黄绿灯 warnings, visits and 敲门计划.

pub(crate) mod blockers;
mod leaders;
mod messages;
mod my;
mod visits;
pub(crate) mod warnings;

crate::kit::routes! { routes, ROUTES;
        "/my" => get(my::show);
        "/messages" => get(messages::list);
        "/messages/read" => post(messages::read_all);
        "/messages/{id}" => get(messages::open);
        "/warnings" => get(warnings::list);
        "/warnings/export" => get(warnings::export);
        "/warnings/rules" => get(warnings::show_rules).post(warnings::set_rules);
        "/blockers" => get(blockers::list);
        "/blockers/export" => get(blockers::export);
        "/blockers/{id}" => get(blockers::show);
        "/blockers/{id}/instruction" => post(blockers::instruct);
        "/blockers/{id}/status" => post(blockers::change_status);
        "/projects/{code}/blockers/new" => get(blockers::raise_form);
        "/projects/{code}/blockers" => post(blockers::raise);
        "/visits" => get(visits::show).post(visits::add_visit);
        "/visits/export" => get(visits::export);
        "/visits/{id}/edit" => get(visits::edit_form).post(visits::edit);
        "/visits/plans" => post(visits::add_plan);
        "/leader/{name}" => get(leaders::show);
        "/leader/{name}/export" => get(leaders::export);
        "/leader/{name}/units" => post(leaders::set_units);
        "/team/{name}" => get(leaders::show_team);
        "/team/{name}/export" => get(leaders::export_team);
        "/team/{name}/members" => post(leaders::set_members);
}
