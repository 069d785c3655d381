//! `zhaoshang remind` on the demo city (records as of 2022-12-31), on both databases: the
//! 督办 messages posted to each account, one e-mail digest per account with an address through a
//! local SMTP sink, one group digest through a local webhook receiver — and nothing sent twice.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::{Arc, Mutex};

use domain::access::Role;
use store::both_databases;
use store::testing::TestDb;

fn zhaoshang(db: &TestDb, args: &[&str]) -> (bool, String) {
    let index = std::env::temp_dir().join(format!("zhaoshang-remind-{}", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_zhaoshang"))
        .arg("--db")
        .arg(&db.url)
        .args(args)
        .env_remove("ZHAOSHANG_DB")
        .env_remove("ZHAOSHANG_SMTP")
        .env_remove("ZHAOSHANG_WEBHOOK")
        .env("ZHAOSHANG_INDEX", index)
        .output()
        .expect("run zhaoshang");
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

/// A mail received by the sink: its recipients and its data.
#[derive(Debug, Clone)]
struct Mail {
    to: Vec<String>,
    data: String,
}

/// A minimal SMTP server on a free local port, keeping every mail it is given.
fn smtp_sink() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let kept = mails.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut writer = stream.try_clone().unwrap();
            let mut reader = BufReader::new(stream);
            let mut say = |line: &str| writer.write_all(format!("{line}\r\n").as_bytes());
            let _ = say("220 sink ESMTP");
            let mut to = Vec::new();
            let mut line = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let command = line.trim_end().to_ascii_uppercase();
                if command.starts_with("EHLO") || command.starts_with("HELO") {
                    let _ = say("250 sink");
                } else if command.starts_with("RCPT TO:") {
                    to.push(line.trim_end()[8..].trim().to_owned());
                    let _ = say("250 OK");
                } else if command == "DATA" {
                    let _ = say("354 go ahead");
                    let mut data = String::new();
                    loop {
                        let mut l = String::new();
                        if reader.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                            break;
                        }
                        data.push_str(&l);
                    }
                    kept.lock().unwrap().push(Mail {
                        to: std::mem::take(&mut to),
                        data,
                    });
                    let _ = say("250 queued");
                } else if command == "QUIT" {
                    let _ = say("221 bye");
                    break;
                } else {
                    let _ = say("250 OK");
                }
            }
        }
    });
    (port, mails)
}

/// A local HTTP receiver answering 200, keeping every request body.
fn webhook_receiver() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let kept = bodies.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = Vec::new();
            let mut buf = [0u8; 8192];
            // Headers, then as many bytes as Content-Length says.
            loop {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).into_owned();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        kept.lock()
                            .unwrap()
                            .push(String::from_utf8_lossy(&request[end + 4..]).into_owned());
                        break;
                    }
                }
            }
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        }
    });
    (port, bodies)
}

