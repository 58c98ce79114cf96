//! A client that reconnects: try, wait, try again, until told to stop.

use std::future::Future;
use std::io;

use tokio::sync::watch;

use crate::{Backoff, Reason};

/// How [`ReconnectingClient::run`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    /// [`StopTrying::stop_trying`] was called.
    Stopped,
    /// The backoff's `max_retries` ran out; `retries` delays were waited.
    GaveUp { retries: u32 },
}

// ANCHOR: stop_trying
/// A handle that stops a [`ReconnectingClient`] from another task (Twisted's
/// `stopTrying`). Cheap to clone.
#[derive(Clone)]
pub struct StopTrying {
    stopped: watch::Sender<bool>,
}

impl StopTrying {
    /// No new attempt starts after this, and a wait in progress ends now. An
    /// attempt already running (a connection, maybe) is left to finish.
    pub fn stop_trying(&self) {
        // send_replace works even when nobody is subscribed yet.
        self.stopped.send_replace(true);
    }
}
// ANCHOR_END: stop_trying

// ANCHOR: reconnecting_client
/// Keeps a connection up: runs an attempt, and when it fails or its connection
/// ends, waits the backoff's next delay and tries again (Twisted's
/// `ReconnectingClientFactory`).
pub struct ReconnectingClient {
    backoff: Backoff,
    stopped: watch::Sender<bool>,
}

impl ReconnectingClient {
    /// A client that waits as `backoff` says between attempts.
    pub fn new(backoff: Backoff) -> Self {
        Self { backoff, stopped: watch::Sender::new(false) }
    }

    /// A handle to stop this client, to keep before `run` consumes it.
    pub fn stopper(&self) -> StopTrying {
        StopTrying { stopped: self.stopped.clone() }
    }

    /// Calls `attempt` until stopped or out of retries.
    ///
    /// An attempt returns `Err` when it could not connect, and `Ok(reason)` when it
    /// connected and that connection has since ended: that was a success, so the
    /// backoff starts over from its first delay. Either way, the next attempt comes
    /// after `backoff.next_delay()`.
    pub async fn run<A, Fut>(mut self, mut attempt: A) -> Finished
    where
        A: FnMut() -> Fut,
        Fut: Future<Output = io::Result<Reason>>,
    {
        let mut stopped = self.stopped.subscribe();
        loop {
            if *stopped.borrow() {
                return Finished::Stopped;
            }
            if attempt().await.is_ok() {
                self.backoff.reset();
            }
            if *stopped.borrow() {
                return Finished::Stopped;
            }
            let Some(delay) = self.backoff.next_delay() else {
                return Finished::GaveUp { retries: self.backoff.retries() };
            };
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                // wait_for fails only if every sender is gone; we hold one.
                _ = stopped.wait_for(|stop| *stop) => return Finished::Stopped,
            }
        }
    }
}
// ANCHOR_END: reconnecting_client
