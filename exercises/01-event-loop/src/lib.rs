//! Exercise 01: from one-after-another to all-at-once, on one event loop.
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
//!
//! Run `cargo xtask check 01-event-loop` to see which step fails next.

pub mod client;
mod download;
mod sequential;
pub mod server;

use std::net::SocketAddr;

pub use client::{FetchError, fetch};
pub use download::{Download, download, report};
pub use sequential::download_all;

// ANCHOR: concurrent_stub
/// Downloads every path at once: one task per path, all on the current event loop.
///
/// What it must do:
/// - Start every download before waiting for any of them. `tokio::spawn(future)`
///   starts a task and returns a `JoinHandle`; awaiting the handle gives the task's
///   result (wrapped in a `Result`, which is `Err` only if the task panicked).
/// - Return one [`Download`] per path, in the order of `paths`, even though they
///   finish in a different order.
/// - Keep failures per resource: [`download()`] never fails, it records the error
///   in its `Download`; pass those through, don't drop them.
/// - Stay on one thread: the tests run on a current-thread runtime, where every
///   `tokio::spawn`ed task runs on the loop's thread. No `std::thread::spawn`, no
///   `spawn_blocking`.
pub async fn download_all_concurrently(
    addr: SocketAddr,
    paths: &[&str],
) -> Vec<Download> {
    todo!("download_all_concurrently({addr}, {paths:?})")
}
// ANCHOR_END: concurrent_stub
