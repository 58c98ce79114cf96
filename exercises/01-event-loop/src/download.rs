//! One download and its outcome: provided, read it, don't change it.

use std::fmt;
use std::net::SocketAddr;
use std::thread::{self, ThreadId};

use crate::client::{FetchError, fetch};

/// What happened to one resource: its body, or why there is none.
#[derive(Debug)]
pub struct Download {
    /// The path that was asked for.
    pub path: String,
    /// The body, or the reason this one resource failed.
    pub result: Result<String, FetchError>,
    /// The thread the download finished on. On one event loop, every download
    /// reports the same thread: the loop's.
    pub thread: ThreadId,
}

impl Download {
    /// The body, if this resource was fetched.
    pub fn body(&self) -> Option<&str> {
        self.result.as_deref().ok()
    }
}

impl fmt::Display for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.result {
            Ok(body) => write!(f, "{}: ok: {body}", self.path),
            Err(error) => write!(f, "{}: failed: {error}", self.path),
        }
    }
}

// ANCHOR: download
/// Fetches one resource and records how it went. Never fails: a failure is part of
/// the `Download`, so one bad resource cannot take the others down with it.
///
/// It owns its arguments (`String`, not `&str`), so the future it returns can be
/// handed to `tokio::spawn`, which needs futures that borrow nothing (`'static`).
pub async fn download(addr: SocketAddr, path: String) -> Download {
    let result = fetch(addr, &path).await;
    Download { path, result, thread: thread::current().id() }
}
// ANCHOR_END: download

/// One line per download, in the order given: the per-resource report.
pub fn report(downloads: &[Download]) -> String {
    downloads.iter().map(|d| format!("{d}\n")).collect()
}
