//! The store's one error type. Rejected input carries the domain's [`FieldError`] so that the
//! caller can show it beside the field or in the file's cell; everything else is an operational
//! failure that callers report without detail to end users.

use domain::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The input breaks a rule or names a record that does not exist.
    #[error("{0}")]
    Invalid(#[from] FieldError),
    /// The input breaks several rules at once; each error names its field.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("；"))]
    InvalidFields(Vec<FieldError>),
    /// The reporting window of the record's month is closed.
    #[error("{0}")]
    Closed(String),
    /// A change the rules forbid in the present state (the last 审计员 disabled, a request
    /// approved by the one who made it, one decided twice).
    #[error("{0}")]
    Refused(String),
    /// An edit started from a version of the record that another change has since replaced;
    /// carries the record as it now stands.
    #[error("此记录已被他人修改（现为第 {} 版），请核对后重新保存", .0.version)]
    Stale(Box<crate::ProjectRecord>),
    /// The record asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Config(String),
    /// A stored row that the domain refuses to read back: a bug or a hand edit of the database.
    #[error("数据库中的记录无法读取: {0}")]
    Corrupt(String),
    /// The records kept changing while they were read; trying again later will do.
    #[error("{0}")]
    Busy(String),
    /// A statement wrote fewer rows than it was given: nothing of the transaction is kept.
    #[error("数据库写入不完整: {0}")]
    Incomplete(String),
    /// Hashing a password or drawing random bytes failed.
    #[error("密码或随机数处理失败: {0}")]
    Secret(String),
    #[error("数据库错误: {0}")]
    Database(#[from] sqlx::Error),
    #[error("数据库迁移失败: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        StoreError::Invalid(FieldError::new(field, message))
    }

    /// The first rejected field, if the error is about the input.
    pub fn field_error(&self) -> Option<&FieldError> {
        self.field_errors().first().copied()
    }

    /// Every rejected field, if the error is about the input.
    pub fn field_errors(&self) -> Vec<&FieldError> {
        match self {
            StoreError::Invalid(e) => vec![e],
            StoreError::InvalidFields(errors) => errors.iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// Keeps a refusal of one field in `errors` and goes on (`Ok(None)`), so that a write resolves
/// every reference before failing and names all the unknown ones at once; any other error stops.
pub(crate) fn keep_refusal(
    errors: &mut Vec<FieldError>,
    result: crate::Result<Option<i64>>,
) -> crate::Result<Option<i64>> {
    match result {
        Ok(id) => Ok(id),
        Err(StoreError::Invalid(e)) => {
            errors.push(e);
            Ok(None)
        }
        Err(other) => Err(other),
    }
}
