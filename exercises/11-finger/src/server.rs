//! The finger protocol: one query line in, the answer, then the server closes
//! (the tutorial's `FingerProtocol`). The listening port is in `port.rs`.
//!
//! Yours to write: `FingerFactory::answer` and `FingerFactory::serve`, below. The
//! limits ([`MAX_QUERY_LENGTH`], [`IDLE_TIMEOUT`], [`LOOKUP_TIMEOUT`]), the fixed
//! answers ([`NO_SUCH_USER`], …, [`query_too_long`]) and the [`FingerFactory`] type
//! (its field `directory`) are given in `factory.rs`.

use tokio::net::TcpStream;

use crate::query::Query;

// What `answer` and `serve` will need.
#[allow(unused_imports)]
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    time::timeout,
};

pub use crate::factory::{
    FORWARDING_DENIED, FingerFactory, IDLE_TIMEOUT, INTERNAL_ERROR, LOOKUP_TIMEOUT,
    MAX_QUERY_LENGTH, NO_SUCH_USER, NO_USERS, query_too_long,
};
pub use crate::port::{FingerServer, MAX_CONNECTIONS};

impl FingerFactory {
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
