//! The two migration folders must build the same schema: every table, column, nullability and
//! index of one is in the other. A migration added to one folder and forgotten (or written
//! differently) in the other fails here, not in production on the other database.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use std::collections::BTreeSet;

use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, ConnectOptions, Row};
use store::testing::TestDb;

/// A column: table, name, whether it may be NULL.
type Column = (String, String, bool);
/// An index other than a primary key's: table, its columns in order, whether it is unique.
type Index = (String, Vec<String>, bool);

#[derive(Debug, Default)]
struct Schema {
    tables: BTreeSet<String>,
    columns: BTreeSet<Column>,
    indexes: BTreeSet<Index>,
}

async fn connect(db: &TestDb) -> AnyConnection {
    sqlx::any::install_default_drivers();
    let url = db.url.parse().unwrap();
    AnyConnectOptions::from_url(&url)
        .unwrap()
        .connect()
        .await
        .unwrap()
}

async fn texts(conn: &mut AnyConnection, sql: String) -> Vec<Vec<String>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (0..r.len())
                .map(|i| r.try_get::<String, _>(i).unwrap())
                .collect()
        })
        .collect()
}

async fn sqlite_schema(db: &TestDb) -> Schema {
    let mut conn = connect(db).await;
    let mut schema = Schema::default();
    let tables = texts(
        &mut conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '\\_sqlx%' ESCAPE '\\'"
            .into(),
    )
    .await;
    for table in tables.into_iter().map(|r| r[0].clone()) {
        let columns = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA table_info({table})")))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        for c in &columns {
            let name: String = c.try_get("name").unwrap();
            let not_null: i64 = c.try_get("notnull").unwrap();
            // An INTEGER PRIMARY KEY is the rowid: never NULL, whatever the pragma says.
            let key: i64 = c.try_get("pk").unwrap();
            schema
                .columns
                .insert((table.clone(), name, not_null == 0 && key == 0));
        }
        let indexes = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA index_list({table})")))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        for index in &indexes {
            let origin: String = index.try_get("origin").unwrap();
            if origin == "pk" {
                continue;
            }
            let name: String = index.try_get("name").unwrap();
            let unique: i64 = index.try_get("unique").unwrap();
            let info = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA index_info({name})")))
                .fetch_all(&mut conn)
                .await
                .unwrap();
            let mut columns: Vec<(i64, String)> = info
                .iter()
                .map(|i| {
                    // An expression's column has no name.
                    let name: Option<String> = i.try_get("name").unwrap();
                    let name = name.unwrap_or_else(|| "(expression)".into());
                    (i.try_get("seqno").unwrap(), name)
                })
                .collect();
            columns.sort();
            let columns = columns.into_iter().map(|(_, name)| name).collect();
            schema.indexes.insert((table.clone(), columns, unique == 1));
        }
        schema.tables.insert(table);
    }
    schema
}

async fn postgres_schema(db: &TestDb) -> Schema {
    let mut conn = connect(db).await;
    let mut schema = Schema::default();
    let tables = texts(
        &mut conn,
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
         AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_sqlx%'"
            .into(),
    )
    .await;
    schema.tables = tables.into_iter().map(|r| r[0].clone()).collect();
    let columns = texts(
        &mut conn,
        "SELECT table_name::text, column_name::text, is_nullable::text FROM information_schema.columns \
         WHERE table_schema = current_schema()"
            .into(),
    )
    .await;
    for c in columns {
        if schema.tables.contains(&c[0]) {
            schema
                .columns
                .insert((c[0].clone(), c[1].clone(), c[2] == "YES"));
        }
    }
    // Each index's columns in order, as one text: `a,b`.
    let indexes = texts(
        &mut conn,
        "SELECT t.relname::text, \
           (SELECT string_agg(COALESCE(a.attname::text, '(expression)'), ',' ORDER BY k.n) \
              FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) \
              LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum), \
           CASE WHEN i.indisunique THEN 'unique' ELSE 'plain' END \
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid \
         JOIN pg_namespace s ON s.oid = t.relnamespace \
         WHERE s.nspname = current_schema() AND NOT i.indisprimary"
            .into(),
    )
    .await;
    for index in indexes {
        if schema.tables.contains(&index[0]) {
            let columns = index[1].split(',').map(str::to_owned).collect();
            schema
                .indexes
                .insert((index[0].clone(), columns, index[2] == "unique"));
        }
    }
    schema
}

/// What one set holds and the other does not.
fn only<T: Ord + Clone>(x: &BTreeSet<T>, y: &BTreeSet<T>) -> Vec<T> {
    x.difference(y).cloned().collect()
}

/// Runs in the PostgreSQL suite (its name ends in `on_postgres`): it needs both databases.
#[tokio::test]
async fn the_migrated_sqlite_and_postgresql_schemas_agree_on_postgres() {
    let (lite, pg) = (TestDb::sqlite(), TestDb::postgres().await);
    lite.open().await.unwrap();
    pg.open().await.unwrap();
    let (a, b) = (sqlite_schema(&lite).await, postgres_schema(&pg).await);
    assert!(a.tables.len() > 30, "{:?}", a.tables);
    assert_eq!(
        (only(&a.tables, &b.tables), only(&b.tables, &a.tables)),
        (vec![], vec![]),
        "tables only in SQLite, only in PostgreSQL"
    );
    assert_eq!(
        (only(&a.columns, &b.columns), only(&b.columns, &a.columns)),
        (vec![], vec![]),
        "columns (table, name, nullable) only in SQLite, only in PostgreSQL"
    );
    assert_eq!(
        (only(&a.indexes, &b.indexes), only(&b.indexes, &a.indexes)),
        (vec![], vec![]),
        "indexes (table, columns, unique) only in SQLite, only in PostgreSQL"
    );
    lite.cleanup().await;
    pg.cleanup().await;
}
