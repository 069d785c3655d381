//! `zhaoshang remind` and the server's daily round (issue 22.5): post the 督办 messages due on
//! the follow-up date, then deliver what is not yet delivered — one digest per account by
//! e-mail over the office's SMTP relay (lettre), and one digest for the group by webhook (a
//! 政务微信/钉钉 robot's `{"msgtype":"text"}`). Both are off until configured; every message is in
//! the app whatever happens to them; a message is marked delivered only once it went out, and
//! never sent again.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use store::{Channel, Message, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::context::{Context, actor};

/// Where digests go; nothing when neither is set.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Delivery {
    /// The office's SMTP relay for the daily digest, `smtp://HOST[:PORT]` (plain SMTP on an
    /// intranet relay; port 25 by default). Off when absent.
    #[arg(long, env = "ZHAOSHANG_SMTP", value_name = "URL")]
    pub smtp: Option<String>,
    /// The digest's sender address.
    #[arg(
        long,
        env = "ZHAOSHANG_MAIL_FROM",
        default_value = "zhaoshang@localhost",
        value_name = "ADDRESS"
    )]
    pub mail_from: String,
    /// A group robot's webhook (`http://HOST[:PORT]/PATH` on the intranet). Off when absent.
    #[arg(long, env = "ZHAOSHANG_WEBHOOK", value_name = "URL")]
    pub webhook: Option<String>,
}

#[derive(clap::Args)]
pub struct RemindArgs {
    #[command(flatten)]
    pub delivery: Delivery,
}

/// What one round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub posted: usize,
    pub emails: usize,
    pub webhooks: usize,
}

pub async fn run(cx: &Context, args: RemindArgs) -> Result<()> {
    let store = cx.open().await?;
    let round = round(&store, &args.delivery).await?;
    println!(
        "督办提醒：新增消息{}条，发送邮件{}封，推送群消息{}次",
        round.posted, round.emails, round.webhooks
    );
    Ok(())
}

/// Posts what is due on the follow-up date and delivers what is undelivered.
pub async fn round(store: &Store, delivery: &Delivery) -> Result<Round> {
    let today = store.follow_up_date().await?;
    let due = store.due_messages(today).await?;
    let mut tx = store.begin(&actor(Some("督办提醒".into()))).await?;
    let posted = tx.post_messages(&due).await?;
    tx.commit().await?;
    let mut round = Round {
        posted,
        ..Round::default()
    };
    if let Some(url) = &delivery.smtp {
        round.emails = email(store, url, &delivery.mail_from).await?;
    }
    if let Some(url) = &delivery.webhook {
        round.webhooks = webhook(store, url).await?;
    }
    Ok(round)
}

/// The server's daily round: once at start, then every day; a failure is logged and tried
/// again the next day, never stopping the server.
pub fn spawn_daily(store: Store, delivery: Delivery) {
    tokio::spawn(async move {
        let mut every_day = tokio::time::interval(Duration::from_secs(24 * 3600));
        loop {
            every_day.tick().await;
            match round(&store, &delivery).await {
                Ok(r) => tracing::info!(
                    posted = r.posted,
                    emails = r.emails,
                    webhooks = r.webhooks,
                    "督办提醒"
                ),
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "督办提醒未完成，明日再试"),
            }
        }
    });
}

fn digest(messages: &[&Message]) -> String {
    let mut text = String::new();
    for m in messages {
        text.push_str(&format!("【{}】{}\n  {}\n", m.kind.label(), m.body, m.link));
    }
    text
}

/// One e-mail per account with an address; the messages of accounts without one count as
/// delivered (they are in the app).
async fn email(store: &Store, url: &str, from: &str) -> Result<usize> {
    let (host, port) = host_port(url, "smtp://", 25)?;
    let from: lettre::message::Mailbox = from
        .parse()
        .with_context(|| format!("发件地址“{from}”格式不正确"))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .timeout(Some(Duration::from_secs(30)))
        .build();
    let addresses = store.emails().await?;
    let pending = store.undelivered(Channel::Email).await?;
    let mut by_reader: BTreeMap<&str, Vec<&Message>> = BTreeMap::new();
    for m in &pending {
        by_reader.entry(m.recipient.as_str()).or_default().push(m);
    }
    let mut sent = 0;
    for (reader, messages) in by_reader {
        let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
        if let Some(address) = addresses.get(reader) {
            let to: lettre::message::Mailbox = address
                .parse()
                .with_context(|| format!("{reader}的邮箱“{address}”格式不正确"))?;
            let mail = lettre::Message::builder()
                .from(from.clone())
                .to(to)
                .subject(format!("招商平台督办提醒（{}条）", messages.len()))
                .header(ContentType::TEXT_PLAIN)
                .body(digest(&messages))
                .context("邮件内容无法生成")?;
            transport
                .send(mail)
                .await
                .with_context(|| format!("邮件发送失败（{url}）"))?;
            sent += 1;
        }
        let mut tx = store.begin(&actor(Some("督办提醒".into()))).await?;
        tx.mark_delivered(Channel::Email, &ids).await?;
        tx.commit().await?;
    }
    Ok(sent)
}

