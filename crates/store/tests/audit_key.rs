//! The audit chain keyed with a secret kept outside the database (issue 20.9), on SQLite and
//! PostgreSQL: someone holding only the database cannot rewrite the chain's tail, the plain
//! entries an earlier version wrote still verify, and a store started with another key is
//! refused.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use domain::audit::{Breach, Entry, GENESIS, Head, Key, StoredEntry, from_hex, link, to_hex};
use domain::records::{Unit, UnitKind};
use store::testing::TestDb;
use store::{AuditKey, Store, StoreError, both_databases};

/// The first migration that knows the key.
const KEY_MIGRATION: i64 = 21;

fn a_key(byte: u8) -> Key {
    Key::from_bytes([byte; 32])
}

/// Units written in one transaction, one change-log entry each (the city first).
async fn add_units(store: &Store, names: &[&str]) {
    let mut tx = store.begin("test").await.unwrap();
    for name in names {
        let unit = match *name {
            "双鸭山市" => Unit::new(name, UnitKind::City, None, None, None),
            _ => Unit::new(name, UnitKind::County, None, None, Some("双鸭山市".into())),
        }
        .unwrap();
        tx.upsert_unit(&unit).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// The guard on UPDATE, which someone holding the database drops first.
async fn drop_guard(db: &TestDb, store: &Store) {
    let sql = match store.backend() {
        store::Backend::Sqlite => "DROP TRIGGER change_log_no_update",
        store::Backend::Postgres => "DROP TRIGGER change_log_no_update ON change_log",
    };
    db.execute_behind_the_store(sql).await.unwrap();
}

/// The entry numbered `seq`, read behind the store's back.
async fn entry_at(db: &TestDb, seq: i64) -> StoredEntry {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let row = sqlx::query(
        "SELECT id, seq, hash, at, actor, entity, entity_key, entity_id, action, before_json, \
         after_json FROM change_log WHERE seq = $1",
    )
    .bind(seq)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let entry = StoredEntry {
        id: row.try_get("id").unwrap(),
        seq: row.try_get("seq").unwrap(),
        hash: row.try_get("hash").unwrap(),
        at: row.try_get("at").unwrap(),
        actor: row.try_get("actor").unwrap(),
        entity: row.try_get("entity").unwrap(),
        entity_key: row.try_get("entity_key").unwrap(),
        entity_id: row.try_get("entity_id").unwrap(),
        action: row.try_get("action").unwrap(),
        before: row.try_get("before_json").unwrap(),
        after: row.try_get("after_json").unwrap(),
    };
    conn.close().await.unwrap();
    entry
}

/// The hash `e` gets with `after` for its own, chained to `prev` (hex) and hashed with `key`.
fn rehash(prev: &str, e: &StoredEntry, after: Option<&str>, key: Option<&Key>) -> String {
    let entry = Entry {
        after,
        ..e.entry(e.seq.unwrap())
    };
    to_hex(&link(&from_hex(prev).unwrap(), &entry, key))
}

const FORGED: &str = r#"{"name":"伪造"}"#;

/// What someone holding the database does to the last entry, numbered `seq`: its content
/// changed, its hash made again with `key` (whatever they have), the recorded head moved to
/// match. Returns the entry's row id.
async fn rewrite_last(db: &TestDb, seq: i64, key: Option<&Key>) -> i64 {
    let entry = entry_at(db, seq).await;
    let prev = match seq {
        1 => to_hex(&GENESIS),
        _ => entry_at(db, seq - 1).await.hash.unwrap(),
    };
    let hash = rehash(&prev, &entry, Some(FORGED), key);
    db.execute_behind_the_store(&format!(
        "UPDATE change_log SET after_json = '{FORGED}', hash = '{hash}' WHERE seq = {seq}"
    ))
    .await
    .unwrap();
    db.execute_behind_the_store(&format!(
        "UPDATE audit_chain SET hash = '{hash}' WHERE id = 1"
    ))
    .await
    .unwrap();
    entry.id
}

async fn a_tail_rewritten_without_the_key_is_found_and_its_start_cannot_be_moved(db: &TestDb) {
    let key = a_key(7);
    let store = db
        .open_with_key(AuditKey::Given(key.clone()))
        .await
        .unwrap();
    add_units(&store, &["双鸭山市", "集贤县", "宝清县"]).await;
    let verdict = store.verify_audit().await.unwrap();
    assert_eq!(
        (verdict.breach, verdict.checked, verdict.keyed_from),
        (None, 3, Some(1)),
        "a new database is keyed from its first entry"
    );
    let last = verdict.head.seq;

    // Hashed again with plain SHA-256, as the chain was before it had a key, or with a key of
    // the tamperer's own: the store's key finds the entry.
    drop_guard(db, &store).await;
    for forger in [None, Some(a_key(8))] {
        let id = rewrite_last(db, last, forger.as_ref()).await;
        assert_eq!(
            store.verify_audit().await.unwrap().breach,
            Some(Breach::Altered { id, seq: last }),
            "{forger:?}"
        );
    }
    // Only the key's holder can make it fit; against them, the exported head (tests/cli.rs).
    rewrite_last(db, last, Some(&key)).await;
    assert_eq!(store.verify_audit().await.unwrap().breach, None);

    // Moving where the keying starts past the entries to hash again without the key, or
    // removing it, breaks the key's signature of it.
    db.execute_behind_the_store(&format!(
        "UPDATE audit_chain SET keyed_from = {} WHERE id = 1",
        last + 1
    ))
    .await
    .unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap().breach,
        Some(Breach::KeyingAltered {
            from: Some(last + 1)
        })
    );
    db.execute_behind_the_store("UPDATE audit_chain SET keyed_from = NULL WHERE id = 1")
        .await
        .unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap().breach,
        Some(Breach::KeyingAltered { from: None })
    );
    // Nothing is appended to a chain whose keying is gone.
    assert!(matches!(
        store.begin("test").await,
        Err(StoreError::Corrupt(_))
    ));
    db.execute_behind_the_store("UPDATE audit_chain SET keyed_from = 1 WHERE id = 1")
        .await
        .unwrap();
    add_units(&store, &["饶河县"]).await;
    let verdict = store.verify_audit().await.unwrap();
    assert_eq!((verdict.breach, verdict.checked), (None, 4));
}

