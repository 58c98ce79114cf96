//! The telnet-style bridge (the Twisted `FakeTelnet` of the chapter): each
//! connection names one allow-listed command, and the socket becomes the command's
//! terminal: bytes in go to its stdin, its stdout comes back, its stderr comes back
//! as `! ` lines, and the connection ends when the command does.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
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
    allowed: Arc<AllowList>,
    run_timeout: Duration,
    events: Option<UnboundedSender<ChildEvent>>,
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

    /// Serves one connection, start to end:
    ///
    /// 1. Read the command line ([`read_command`](crate::wire::read_command), with
    ///    the run deadline); on error, say its message (if any) and hang up.
    /// 2. A name not on the list: say [`unknown_command`](crate::wire::unknown_command),
    ///    hang up, spawn nothing.
    /// 3. Spawn it with pipes on all three and an EMPTY environment (Twisted's
    ///    default), report [`ChildEvent::Spawned`].
    /// 4. Until the child ends: the client's bytes (those that came with the
    ///    command line first) go to its stdin, and the client's end of input
    ///    closes stdin; its stdout goes to the client as it is; its stderr goes
    ///    through [`ErrLines`](crate::wire::ErrLines). Both directions at once, and
    ///    never reading more from the child than the client has taken.
    /// 5. If the client is gone (a read or write fails), or the deadline passes
    ///    (say [`timed_out`](crate::wire::timed_out) first): kill the child.
    /// 6. Always reap it (wait for it), report [`ChildEvent::Ended`], then say
    ///    [`ended`](crate::wire::ended) if the client is still there, and hang up.
    pub async fn serve(&self, stream: TcpStream) {
        let _ = stream;
        todo!("TelnetBridge::serve")
    }
}
