//! `zhaoshang audit verify`: the audit log checked against its hash chain.

use std::process::ExitCode;

use anyhow::Result;

use crate::context::Context;

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Checks the whole log against its hash chain and names the first entry altered, removed
    /// or inserted behind the application's back; exits with 1 when one is found. Prints the
    /// head's hash, to be kept outside the database and compared later.
    Verify,
}

pub async fn run(cx: &Context, command: AuditCommand) -> Result<ExitCode> {
    let AuditCommand::Verify = command;
    let store = cx.open().await?;
    let verdict = store.verify_audit().await?;
    println!("已核验审计日志 {} 条。", verdict.checked);
    let head = domain::audit::to_hex(&verdict.head.hash);
    if let Some(breach) = verdict.breach {
        println!("审计日志被篡改：{}。", breach.describe());
        println!(
            "在此之前的最后一条完好记录：第 {} 条，哈希 {head}",
            verdict.head.seq
        );
        return Ok(ExitCode::FAILURE);
    }
    println!("哈希链完整。链头：第 {} 条，哈希 {head}", verdict.head.seq);
    Ok(ExitCode::SUCCESS)
}
