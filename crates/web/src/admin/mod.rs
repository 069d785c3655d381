//! Keeping the system: accounts (系统管理员), the sign-in policy and the audit log (安全管理员,
//! 审计员), value lists, the organisation's records (units, leaders, chains, teams), and files in
//! and out.

mod audit;
mod files;
mod ledger;
mod organisation;
mod security;
mod settings;
mod tokens;
mod users;

crate::kit::routes! { routes, ROUTES;
        "/security" => get(security::show);
        "/security/policy" => post(security::set_policy);
        "/security/users/{username}/{action}" => post(security::account_action);
        "/security/requests/{id}/{decision}" => post(security::decide_request);
        "/audit" => get(audit::audit_log);
        "/audit/export" => get(audit::export);
        "/account/tokens" => get(tokens::show).post(tokens::create);
        "/account/tokens/{id}/revoke" => post(tokens::revoke);
        "/users" => get(users::show).post(users::add);
        "/users/{username}/{action}" => post(users::act);
        "/settings/lists" => get(settings::show);
        "/settings/lists/{list}/add" => post(settings::add);
        "/settings/lists/{list}/remove" => post(settings::remove);
        "/{records}" => get(organisation::show).post(organisation::save);
        "/{records}/export" => get(organisation::export);
        "/import" => get(files::import_page);
        "/import/ledger" => get(ledger::show).post(ledger::post);
        "/import/mappings" => post(ledger::upload);
        "/import/mappings/{id}/export" => get(ledger::export);
        "/import/{kind}" => post(files::upload);
        "/import/{kind}/template" => get(files::download_template);
        "/export/{kind}" => get(files::export_kind);
}
