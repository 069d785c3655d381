//! The signed-in user as every area sees it. The sign-in itself (cookies, sessions, the steps)
//! is `auth`'s, which builds this; `kit` only reads it.

use domain::access::Actor;
use store::User;

use super::error::WebError;

/// The signed-in user of a request whose sign-in is complete; HTML routes that take it send
/// strangers to /login and unfinished sign-ins to their next step.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub csrf_token: String,
    /// The request's path, for the menu to mark where the page is.
    pub path: String,
    /// 督办 messages not yet read, counted in the top bar.
    pub unread: i64,
}

impl CurrentUser {
    pub fn actor(&self) -> Actor {
        Actor {
            username: self.user.username.clone(),
            role: self.user.role,
            unit: self.user.unit.clone(),
        }
    }

    /// Forms carry the session's token; a form from anywhere else is refused.
    pub fn check_csrf(&self, sent: &str) -> Result<(), WebError> {
        check_token(&self.csrf_token, sent)
    }
}

/// Compares in time independent of where the strings first differ.
pub fn check_token(expected: &str, sent: &str) -> Result<(), WebError> {
    let same = expected.len() == sent.len()
        && expected
            .bytes()
            .zip(sent.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same && !expected.is_empty() {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}
