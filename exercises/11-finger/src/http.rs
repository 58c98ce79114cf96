//! A backend that asks an HTTP service: `GET /users/<name>` answers the status
//! (200) or 404, `GET /users` the names, one per line. Given whole.
//!
//! The client is hand-written HTTP/1.1 over a `TcpStream`, enough for this one
//! service (and for this crate's own web view, which speaks the same paths). It
//! has no timeout of its own: the finger server bounds every lookup.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::directory::{Directory, Lookup, LookupError, is_valid_status, is_valid_user};

/// The largest HTTP response read, head and body, in bytes.
pub const MAX_RESPONSE: usize = 64 * 1024;

/// Users known to an HTTP service at `addr`.
#[derive(Debug, Clone)]
pub struct HttpDirectory {
    addr: SocketAddr,
}

impl HttpDirectory {
    /// A directory that asks the HTTP service listening on `addr`.
    pub fn new(addr: SocketAddr) -> Self {
        Self { addr }
    }
}

impl Directory for HttpDirectory {
    fn get_user<'a>(&'a self, user: &'a str) -> Lookup<'a, Option<String>> {
        Box::pin(async move {
            // A name that could change the path (`../x`, `a b`) never leaves the server.
            if !is_valid_user(user) {
                return Ok(None);
            }
            let (status, body) = http_get(self.addr, &format!("/users/{user}")).await?;
            match status {
                200 => {
                    let text = body.trim_end_matches(['\r', '\n']);
                    if !is_valid_status(text) {
                        return Err(LookupError::BadResponse(
                            "not a one-line status".into(),
                        ));
                    }
                    Ok(Some(text.to_owned()))
                }
                404 => Ok(None),
                other => Err(LookupError::BadResponse(format!("status {other}"))),
            }
        })
    }

    fn get_users(&self) -> Lookup<'_, Vec<String>> {
        Box::pin(async move {
            match http_get(self.addr, "/users").await? {
                (200, body) => Ok(body
                    .lines()
                    .filter(|l| is_valid_user(l))
                    .map(String::from)
                    .collect()),
                (other, _) => Err(LookupError::BadResponse(format!("status {other}"))),
            }
        })
    }
}

/// `GET path` on `addr` with `Connection: close`; returns the status code and the
/// body as text. Anything that is not a complete HTTP/1.x response of at most
/// [`MAX_RESPONSE`] bytes is an error.
pub async fn http_get(
    addr: SocketAddr,
    path: &str,
) -> Result<(u16, String), LookupError> {
    let mut stream = TcpStream::connect(addr).await?;
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    // The server closes when it is done (Connection: close), so read to the end,
    // one byte past the limit to tell "exactly the limit" from "too much".
    let mut response = Vec::new();
    stream.take(MAX_RESPONSE as u64 + 1).read_to_end(&mut response).await?;
    if response.len() > MAX_RESPONSE {
        return Err(LookupError::BadResponse("too long".into()));
    }
    let bad = |why: &str| LookupError::BadResponse(why.to_owned());
    let text = String::from_utf8(response).map_err(|_| bad("not UTF-8"))?;
    let (head, body) =
        text.split_once("\r\n\r\n").ok_or_else(|| bad("no end of head"))?;
    let status_line = head.lines().next().unwrap_or_default();
    let mut words = status_line.split(' ');
    let (Some(version), Some(code)) = (words.next(), words.next()) else {
        return Err(bad("no status line"));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(bad("not HTTP/1.x"));
    }
    let code = code.parse().map_err(|_| bad("bad status code"))?;
    Ok((code, body.to_owned()))
}
