//! 督办 reminders (issue 22.5): what kind of thing a message tells its reader, and when a month's
//! reporting is about to close. The store finds the situations; this decides what they are
//! called and when they are due.

use chrono::{Datelike, NaiveDate};

/// Why a message was posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// An overdue blocker reached a leader.
    Escalated,
    /// A reported record came back to its reporter.
    Returned,
    /// A 要素保障 item was given to a department.
    Assigned,
    /// A blocker or an item passed its deadline.
    Overdue,
    /// The month's reporting closes soon.
    Closing,
    /// Records wait for the reader's review.
    Review,
}

impl MessageKind {
    pub const ALL: [MessageKind; 6] = [
        MessageKind::Escalated,
        MessageKind::Returned,
        MessageKind::Assigned,
        MessageKind::Overdue,
        MessageKind::Closing,
        MessageKind::Review,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MessageKind::Escalated => "escalated",
            MessageKind::Returned => "returned",
            MessageKind::Assigned => "assigned",
            MessageKind::Overdue => "overdue",
            MessageKind::Closing => "closing",
            MessageKind::Review => "review",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MessageKind::Escalated => "升级督办",
            MessageKind::Returned => "退回补充",
            MessageKind::Assigned => "新分派",
            MessageKind::Overdue => "逾期提醒",
            MessageKind::Closing => "填报截止",
            MessageKind::Review => "待审核",
        }
    }

    pub fn from_code(code: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// How many days before a month's end its reporting is said to close.
pub const CLOSING_DAYS: u32 = 5;

/// The month (`YYYY-MM`) whose reporting closes within [`CLOSING_DAYS`] of `today`, counting the
/// month's last day; none earlier in the month.
pub fn month_closing(today: NaiveDate) -> Option<String> {
    let next_month = if today.month() == 12 {
        NaiveDate::from_ymd_opt(today.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(today.year(), today.month() + 1, 1)
    }?;
    let left = (next_month - today).num_days();
    (left <= i64::from(CLOSING_DAYS)).then(|| format!("{}-{:02}", today.year(), today.month()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn a_month_closes_in_its_last_five_days() {
        assert_eq!(month_closing(d(2022, 12, 27)).as_deref(), Some("2022-12"));
        assert_eq!(month_closing(d(2022, 12, 31)).as_deref(), Some("2022-12"));
        assert_eq!(month_closing(d(2022, 12, 26)), None);
        assert_eq!(month_closing(d(2024, 2, 25)).as_deref(), Some("2024-02"));
        assert_eq!(month_closing(d(2024, 2, 24)), None);
    }

    #[test]
    fn kinds_read_back_from_their_codes() {
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::from_code(kind.code()), Some(kind));
        }
    }
}
