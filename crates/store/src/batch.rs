//! Rows queued inside a transaction and written many to a statement.
//!
//! Writing one row per statement costs a round trip (PostgreSQL) or a hop to sqlx's SQLite
//! worker thread per row, which dominates large imports. A [`Batch`] collects rows of one table
//! and writes them with one multi-row INSERT; the [`Tx`](crate::Tx) flushes its batches before it
//! reads a table they write and before it commits, so it always reads its own writes.

use sqlx::{Any, AnyConnection};

use crate::{Backend, Result};

/// A value of a queued row: `Any` carries only integers and text here (see docs/decisions.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_owned()))
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}

/// At most this many parameters per statement; well under SQLite's 32,766 and PostgreSQL's
/// 65,535.
const MAX_PARAMETERS: usize = 3_000;

pub(crate) struct Batch {
    /// `INSERT INTO table (col, …) VALUES `
    insert: &'static str,
    /// Whether the rows can meet no constraint that stops the statement (see `Backend::insert_all`).
    unconstrained: bool,
    columns: usize,
    values: Vec<Value>,
}

impl Batch {
    pub(crate) fn new(insert: &'static str, columns: usize) -> Self {
        Batch {
            insert,
            unconstrained: false,
            columns,
            values: Vec::new(),
        }
    }

    /// A batch whose rows have no unique key and always carry their NOT NULL columns (the
    /// change log): written with `Backend::insert_all`.
    pub(crate) fn unconstrained(insert: &'static str, columns: usize) -> Self {
        Batch {
            unconstrained: true,
            ..Batch::new(insert, columns)
        }
    }

    pub(crate) fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns);
        self.values.extend(row);
    }

    /// Whether the batch is full enough to write now.
    pub(crate) fn is_full(&self) -> bool {
        self.values.len() + self.columns > MAX_PARAMETERS
    }

    pub(crate) async fn flush(&mut self, conn: &mut AnyConnection, backend: Backend) -> Result<()> {
        if self.values.is_empty() {
            return Ok(());
        }
        let values = std::mem::take(&mut self.values);
        let rows = values.len() / self.columns;
        let mut sql = if self.unconstrained {
            backend.insert_all(self.insert)
        } else {
            String::from(self.insert)
        };
        sql.push_str(&backend.placeholders(rows, self.columns));
        let mut query = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql));
        for value in values {
            query = match value {
                Value::Int(v) => query.bind(v),
                Value::Text(v) => query.bind(v),
            };
        }
        let written = query.execute(conn).await?.rows_affected();
        if self.unconstrained {
            all_written(rows, written)?;
        }
        Ok(())
    }
}

/// Fails unless a statement given `rows` rows wrote all of them.
pub(crate) fn all_written(rows: usize, written: u64) -> crate::Result<()> {
    if u64::try_from(rows).is_ok_and(|rows| rows == written) {
        Ok(())
    } else {
        Err(crate::StoreError::Incomplete(format!(
            "应写入{rows}行，实际写入{written}行"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_insert_that_cannot_stop_half_way_is_checked_row_by_row() {
        assert!(all_written(3, 3).is_ok());
        assert!(matches!(
            all_written(3, 2),
            Err(crate::StoreError::Incomplete(_))
        ));
    }
}
