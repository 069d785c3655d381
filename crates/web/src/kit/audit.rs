//! The access audit: every refused request (403, and 404 to a signed-in account — out of scope
//! looks like absent, but the audit must see the probe), every export, print view and API bulk
//! read, and every request made with an API token, with who, when, from where, what and which
//! filters. The middleware classifies the finished request; a background task appends entries
//! to `access_log`, so a page waits only for a channel send (docs/benchmarks.md: the overhead).
//!
//! Who made the request is only known once an extractor has checked the session or token; they
//! note it in a task-local the middleware reads afterwards.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use store::{AccessEntry, Store};
use tokio::sync::mpsc;

use crate::AppState;

/// Entries waiting for the writer; past this a request waits for room rather than losing one.
const QUEUE: usize = 10_000;
/// Entries written per transaction.
const BATCH: usize = 500;

#[derive(Default)]
struct Note {
    username: Option<String>,
    token: bool,
    /// The request carried `Authorization`: a refused token is a refusal to keep.
    bearer: bool,
}

tokio::task_local! {
    static NOTE: RefCell<Note>;
}

/// Called by the session extractor: the request is this account's.
pub fn note_user(username: &str) {
    let _ = NOTE.try_with(|note| note.borrow_mut().username = Some(username.to_owned()));
}

/// Called by the API's token check: the request is this account's, through a token.
pub fn note_token(username: &str) {
    let _ = NOTE.try_with(|note| {
        let mut note = note.borrow_mut();
        note.username = Some(username.to_owned());
        note.token = true;
    });
}

/// The client's address as the audit and the sign-in throttle see it: the peer, or behind a
/// proxy the configured header's last value (the one the trusted proxy appended) — never a
/// header the server was not told to trust.
#[derive(Debug, Clone, Default)]
pub struct ClientAddress(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientAddress>()
            .cloned()
            .unwrap_or_default())
    }
}

fn client_address(request: &Request, header: Option<&str>) -> Option<String> {
    if let Some(name) = header {
        let forwarded = request
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty())
            .map(|v| v.chars().take(64).collect());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip().to_string())
}

/// The writer's queue, started on first use inside the server's runtime.
#[derive(Clone, Default)]
pub struct AccessLog {
    sender: Arc<OnceLock<mpsc::Sender<AccessEntry>>>,
}

impl AccessLog {
    async fn send(&self, store: &Store, entry: AccessEntry) {
        let sender = self.sender.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(QUEUE);
            tokio::spawn(write_entries(store.clone(), receiver));
            sender
        });
        if sender.send(entry).await.is_err() {
            tracing::error!("access log writer stopped");
        }
    }
}

async fn write_entries(store: Store, mut receiver: mpsc::Receiver<AccessEntry>) {
    let mut batch = Vec::with_capacity(BATCH);
    while receiver.recv_many(&mut batch, BATCH).await > 0 {
        if let Err(e) = store.append_access(&batch).await {
            tracing::error!(error = %e, entries = batch.len(), "access log write failed");
        }
        batch.clear();
    }
}

/// What kind of access a finished request was, if the audit keeps it.
fn classify(method: &Method, path: &str, status: StatusCode, note: &Note) -> Option<&'static str> {
    let signed_in = note.username.is_some();
    if status == StatusCode::FORBIDDEN
        || (status == StatusCode::NOT_FOUND && signed_in)
        || (status == StatusCode::UNAUTHORIZED && note.bearer)
    {
        return Some("refused");
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Some("throttled");
    }
    if note.token {
        return Some("api_token");
    }
    if !status.is_success() || method != Method::GET || !signed_in {
        return None;
    }
    if path.ends_with("/export") || path.starts_with("/export/") {
        return Some("export");
    }
    if path.ends_with("/print") {
        return Some("print");
    }
    let api = path.strip_prefix("/api/v1/")?;
    (!api.contains('/') && api != "openapi.json").then_some("bulk_read")
}

