//! `zhaoshang user add`: an account added from the command line, by the same rules as the
//! 系统管理员's page (`store::accounts`).

use anyhow::Result;
use domain::access::Role;

use crate::context::{Context, actor};

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Adds an account; the password is read from the first line of standard input.
    Add {
        username: String,
        /// sysadmin, secadmin, auditor, leader, bureau, unit or reviewer.
        #[arg(long)]
        role: String,
        /// The unit of a unit account (单位填报员, 县区审核员).
        #[arg(long)]
        unit: Option<String>,
        /// The name shown in the top bar; defaults to the username.
        #[arg(long)]
        name: Option<String>,
        /// For a 市领导 account, the leader it speaks for (their 包保 scope, escalated blockers).
        #[arg(long)]
        leader: Option<String>,
    },
}

pub async fn run(cx: &Context, command: UserCommand) -> Result<()> {
    let UserCommand::Add {
        username,
        role,
        unit,
        name,
        leader,
    } = command;
    let role = Role::parse("角色", &role).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    let store = cx.open().await?;
    let policy = store.security_policy().await?;
    let account = store::accounts::NewAccount {
        username: &username,
        display_name: name.as_deref().unwrap_or(&username),
        role,
        unit: unit.as_deref(),
        leader: leader.as_deref(),
        password,
    };
    let mut tx = store.begin(&actor(None)).await?;
    // The store's refusal is the whole message: `{e}` keeps anyhow from printing it twice.
    tx.add_account(&account, &policy, chrono::Utc::now().timestamp_millis())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tx.commit().await?;
    println!(
        "已添加用户 {username}（{}）。首次登录须修改密码{}。",
        role.label(),
        if role.needs_second_factor() {
            "并绑定动态口令"
        } else {
            ""
        }
    );
    Ok(())
}
