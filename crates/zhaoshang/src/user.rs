//! `zhaoshang user add`: an account added from the command line, by the same rules as the
//! 系统管理员's page (`store::accounts`); `user email`: where its 督办 digest goes.

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
    /// Sets the e-mail address an account's daily 督办 digest goes to; `-` clears it.
    Email { username: String, address: String },
}

pub async fn run(cx: &Context, command: UserCommand) -> Result<()> {
    let (username, role, unit, name, leader) = match command {
        UserCommand::Add {
            username,
            role,
            unit,
            name,
            leader,
        } => (username, role, unit, name, leader),
        UserCommand::Email { username, address } => {
            return set_email(cx, &username, &address).await;
        }
    };
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

async fn set_email(cx: &Context, username: &str, address: &str) -> Result<()> {
    let address = address.trim();
    let address = (address != "-" && !address.is_empty()).then_some(address);
    if let Some(a) = address
        && a.parse::<lettre::Address>().is_err()
    {
        anyhow::bail!("电子邮箱“{a}”格式不正确，应如 wang@example.gov.cn");
    }
    let store = cx.open().await?;
    let mut tx = store.begin(&actor(None)).await?;
    tx.set_email(username, address)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tx.commit().await?;
    match address {
        Some(a) => println!("已设置 {username} 的督办邮箱：{a}"),
        None => println!("已清除 {username} 的督办邮箱"),
    }
    Ok(())
}
