//! The server: accepts clerks until a stop is requested, then drains.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::timeout;

use crate::health::{Readiness, serve_health};
use crate::session::serve_clerk;

pub use crate::listeners::{Drained, MAX_CLERKS, Server};

impl Server {
    // ANCHOR: run
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
        let readiness = Readiness::new();
        let health = tokio::spawn(serve_health(self.health, readiness.clone()));
        let (tell, stopping) = watch::channel(false);
        let mut clerks = JoinSet::new();
        let addr = self.clerks.local_addr().map(|a| a.to_string()).unwrap_or_default();
        tracing::info!(%addr, "listening");
        readiness.set_ready();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => break,
                // Reap finished clerks, so the set holds only open connections.
                Some(_) = clerks.join_next(), if !clerks.is_empty() => {}
                accepted = self.clerks.accept(), if clerks.len() < MAX_CLERKS => {
                    match accepted {
                        Ok((stream, peer)) => {
                            tracing::debug!(%peer, "clerk connected");
                            clerks.spawn(serve_clerk(stream, stopping.clone()));
                        }
                        Err(e) => {
                            // Out of file descriptors, say: wait instead of spinning.
                            tracing::warn!(error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    }
                }
            }
        }
        readiness.set_draining();
        drop(self.clerks); // new clerks are refused from here on
        let _ = tell.send(true);
        tracing::info!(open = clerks.len(), "draining");
        let mut finished = 0;
        let all_done = async {
            while clerks.join_next().await.is_some() {
                finished += 1;
            }
        };
        let _ = timeout(self.drain_deadline, all_done).await;
        let cut = clerks.len();
        clerks.shutdown().await; // abort the rest, and wait until their sockets close
        health.abort();
        let _ = health.await; // its listener is closed once the task is gone
        tracing::info!(finished, cut, "drained");
        Drained { finished, cut }
    }
    // ANCHOR_END: run
}
