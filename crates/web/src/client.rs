//! A minimal HTTP/1.1 client over a plain TCP connection, for the tests and the benchmark that
//! drive the real server: one request per connection, read to the end.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy where it is not UTF-8).
    pub body: String,
    /// The body as sent, for downloads that are not text (xlsx).
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// # Panics
    /// When the body is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// One HTTP/1.1 request on a fresh connection, read to the end. A failure to connect, send or
/// read is a reply with status 0 and the error as its body.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<(&str, String)>,
) -> Reply {
    send_with(addr, method, path, cookie, &[], body).await
}

/// As [`send`], with more request headers.
pub async fn send_with(
    addr: SocketAddr,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<(&str, String)>,
) -> Reply {
    match exchange(addr, method, path, cookie, headers, body).await {
        Ok(reply) => reply,
        Err(e) => Reply {
            status: 0,
            headers: Vec::new(),
            body: e.to_string(),
            bytes: Vec::new(),
        },
    }
}

async fn exchange(
    addr: SocketAddr,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<(&str, String)>,
) -> std::io::Result<Reply> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(cookie) = cookie {
        head.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let payload = match &body {
        Some((content_type, text)) => {
            head.push_str(&format!(
                "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
                text.len()
            ));
            text.as_bytes().to_vec()
        }
        None => Vec::new(),
    };
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&payload).await?;
    // Read until the headers are in; then the body by its Content-Length when it has one
    // (a server may keep the connection open whatever the request asked), else to the end.
    let mut raw = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    loop {
        let read = stream.read(&mut buffer).await?;
        raw.extend_from_slice(&buffer[..read]);
        let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            if read == 0 {
                break;
            }
            continue;
        };
        let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok());
        match length {
            Some(length) => {
                while raw.len() < end + 4 + length {
                    let read = stream.read(&mut buffer).await?;
                    if read == 0 {
                        break;
                    }
                    raw.extend_from_slice(&buffer[..read]);
                }
            }
            None => {
                stream.read_to_end(&mut raw).await?;
            }
        }
        break;
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or((raw.len(), raw.len()), |end| (end, end + 4));
    let head = String::from_utf8_lossy(&raw[..split.0]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        })
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let bytes = if chunked {
        dechunk(&raw[split.1..])
    } else {
        raw[split.1..].to_vec()
    };
    Ok(Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    })
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&rest[..line_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let after = &rest[line_end + 2..];
        out.extend_from_slice(after.get(..size).unwrap_or(after));
        rest = after.get(size + 2..).unwrap_or(&[]);
    }
    out
}

/// The value of a named cookie a reply sets, as `name=value`.
pub fn set_cookie(reply: &Reply, name: &str) -> Option<String> {
    reply
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, v)| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_field(body: &str) -> Option<String> {
    body.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
}

/// Posts the sign-in form as a browser does: opens the page for its token first. Returns the
/// reply to the post (a 303 to the next step on success, with the session cookie).
pub async fn post_sign_in(addr: SocketAddr, username: &str, password: &str) -> Reply {
    let page = send(addr, "GET", "/login", None, None).await;
    let token = csrf_field(&page.body).unwrap_or_default();
    let cookie = set_cookie(&page, "zs_login").unwrap_or_default();
    let body = form(&[
        ("username", username),
        ("password", password),
        ("csrf", &token),
    ]);
    send(
        addr,
        "POST",
        "/login",
        Some(&cookie),
        Some(("application/x-www-form-urlencoded", body)),
    )
    .await
}
