//! `zhaoshang backup` and `zhaoshang restore` for the embedded database. A backup is taken
//! while the server runs and checked before it is called good; a restore checks the backup
//! before it replaces anything, and replaces the database file in one rename.

use std::path::Path;

use anyhow::{Context, Result, bail};
use store::{AuditKey, Store};

/// What a checked database holds: the entries of its audit log (chain intact under `key`, the
/// live database's: a backup holds no key of its own).
async fn check(url: &str, key: AuditKey) -> Result<u64> {
    let store = Store::open_with_key(url, key)
        .await
        .with_context(|| format!("无法打开 {url}"))?;
    let integrity = store.integrity_check().await?;
    if integrity != "ok" {
        bail!("数据库文件已损坏：{integrity}");
    }
    let verdict = store.verify_audit().await?;
    store.close().await;
    if let Some(breach) = verdict.breach {
        bail!("审计日志被篡改：{}", breach.describe());
    }
    Ok(verdict.checked)
}

/// A SQLite file's own account of its length (header: page size and page count) against the
/// file's: a copy cut short is refused at once, before anything tries to open it.
fn whole_sqlite_file(path: &Path) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("无法读取 {}", path.display()))?;
    if bytes.len() < 100 || &bytes[..16] != b"SQLite format 3\0" {
        bail!("{} 不是 SQLite 数据库文件", path.display());
    }
    let page_size = match u16::from_be_bytes([bytes[16], bytes[17]]) {
        1 => 65_536,
        size => u64::from(size),
    };
    let pages = u64::from(u32::from_be_bytes([
        bytes[28], bytes[29], bytes[30], bytes[31],
    ]));
    if page_size * pages != bytes.len() as u64 {
        bail!(
            "{} 不完整：应有 {} 字节，实有 {} 字节",
            path.display(),
            page_size * pages,
            bytes.len()
        );
    }
    Ok(())
}

pub async fn backup(store: &Store, file: &Path) -> Result<String> {
    store.backup_to(file).await?;
    whole_sqlite_file(file).context("备份文件未通过检查")?;
    let entries = check(&format!("sqlite:{}", file.display()), store.audit_key())
        .await
        .context("备份文件未通过检查")?;
    Ok(format!(
        "已备份到 {}（文件完整，审计日志 {entries} 条，哈希链完整）。",
        file.display()
    ))
}

/// Replaces the database at `url` (a SQLite file; the server must be stopped) with the
/// backup `file`, after checking a copy of it under the audit `key`.
pub async fn restore(url: &str, file: &Path, force: bool, key: AuditKey) -> Result<String> {
    let Some(target) = store::sqlite_file(url) else {
        bail!("PostgreSQL 数据库请用 pg_restore 恢复（见 README）");
    };
    if !file.is_file() {
        bail!("备份文件 {} 不存在", file.display());
    }
    whole_sqlite_file(file).context("备份文件未通过检查，未做任何替换")?;
    if target.exists() && !force {
        bail!(
            "{} 已存在；确认服务已停止后加 --force 以备份内容替换它",
            target.display()
        );
    }
    let staged = target.with_extension("restoring");
    let _ = std::fs::remove_file(&staged);
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::copy(file, &staged).with_context(|| format!("无法复制 {}", file.display()))?;
    // The copy is checked (and brought to this version's schema) before it replaces anything.
    let entries = match check(&format!("sqlite:{}", staged.display()), key).await {
        Ok(entries) => entries,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e.context("备份文件未通过检查，未做任何替换"));
        }
    };
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
        let _ = std::fs::remove_file(format!("{}{suffix}", staged.display()));
    }
    std::fs::rename(&staged, &target)?;
    Ok(format!(
        "已从 {} 恢复到 {}（审计日志 {entries} 条，哈希链完整）。",
        file.display(),
        target.display()
    ))
}

/// `zhaoshang backup FILE`.
pub async fn run_backup(cx: &crate::context::Context, file: &Path) -> Result<()> {
    let store = cx.open().await?;
    println!("{}", backup(&store, file).await?);
    Ok(())
}

/// `zhaoshang restore FILE [--force]`.
pub async fn run_restore(cx: &crate::context::Context, file: &Path, force: bool) -> Result<()> {
    let url = cx.url();
    println!("{}", restore(&url, file, force, cx.audit_key(&url)?).await?);
    Ok(())
}
