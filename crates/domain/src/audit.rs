//! The audit log's hash chain. Every change-log entry carries a sequence number and the SHA-256
//! of the previous entry's hash and its own fields, so that an entry altered, removed or inserted
//! by hand in the database breaks the chain at that entry. [`Verifier`] walks the entries in
//! sequence order and names the first one that does not hold.
//!
//! A chain without a key proves order and completeness against anyone who cannot also rewrite
//! every later entry; the head's hash, which `zhaoshang audit verify` prints, is what an operator
//! records elsewhere to close that gap.

use sha2::{Digest as _, Sha256};

/// A SHA-256 digest.
pub type Digest = [u8; 32];

/// The hash the first entry is chained to.
pub const GENESIS: Digest = [0; 32];

/// An entry's fields, as hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    pub seq: i64,
    /// Epoch milliseconds.
    pub at: i64,
    pub actor: &'a str,
    pub entity: &'a str,
    pub entity_key: &'a str,
    pub entity_id: Option<i64>,
    pub action: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// The hash of `entry` chained to `prev`. Every field is length-prefixed and an absent one has
/// a marker of its own, so no two different entries hash the same input.
pub fn link(prev: &Digest, entry: &Entry) -> Digest {
    fn text(hasher: &mut Sha256, value: Option<&str>) {
        match value {
            Some(v) => {
                hasher.update((v.len() as u64).to_le_bytes());
                hasher.update(v.as_bytes());
            }
            None => hasher.update(u64::MAX.to_le_bytes()),
        }
    }
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(entry.seq.to_le_bytes());
    hasher.update(entry.at.to_le_bytes());
    text(&mut hasher, Some(entry.actor));
    text(&mut hasher, Some(entry.entity));
    text(&mut hasher, Some(entry.entity_key));
    match entry.entity_id {
        Some(id) => {
            hasher.update([1]);
            hasher.update(id.to_le_bytes());
        }
        None => hasher.update([0]),
    }
    text(&mut hasher, Some(entry.action));
    text(&mut hasher, entry.before);
    text(&mut hasher, entry.after);
    hasher.finalize().into()
}

/// Lower-case hex, as the database keeps a hash.
pub fn to_hex(digest: &Digest) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push(HEX[usize::from(byte >> 4)] as char);
        out.push(HEX[usize::from(byte & 15)] as char);
    }
    out
}

/// A hash read back from hex; `None` when it is not 64 hex digits.
pub fn from_hex(text: &str) -> Option<Digest> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

/// The head of a chain: the last entry's sequence number and hash (0 and [`GENESIS`] when empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: Digest,
}

impl Head {
    pub const EMPTY: Head = Head {
        seq: 0,
        hash: GENESIS,
    };

    /// Appends `entry` (whose `seq` is ignored and set to the next number): its hash, and the
    /// head moves to it.
    pub fn append(&mut self, entry: Entry) -> (i64, Digest) {
        let seq = self.seq + 1;
        let hash = link(&self.hash, &Entry { seq, ..entry });
        *self = Head { seq, hash };
        (seq, hash)
    }
}

/// An entry as stored: its row id, and its sequence number and hash as the database holds them
/// (absent on a row written around the application).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub id: i64,
    pub seq: Option<i64>,
    pub hash: Option<String>,
    pub at: i64,
    pub actor: String,
    pub entity: String,
    pub entity_key: String,
    pub entity_id: Option<i64>,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What broke the chain, at the first place it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breach {
    /// The entry's fields (or its hash) are not what was chained.
    Altered { id: i64, seq: i64 },
    /// Entries `from..=to` are missing before the entry with row id `next_id` (`None` when they
    /// were the last ones).
    Removed {
        from: i64,
        to: i64,
        next_id: Option<i64>,
    },
    /// An entry that was never chained: no sequence number, one already taken, or one beyond
    /// the head the application recorded.
    Inserted { id: i64 },
}

impl Breach {
    /// The sentence `zhaoshang audit verify` prints.
    pub fn describe(&self) -> String {
        match self {
            Breach::Altered { id, seq } => {
                format!("第 {seq} 条（记录号 {id}）被修改：内容与哈希链不符")
            }
            Breach::Removed {
                from,
                to,
                next_id: Some(next),
            } => format!("第 {from}–{to} 条被删除（在记录号 {next} 之前）"),
            Breach::Removed {
                from,
                to,
                next_id: None,
            } => format!("第 {from}–{to} 条被删除（日志末尾）"),
            Breach::Inserted { id } => format!("记录号 {id} 是链外插入的条目"),
        }
    }
}

/// Walks stored entries in sequence order (entries without one first, which are always
/// breaches) and keeps the first breach.
#[derive(Debug)]
pub struct Verifier {
    prev: Head,
    checked: u64,
    breach: Option<Breach>,
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Verifier {
    pub fn new() -> Self {
        Verifier {
            prev: Head::EMPTY,
            checked: 0,
            breach: None,
        }
    }

    /// Whether a breach was found; the rest need not be read.
    pub fn broken(&self) -> bool {
        self.breach.is_some()
    }

    pub fn check(&mut self, entry: &StoredEntry) {
        if self.breach.is_some() {
            return;
        }
        self.checked += 1;
        let Some(seq) = entry.seq else {
            self.breach = Some(Breach::Inserted { id: entry.id });
            return;
        };
        let expected = self.prev.seq + 1;
        if seq < expected {
            self.breach = Some(Breach::Inserted { id: entry.id });
            return;
        }
        if seq > expected {
            self.breach = Some(Breach::Removed {
                from: expected,
                to: seq - 1,
                next_id: Some(entry.id),
            });
            return;
        }
        let hash = link(
            &self.prev.hash,
            &Entry {
                seq,
                at: entry.at,
                actor: &entry.actor,
                entity: &entry.entity,
                entity_key: &entry.entity_key,
                entity_id: entry.entity_id,
                action: &entry.action,
                before: entry.before.as_deref(),
                after: entry.after.as_deref(),
            },
        );
        if entry.hash.as_deref().and_then(from_hex) != Some(hash) {
            self.breach = Some(Breach::Altered { id: entry.id, seq });
            return;
        }
        self.prev = Head { seq, hash };
    }

    /// The verdict once every entry was offered, against the head the application recorded
    /// with its last commit: entries missing at the end, or a chain that goes past it.
    pub fn finish(mut self, recorded: Head, last_id: Option<i64>) -> Verdict {
        if self.breach.is_none() {
            if self.prev.seq < recorded.seq {
                self.breach = Some(Breach::Removed {
                    from: self.prev.seq + 1,
                    to: recorded.seq,
                    next_id: None,
                });
            } else if self.prev != recorded {
                self.breach = Some(Breach::Inserted {
                    id: last_id.unwrap_or_default(),
                });
            }
        }
        Verdict {
            checked: self.checked,
            head: self.prev,
            breach: self.breach,
        }
    }
}

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Entries read.
    pub checked: u64,
    /// The last entry that held.
    pub head: Head,
    pub breach: Option<Breach>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredEntry> {
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
                let (seq, hash) = head.append(entry);
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
        let mut verifier = Verifier::new();
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
        );
        assert_eq!(from_hex(&to_hex(&digest)), Some(digest));
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex(&"g".repeat(64)), None);
    }
}
