//! The room server on a real socket (127.0.0.1:0): the token on every route, the
//! limits, the live push, and the state across a restart.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use untwisted_room::{Args, Limits, start_with};

const TOKEN: &str = "test-token-0123456789abcdef";
/// Every step of these tests finishes in well under this.
const STEP: Duration = Duration::from_secs(5);

/// Starts a room with `extra` flags; its address.
async fn room(extra: &[&str]) -> (SocketAddr, Vec<String>) {
    room_with(extra, Limits::default()).await
}

/// Starts a room with `extra` flags and `limits`; its address.
async fn room_with(extra: &[&str], limits: Limits) -> (SocketAddr, Vec<String>) {
    let mut line = vec!["untwisted-room", "--token", TOKEN, "--exercises", "00-welcome,05-lines"];
    line.extend_from_slice(extra);
    let args = Args::try_parse_from(line).unwrap();
    let started = start_with(&args, limits).await.unwrap();
    let addr = started.addr;
    tokio::spawn(started.server.run());
    (addr, started.warnings)
}

/// An HTTP/1.1 answer: status, head, body.
struct Answer {
    status: u16,
    head: String,
    body: String,
}

/// Sends `request` raw on a new connection and reads the answer until the server
/// closes (every request here says `Connection: close`).
async fn raw(addr: SocketAddr, request: &[u8]) -> Answer {
    let reading = async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes).await;
        bytes
    };
    let bytes = tokio::time::timeout(STEP, reading).await.expect("the server answered in time");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Answer { status, head: head.to_owned(), body: body.to_owned() }
}

