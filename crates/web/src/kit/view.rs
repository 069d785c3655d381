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
    /// 委托招商机构: the bureau, leaders and the auditor.
    pub reads_agencies: bool,
    pub manages_security: bool,
    pub manages_users: bool,
    pub reads_audit_log: bool,
    /// The menu entry the page belongs to.
    section: &'static str,
    /// Unread 督办 messages.
    pub unread: i64,
}

/// Every entry of the menu (base.html), and the detail pages' prefixes that belong to one.
const MENU: [&str; 32] = [
    "/my",
    "/messages",
    "/projects",
    "/projects/new",
    "/packaged",
    "/agencies",
    "/factors",
    "/roadmaps",
    "/six-ones",
    "/elements",
    "/funds",
    "/review",
    "/blockers",
    "/warnings",
    "/duplicates",
    "/scoreboard",
    "/sheets",
    "/targets",
    "/units",
    "/enterprises",
    "/visits",
    "/leaders",
    "/chains",
    "/teams",
    "/users",
    "/security",
    "/audit",
    "/account/password",
    "/account/totp",
    "/account/tokens",
    "/import",
    "/settings/lists",
];
const ALIASES: [(&str, &str); 5] = [
    ("/leader", "/leaders"),
    ("/team", "/teams"),
    ("/enterprise", "/enterprises"),
    ("/chain", "/chains"),
    ("/unit", "/units"),
];

/// The menu entry `path` belongs to: the longest entry it is or lies under.
fn section_of(path: &str) -> &'static str {
    let under = |entry: &str| {
        path == entry
            || path
                .strip_prefix(entry)
                .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('?'))
    };
    MENU.iter()
        .copied()
        .filter(|entry| under(entry))
        .max_by_key(|entry| entry.len())
        .or_else(|| {
            ALIASES
                .iter()
                .find(|(prefix, _)| under(prefix))
                .map(|(_, entry)| *entry)
        })
        .unwrap_or("")
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
            reads_agencies: user.actor().reads_agencies(),
            manages_security: user.actor().manages_security(),
            manages_users: user.actor().manages_users(),
            reads_audit_log: user.actor().reads_audit_log(),
            section: section_of(&user.path),
            unread: user.unread,
        }
    }

    /// The attributes that mark `href` as where the page is, for the menu.
    pub fn mark(&self, href: &str) -> &'static str {
        if self.section == href {
            " class=\"current\" aria-current=\"page\""
        } else {
            ""
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

#[cfg(test)]
mod tests {
    use super::section_of;

    #[test]
    fn a_page_belongs_to_the_menu_entry_it_lies_under() {
        assert_eq!(section_of("/projects"), "/projects");
        assert_eq!(section_of("/projects/JX-1/edit"), "/projects");
        assert_eq!(section_of("/projects/new"), "/projects/new");
        assert_eq!(section_of("/leader/陈立新"), "/leaders");
        assert_eq!(section_of("/scoreboard/unit"), "/scoreboard");
        assert_eq!(section_of("/six-ones/export"), "/six-ones");
        assert_eq!(section_of("/unknown"), "");
        assert_eq!(section_of("/units"), "/units");
        assert_eq!(section_of("/projectsx"), "");
    }
}
