//! Where SQLite and PostgreSQL differ. Every other query is one text for both (sqlx `Any`,
//! `$N` placeholders); what differs in SQL — how a write transaction starts, how rows are
//! locked, joined text, placeholders of a large batch — is written here, once. What only one
//! database has (SQLite's file: backups, `PRAGMA integrity_check`, indexes built after a first
//! load; PostgreSQL's sequences) is asked with [`Backend::is_sqlite`] where it is used.

use std::borrow::Cow;
use std::sync::LazyLock;

use sqlx::SqlStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The migrations, one file of the same name in each folder, compiled in. Listed here rather
/// than found by `sqlx::migrate!`, whose macro builds SQLite and both drivers a second time
/// (for the compiler), a large part of a fresh build. The checksum is the same SHA-384 of the
/// file either way, so databases migrated before keep their history.
macro_rules! migrations {
    ($($version:literal $file:literal,)*) => {
        /// Every migration's file name, in order.
        #[cfg(test)]
        const MIGRATION_FILES: &[&str] = &[$($file),*];

        fn sqlite_migrations() -> Vec<Migration> {
            vec![$(migration($version, $file, include_str!(concat!("../migrations/sqlite/", $file)))),*]
        }

        fn postgres_migrations() -> Vec<Migration> {
            vec![$(migration($version, $file, include_str!(concat!("../migrations/postgres/", $file)))),*]
        }
    };
}

migrations! {
    1 "0001_core.sql",
    2 "0002_users.sql",
    3 "0003_project_state.sql",
    4 "0004_milestones.sql",
    5 "0005_published_sheets.sql",
    6 "0006_data_version.sql",
    7 "0007_project_plans.sql",
    8 "0008_leader_units.sql",
    9 "0009_element_items.sql",
    10 "0010_blockers_financing.sql",
    11 "0011_review.sql",
    12 "0012_team_members.sql",
    13 "0013_enterprise_fields.sql",
    14 "0014_chains_search_duplicates.sql",
    15 "0015_uncoded_firm_names.sql",
    16 "0016_change_log_entity_id.sql",
    17 "0017_audit_chain.sql",
    18 "0018_sign_in_controls.sql",
    19 "0019_project_version.sql",
    20 "0020_trust.sql",
    21 "0021_audit_key.sql",
    22 "0022_project_investor_index.sql",
    23 "0023_import_mappings.sql",
    24 "0024_fund_verified_at.sql",
    25 "0025_messages.sql",
    26 "0026_enterprise_records.sql",
    27 "0027_packaged_projects.sql",
    28 "0028_agencies.sql",
    29 "0029_factors.sql",
    30 "0030_roadmaps.sql",
}

/// A migration as `sqlx::migrate!` would make it from `file`: its description is the name
/// after the number, underscores as spaces.
fn migration(version: i64, file: &'static str, sql: &'static str) -> Migration {
    let name = file.trim_end_matches(".sql");
    let description = name
        .split_once('_')
        .map_or(name, |(_, d)| d)
        .replace('_', " ");
    Migration::new(
        version,
        Cow::Owned(description),
        MigrationType::Simple,
        SqlStr::from_static(sql),
        sql.starts_with("-- no-transaction"),
    )
}

static SQLITE_MIGRATIONS: LazyLock<Migrator> =
    LazyLock::new(|| Migrator::with_migrations(sqlite_migrations()));
static POSTGRES_MIGRATIONS: LazyLock<Migrator> =
    LazyLock::new(|| Migrator::with_migrations(postgres_migrations()));

impl Backend {
    pub fn is_sqlite(self) -> bool {
        self == Backend::Sqlite
    }

    /// The condition and source that find firms without a credit code by name through the
    /// partial index `enterprises_uncoded_name`: on SQLite named outright, since its planner
    /// would otherwise walk the credit code's unique index, where every uncoded firm shares the
    /// key NULL, or scan the table (a bulk load grew with its square).
    pub(crate) fn uncoded_firms(self) -> &'static str {
        match self {
            Backend::Sqlite => {
                "enterprises INDEXED BY enterprises_uncoded_name WHERE credit_code IS NULL"
            }
            Backend::Postgres => "enterprises WHERE credit_code IS NULL",
        }
    }

    /// The migrations of this database (the two folders hold the same tables).
    pub(crate) fn migrator(self) -> &'static Migrator {
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

    /// The audit chain's head and keying, locked on PostgreSQL: the row lock orders the
    /// writers of every server process (SQLite's write lock already does).
    pub(crate) fn chain_head_for_write(self) -> &'static str {
        match self {
            Backend::Sqlite => {
                "SELECT seq, hash, keyed_from, key_fingerprint FROM audit_chain WHERE id = 1"
            }
            Backend::Postgres => {
                "SELECT seq, hash, keyed_from, key_fingerprint FROM audit_chain WHERE id = 1 FOR UPDATE"
            }
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
    /// A text column as the hex of its UTF-8 bytes: a free text carried through
    /// [`joined_text`](Self::joined_text), whose separator it may hold.
    pub(crate) fn hex_text(self, column: &str) -> String {
        match self {
            Backend::Sqlite => format!("hex({column})"),
            Backend::Postgres => format!("encode(convert_to({column}, 'UTF8'), 'hex')"),
        }
    }

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
    fn every_migration_file_of_both_folders_is_listed_once_in_order() {
        let folder = |name: &str| {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(name);
            let mut files: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            files.sort();
            files
        };
        let listed: Vec<String> = MIGRATION_FILES.iter().map(|f| (*f).to_owned()).collect();
        assert_eq!(folder("sqlite"), listed);
        assert_eq!(folder("postgres"), listed);
        let versions: Vec<i64> = Backend::Sqlite
            .migrator()
            .iter()
            .map(|m| m.version)
            .collect();
        assert_eq!(versions, (1..=listed.len() as i64).collect::<Vec<_>>());
        for (migration, file) in Backend::Postgres.migrator().iter().zip(MIGRATION_FILES) {
            assert!(
                file.starts_with(&format!("{:04}_", migration.version)),
                "{file}"
            );
            assert!(
                !migration.description.contains('_'),
                "{}",
                migration.description
            );
        }
    }

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
