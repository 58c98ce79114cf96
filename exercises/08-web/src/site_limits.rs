//! The site's limits and the [`Site`] type: the shared resource tree and the header
//! timeout, with its constructors. Given whole.
//!
//! `Site::handle` and `Site::serve_connection` are yours to write in `site.rs`, in
//! another `impl Site` block.

use std::sync::Arc;
use std::time::Duration;

use crate::resource::Node;

/// How long a client may take to send a request's headers (slowloris).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The most bytes a request's head (request line and headers) may take; more gets
/// 431. hyper's smallest allowed read buffer is 8 KiB.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;

/// A resource tree, served (Twisted's `server.Site(root)`). Cheap to clone: every
/// connection shares one tree.
#[derive(Debug, Clone)]
pub struct Site {
    pub(crate) root: Arc<Node>,
    pub(crate) header_read_timeout: Duration,
}

impl Site {
    /// A site serving the tree under `root`, with [`HEADER_READ_TIMEOUT`].
    pub fn new(root: Node) -> Self {
        Self { root: Arc::new(root), header_read_timeout: HEADER_READ_TIMEOUT }
    }

    /// Gives a client `timeout` to send a request's headers instead of
    /// [`HEADER_READ_TIMEOUT`] (a demo shortens it to show the room).
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// How long a client may take to send a request's headers, and how long a
    /// kept-alive connection may wait for its next request.
    pub fn header_read_timeout(&self) -> Duration {
        self.header_read_timeout
    }
}
