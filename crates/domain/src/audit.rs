//! The audit log's hash chain. Every change-log entry carries a sequence number and a hash of
//! the previous entry's hash and its own fields, so that an entry altered, removed or inserted
//! by hand in the database breaks the chain at that entry. [`Verifier`] walks the entries in
//! sequence order and names the first one that does not hold.
//!
//! A plain SHA-256 chain proves order and completeness only against someone who cannot also
//! hash every later entry again, which anyone holding the database can. So from the entry a
//! [`Keying`] names on, the hash is an HMAC-SHA256 under a [`Key`] kept outside the database:
//! without the key, a rewritten tail cannot be hashed to fit. Entries written before the chain
//! was keyed keep their plain hash, and the first keyed entry, which covers the hash before it,
//! pins them. The head's hash, which `zhaoshang audit head` exports, is what an operator keeps
//! elsewhere against someone who holds the key as well.
//!
//! The key is given, never read here: this crate does no I/O.

use std::fmt;

use hmac::digest::{FixedOutput, Update};
use hmac::{Hmac, KeyInit};
use sha2::Sha256;

/// A SHA-256 digest (or an HMAC-SHA256 tag).
pub type Digest = [u8; 32];

/// The hash the first entry is chained to.
pub const GENESIS: Digest = [0; 32];

/// The secret the chain is keyed with: 32 random bytes. Its `Debug` shows the fingerprint only.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; 32]);

impl Key {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Key(bytes)
    }

    /// A key written as 64 hex digits (as the key file holds it); `None` otherwise.
    pub fn from_hex(text: &str) -> Option<Self> {
        from_hex(text).map(Key)
    }

    /// The key as 64 lower-case hex digits, as the key file holds it.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    /// A name for the key that reveals nothing of it: 16 hex digits of the SHA-256 of a label
    /// and the key. The database keeps it so that a server started with another key file is
    /// refused instead of chaining on with a key nobody can verify against the rest.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::default();
        hasher.update(b"zhaoshang audit key");
        hasher.update(&self.0);
        let digest: Digest = hasher.finalize_fixed().into();
        to_hex(&digest)[..16].to_owned()
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC pads a key shorter than the hash's block with zeros; padding it here gives the
        // same MAC through the constructor that cannot fail.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.0);
        let block = hmac::digest::Key::<Hmac<Sha256>>::from(block);
        <Hmac<Sha256> as KeyInit>::new(&block)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

/// A chain keyed with `key` from the entry numbered `from` on; the entries before it have
/// plain SHA-256 hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keying {
    pub key: Key,
    pub from: i64,
}

impl Keying {
    /// The key the entry numbered `seq` is hashed with, `None` for a plain hash.
    pub fn key_for(&self, seq: i64) -> Option<&Key> {
        (seq >= self.from).then_some(&self.key)
    }

    /// The key's MAC of where the keying starts. Kept beside the head, it stops someone without
    /// the key from moving the start past the entries they want to hash again without it.
    pub fn tag(&self) -> Digest {
        let mut mac = self.key.mac();
        mac.update(b"zhaoshang audit keyed_from");
        mac.update(&self.from.to_le_bytes());
        mac.finalize_fixed().into()
    }

    /// The keying the database records (`from`, and its `tag` in hex) under a chain whose head
    /// is `head_seq`, if `key` signed it: else the breach, as the first thing found.
    pub fn recorded(
        key: Key,
        from: Option<i64>,
        tag: Option<&str>,
        head_seq: i64,
    ) -> Result<Keying, Breach> {
        let Some(from) = from else {
            return Err(Breach::KeyingAltered { from: None });
        };
        let keying = Keying { key, from };
        let in_range = (1..=head_seq.saturating_add(1)).contains(&from);
        if in_range && tag.and_then(from_hex) == Some(keying.tag()) {
            Ok(keying)
        } else {
            Err(Breach::KeyingAltered { from: Some(from) })
        }
    }
}

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

/// The hash of `entry` chained to `prev`: SHA-256 without a key, HMAC-SHA256 under one. Every
/// field is length-prefixed and an absent one has a marker of its own, so no two different
/// entries hash the same input.
pub fn link(prev: &Digest, entry: &Entry, key: Option<&Key>) -> Digest {
    match key {
        None => {
            let mut hasher = Sha256::default();
            feed(&mut hasher, prev, entry);
            hasher.finalize_fixed().into()
        }
        Some(key) => {
            let mut mac = key.mac();
            feed(&mut mac, prev, entry);
            mac.finalize_fixed().into()
        }
    }
}

/// The input [`link`] hashes, the same with a key or without.
fn feed(hasher: &mut impl Update, prev: &Digest, entry: &Entry) {
    fn text(hasher: &mut impl Update, value: Option<&str>) {
        match value {
            Some(v) => {
                hasher.update(&(v.len() as u64).to_le_bytes());
                hasher.update(v.as_bytes());
            }
            None => hasher.update(&u64::MAX.to_le_bytes()),
        }
    }
    hasher.update(prev);
    hasher.update(&entry.seq.to_le_bytes());
    hasher.update(&entry.at.to_le_bytes());
    text(hasher, Some(entry.actor));
    text(hasher, Some(entry.entity));
    text(hasher, Some(entry.entity_key));
    match entry.entity_id {
        Some(id) => {
            hasher.update(&[1u8]);
            hasher.update(&id.to_le_bytes());
        }
        None => hasher.update(&[0u8]),
    }
    text(hasher, Some(entry.action));
    text(hasher, entry.before);
    text(hasher, entry.after);
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

    /// Appends `entry` (whose `seq` is ignored and set to the next number): its hash, keyed as
    /// `keying` says for that number, and the head moves to it.
    pub fn append(&mut self, entry: Entry, keying: Option<&Keying>) -> (i64, Digest) {
        let seq = self.seq + 1;
        let key = keying.and_then(|k| k.key_for(seq));
        let hash = link(&self.hash, &Entry { seq, ..entry }, key);
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

impl StoredEntry {
    /// The fields the chain hashes, at sequence number `seq` (the stored one may be absent).
    pub fn entry(&self, seq: i64) -> Entry<'_> {
        Entry {
            seq,
            at: self.at,
            actor: &self.actor,
            entity: &self.entity,
            entity_key: &self.entity_key,
            entity_id: self.entity_id,
            action: &self.action,
            before: self.before.as_deref(),
            after: self.after.as_deref(),
        }
    }
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
    /// Where the keying starts was moved (or its record removed): the key did not sign it.
    KeyingAltered { from: Option<i64> },
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
            Breach::KeyingAltered { from: Some(from) } => {
                format!("审计链的签名起点（第 {from} 条）被改动：与审计密钥签出的记录不符")
            }
            Breach::KeyingAltered { from: None } => {
                "审计链的签名记录被删除：无从确认哪些条目须以审计密钥核验".to_owned()
            }
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
    keying: Option<Keying>,
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new(None)
    }
}

impl Verifier {
    /// A verifier of a chain keyed as `keying` says (`None`: plain SHA-256 throughout).
    pub fn new(keying: Option<Keying>) -> Self {
        Verifier {
            prev: Head::EMPTY,
            checked: 0,
            breach: None,
            keying,
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
            &entry.entry(seq),
            self.keying.as_ref().and_then(|k| k.key_for(seq)),
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
            keyed_from: self.keying.map(|k| k.from),
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
    /// The entry from which the chain is keyed, as verified.
    pub keyed_from: Option<i64>,
}
