//! `zhaoshang serve`: the web UI and the API, optionally over a fresh demo city.

use std::net::SocketAddr;

use anyhow::Result;

use crate::context::{Context, actor, open_url};
use crate::{city, find};

/// Where `serve --demo` keeps its database unless `--db` says otherwise.
const DEMO_URL: &str = "sqlite:data/demo/zhaoshang.db";

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Load the demo city into a fresh database (data/demo/) and print one account per role.
    #[arg(long)]
    demo: bool,
    /// Mark the session cookie Secure: set when the server sits behind TLS.
    #[arg(long)]
    secure_cookies: bool,
    /// Behind a reverse proxy: the request header that carries the client's address (its last
    /// value, the one the proxy appends), e.g. `X-Forwarded-For` or `X-Real-IP`. The audit and
    /// the sign-in throttle believe it only when named here; without it, the peer's address.
    #[arg(long, value_name = "HEADER")]
    client_address_header: Option<String>,
    /// Where the daily 督办 digest goes (see `zhaoshang remind`).
    #[command(flatten)]
    delivery: crate::remind::Delivery,
}

pub async fn run(cx: &Context, args: ServeArgs) -> Result<()> {
    let store = if args.demo {
        // A fresh database each time, so the printed accounts always work.
        let url = cx.db.clone().unwrap_or_else(|| DEMO_URL.to_owned());
        if url == DEMO_URL {
            let _ = std::fs::remove_dir_all("data/demo");
        }
        let store = open_url(&url).await?;
        println!("{}", city::load(&store, &actor(None)).await?);
        let accounts = city::add_accounts(&store).await?;
        println!("演示账号（每个角色一个）：");
        for (username, role, password) in &accounts {
            println!("  {role}  用户名 {username}  密码 {password}");
        }
        println!(
            "  （系统管理员、安全管理员、审计员首次登录时须用验证器扫码绑定动态口令，之后每次登录输入6位动态口令）"
        );
        store
    } else {
        cx.open().await?
    };
    // The demo's index lives beside its database, which `--demo` has just recreated.
    let dir = if args.demo && cx.index.is_none() {
        find::index_dir(None, cx.db.as_deref().unwrap_or(DEMO_URL))
    } else {
        cx.index_dir()
    };
    let index = find::open(dir.as_deref())?;
    index
        .catch_up(&store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::remind::spawn_daily(store.clone(), args.delivery.clone());
    let mut state = web::AppState::new(store, args.secure_cookies, index)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(header) = args.client_address_header {
        check_header_name(&header)?;
        state.client_address_header = Some(header.to_ascii_lowercase());
    }
    web::serve(state, args.addr, |bound| {
        println!("已启动: http://{bound}/")
    })
    .await?;
    Ok(())
}

/// Refuses a header name HTTP would not carry, before the server starts.
fn check_header_name(name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        anyhow::bail!("--client-address-header: “{name}”不是有效的请求头名称");
    }
    Ok(())
}