/// A path or query as the 审计员 reads and searches it: percent-escapes decoded (`+` as a
/// space in the query's manner), bytes that are not UTF-8 shown as �.
fn decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            bytes.get(i + 1).copied(),
            bytes.get(i + 2).copied(),
        ) {
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 3;
                continue;
            }
            (b'+', _, _) => out.push(b' '),
            (b, _, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The middleware: notes the client's address for the handlers, and logs the request once it
/// is answered, if the audit keeps its kind.
pub async fn audit_access(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let address = client_address(&request, state.client_address_header.as_deref());
    request
        .extensions_mut()
        .insert(ClientAddress(address.clone()));
    let method = request.method().clone();
    // Kept raw: only a request the audit keeps is decoded, off the path every page takes.
    let uri = request.uri().clone();
    let bearer = request
        .headers()
        .contains_key(axum::http::header::AUTHORIZATION);
    let (response, mut note) = NOTE
        .scope(RefCell::new(Note::default()), async move {
            let response = next.run(request).await;
            let note = NOTE.with(|n| std::mem::take(&mut *n.borrow_mut()));
            (response, note)
        })
        .await;
    note.bearer = bearer;
    if let Some(action) = classify(&method, uri.path(), response.status(), &note) {
        let entry = AccessEntry {
            id: 0,
            at: chrono::Utc::now().timestamp_millis(),
            username: note.username,
            address,
            action: action.to_owned(),
            method: method.to_string(),
            path: decoded(uri.path()),
            query: uri.query().map(decoded),
            status: i64::from(response.status().as_u16()),
        };
        state.access_log.send(&state.store, entry).await;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(user: bool, token: bool) -> Note {
        Note {
            username: user.then(|| "u".to_owned()),
            token,
            bearer: token,
        }
    }

    #[test]
    fn the_audit_keeps_addresses_as_people_read_them() {
        assert_eq!(decoded("q=%E7%9F%B3%E5%A2%A8&x=a+b"), "q=石墨&x=a b");
        assert_eq!(decoded("/projects/%FF"), "/projects/\u{fffd}");
        assert_eq!(decoded("100%"), "100%");
    }

    #[test]
    fn refusals_data_leaving_and_token_use_are_kept_and_ordinary_reads_are_not() {
        let get = Method::GET;
        let ok = StatusCode::OK;
        let kind = |path, status, n: &Note| classify(&get, path, status, n);
        assert_eq!(
            kind("/projects/X", StatusCode::NOT_FOUND, &note(true, false)),
            Some("refused")
        );
        assert_eq!(
            kind("/nowhere", StatusCode::NOT_FOUND, &note(false, false)),
            None
        );
        assert_eq!(
            kind("/admin", StatusCode::FORBIDDEN, &note(false, false)),
            Some("refused")
        );
        assert_eq!(
            kind("/projects/export", ok, &note(true, false)),
            Some("export")
        );
        assert_eq!(
            kind("/export/funds", ok, &note(true, false)),
            Some("export")
        );
        assert_eq!(
            kind("/scoreboard/print", ok, &note(true, false)),
            Some("print")
        );
        assert_eq!(
            kind("/api/v1/projects", ok, &note(true, false)),
            Some("bulk_read")
        );
        assert_eq!(kind("/api/v1/projects/P-1", ok, &note(true, false)), None);
        assert_eq!(kind("/api/v1/openapi.json", ok, &note(false, false)), None);
        assert_eq!(
            kind("/api/v1/projects/P-1", ok, &note(true, true)),
            Some("api_token")
        );
        assert_eq!(kind("/projects", ok, &note(true, false)), None);
        let stranger = Note {
            bearer: true,
            ..Note::default()
        };
        assert_eq!(
            kind("/api/v1/projects", StatusCode::UNAUTHORIZED, &stranger),
            Some("refused"),
            "a token that is not one is a refusal"
        );
    }
}
