//! What the tests that drive the real binary share: the demo server started as an office
//! starts it (`zhaoshang serve --demo`) on a database of the test's, and the accounts' passwords
//! it prints.

#![allow(dead_code, clippy::unwrap_used)] // Each test binary uses part of it; a test fails by panicking.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A child process killed when dropped, so that a failing test leaves no server behind.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `zhaoshang serve --demo` on the database `db_url` with its index in `dir`: the process, its
/// address and each demo account's password as printed at start.
pub fn demo_server(db_url: &str, dir: &Path) -> (Process, SocketAddr, HashMap<String, String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhaoshang"))
        .args(["--db", db_url])
        .arg("--index")
        .arg(dir.join("index"))
        .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
        .env_remove("ZHAOSHANG_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut passwords = HashMap::new();
    let addr = loop {
        let line = lines
            .next()
            .expect("the demo server printed its address")
            .unwrap();
        if let Some(rest) = line.strip_prefix("已启动: http://") {
            break rest.trim_end_matches('/').parse().unwrap();
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if let (Some(u), Some(p)) = (
            words.iter().position(|w| *w == "用户名"),
            words.iter().position(|w| *w == "密码"),
        ) {
            passwords.insert(words[u + 1].to_owned(), words[p + 1].to_owned());
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (Process(child), addr, passwords)
}
