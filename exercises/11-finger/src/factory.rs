//! The finger server's limits, its answers' fixed words, and [`FingerFactory`]: what
//! every connection shares. Given whole.
//!
//! `FingerFactory::answer` and `FingerFactory::serve` are yours to write in
//! `server.rs`, in another `impl FingerFactory` block.

use std::sync::Arc;
use std::time::Duration;

use crate::directory::Directory;

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
    pub(crate) directory: Arc<dyn Directory>,
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
}
