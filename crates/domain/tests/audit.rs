//! The audit log's hash chain: an entry altered, removed or inserted is named; a keyed chain
//! cannot be re-hashed without its key; older plain prefixes still verify.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use domain::audit::*;

fn chain(n: i64) -> Vec<StoredEntry> {
    keyed_chain(n, None)
}

fn keyed_chain(n: i64, keying: Option<&Keying>) -> Vec<StoredEntry> {
    let mut head = Head::EMPTY;
    (1..=n)
        .map(|i| {
            let after = format!("{{\"n\":{i}}}");
            let entry = Entry {
                seq: 0,
                at: 1_000 + i,
                actor: "bureau",
                entity: "project",
                entity_key: "XM-1",
                entity_id: None,
                action: "update",
                before: None,
                after: Some(&after),
            };
            let (seq, hash) = head.append(entry, keying);
            StoredEntry {
                id: i * 10,
                seq: Some(seq),
                hash: Some(to_hex(&hash)),
                at: entry.at,
                actor: entry.actor.into(),
                entity: entry.entity.into(),
                entity_key: entry.entity_key.into(),
                entity_id: None,
                action: entry.action.into(),
                before: None,
                after: Some(after.clone()),
            }
        })
        .collect()
}

fn verify(entries: &[StoredEntry], recorded: Head) -> Verdict {
    verify_keyed(entries, recorded, None)
}

fn verify_keyed(entries: &[StoredEntry], recorded: Head, keying: Option<Keying>) -> Verdict {
    let mut verifier = Verifier::new(keying);
    for e in entries {
        verifier.check(e);
    }
    verifier.finish(recorded, entries.last().map(|e| e.id))
}

fn head_of(entries: &[StoredEntry]) -> Head {
    entries.last().map_or(Head::EMPTY, |e| Head {
        seq: e.seq.unwrap_or_default(),
        hash: e.hash.as_deref().and_then(from_hex).unwrap_or(GENESIS),
    })
}

#[test]
fn an_untouched_chain_holds() {
    let entries = chain(5);
    let verdict = verify(&entries, head_of(&entries));
    assert_eq!(verdict.breach, None);
    assert_eq!(verdict.checked, 5);
    assert_eq!(verify(&[], Head::EMPTY).breach, None);
}

#[test]
fn each_field_is_covered() {
    let entries = chain(3);
    let head = head_of(&entries);
    let mutations: Vec<fn(&mut StoredEntry)> = vec![
        |e| e.at += 1,
        |e| e.actor.push('x'),
        |e| e.entity = "fund".into(),
        |e| e.entity_key.push('1'),
        |e| e.entity_id = Some(1),
        |e| e.action = "delete".into(),
        |e| e.before = Some(String::new()),
        |e| e.after = None,
        |e| e.hash = Some("00".repeat(32)),
        |e| e.hash = None,
    ];
    for mutate in mutations {
        let mut altered = entries.clone();
        mutate(&mut altered[1]);
        assert_eq!(
            verify(&altered, head).breach,
            Some(Breach::Altered { id: 20, seq: 2 })
        );
    }
}

#[test]
fn removal_insertion_and_reordering_are_found() {
    let entries = chain(5);
    let head = head_of(&entries);

    let mut removed = entries.clone();
    removed.remove(2);
    assert_eq!(
        verify(&removed, head).breach,
        Some(Breach::Removed {
            from: 3,
            to: 3,
            next_id: Some(40)
        })
    );

    let truncated = &entries[..3];
    assert_eq!(
        verify(truncated, head).breach,
        Some(Breach::Removed {
            from: 4,
            to: 5,
            next_id: None
        })
    );

    // A row written around the application has no sequence number; the store offers such
    // rows first.
    let mut stray = entries[1].clone();
    stray.id = 99;
    stray.seq = None;
    let mut inserted = vec![stray.clone()];
    inserted.extend(entries.iter().cloned());
    assert_eq!(
        verify(&inserted, head).breach,
        Some(Breach::Inserted { id: 99 })
    );

    // A copy of an entry under a number already taken.
    stray.seq = Some(2);
    let mut copied = entries.clone();
    copied.insert(2, stray.clone());
    assert_eq!(
        verify(&copied, head).breach,
        Some(Breach::Inserted { id: 99 })
    );

    // Renumbered to squeeze a row in: the hash covers the number.
    let mut renumbered = entries.clone();
    renumbered[3].seq = Some(5);
    renumbered[4].seq = Some(6);
    stray.seq = Some(4);
    renumbered.insert(3, stray);
    assert_eq!(
        verify(&renumbered, head).breach,
        Some(Breach::Altered { id: 99, seq: 4 })
    );

    // An entry appended past the head the application recorded.
    let longer = chain(6);
    assert_eq!(
        verify(&longer, head).breach,
        Some(Breach::Inserted { id: 60 })
    );
}

#[test]
fn hex_round_trips() {
    let digest = link(
        &GENESIS,
        &Entry {
            seq: 1,
            at: 0,
            actor: "",
            entity: "",
            entity_key: "",
            entity_id: None,
            action: "",
            before: None,
            after: None,
        },
        None,
    );
    assert_eq!(from_hex(&to_hex(&digest)), Some(digest));
    assert_eq!(from_hex("zz"), None);
    assert_eq!(from_hex(&"g".repeat(64)), None);
}

fn key(byte: u8) -> Key {
    Key::from_bytes([byte; 32])
}

