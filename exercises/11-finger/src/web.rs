//! A small HTTP view of the same users, on a port of its own (the tutorial's
//! `UserStatusTree` resource): `GET /users` lists the names, one per line, and
//! `GET /users/<name>` answers a status or 404. Given whole.
//!
//! Hand-written HTTP/1.1, one request per connection, just enough for `curl` and
//! for [`HttpDirectory`](crate::HttpDirectory), which reads these same paths.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::directory::{Directory, LookupError};
use crate::server::LOOKUP_TIMEOUT;

/// The largest request head read, in bytes.
pub const MAX_HEAD: usize = 8 * 1024;

/// How long a client has to send its request head.
pub const WEB_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves one HTTP request from `directory`, then closes.
pub async fn serve_web(directory: Arc<dyn Directory>, stream: TcpStream) {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader).take(MAX_HEAD as u64);
    let Ok(Ok(head)) = timeout(WEB_TIMEOUT, read_head(&mut reader)).await else {
        return; // closed, broken or too slow: no one to answer
    };
    let response = match head {
        None => response(431, "request head too large\n"),
        Some(request_line) => route(directory.as_ref(), &request_line).await,
    };
    let _ = timeout(WEB_TIMEOUT, writer.write_all(response.as_bytes())).await;
}

/// Reads a request head up to its empty line; returns its first line, or `None`
/// if the head is longer than [`MAX_HEAD`].
async fn read_head(
    reader: &mut (impl AsyncBufReadExt + Unpin),
) -> std::io::Result<Option<String>> {
    let mut first = None;
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).await? == 0 || !line.ends_with(b"\n") {
            return Ok(None); // the limit (or the client's close) came first
        }
        if line == b"\r\n" || line == b"\n" {
            return Ok(Some(first.unwrap_or_default()));
        }
        first.get_or_insert_with(|| String::from_utf8_lossy(&line).trim_end().to_owned());
    }
}

/// The response to one request line, e.g. `GET /users/alice HTTP/1.1`.
async fn route(directory: &dyn Directory, request_line: &str) -> String {
    let mut words = request_line.split(' ');
    let (Some(method), Some(path)) = (words.next(), words.next()) else {
        return response(400, "bad request line\n");
    };
    if method != "GET" {
        return response(405, "only GET\n");
    }
    let lookup = async {
        match path.strip_prefix("/users") {
            Some("") | Some("/") => {
                let names = directory.get_users().await?;
                Ok(response(
                    200,
                    &names.iter().map(|n| format!("{n}\n")).collect::<String>(),
                ))
            }
            Some(rest) => {
                match rest.strip_prefix('/').map(|name| directory.get_user(name)) {
                    Some(lookup) => Ok(match lookup.await? {
                        Some(status) => response(200, &format!("{status}\n")),
                        None => response(404, "no such user\n"),
                    }),
                    None => Ok(response(404, "not found\n")),
                }
            }
            None => Ok(response(404, "not found\n")),
        }
    };
    match timeout(LOOKUP_TIMEOUT, lookup).await {
        Ok(Ok(response)) => response,
        Ok(Err::<_, LookupError>(_)) | Err(_) => {
            response(500, "internal error in server\n")
        }
    }
}

/// A complete `Connection: close` response with a plain-text body.
fn response(status: u16, body: &str) -> String {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Internal Server Error",
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}