async fn the_plain_entries_of_an_earlier_version_verify_and_the_first_keyed_one_pins_them(
    db: &TestDb,
) {
    use sqlx::{Connection, Executor};
    // The database as the version before the key left it: migrated up to the key's
    // migration, three entries chained with plain SHA-256.
    sqlx::any::install_default_drivers();
    let (folder, url) = match store::sqlite_file(&db.url) {
        Some(file) => {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            ("sqlite", format!("{}?mode=rwc", db.url))
        }
        None => ("postgres", db.url.clone()),
    };
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    let mut before = sqlx::migrate::Migrator::new(folder).await.unwrap();
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < KEY_MIGRATION)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before.run(&mut conn).await.unwrap();
    let mut head = Head::EMPTY;
    for (i, name) in ["甲县", "乙县", "丙县"].into_iter().enumerate() {
        let after = format!(r#"{{"name":"{name}"}}"#);
        let at = 1_000 + i as i64;
        let entry = Entry {
            seq: 0,
            at,
            actor: "cli:old",
            entity: "unit",
            entity_key: name,
            entity_id: None,
            action: "create",
            before: None,
            after: Some(&after),
        };
        let (seq, hash) = head.append(entry, None);
        conn.execute(sqlx::AssertSqlSafe(format!(
            "INSERT INTO change_log (at, actor, entity, entity_key, action, before_json, after_json, seq, hash) \
             VALUES ({at}, 'cli:old', 'unit', '{name}', 'create', NULL, '{after}', {seq}, '{}')",
            to_hex(&hash)
        )))
        .await
        .unwrap();
    }
    conn.execute(sqlx::AssertSqlSafe(format!(
        "UPDATE audit_chain SET seq = {}, hash = '{}' WHERE id = 1",
        head.seq,
        to_hex(&head.hash)
    )))
    .await
    .unwrap();
    conn.close().await.unwrap();

    // Opened with a key: keyed from the next entry on, the plain ones verified as they are.
    let store = db.open_with_key(AuditKey::Given(a_key(5))).await.unwrap();
    add_units(&store, &["双鸭山市", "集贤县"]).await;
    let verdict = store.verify_audit().await.unwrap();
    assert_eq!(
        (verdict.breach, verdict.checked, verdict.keyed_from),
        (None, 5, Some(4))
    );
    store.close().await;
    let reopened = db.open_with_key(AuditKey::Given(a_key(5))).await.unwrap();
    assert_eq!(reopened.verify_audit().await.unwrap().keyed_from, Some(4));

    // A plain entry rewritten and the plain ones after it hashed again: the first keyed entry
    // covers the hash before it, and that needs the key.
    drop_guard(db, &reopened).await;
    let (second, third) = (entry_at(db, 2).await, entry_at(db, 3).await);
    let first = entry_at(db, 1).await.hash.unwrap();
    let second_hash = rehash(&first, &second, Some(FORGED), None);
    let third_hash = rehash(&second_hash, &third, third.after.as_deref(), None);
    db.execute_behind_the_store(&format!(
        "UPDATE change_log SET after_json = '{FORGED}', hash = '{second_hash}' WHERE seq = 2"
    ))
    .await
    .unwrap();
    db.execute_behind_the_store(&format!(
        "UPDATE change_log SET hash = '{third_hash}' WHERE seq = 3"
    ))
    .await
    .unwrap();
    let fourth = entry_at(db, 4).await.id;
    assert_eq!(
        reopened.verify_audit().await.unwrap().breach,
        Some(Breach::Altered { id: fourth, seq: 4 })
    );
}

