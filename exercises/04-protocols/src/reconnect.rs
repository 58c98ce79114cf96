//! A client that reconnects: try, wait, try again, until told to stop.

use std::future::Future;
use std::io;

use crate::{Backoff, Reason};

/// How [`ReconnectingClient::run`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    /// [`StopTrying::stop_trying`] was called.
    Stopped,
    /// The backoff's `max_retries` ran out; `retries` delays were waited.
    GaveUp { retries: u32 },
}

/// A handle that stops a [`ReconnectingClient`] from another task (Twisted's
/// `stopTrying`). Cheap to clone.
///
/// A `tokio::sync::watch` channel of a `bool` fits: the client and every handle
/// share a `watch::Sender<bool>` (it is `Clone`); `stop_trying` sets it with
/// `send_replace(true)` (which works even when no one listens yet); the client
/// subscribes, checks `*receiver.borrow()` and can `wait_for(|stop| *stop)`.
#[derive(Clone)]
pub struct StopTrying {
    // Your fields here.
}

impl StopTrying {
    /// No new attempt starts after this, and a wait in progress ends now. An
    /// attempt already running (a connection, maybe) is left to finish.
    pub fn stop_trying(&self) {
        todo!("StopTrying::stop_trying")
    }
}

/// Keeps a connection up: runs an attempt, and when it fails or its connection
/// ends, waits the backoff's next delay and tries again (Twisted's
/// `ReconnectingClientFactory`).
pub struct ReconnectingClient {
    // Your fields here: the backoff, and what `StopTrying` handles share.
}

impl ReconnectingClient {
    /// A client that waits as `backoff` says between attempts.
    pub fn new(backoff: Backoff) -> Self {
        todo!("ReconnectingClient::new({backoff:?})")
    }

    /// A handle to stop this client, to keep before `run` consumes it.
    pub fn stopper(&self) -> StopTrying {
        todo!("ReconnectingClient::stopper")
    }

    /// Calls `attempt` until stopped or out of retries.
    ///
    /// An attempt returns `Err` when it could not connect, and `Ok(reason)` when it
    /// connected and that connection has since ended: that was a success, so the
    /// backoff starts over from its first delay. Either way, the next attempt comes
    /// after `backoff.next_delay()` (`None`: return `GaveUp`). Check for a stop
    /// before each attempt and after it, and wait with `tokio::select!` between
    /// `tokio::time::sleep(delay)` and the stop signal.
    pub async fn run<A, Fut>(self, attempt: A) -> Finished
    where
        A: FnMut() -> Fut,
        Fut: Future<Output = io::Result<Reason>>,
    {
        let _ = (self, attempt);
        todo!("ReconnectingClient::run")
    }
}