/// Entry `index` of `entries` rewritten (its `after`) and hashed again, with the entries
/// after it, as someone would who holds the database and `key` (`None`: no key at all).
fn rewritten(entries: &[StoredEntry], index: usize, key: Option<&Key>) -> Vec<StoredEntry> {
    let mut out = entries.to_vec();
    out[index].after = Some("{\"n\":\"forged\"}".into());
    let mut prev = if index == 0 {
        GENESIS
    } else {
        out[index - 1].hash.as_deref().and_then(from_hex).unwrap()
    };
    for e in &mut out[index..] {
        let hash = link(&prev, &e.entry(e.seq.unwrap()), key);
        e.hash = Some(to_hex(&hash));
        prev = hash;
    }
    out
}

#[test]
fn a_keyed_link_differs_from_a_plain_one_and_from_one_under_another_key() {
    let entry = Entry {
        seq: 1,
        at: 5,
        actor: "bureau",
        entity: "project",
        entity_key: "XM-1",
        entity_id: None,
        action: "create",
        before: None,
        after: Some("{}"),
    };
    let plain = link(&GENESIS, &entry, None);
    let keyed = link(&GENESIS, &entry, Some(&key(1)));
    assert_ne!(plain, keyed);
    assert_ne!(keyed, link(&GENESIS, &entry, Some(&key(2))));
    assert_eq!(
        keyed,
        link(&GENESIS, &entry, Some(&key(1))),
        "deterministic"
    );
    assert_eq!(plain, link(&GENESIS, &entry, None));
}

#[test]
fn a_keyed_tail_rewritten_without_the_key_is_found() {
    let keying = Keying {
        key: key(7),
        from: 1,
    };
    let entries = keyed_chain(5, Some(&keying));
    let head = head_of(&entries);
    let verdict = verify_keyed(&entries, head, Some(keying.clone()));
    assert_eq!((verdict.breach, verdict.keyed_from), (None, Some(1)));

    // Read without the key, or with another, the first entry already fails.
    assert_eq!(
        verify(&entries, head).breach,
        Some(Breach::Altered { id: 10, seq: 1 })
    );
    let other = Keying {
        key: key(8),
        from: 1,
    };
    assert_eq!(
        verify_keyed(&entries, head, Some(other.clone())).breach,
        Some(Breach::Altered { id: 10, seq: 1 })
    );

    // The last entry rewritten and hashed again without the key, or with another, and the
    // recorded head moved to match: the key finds it.
    for forger in [None, Some(&other.key)] {
        let forged = rewritten(&entries, 4, forger);
        assert_eq!(
            verify_keyed(&forged, head_of(&forged), Some(keying.clone())).breach,
            Some(Breach::Altered { id: 50, seq: 5 })
        );
    }
    // Whoever holds the key can do it; the exported head is the check against them.
    let forged = rewritten(&entries, 4, Some(&keying.key));
    let verdict = verify_keyed(&forged, head_of(&forged), Some(keying));
    assert_eq!(verdict.breach, None);
    assert_ne!(verdict.head, head);
}

#[test]
fn the_plain_entries_before_the_keying_verify_and_are_pinned_by_the_first_keyed_one() {
    let keying = Keying {
        key: key(3),
        from: 3,
    };
    let entries = keyed_chain(5, Some(&keying));
    assert_eq!(entries[..2], chain(2)[..], "plain before the keying starts");
    let head = head_of(&entries);
    assert_eq!(
        verify_keyed(&entries, head, Some(keying.clone())).breach,
        None
    );
    // A plain entry rewritten and the plain ones after it hashed again: the first keyed
    // entry covers the hash before it.
    let mut forged = rewritten(&entries[..2], 1, None);
    forged.extend(entries[2..].iter().cloned());
    assert_eq!(
        verify_keyed(&forged, head, Some(keying)).breach,
        Some(Breach::Altered { id: 30, seq: 3 })
    );
}

#[test]
fn the_keying_start_holds_only_as_the_key_signed_it() {
    let keying = Keying {
        key: key(4),
        from: 3,
    };
    let tag = to_hex(&keying.tag());
    assert_eq!(
        Keying::recorded(key(4), Some(3), Some(tag.as_str()), 5),
        Ok(keying.clone())
    );
    // Moved past the entries to be hashed again without the key, or dropped.
    for from in [4, 6] {
        assert_eq!(
            Keying::recorded(key(4), Some(from), Some(tag.as_str()), 5),
            Err(Breach::KeyingAltered { from: Some(from) })
        );
    }
    assert_eq!(
        Keying::recorded(key(4), None, Some(tag.as_str()), 5),
        Err(Breach::KeyingAltered { from: None })
    );
    assert_eq!(
        Keying::recorded(key(4), Some(3), None, 5),
        Err(Breach::KeyingAltered { from: Some(3) })
    );
    // Signed with another key, or beyond the head.
    assert!(Keying::recorded(key(5), Some(3), Some(tag.as_str()), 5).is_err());
    assert!(Keying::recorded(key(4), Some(3), Some(tag.as_str()), 1).is_err());
    let fresh = Keying {
        key: key(4),
        from: 1,
    };
    assert_eq!(
        Keying::recorded(key(4), Some(1), Some(to_hex(&fresh.tag()).as_str()), 0),
        Ok(fresh)
    );
}

#[test]
fn a_fingerprint_names_a_key_without_showing_it() {
    let a = key(0xab);
    assert_eq!(a.fingerprint().len(), 16);
    assert_eq!(a.fingerprint(), key(0xab).fingerprint());
    assert_ne!(a.fingerprint(), key(0xac).fingerprint());
    assert!(!a.to_hex().contains(&a.fingerprint()));
    assert!(!format!("{a:?}").contains(&a.to_hex()), "{a:?}");
    assert_eq!(Key::from_hex(&a.to_hex()), Some(a));
    assert_eq!(Key::from_hex("abc"), None);
}
