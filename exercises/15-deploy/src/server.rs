//! The server: accepts clerks until a stop is requested, then drains.
//!
//! Yours to write: `Server::run`, below. [`MAX_CLERKS`], [`Drained`] and the
//! [`Server`] type (its fields `clerks`, `health`, `drain_deadline`, and `bind`) are
//! given in `listeners.rs`.

use std::future::Future;

// What `run` will need.
#[allow(unused_imports)]
use {
    crate::health::{Readiness, serve_health},
    crate::session::serve_clerk,
    std::time::Duration,
    tokio::{sync::watch, task::JoinSet, time::timeout},
};

pub use crate::listeners::{Drained, MAX_CLERKS, Server};

impl Server {
    /// Serves until `stop` resolves, then drains, and returns how the drain went.
    ///
    /// Before the stop: `/ready` answers 200, and each clerk is served by
    /// [`serve_clerk`] in a task of its own. When `stop` resolves, in this order:
    /// `/ready` turns 503, the clerks' listener is closed (new clerks are refused),
    /// and every open connection is told through the `stopping` channel. Connections
    /// then have the drain deadline to finish; those still open are cut. The health
    /// check stops last. Logs `listening`, `draining` (with `open`) and `drained`
    /// (with `finished` and `cut`) at INFO.
    pub async fn run(self, stop: impl Future<Output = ()>) -> Drained {
        drop(stop);
        todo!("Server::run")
    }
}
