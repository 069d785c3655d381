//! The one error a constructor or rule of the domain returns: which field, and why, in Chinese.

use std::fmt;

/// A rejected value. `field` is the Chinese name the user sees on the form or in the file's
/// header row, so that the message can be shown beside the field or as `第N行 列名: 原因`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// Keeps a parsed value, or records why its field was rejected: the parsers of form and API
/// input collect every bad field before they give up.
pub fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}
