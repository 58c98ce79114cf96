//! The bridge's given parts: its time limit, [`ChildEvent`], and [`TelnetBridge`],
//! the factory every connection shares, with its builder methods. Given whole.
//!
//! `TelnetBridge::serve` is yours to write in `bridge.rs`, in another
//! `impl TelnetBridge` block.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use crate::allow::AllowList;
use crate::exit::Exit;

/// How long one connection's command may run before the bridge kills it.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// What happened to a connection's child, for the tests and the demo's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildEvent {
    /// The allowed command `command` started as process `pid`.
    Spawned {
        /// The name the client sent.
        command: String,
        /// The child's process id.
        pid: u32,
    },
    /// Process `pid` ended and was reaped: no zombie is left.
    Ended {
        /// The child's process id.
        pid: u32,
        /// How it ended.
        exit: Exit,
    },
}

/// The bridge's factory: what every connection shares (the allow-list, the time
/// limit, where to report child events), handed to each connection as a clone.
#[derive(Debug, Clone)]
pub struct TelnetBridge {
    pub(crate) allowed: Arc<AllowList>,
    pub(crate) run_timeout: Duration,
    pub(crate) events: Option<UnboundedSender<ChildEvent>>,
}

impl TelnetBridge {
    /// A bridge that runs the commands of `allowed`, each for at most [`RUN_TIMEOUT`].
    pub fn new(allowed: AllowList) -> Self {
        Self { allowed: Arc::new(allowed), run_timeout: RUN_TIMEOUT, events: None }
    }

    /// Kills a connection's command after `limit` instead of [`RUN_TIMEOUT`]; the
    /// limit counts from the connection's start (its command line included).
    pub fn with_run_timeout(mut self, limit: Duration) -> Self {
        self.run_timeout = limit;
        self
    }

    /// Reports every child's start and end on `events`.
    pub fn with_events(mut self, events: UnboundedSender<ChildEvent>) -> Self {
        self.events = Some(events);
        self
    }

    /// The allowed commands.
    pub fn allowed(&self) -> &AllowList {
        &self.allowed
    }

    /// How long a connection's command may run.
    pub fn run_timeout(&self) -> Duration {
        self.run_timeout
    }

    /// Sends `event` to whoever asked for events (nobody is fine).
    pub fn report(&self, event: ChildEvent) {
        if let Some(events) = &self.events {
            let _ = events.send(event);
        }
    }
}
