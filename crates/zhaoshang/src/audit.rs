//! `zhaoshang audit verify` and `audit head`: the audit log checked against its keyed hash
//! chain, and the chain's head exported to be checked against later.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use domain::audit::{GENESIS, Verdict, to_hex};
use store::Store;

use crate::context::Context;

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Checks the whole log against its hash chain and names the first entry altered, removed
    /// or inserted behind the application's back; exits with 1 when one is found. Prints the
    /// head's hash. With --expect FILE (written earlier by `audit head`), also checks that the
    /// head exported then is still on the chain; exits with 1 when it is not.
    Verify {
        #[arg(long, value_name = "FILE")]
        expect: Option<std::path::PathBuf>,
    },
    /// Checks the chain, then prints its head as one line (`audit head > FILE`), to be kept
    /// outside the database and given back to `audit verify --expect FILE`.
    Head,
}

pub async fn run(cx: &Context, command: AuditCommand) -> Result<ExitCode> {
    match command {
        AuditCommand::Verify { expect } => {
            // A file that cannot be read is refused before the log is walked.
            let expected = expect.as_deref().map(ExportedHead::read).transpose()?;
            let store = cx.open().await?;
            verify(&store, expected.as_ref()).await
        }
        AuditCommand::Head => head(&cx.open().await?).await,
    }
}

async fn verify(store: &Store, expected: Option<&ExportedHead>) -> Result<ExitCode> {
    let verdict = store.verify_audit().await?;
    println!("已核验审计日志 {} 条。", verdict.checked);
    let head = to_hex(&verdict.head.hash);
    if let Some(breach) = &verdict.breach {
        println!("审计日志被篡改：{}。", breach.describe());
        if verdict.head.seq > 0 {
            println!(
                "在此之前的最后一条完好记录：第 {} 条，哈希 {head}",
                verdict.head.seq
            );
        }
        return Ok(ExitCode::FAILURE);
    }
    println!("哈希链完整。链头：第 {} 条，哈希 {head}", verdict.head.seq);
    if let Some(from) = verdict.keyed_from {
        println!(
            "自第 {from} 条起以审计密钥签名（密钥指纹 {}）。",
            store.audit_key_fingerprint()
        );
    }
    let Some(expected) = expected else {
        return Ok(ExitCode::SUCCESS);
    };
    match expected.departure(store, &verdict).await? {
        Some(problem) => {
            println!("{problem}");
            Ok(ExitCode::FAILURE)
        }
        None => {
            println!(
                "导出时的链头仍在链上，其后新增 {} 条。",
                verdict.head.seq - expected.seq
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prints the head only when the chain holds: a head exported from a broken chain would vouch
/// for the breach.
async fn head(store: &Store) -> Result<ExitCode> {
    let verdict = store.verify_audit().await?;
    if let Some(breach) = &verdict.breach {
        eprintln!("审计日志被篡改：{}。未导出链头。", breach.describe());
        return Ok(ExitCode::FAILURE);
    }
    let exported = ExportedHead {
        seq: verdict.head.seq,
        hash: to_hex(&verdict.head.hash),
        keyed_from: verdict.keyed_from,
        key: Some(store.audit_key_fingerprint()),
    };
    println!("{}", exported.line());
    Ok(ExitCode::SUCCESS)
}

/// A head as `audit head` writes it: one line of `name=value` words,
/// `seq=N hash=HEX keyed_from=K key=FINGERPRINT`. Only `seq` and `hash` are required, so a
/// head noted by hand from `audit verify`'s output can be given back too.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ExportedHead {
    seq: i64,
    hash: String,
    keyed_from: Option<i64>,
    key: Option<String>,
}

impl ExportedHead {
    fn line(&self) -> String {
        let mut line = format!("seq={} hash={}", self.seq, self.hash);
        if let Some(from) = self.keyed_from {
            line.push_str(&format!(" keyed_from={from}"));
        }
        if let Some(key) = &self.key {
            line.push_str(&format!(" key={key}"));
        }
        line
    }

    fn parse(text: &str) -> Option<ExportedHead> {
        let (mut seq, mut hash, mut keyed_from, mut key) = (None, None, None, None);
        for word in text.split_whitespace() {
            match word.split_once('=') {
                Some(("seq", v)) => seq = Some(v.parse::<i64>().ok()?),
                Some(("hash", v)) => hash = Some(v.to_ascii_lowercase()),
                Some(("keyed_from", v)) => keyed_from = Some(v.parse::<i64>().ok()?),
                Some(("key", v)) => key = Some(v.to_owned()),
                _ => {}
            }
        }
        let (seq, hash) = (seq?, hash?);
        (seq >= 0 && domain::audit::from_hex(&hash).is_some()).then_some(ExportedHead {
            seq,
            hash,
            keyed_from,
            key,
        })
    }

    fn read(path: &Path) -> Result<ExportedHead> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("无法读取链头文件 {}", path.display()))?;
        match ExportedHead::parse(&text) {
            Some(head) => Ok(head),
            None => bail!(
                "{} 不是 zhaoshang audit head 导出的链头（应有一行 seq=… hash=…）",
                path.display()
            ),
        }
    }

    /// How the chain, verified as `verdict`, departs from this head: `None` when the entry it
    /// names is still on the chain with its hash, keyed as it was.
    async fn departure(&self, store: &Store, verdict: &Verdict) -> Result<Option<String>> {
        let seq = self.seq;
        if seq > verdict.head.seq {
            return Ok(Some(format!(
                "导出时的链头（第 {seq} 条）已不在链上：链现只到第 {} 条。",
                verdict.head.seq
            )));
        }
        let now = if seq == 0 {
            Some(to_hex(&GENESIS))
        } else {
            store.audit_hash_at(seq).await?
        };
        match now {
            None => return Ok(Some(format!("导出时的链头（第 {seq} 条）已不在链上。"))),
            Some(now) if now != self.hash => {
                return Ok(Some(format!(
                    "导出时的链头（第 {seq} 条）已被改写：现哈希 {now}，导出时为 {}。",
                    self.hash
                )));
            }
            Some(_) => {}
        }
        if let Some(from) = self.keyed_from
            && verdict.keyed_from != Some(from)
        {
            let now = verdict
                .keyed_from
                .map_or_else(|| "无".to_owned(), |k| format!("第 {k} 条"));
            return Ok(Some(format!(
                "审计链的签名起点已变：导出时自第 {from} 条起，现为{now}。"
            )));
        }
        if let Some(key) = &self.key {
            let ours = store.audit_key_fingerprint();
            if *key != ours {
                return Ok(Some(format!(
                    "导出时的审计密钥（指纹 {key}）与现用的（指纹 {ours}）不同。"
                )));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exported_head_reads_back_and_a_hand_noted_one_is_enough() {
        let head = ExportedHead {
            seq: 12,
            hash: "ab".repeat(32),
            keyed_from: Some(1),
            key: Some("0123456789abcdef".into()),
        };
        assert_eq!(
            ExportedHead::parse(&format!("{}\n", head.line())),
            Some(head)
        );
        let by_hand = ExportedHead::parse(&format!("seq=3 hash={}", "CD".repeat(32)));
        assert_eq!(
            by_hand.map(|h| (h.seq, h.hash, h.keyed_from)),
            Some((3, "cd".repeat(32), None))
        );
        let negative = format!("seq=-1 hash={}", "0".repeat(64));
        for bad in ["", "seq=3", "seq=x hash=00", negative.as_str()] {
            assert_eq!(ExportedHead::parse(bad), None, "{bad}");
        }
    }
}
