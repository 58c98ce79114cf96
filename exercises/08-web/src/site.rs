//! The site (Twisted's `server.Site`): serves HTTP/1.1 on each connection and
//! hands every request to the resource the tree walk finds. `handle` and
//! `serve_connection` are yours to write.

use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use tokio::net::TcpStream;

use crate::resource::{Node, Response};

/// How long a client may take to send a request's headers (slowloris).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The most bytes a request's head (request line and headers) may take; more gets
/// 431. hyper's smallest allowed read buffer is 8 KiB.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;

/// A resource tree, served (Twisted's `server.Site(root)`). Cheap to clone: every
/// connection shares one tree.
#[derive(Debug, Clone)]
pub struct Site {
    root: Arc<Node>,
    header_read_timeout: Duration,
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

    /// Answers one request: walks the tree along its path (404 when a segment has
    /// no child, [`crate::pages::no_resource`]), then lets [`crate::dispatch`]
    /// render it.
    pub async fn handle(&self, request: hyper::Request<Incoming>) -> Response {
        let _ = (&self.root, request);
        todo!("Site::handle")
    }

    /// Serves HTTP/1.1 on `stream` until the client closes it or breaks a limit
    /// ([`Self::header_read_timeout`], [`HEADER_READ_TIMEOUT`] unless changed;
    /// [`MAX_HEADER_BYTES`]). A client that leaves mid-render must stop that
    /// render.
    pub async fn serve_connection(self, stream: TcpStream) {
        let _ = stream;
        todo!("Site::serve_connection")
    }
}
