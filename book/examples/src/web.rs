//! Worked examples for the web chapter (book/src/web/index.md).
//!
//! A warehouse *status board*: a tiny HTTP server with two flat routes, written on
//! hyper with the limits every server needs; a size- and time-limited body reader
//! for a clerk's note; and the same inventory API on axum, for the solution
//! walkthrough's comparison. None of it is a resource tree: that is the exercise.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Incoming};
use hyper::header::{ALLOW, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;

/// How long the board waits for a request's headers.
pub const BOARD_HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// The board's state: how many trucks are at the docks.
#[derive(Debug, Default)]
pub struct Board {
    trucks: AtomicU64,
}

// ANCHOR: answer
impl Board {
    /// Answers one request. A flat table of routes: each (method, path) pair is
    /// one arm, and the error arms are written by hand.
    pub fn answer(&self, method: &Method, path: &str) -> Response<Full<Bytes>> {
        let text = |status: StatusCode, body: String| {
            Response::builder()
                .status(status)
                .header(CONTENT_TYPE, "text/plain")
                .body(Full::new(Bytes::from(body)))
                .expect("a valid response")
        };
        match (method, path) {
            (&Method::GET, "/status") => {
                let trucks = self.trucks.load(Ordering::Relaxed);
                text(StatusCode::OK, format!("{trucks} trucks at the docks\n"))
            }
            (&Method::POST, "/arrivals") => {
                let trucks = self.trucks.fetch_add(1, Ordering::Relaxed) + 1;
                text(StatusCode::OK, format!("{trucks}\n"))
            }
            (_, "/status" | "/arrivals") => {
                let mut response = text(StatusCode::METHOD_NOT_ALLOWED, String::new());
                let allow = if path == "/status" { "GET" } else { "POST" };
                response.headers_mut().insert(ALLOW, allow.parse().expect("valid"));
                response
            }
            _ => text(StatusCode::NOT_FOUND, "no such page\n".to_owned()),
        }
    }
}
// ANCHOR_END: answer

// ANCHOR: serve
/// Serves HTTP/1.1 on one connection until the client is done, or too slow, or
/// sends a head too large for 8 KiB of buffer (hyper answers 431 itself).
pub async fn serve_board(stream: TcpStream, board: Arc<Board>) {
    // One call per request, inside this connection's future.
    let service = service_fn(move |request: Request<Incoming>| {
        let board = board.clone();
        async move {
            Ok::<_, Infallible>(board.answer(request.method(), request.uri().path()))
        }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new()) // hyper has no clock of its own: lend it tokio's
        .header_read_timeout(BOARD_HEADER_TIMEOUT)
        .max_buf_size(8 * 1024)
        .serve_connection(TokioIo::new(stream), service);
    if let Err(err) = connection.await {
        // A client that breaks the rules ends its own connection, nobody else's.
        eprintln!("status board: {err}");
    }
}
// ANCHOR_END: serve

/// Why a note was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum NoteError {
    /// Longer than the limit.
    TooLong,
    /// Not all there within the time limit.
    TooSlow,
    /// The body broke off (the client left).
    Broken,
}

// ANCHOR: note
/// Reads a clerk's note: at most `max` bytes, within `patience`. `Limited` stops
/// reading as soon as the body passes `max`, and reports it as an error.
pub async fn read_note<B>(
    body: B,
    max: usize,
    patience: Duration,
) -> Result<Bytes, NoteError>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    match tokio::time::timeout(patience, Limited::new(body, max).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(err)) if err.is::<LengthLimitError>() => Err(NoteError::TooLong),
        Ok(Err(_)) => Err(NoteError::Broken),
        Err(_elapsed) => Err(NoteError::TooSlow),
    }
}
// ANCHOR_END: note