async fn request(addr: SocketAddr, method: &str, target: &str, auth: Option<&str>, body: &str) -> Answer {
    let auth = auth.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let request = format!(
        "{method} {target} HTTP/1.1\r\nHost: room\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    raw(addr, request.as_bytes()).await
}

async fn post(addr: SocketAddr, path: &str, body: &str) -> Answer {
    request(addr, "POST", path, Some(TOKEN), body).await
}

fn verdict(name: &str, passed: u32, step: Option<&str>) -> String {
    let failing = step.map_or("null".to_owned(), |s| format!(r#"{{"step": "{s}", "kind": "assertion"}}"#));
    let name = serde_json::to_string(name).unwrap();
    format!(r#"{{"name": {name}, "exercise": "05-lines", "passed": {passed}, "total": 6, "failing": {failing}}}"#)
}

async fn room_json(addr: SocketAddr) -> serde_json::Value {
    let answer = request(addr, "GET", &format!("/api/room?token={TOKEN}"), None, "").await;
    assert_eq!(answer.status, 200, "{}", answer.head);
    serde_json::from_str(&answer.body).unwrap()
}

#[tokio::test]
async fn a_wrong_or_missing_token_is_refused_on_every_route() {
    let dir = temp_dir("token");
    std::fs::write(dir.join("bundle.tar"), b"tar").unwrap();
    let (book, bundle) = (dir.display().to_string(), dir.join("bundle.tar").display().to_string());
    let (addr, _) = room(&["--book", &book, "--bundle", &bundle]).await;
    let routes = [
        ("GET", "/"),
        ("GET", "/api/room"),
        ("GET", "/ws"),
        ("GET", "/bundle.tar"),
        ("GET", "/book/"),
        ("GET", "/nowhere"),
        ("POST", "/api/join"),
        ("POST", "/api/leave"),
        ("POST", "/api/verdict"),
    ];
    let wrong = "test-token-0123456789abcdeX";
    for (method, path) in routes {
        let body = if method == "POST" { verdict("Ada", 1, None) } else { String::new() };
        let missing = request(addr, method, path, None, &body).await;
        let bad_header = request(addr, method, path, Some(wrong), &body).await;
        let bad_query = request(addr, method, &format!("{path}?token={wrong}"), None, &body).await;
        for answer in [missing, bad_header, bad_query] {
            assert_eq!(answer.status, 401, "{method} {path}: {}", answer.head);
            assert_eq!(answer.body, "wrong or missing token", "the contract's body, exactly");
        }
    }
    // A token in a POST's query string is not enough (links leak; bodies post).
    let answer = request(addr, "POST", &format!("/api/join?token={TOKEN}"), None, r#"{"name": "Ada"}"#).await;
    assert_eq!(answer.status, 401);
    assert!(room_json(addr).await["attendees"].as_array().unwrap().is_empty(), "nothing got in");
    // With the token, the same routes answer.
    assert_eq!(request(addr, "GET", &format!("/bundle.tar?token={TOKEN}"), None, "").await.body, "tar");
    assert_eq!(request(addr, "GET", "/", Some(TOKEN), "").await.status, 200);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_posted_verdict_is_pushed_to_a_live_page() {
    let (addr, _) = room(&[]).await;
    let stream = TcpStream::connect(addr).await.unwrap();
    let url = format!("ws://{addr}/ws?token={TOKEN}");
    let (mut ws, _) = tokio_tungstenite::client_async(url, stream).await.unwrap();
    let mut next_frame = async || -> serde_json::Value {
        loop {
            let message = tokio::time::timeout(STEP, ws.next()).await.expect("a frame in time").unwrap().unwrap();
            if let Message::Text(text) = message {
                return serde_json::from_str(&text).unwrap();
            }
        }
    };
    let first = next_frame().await;
    assert_eq!(first["exercises"], serde_json::json!(["00-welcome", "05-lines"]));
    assert_eq!(first["attendees"], serde_json::json!([]));
    assert_eq!(post(addr, "/api/verdict", &verdict("Ada", 3, Some("step_4_splits"))).await.status, 204);
    let frame = next_frame().await;
    let ada = &frame["attendees"][0];
    assert_eq!((ada["name"].as_str(), ada["passed"].as_u64()), (Some("Ada"), Some(3)));
    assert_eq!(ada["step"], "step_4_splits");
    assert_eq!(ada["present"], true, "a verdict joins");
    assert_eq!(frame["hardest"][0]["step"], "step_4_splits", "one of one is more than a third");
    assert_eq!(post(addr, "/api/leave", r#"{"name": " Ada "}"#).await.status, 204);
    assert_eq!(next_frame().await["attendees"][0]["present"], false);
}

#[tokio::test]
async fn a_body_over_4096_bytes_is_413_declared_or_chunked() {
    let (addr, _) = room(&[]).await;
    let big = format!(r#"{{"name": "{}"}}"#, "a".repeat(5000));
    assert_eq!(post(addr, "/api/join", &big).await.status, 413);
    let chunked = format!(
        "POST /api/join HTTP/1.1\r\nHost: room\r\nAuthorization: Bearer {TOKEN}\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n{:x}\r\n{big}\r\n0\r\n\r\n",
        big.len()
    );
    assert_eq!(raw(addr, chunked.as_bytes()).await.status, 413);
    // A head over 8 KiB: refused too.
    let huge_head = format!("GET /?token={TOKEN} HTTP/1.1\r\nHost: room\r\nX-Junk: {}\r\n\r\n", "j".repeat(9000));
    assert_eq!(raw(addr, huge_head.as_bytes()).await.status, 431);
}

#[tokio::test]
async fn more_than_a_burst_of_ten_per_name_is_429() {
    let (addr, _) = room(&[]).await;
    let mut statuses = Vec::new();
    for passed in 0..14 {
        statuses.push(post(addr, "/api/verdict", &verdict("Speedy", passed % 7, None)).await.status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 204).count(), 10, "{statuses:?}");
    let refused = post(addr, "/api/verdict", &verdict("Speedy", 1, None)).await;
    assert_eq!(refused.status, 429);
    assert!(refused.head.to_ascii_lowercase().contains("retry-after: 1"));
    assert_eq!(post(addr, "/api/join", r#"{"name": "Calm"}"#).await.status, 204, "other names go on");
}

#[tokio::test]
async fn names_are_data_never_markup() {
    let (addr, _) = room(&[]).await;
    let evil = "<img src=x onerror=alert(1)>";
    assert_eq!(post(addr, "/api/verdict", &verdict(evil, 1, Some("<b>step</b>"))).await.status, 204);
    assert_eq!(room_json(addr).await["attendees"][0]["name"], evil, "kept as the text it is");
    let page = request(addr, "GET", &format!("/?token={TOKEN}"), None, "").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<img"), "the page never carries attendee data itself");
    assert!(!page.body.contains("innerHTML"));
    let head = page.head.to_ascii_lowercase();
    assert!(head.contains("content-security-policy: default-src 'none'; script-src 'nonce-"), "{head}");
    assert!(head.contains("referrer-policy: no-referrer"));
    // Invalid names are refused, not cleaned up.
    for bad in ["   ", "a\u{7}b", &"x".repeat(41)] {
        assert_eq!(post(addr, "/api/join", &format!(r#"{{"name": {}}}"#, serde_json::json!(bad))).await.status, 422);
    }
}

#[tokio::test]
async fn garbage_and_bad_paths_never_break_the_room() {
    let dir = temp_dir("garbage");
    std::fs::write(dir.join("index.html"), "the book").unwrap();
    std::fs::write(dir.parent().unwrap().join("untwisted-room-secret.txt"), "secret").unwrap();
    let (addr, _) = room(&["--book", &dir.display().to_string()]).await;
    for junk in [
        &b"\x00\xff\xfe garbage\r\n\r\n"[..],
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST /api/join HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    ] {
        let answer = raw(addr, junk).await;
        assert!(answer.status == 0 || answer.status >= 400, "{}", answer.head);
    }
    let not_a_handshake = request(addr, "GET", &format!("/ws?token={TOKEN}"), None, "").await;
    assert_eq!(not_a_handshake.status, 400, "a GET /ws that is no WebSocket handshake");
    let not_json = post(addr, "/api/verdict", "{\"name\": ").await;
    assert_eq!(not_json.status, 400);
    let book = |path: &'static str| request(addr, "GET", path, Some(TOKEN), "");
    assert_eq!(book("/book/").await.body, "the book");
    std::fs::create_dir_all(dir.join("book")).unwrap();
    std::fs::write(dir.join("book/index.html"), "nested").unwrap();
    assert_eq!(book("/book/book/").await.body, "nested", "the prefix is taken off once");
    assert_eq!(book("/book").await.status, 301, "to /book/, where relative links resolve");
    for escape in ["/book/../untwisted-room-secret.txt", "/book/%2e%2e/untwisted-room-secret.txt", "/book/.hidden"] {
        let answer = book(escape).await;
        assert_ne!(answer.body, "secret", "{escape}");
        assert_ne!(answer.status, 200, "{escape}");
    }
    // Still serving.
    assert_eq!(post(addr, "/api/join", r#"{"name": "Ada"}"#).await.status, 204);
    let _ = std::fs::remove_file(dir.parent().unwrap().join("untwisted-room-secret.txt"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn the_state_survives_a_restart_and_a_corrupt_one_is_moved_aside() {
    let dir = temp_dir("restart");
    let state = dir.join("state.json");
    let state_flag = state.display().to_string();
    let (addr, _) = room(&["--state", &state_flag]).await;
    assert_eq!(post(addr, "/api/verdict", &verdict("Ada", 4, Some("step_5"))).await.status, 204);
    wait_for(|| std::fs::read_to_string(&state).is_ok_and(|s| s.contains("step_5"))).await;
    let (again, warnings) = room(&["--state", &state_flag]).await;
    assert!(warnings.is_empty(), "{warnings:?}");
    let ada = room_json(again).await["attendees"][0].clone();
    assert_eq!((ada["name"].as_str(), ada["passed"].as_u64()), (Some("Ada"), Some(4)));

    std::fs::write(&state, "{ not a room").unwrap();
    let (fresh, warnings) = room(&["--state", &state_flag]).await;
    assert!(warnings.iter().any(|w| w.contains("moved aside")), "{warnings:?}");
    assert!(room_json(fresh).await["attendees"].as_array().unwrap().is_empty());
    let aside =
        std::fs::read_dir(&dir).unwrap().flatten().any(|e| e.file_name().to_string_lossy().contains(".corrupt-"));
    assert!(aside, "the corrupt file is kept for a look");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn idle_and_slow_clients_are_timed_out_and_connections_bounded() {
    let quick = Duration::from_millis(300);
    let limits = Limits { max_connections: 3, max_viewers: 1, header_read_timeout: quick, body_read_timeout: quick };
    let (addr, _) = room_with(&[], limits).await;
    // Silent, half a head, half a body: each is closed (the body answered 408).
    let silent = raw(addr, b"").await;
    assert_eq!(silent.status, 0, "closed without a word");
    assert_eq!(raw(addr, b"GET /?token=x HTTP/1.1\r\nHost: room\r\n").await.status, 0);
    let half_body =
        format!("POST /api/join HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: 100\r\n\r\n{{");
    assert_eq!(raw(addr, half_body.as_bytes()).await.status, 408);

    // Three connections held open: the fourth is told the room is busy.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    let busy = raw(addr, b"GET / HTTP/1.1\r\n\r\n").await;
    assert_eq!(busy.status, 503, "{}", busy.head);
    drop(held);
    // One live page at most: a second is refused while the first is open. (The
    // first waits for the room to see the held connections close.)
    let _first = tokio::time::timeout(STEP, async {
        loop {
            let url = format!("ws://{addr}/ws?token={TOKEN}");
            match tokio_tungstenite::client_async(url, TcpStream::connect(addr).await.unwrap()).await {
                Ok(page) => return page,
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    })
    .await
    .expect("a first live page once the held connections are gone");
    let second = tokio_tungstenite::client_async(
        format!("ws://{addr}/ws?token={TOKEN}"),
        TcpStream::connect(addr).await.unwrap(),
    )
    .await;
    let refused = matches!(&second, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 503);
    assert!(refused, "a second live page: {:?}", second.map(|_| ()));
}

/// Polls `done` every 20 ms for up to [`STEP`].
async fn wait_for(done: impl Fn() -> bool) {
    let polling = async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(STEP, polling).await.expect("in time");
}

fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("untwisted-room-it-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
