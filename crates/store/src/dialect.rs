//! Where SQLite and PostgreSQL differ. Every other query is one text for both (sqlx `Any`,
//! `$N` placeholders); what differs in SQL — how a write transaction starts, how rows are
//! locked, joined text, placeholders of a large batch — is written here, once. What only one
//! database has (SQLite's file: backups, `PRAGMA integrity_check`, indexes built after a first
//! load; PostgreSQL's sequences) is asked with [`Backend::is_sqlite`] where it is used.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Backend {
    pub fn is_sqlite(self) -> bool {
        self == Backend::Sqlite
    }

    /// The migrations of this database (the two folders hold the same tables).
    pub(crate) fn migrator(self) -> &'static sqlx::migrate::Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Connections in the pool: SQLite has one writer and a few readers of one file.
    pub(crate) fn max_connections(self) -> u32 {
        match self {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        }
    }

    /// How a write transaction starts. SQLite must take the write lock at BEGIN: a deferred
    /// transaction that later upgrades from reading to writing fails at once under WAL
    /// instead of waiting its turn.
    pub(crate) fn begin_write(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    /// A read-only snapshot that stays the same for every query of the transaction (SQLite's
    /// read transaction already is one).
    pub(crate) fn begin_snapshot(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        }
    }

    /// The audit chain's head, locked on PostgreSQL: the row lock orders the writers of every
    /// server process (SQLite's write lock already does).
    pub(crate) fn chain_head_for_write(self) -> &'static str {
        match self {
            Backend::Sqlite => "SELECT seq, hash FROM audit_chain WHERE id = 1",
            Backend::Postgres => "SELECT seq, hash FROM audit_chain WHERE id = 1 FOR UPDATE",
        }
    }

    /// The names of `column` over a group, ordered, joined by `separator`.
    pub(crate) fn joined_names(self, column: &str, separator: &str) -> String {
        match self {
            Backend::Sqlite => format!("group_concat({column}, '{separator}')"),
            Backend::Postgres => format!("string_agg({column}, '{separator}' ORDER BY {column})"),
        }
    }

    /// The values of `column` over a group as text, empty for NULL, joined by `;`.
    pub(crate) fn joined_text(self, column: &str) -> String {
        match self {
            Backend::Sqlite => format!("group_concat(ifnull({column}, ''), ';')"),
            Backend::Postgres => format!("string_agg(COALESCE(CAST({column} AS TEXT), ''), ';')"),
        }
    }

    /// `insert` (`INSERT INTO …`) for a multi-row statement whose rows cannot break a
    /// constraint, `INSERT OR IGNORE INTO …` on SQLite. A statement that may stop half-way
    /// makes SQLite copy every page it touches to a statement journal first, a third of the
    /// time of a large import; one that cannot stop needs none. The caller checks with
    /// `batch::all_written` that every row went in, so a row the database did turn down still
    /// fails the transaction, never silently.
    pub(crate) fn insert_all(self, insert: &str) -> String {
        match (self, insert.strip_prefix("INSERT INTO ")) {
            (Backend::Sqlite, Some(rest)) => format!("INSERT OR IGNORE INTO {rest}"),
            _ => insert.to_owned(),
        }
    }

    /// Placeholders for `rows` rows of `columns` values: `($1, …, $k), ($k+1, …)` on
    /// PostgreSQL, plain positional `?` on SQLite, whose binding by name costs time quadratic
    /// in the number of parameters, which is large in a batch.
    pub(crate) fn placeholders(self, rows: usize, columns: usize) -> String {
        let mut out = String::with_capacity(rows * columns * 5);
        for row in 0..rows {
            if row > 0 {
                out.push_str(", ");
            }
            out.push('(');
            for column in 0..columns {
                if column > 0 {
                    out.push_str(", ");
                }
                match self {
                    Backend::Postgres => {
                        out.push('$');
                        out.push_str(&(row * columns + column + 1).to_string());
                    }
                    Backend::Sqlite => out.push('?'),
                }
            }
            out.push(')');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_on_postgres_and_positional_on_sqlite() {
        assert_eq!(
            Backend::Postgres.placeholders(2, 3),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(Backend::Sqlite.placeholders(2, 2), "(?, ?), (?, ?)");
    }

    #[test]
    fn only_sqlite_ignores_conflicts_in_a_batch_that_is_checked_after() {
        assert_eq!(
            Backend::Sqlite.insert_all("INSERT INTO t (a) VALUES "),
            "INSERT OR IGNORE INTO t (a) VALUES "
        );
        assert_eq!(
            Backend::Postgres.insert_all("INSERT INTO t (a) VALUES "),
            "INSERT INTO t (a) VALUES "
        );
    }
}
