//! The finger protocol: one query line in, the answer, then the server closes
//! (the tutorial's `FingerProtocol`). The listening port is in `port.rs`.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;

use crate::directory::Directory;
use crate::query::Query;

// What `answer` and `serve` will need.
#[allow(unused_imports)]
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    time::timeout,
};

pub use crate::port::{FingerServer, MAX_CONNECTIONS};

/// The longest query line, in bytes, before its `\n` (a `\r` before the `\n`
/// counts): Twisted's `LineReceiver.MAX_LENGTH` with `delimiter = b"\n"`.
pub const MAX_QUERY_LENGTH: usize = 256;

/// How long a client has to send its whole query line, from its connection on.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the backend has to answer a query, all lookups included.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// The answer for a user the directory does not know (the tutorial's words).
pub const NO_SUCH_USER: &str = "No such user";

/// The answer when a lookup fails or times out (the tutorial's `catchError`).
pub const INTERNAL_ERROR: &str = "Internal error in server";

/// The answer to `user@host` (`twisted.protocols.finger`'s words).
pub const FORWARDING_DENIED: &str = "Finger forwarding service denied";

/// The answer to a list query when the directory is empty.
pub const NO_USERS: &str = "No users";

/// The answer to a line longer than [`MAX_QUERY_LENGTH`]; the server then closes.
pub fn query_too_long() -> String {
    format!("Query too long (max {MAX_QUERY_LENGTH} bytes)")
}

// ANCHOR: factory
/// What every finger connection shares (the tutorial's `FingerFactory`): the
/// directory, behind an `Arc<dyn Directory>` so that any backend plugs in.
#[derive(Clone)]
pub struct FingerFactory {
    directory: Arc<dyn Directory>,
}
// ANCHOR_END: factory

impl FingerFactory {
    /// A factory that answers from `directory`.
    pub fn new(directory: impl Directory) -> Self {
        Self { directory: Arc::new(directory) }
    }

    /// A factory that answers from a directory shared with other ports.
    pub fn shared(directory: Arc<dyn Directory>) -> Self {
        Self { directory }
    }

    /// The directory this factory answers from, shared (a new handle to it).
    pub fn directory(&self) -> Arc<dyn Directory> {
        self.directory.clone()
    }

    /// The lines that answer `query`, without line ends (the tutorial's
    /// `getUser` and its callbacks). The directory's lookups return futures that
    /// can fail ([`Lookup`](crate::Lookup)): `?` works inside an `async` block
    /// that returns a `Result`.
    ///
    /// | query                        | lines                                   |
    /// |------------------------------|-----------------------------------------|
    /// | `Forward { .. }`             | [`FORWARDING_DENIED`] (no lookup at all) |
    /// | `User { name, verbose: false }` | `alice: <status>`                    |
    /// | `User { name, verbose: true }`  | `Login: alice`, then `Status: <status>` |
    /// | `User` the directory lacks   | [`NO_SUCH_USER`]                        |
    /// | `List { verbose: false }`    | each name from `get_users`, in its order |
    /// | `List { verbose: true }`     | `alice: <status>` for each name (skip one whose `get_user` is `None`) |
    /// | a list with no lines         | [`NO_USERS`]                            |
    ///
    /// Any lookup that fails, and an answer that is not ready within
    /// [`LOOKUP_TIMEOUT`] (all lookups together: `tokio::time::timeout`), gives the
    /// one line [`INTERNAL_ERROR`].
    pub async fn answer(&self, query: &Query) -> Vec<String> {
        todo!("FingerFactory::answer({query:?})")
    }

    /// Serves one connection (the tutorial's `FingerProtocol`): reads one query
    /// line, writes the answer, closes.
    ///
    /// - Read up to the first `\n`, but never more than [`MAX_QUERY_LENGTH`] + 1
    ///   bytes (`AsyncReadExt::take` on a `BufReader`, then `read_until`), and
    ///   give the client [`IDLE_TIMEOUT`] for the whole line.
    /// - A line that ends in `\n`: drop the `\n` and a `\r` before it,
    ///   [`Query::parse`] it, and answer with [`Self::answer`] or, for a
    ///   [`QueryError`](crate::QueryError), with its `Display` as the one line.
    /// - More than [`MAX_QUERY_LENGTH`] bytes and no `\n`: answer
    ///   [`query_too_long`].
    /// - Anything else (the client closed mid-line, a socket error, the timeout):
    ///   return without a word; dropping the stream closes it.
    /// - Write every answer line followed by `\r\n`, then close (`shutdown`). A
    ///   client that never reads must not keep the task alive: bound the write
    ///   with [`IDLE_TIMEOUT`] too. Ignore write errors: the client left.
    pub async fn serve(&self, stream: TcpStream) {
        todo!("FingerFactory::serve({:?})", stream.peer_addr())
    }
}