/// One group message with every undelivered message, by reader.
async fn webhook(store: &Store, url: &str) -> Result<usize> {
    let pending = store.undelivered(Channel::Webhook).await?;
    if pending.is_empty() {
        return Ok(0);
    }
    let names: BTreeMap<String, String> = store
        .users()
        .await?
        .into_iter()
        .map(|u| (u.username, u.display_name))
        .collect();
    let mut text = format!("招商平台督办提醒（{}条）\n", pending.len());
    let mut by_reader: BTreeMap<&str, Vec<&Message>> = BTreeMap::new();
    for m in &pending {
        by_reader.entry(m.recipient.as_str()).or_default().push(m);
    }
    for (reader, messages) in &by_reader {
        let name = names.get(*reader).map_or(*reader, String::as_str);
        text.push_str(&format!("\n{name}：\n{}", digest(messages)));
    }
    let body = serde_json::json!({"msgtype": "text", "text": {"content": text}}).to_string();
    post_json(url, &body).await?;
    let ids: Vec<i64> = pending.iter().map(|m| m.id).collect();
    let mut tx = store.begin(&actor(Some("督办提醒".into()))).await?;
    tx.mark_delivered(Channel::Webhook, &ids).await?;
    tx.commit().await?;
    Ok(1)
}

/// `scheme//HOST[:PORT][/PATH]` as host, port (and path).
fn host_port(url: &str, scheme: &str, default_port: u16) -> Result<(String, u16)> {
    let (host, port, _) = split_url(url, scheme, default_port)?;
    Ok((host, port))
}

fn split_url(url: &str, scheme: &str, default_port: u16) -> Result<(String, u16, String)> {
    let Some(rest) = url.strip_prefix(scheme) else {
        bail!("地址“{url}”应以 {scheme} 开头");
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_owned()),
        None => (rest, "/".to_owned()),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse()
                .with_context(|| format!("地址“{url}”的端口不正确"))?,
        ),
        None => (authority, default_port),
    };
    if host.is_empty() {
        bail!("地址“{url}”缺少主机名");
    }
    Ok((host.to_owned(), port, path))
}

/// A JSON POST over plain HTTP/1.1 (the robot sits on the intranet); a 2xx answer is success.
async fn post_json(url: &str, body: &str) -> Result<()> {
    let (host, port, path) = split_url(url, "http://", 80)?;
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect((host.as_str(), port)).await?;
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await?;
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply).await?;
        Ok::<_, std::io::Error>(reply)
    };
    let reply = tokio::time::timeout(Duration::from_secs(30), exchange)
        .await
        .with_context(|| format!("群消息推送超时（{url}）"))?
        .with_context(|| format!("群消息推送失败（{url}）"))?;
    let head = String::from_utf8_lossy(&reply);
    let status = head.split_whitespace().nth(1).unwrap_or_default();
    if !status.starts_with('2') {
        bail!("群消息推送被拒绝（{url}）：HTTP {status}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_url;

    #[test]
    fn urls_are_read_with_their_defaults() {
        let (h, p, path) = split_url("smtp://mail.gov.local", "smtp://", 25).unwrap_or_default();
        assert_eq!((h.as_str(), p, path.as_str()), ("mail.gov.local", 25, "/"));
        let (h, p, path) =
            split_url("http://10.1.2.3:8080/robot/send?key=x", "http://", 80).unwrap_or_default();
        assert_eq!(
            (h.as_str(), p, path.as_str()),
            ("10.1.2.3", 8080, "/robot/send?key=x")
        );
        assert!(split_url("https://x", "http://", 80).is_err());
        assert!(split_url("http://:80/", "http://", 80).is_err());
        assert!(split_url("http://h:port/", "http://", 80).is_err());
    }
}
