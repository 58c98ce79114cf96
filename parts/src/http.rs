//! A small JSON API layer on hyper (chapter 08): responses, and an HTTP/1.1 server
//! whose every size and wait is bounded. A route is a plain function of the method
//! and the path: the capstone's API only reads.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::accept::Acceptor;

pub use hyper::Method as HttpMethod;

/// A whole response: status, headers and a body already in memory.
pub type Response = hyper::Response<Full<Bytes>>;

/// What answers requests: the method and the path in, a response out.
pub type Handler = Arc<dyn Fn(&Method, &str) -> Response + Send + Sync>;

/// Limits of the HTTP server.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// Connections at once; the next is answered 503 and closed.
    pub max_connections: usize,
    /// How long a client may take to send a request head, and idle between two.
    pub header_read_timeout: Duration,
    /// The largest request head, in bytes (hyper's minimum is 8 KiB); more is 431.
    pub max_head_bytes: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            max_connections: 256,
            header_read_timeout: Duration::from_secs(10),
            max_head_bytes: 8 * 1024,
        }
    }
}

/// The answer to a client beyond [`HttpLimits::max_connections`]: a whole response,
/// small enough for any empty socket buffer, so writing it never waits.
pub const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
    Content-Type: application/json\r\nContent-Length: 25\r\n\
    Retry-After: 1\r\nConnection: close\r\n\r\n{\"error\":\"server busy\"}\r\n";

/// `value` as compact JSON with `status`.
pub fn json(status: StatusCode, value: &impl Serialize) -> Response {
    let body = serde_json::to_vec(value).expect("API values always serialise");
    with_type(status, body, "application/json")
}

/// `{"error":"message"}` with `status`.
pub fn error(status: StatusCode, message: &str) -> Response {
    json(status, &serde_json::json!({ "error": message }))
}

/// Plain text with `status`.
pub fn text(status: StatusCode, body: &str) -> Response {
    with_type(status, body.to_owned().into_bytes(), "text/plain; charset=utf-8")
}

/// An HTML page, 200.
pub fn html(page: &str) -> Response {
    with_type(StatusCode::OK, page.to_owned().into_bytes(), "text/html; charset=utf-8")
}

/// 405 with the JSON error, for a known path asked with a method it does not take.
pub fn method_not_allowed() -> Response {
    error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
}

/// 404 with the JSON error.
pub fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not found")
}

fn with_type(status: StatusCode, body: Vec<u8>, content_type: &'static str) -> Response {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// Serves HTTP/1.1 on every connection `acceptor` takes, each on its own task, until
/// this future is dropped (or its task aborted). Request bodies are never read: the
/// API only answers GETs, and hyper closes a connection whose body was left unread.
pub async fn serve(mut acceptor: Acceptor, handler: Handler, limits: HttpLimits) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let stream = tokio::select! {
            stream = acceptor.accept() => stream,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            let _ = stream.try_write(BUSY);
            continue;
        };
        let handler = handler.clone();
        let service =
            service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                let response = handler(request.method(), request.uri().path());
                async move { Ok::<_, Infallible>(response) }
            });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .max_buf_size(limits.max_head_bytes.max(8192))
            .serve_connection(TokioIo::new(stream), service);
        // The set owns every connection: dropping `serve` closes them all.
        connections.spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn a_route_answers_json_and_the_rest_is_404() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let handler: Handler = Arc::new(|method, path| match (method, path) {
            (&Method::GET, "/n") => json(StatusCode::OK, &[1, 2]),
            _ => not_found(),
        });
        let server = tokio::spawn(serve(
            Acceptor::new(listener, "web"),
            handler,
            HttpLimits::default(),
        ));
        for (path, expected) in [("/n", "200 OK"), ("/x", "404 Not Found")] {
            let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
            let request =
                format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            tcp.write_all(request.as_bytes()).await.unwrap();
            let mut answer = String::new();
            tcp.read_to_string(&mut answer).await.unwrap();
            assert!(answer.starts_with(&format!("HTTP/1.1 {expected}")), "{answer}");
        }
        server.abort();
    }
}