async fn a_store_with_another_key_is_refused_and_the_key_file_is_its_owners_alone(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys").join("audit.key");
    let store = db
        .open_with_key(AuditKey::File(path.clone()))
        .await
        .unwrap();
    add_units(&store, &["双鸭山市"]).await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode(path.as_path()),
            0o600,
            "created readable by its owner only"
        );
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }
    let key = Key::from_hex(std::fs::read_to_string(&path).unwrap().trim()).unwrap();
    assert_eq!(store.audit_key_fingerprint(), key.fingerprint());
    store.close().await;

    // The same file again: the chain goes on.
    let again = db
        .open_with_key(AuditKey::File(path.clone()))
        .await
        .unwrap();
    add_units(&again, &["集贤县"]).await;
    let verdict = again.verify_audit().await.unwrap();
    assert_eq!(
        (verdict.breach, verdict.checked, verdict.keyed_from),
        (None, 2, Some(1))
    );
    again.close().await;

    // Another key is refused, naming both, rather than chaining on with it.
    let other = a_key(9);
    let refused = db
        .open_with_key(AuditKey::Given(other.clone()))
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("审计密钥与数据库不符"), "{refused}");
    assert!(
        refused.contains(&key.fingerprint()) && refused.contains(&other.fingerprint()),
        "{refused}"
    );

    // A missing key file is not made up for a keyed chain.
    let missing = dir.path().join("elsewhere.key");
    let refused = db
        .open_with_key(AuditKey::File(missing.clone()))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("不存在") && refused.contains(&key.fingerprint()),
        "{refused}"
    );
    assert!(!missing.exists());

    // A key file others may read is refused until it is the owner's alone again.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let refused = db
            .open_with_key(AuditKey::File(path.clone()))
            .await
            .unwrap_err()
            .to_string();
        assert!(refused.contains("chmod 600"), "{refused}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let store = db.open_with_key(AuditKey::File(path)).await.unwrap();
    assert_eq!(store.verify_audit().await.unwrap().breach, None);
}

both_databases!(
    a_tail_rewritten_without_the_key_is_found_and_its_start_cannot_be_moved,
    the_plain_entries_of_an_earlier_version_verify_and_the_first_keyed_one_pins_them,
    a_store_with_another_key_is_refused_and_the_key_file_is_its_owners_alone,
);
