//! Projects: the list and its export, a project's page and the forms that change it (the
//! record, stage events and their corrections, funds, plan, 要素保障, financing), the queues over
//! many projects (六个一, 要素保障), and 重复研判.

pub(crate) mod actions;
mod amend;
mod duplicates;
pub(crate) mod form;
mod funds;
mod inputs;
pub(crate) mod list;
pub(crate) mod page;
mod queues;
pub(crate) mod workspace;

crate::kit::routes! { routes, ROUTES;
        "/projects/export" => get(list::export_projects);
        "/projects" => get(list::list_projects);
        "/projects/new" => get(form::new_project_form).post(form::create_project);
        "/projects/{code}" => get(page::show_project);
        "/projects/{code}/edit" => get(form::edit_project_form).post(form::update_project);
        "/projects/{code}/events" => post(page::add_event);
        "/projects/{code}/events/{id}/correct" => get(actions::correction_form).post(actions::correct_event);
        "/projects/{code}/funds" => post(actions::add_fund);
        "/projects/{code}/plan" => post(actions::set_plan);
        "/projects/{code}/financing" => post(actions::set_financing);
        "/six-ones" => get(queues::six_ones);
        "/six-ones/export" => get(queues::export_six_ones);
        "/projects/{code}/elements" => post(actions::set_element);
        "/elements" => get(queues::element_queue);
        "/elements/export" => get(queues::export_element_queue);
        "/duplicates" => get(duplicates::list);
        "/funds" => get(funds::list);
        "/funds/export" => get(funds::export);
        "/funds/verify" => post(funds::verify);
        "/duplicates/export" => get(duplicates::export);
        "/duplicates/{code}/{decision}" => post(duplicates::judge);
        "/projects/{code}/funds/{id}/verify" => post(actions::verify_fund);
        "/projects/{code}/funds/{id}/withdraw" => post(actions::withdraw_fund);
        "/projects/{code}/funds/{id}/edit" => get(amend::edit_form).post(amend::edit);
        "/projects/{code}/visits/{id}/withdraw" => post(actions::withdraw_visit);
}