// ANCHOR: axum
/// The 08-web inventory API on axum: routes in a table, extractors for the body.
pub fn axum_inventory(stock: Arc<std::sync::Mutex<Vec<(String, i64)>>>) -> axum::Router {
    use axum::extract::{DefaultBodyLimit, Path, State};
    use axum::routing::get;
    use axum::{Json, Router};
    use serde_json::{Value, json};

    type Stock = Arc<std::sync::Mutex<Vec<(String, i64)>>>;

    async fn list(State(stock): State<Stock>) -> Json<Value> {
        let stock = stock.lock().unwrap();
        Json(stock.iter().map(|(sku, qty)| json!({ "sku": sku, "qty": qty })).collect())
    }

    async fn show(
        State(stock): State<Stock>,
        Path(sku): Path<String>,
    ) -> (StatusCode, Json<Value>) {
        match stock.lock().unwrap().iter().find(|(s, _)| *s == sku) {
            Some((_, qty)) => (StatusCode::OK, Json(json!({ "sku": sku, "qty": qty }))),
            None => (
                StatusCode::NOT_FOUND,
                Json(json!({ "error": format!("unknown SKU {sku}") })),
            ),
        }
    }

    #[derive(serde::Deserialize)]
    struct Move {
        delta: i64,
    }

    // `Json<Move>` checks the type (415), reads the body under the limit (413) and
    // parses it (400 for bad syntax, 422 for the wrong shape), before this runs.
    async fn apply(
        State(stock): State<Stock>,
        Path(sku): Path<String>,
        Json(step): Json<Move>,
    ) -> (StatusCode, Json<Value>) {
        let mut stock = stock.lock().unwrap();
        let Some((_, qty)) = stock.iter_mut().find(|(s, _)| *s == sku) else {
            return (
                StatusCode::NOT_FOUND,
                Json(json!({ "error": format!("unknown SKU {sku}") })),
            );
        };
        *qty += step.delta;
        (StatusCode::OK, Json(json!({ "sku": sku, "qty": *qty })))
    }

    Router::new()
        .route("/inventory", get(list))
        .route("/inventory/{sku}", get(show).post(apply))
        .layer(DefaultBodyLimit::max(4096))
        .with_state(stock)
}
// ANCHOR_END: axum

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    async fn start_board() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let board = Arc::new(Board::default());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_board(stream, board.clone()));
            }
        });
        addr
    }

    async fn exchange(addr: SocketAddr, raw: &str) -> String {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(raw.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    }

    #[tokio::test]
    async fn the_board_answers_its_two_routes_and_their_errors() {
        let addr = start_board().await;
        let post = exchange(
            addr,
            "POST /arrivals HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(post.ends_with("\r\n\r\n1\n"), "{post}");
        let get = exchange(
            addr,
            "GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(get.ends_with("1 trucks at the docks\n"), "{get}");
        let wrong = exchange(
            addr,
            "DELETE /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(
            wrong.starts_with("HTTP/1.1 405") && wrong.contains("allow: GET"),
            "{wrong}"
        );
    }

    // ANCHOR: head
    // hyper knows the request was HEAD: it sends the headers of the response it is
    // given, Content-Length included, and never its body. The board has no HEAD
    // arm, so HEAD /status is its 405; a GET route answered for HEAD would work.
    #[tokio::test]
    async fn hyper_never_sends_a_body_for_head() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let service = service_fn(|_request: Request<Incoming>| async {
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(
                    "dock 3 open\n",
                ))))
            });
            let io = TokioIo::new(stream);
            let _ = http1::Builder::new().serve_connection(io, service).await;
        });
        let answer =
            exchange(addr, "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .await;
        assert!(answer.contains("content-length: 12\r\n"), "{answer}");
        assert!(answer.ends_with("\r\n\r\n"), "no body after the headers: {answer:?}");
    }
    // ANCHOR_END: head

    // ANCHOR: slowloris
    // A client that starts a request and never finishes its headers is cut off
    // after the header timeout. Time is paused: the 5 s pass at once.
    #[tokio::test(start_paused = true)]
    async fn a_slow_head_is_cut_off() {
        let addr = start_board().await;
        let mut slow = TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET /status HTTP/1.1\r\nHo").await.unwrap();
        let started = tokio::time::Instant::now();
        let mut answer = Vec::new();
        let _ = slow.read_to_end(&mut answer).await;
        assert!(started.elapsed() >= BOARD_HEADER_TIMEOUT);
        assert!(!String::from_utf8_lossy(&answer).contains("200 OK"));
    }
    // ANCHOR_END: slowloris

    #[tokio::test]
    async fn an_oversized_head_gets_431() {
        let addr = start_board().await;
        let filler = "x".repeat(10_000);
        let raw =
            format!("GET /status HTTP/1.1\r\nHost: x\r\nX-Filler: {filler}\r\n\r\n");
        let answer = exchange(addr, &raw).await;
        assert!(
            answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large"),
            "{answer}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_note_is_read_only_within_its_limits() {
        let patience = Duration::from_secs(10);
        let note = Full::new(Bytes::from("dock 3: pallet damaged"));
        assert_eq!(
            read_note(note, 64, patience).await,
            Ok(Bytes::from("dock 3: pallet damaged"))
        );
        let long = Full::new(Bytes::from(vec![b'x'; 65]));
        assert_eq!(read_note(long, 64, patience).await, Err(NoteError::TooLong));
        // A body whose bytes never come: a stream that stays pending.
        let never = http_body_util::StreamBody::new(futures_util::stream::pending::<
            Result<hyper::body::Frame<Bytes>, Infallible>,
        >());
        assert_eq!(read_note(never, 64, patience).await, Err(NoteError::TooSlow));
    }

    // ANCHOR: drop
    // A future is its work: drop it and the work stops where it stood (its locals
    // are dropped, which is how the guard reports it). A spawned task is not owned
    // by its caller: dropping the JoinHandle leaves the work running.
    #[tokio::test(start_paused = true)]
    async fn dropping_a_future_stops_its_work_and_spawning_does_not() {
        struct Report(tokio::sync::mpsc::UnboundedSender<&'static str>);
        impl Drop for Report {
            fn drop(&mut self) {
                let _ = self.0.send("stopped");
            }
        }
        let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        let work = |tx| async move {
            let _report = Report(tx);
            tokio::time::sleep(Duration::from_secs(3600)).await; // a long report
        };

        // Owned: the timeout drops it after one second.
        let _ = tokio::time::timeout(Duration::from_secs(1), work(tx.clone())).await;
        assert_eq!(events.try_recv(), Ok("stopped"));

        // Spawned: dropping the handle does not stop it.
        drop(tokio::spawn(work(tx.clone())));
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert!(events.try_recv().is_err(), "still running, for nobody");
    }
    // ANCHOR_END: drop

    // ANCHOR: axum_rules
    // Where axum's rules differ from Twisted's (and from the exercise's).
    #[tokio::test]
    async fn axum_differs_on_unknown_methods_allow_and_bad_json() {
        let stock = Arc::new(std::sync::Mutex::new(vec![("WIDGET-1".to_owned(), 10)]));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, axum_inventory(stock)).await });
        let ask = |raw: String| async move { exchange(addr, &raw).await };
        let plain = |method: &str, path: &str| {
            format!("{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        };
        let post = |ctype: &str, body: &str| {
            let head =
                "POST /inventory/WIDGET-1 HTTP/1.1\r\nHost: x\r\nConnection: close";
            let length = body.len();
            let headers = format!("Content-Type: {ctype}\r\nContent-Length: {length}");
            format!("{head}\r\n{headers}\r\n\r\n{body}")
        };

        // Any method a route lacks is 405, BREW too (Twisted: 501); Allow has no space.
        let brew = ask(plain("BREW", "/inventory")).await;
        assert!(brew.starts_with("HTTP/1.1 405"), "{brew}");
        assert!(brew.contains("allow: GET,HEAD\r\n"), "{brew}");
        // HEAD comes with GET, as in Twisted.
        let head = ask(plain("HEAD", "/inventory/WIDGET-1")).await;
        assert!(head.starts_with("HTTP/1.1 200") && head.ends_with("\r\n\r\n"), "{head}");

        // Json<T>: 415 without the type, 400 for bad syntax, 422 for the wrong shape.
        let cases = [
            ("text/plain", r#"{"delta": 1}"#, "HTTP/1.1 415"),
            ("application/json", "{", "HTTP/1.1 400"),
            ("application/json", r#"{"delta": "1"}"#, "HTTP/1.1 422"),
            ("application/json", &"1".repeat(5000), "HTTP/1.1 413"),
            ("application/json", r#"{"delta": 1}"#, "HTTP/1.1 200"),
        ];
        for (ctype, body, status) in cases {
            let answer = ask(post(ctype, body)).await;
            assert!(answer.starts_with(status), "{ctype} {body:.20}: {answer}");
        }
        // And its rejections are plain text, not JSON, unless you write your own.
        let answer = ask(post("text/plain", "{}")).await;
        assert!(answer.contains("content-type: text/plain"), "{answer}");
    }
    // ANCHOR_END: axum_rules
}
