//! Solution 01: from one-after-another to all-at-once, on one event loop.
//!
//! A stock dashboard needs several resources (`/stock/widget`, `/stock/gadget`, ...)
//! from the stock server in [`server`]. Each one is slow: the server takes a while
//! before it answers. [`download_all`] asks for them one after another, so the
//! waits add up: 1 s + 2 s + 3 s = 6 s. Your job is [`download_all_concurrently`]:
//! start every download at once, as its own task, so the waits overlap and the whole
//! batch takes as long as the slowest resource (3 s), all on ONE thread.
//!
//! Provided (read them, don't change them):
//! - [`server`]: the stock server, a tiny line protocol over TCP.
//! - [`client::fetch`]: fetches one resource.
//! - [`download()`]: fetches one resource and records the outcome in a [`Download`].
//! - [`download_all`] (`sequential.rs`): the batch, one download after another.

// The provided modules are the exercise's own files, not copies: a fix to the
// server or the client reaches learners and the solution alike.
#[path = "../../../exercises/01-event-loop/src/client.rs"]
pub mod client;
#[path = "../../../exercises/01-event-loop/src/download.rs"]
mod download;
#[path = "../../../exercises/01-event-loop/src/sequential.rs"]
mod sequential;
#[path = "../../../exercises/01-event-loop/src/server.rs"]
pub mod server;

use std::net::SocketAddr;

pub use client::{FetchError, fetch};
pub use download::{Download, download, report};
pub use sequential::download_all;

// ANCHOR: concurrent
/// Downloads every path at once: one task per path, all on the current event loop.
///
/// Returns one [`Download`] per path, in the order of `paths`; a failed resource is
/// reported in its own `Download` while the others succeed.
pub async fn download_all_concurrently(
    addr: SocketAddr,
    paths: &[&str],
) -> Vec<Download> {
    // Start every task first. `tokio::spawn` only schedules the task on the loop; it
    // runs as soon as this function reaches its first `.await` and yields.
    let tasks: Vec<_> =
        paths.iter().map(|path| tokio::spawn(download(addr, path.to_string()))).collect();

    // Then wait for them in the order they were asked for. While we wait for the
    // first, the others keep running, so the order we collect in costs no time.
    let mut downloads = Vec::with_capacity(tasks.len());
    for task in tasks {
        // `Err` only if the task panicked: a bug, not a failed resource.
        downloads.push(task.await.expect("a download task panicked"));
    }
    downloads
}
// ANCHOR_END: concurrent
