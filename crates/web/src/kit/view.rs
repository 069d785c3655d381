//! Small pieces every page shows: the signed-in user's bar, and numbers as offices write them.

use chrono::DateTime;
use domain::Money;
use domain::money::format_wan;

use super::user::CurrentUser;

/// The top bar and menu of every signed-in page.
pub struct Layout {
    pub display_name: String,
    pub role: &'static str,
    pub unit: Option<String>,
    pub csrf: String,
    pub can_create: bool,
    pub can_import: bool,
    pub reads_projects: bool,
    pub manages_security: bool,
    pub manages_users: bool,
    pub reads_audit_log: bool,
}

impl Layout {
    pub fn of(user: &CurrentUser) -> Self {
        Layout {
            display_name: user.user.display_name.clone(),
            role: user.user.role.label(),
            unit: user.user.unit.clone(),
            csrf: user.csrf_token.clone(),
            can_create: user.actor().creates_projects(),
            can_import: user.actor().manages_city_data(),
            reads_projects: user.actor().reads_projects(),
            manages_security: user.actor().manages_security(),
            manages_users: user.actor().manages_users(),
            reads_audit_log: user.actor().reads_audit_log(),
        }
    }
}

/// 万元 with two decimals, or empty.
pub fn wan(amount: Option<Money>) -> String {
    amount.map(format_wan).unwrap_or_default()
}

/// Beijing time, as the office reads it.
pub(crate) fn when(millis: i64) -> String {
    let Some(t) = DateTime::from_timestamp_millis(millis) else {
        return String::new();
    };
    match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(beijing) => t
            .with_timezone(&beijing)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}