async fn the_digest_goes_out_once_by_mail_and_webhook(db: &TestDb) {
    let (ok, out) = zhaoshang(db, &["demo"]);
    assert!(ok, "{out}");
    let store = db.open().await.unwrap();
    let mut tx = store.begin("test").await.unwrap();
    let hash = store::accounts::hash_password_cheaply("correct horse").unwrap();
    for (username, role, unit) in [
        ("leader", Role::CityLeader, None),
        ("jixian", Role::UnitStaff, Some("集贤县")),
        ("ziran", Role::UnitStaff, Some("市自然资源局")),
    ] {
        tx.add_user(username, username, role, unit, &hash)
            .await
            .unwrap();
    }
    tx.link_leader("leader", Some("陈立新")).await.unwrap();
    tx.commit().await.unwrap();
    for (user, address) in [
        ("jixian", "jixian@zs.gov.local"),
        ("leader", "chen@zs.gov.local"),
    ] {
        let (ok, out) = zhaoshang(db, &["user", "email", user, address]);
        assert!(ok && out.contains("已设置"), "{out}");
    }
    let (ok, out) = zhaoshang(db, &["user", "email", "ziran", "不是邮箱"]);
    assert!(!ok && out.contains("电子邮箱“不是邮箱”格式不正确"), "{out}");

    let (smtp, mails) = smtp_sink();
    let (hook, bodies) = webhook_receiver();
    let smtp_url = format!("smtp://127.0.0.1:{smtp}");
    let hook_url = format!("http://127.0.0.1:{hook}/robot/send?access_token=t");
    let args = [
        "remind",
        "--smtp",
        smtp_url.as_str(),
        "--mail-from",
        "zhaoshang@zs.gov.local",
        "--webhook",
        hook_url.as_str(),
    ];
    let (ok, out) = zhaoshang(db, &args);
    assert!(ok, "{out}");
    assert!(out.contains("发送邮件2封，推送群消息1次"), "{out}");
    let sent = mails.lock().unwrap().clone();
    assert_eq!(sent.len(), 2, "{sent:?}");
    let to_jixian = sent
        .iter()
        .find(|m| m.to.iter().any(|t| t.contains("jixian@zs.gov.local")))
        .unwrap();
    // 2022-12-31 is in the month's last five days: the closing reaches every unit's staff.
    assert!(
        to_jixian.data.contains("Subject: =?utf-8?") || to_jixian.data.contains("Subject: "),
        "{}",
        to_jixian.data
    );
    let body = decoded(&to_jixian.data);
    assert!(body.contains("2022-12的月度填报即将截止"), "{body}");
    let to_leader = sent
        .iter()
        .find(|m| m.to.iter().any(|t| t.contains("chen@zs.gov.local")))
        .unwrap();
    assert!(
        decoded(&to_leader.data).contains("已升级至您协调"),
        "{}",
        to_leader.data
    );
    let hooks = bodies.lock().unwrap().clone();
    assert_eq!(hooks.len(), 1);
    let json: serde_json::Value = serde_json::from_str(&hooks[0]).unwrap();
    assert_eq!(json["msgtype"], "text");
    let text = json["text"]["content"].as_str().unwrap();
    assert!(
        text.starts_with("招商平台督办提醒（")
            && text.contains("ziran：")
            && text.contains("jixian："),
        "{text}"
    );

    // Again: nothing new to post, nothing sent twice.
    let (ok, out) = zhaoshang(db, &args);
    assert!(
        ok && out.contains("新增消息0条，发送邮件0封，推送群消息0次"),
        "{out}"
    );
    assert_eq!(mails.lock().unwrap().len(), 2);
    assert_eq!(bodies.lock().unwrap().len(), 1);
    // Every message is in the app, whatever was mailed.
    assert!(!store.messages_for("ziran", 10).await.unwrap().is_empty());

    // A relay that does not answer: the command fails saying so and marks nothing delivered;
    // the next round sends it.
    let mut tx = store.begin("test").await.unwrap();
    let late = store::NewMessage {
        recipient: "jixian".into(),
        kind: domain::reminders::MessageKind::Overdue,
        dedup: "test:late".into(),
        body: "测试：逾期提醒".into(),
        link: "/my".into(),
    };
    assert_eq!(tx.post_messages(&[late]).await.unwrap(), 1);
    tx.commit().await.unwrap();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let dead = format!("smtp://127.0.0.1:{port}");
    let (ok, out) = zhaoshang(db, &["remind", "--smtp", dead.as_str()]);
    assert!(!ok && out.contains("邮件发送失败"), "{out}");
    let (ok, out) = zhaoshang(db, &["remind", "--smtp", smtp_url.as_str()]);
    assert!(ok && out.contains("发送邮件1封"), "{out}");
    let sent = mails.lock().unwrap().clone();
    assert!(sent.len() == 3 && decoded(&sent[2].data).contains("测试：逾期提醒"));
}

/// The text of a mail's body: lettre writes UTF-8 bodies as base64 or quoted-printable.
fn decoded(data: &str) -> String {
    let (headers, body) = data.split_once("\r\n\r\n").unwrap_or((data, ""));
    if headers.contains("Content-Transfer-Encoding: base64") {
        let joined: String = body.split_whitespace().collect();
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(joined)
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    } else if headers.contains("quoted-printable") {
        let mut out = Vec::new();
        let raw = body.replace("=\r\n", "");
        let bytes = raw.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && let Ok(b) = u8::from_str_radix(&raw[i + 1..i + 3], 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    } else {
        body.to_owned()
    }
}

both_databases!(the_digest_goes_out_once_by_mail_and_webhook);
