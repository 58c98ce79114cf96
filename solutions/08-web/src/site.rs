//! The site (Twisted's `server.Site`): serves HTTP/1.1 on each connection and
//! hands every request to the resource the tree walk finds.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;

use crate::pages;
use crate::render::dispatch;
use crate::resource::{Node, Request, Response};
use crate::tree::get_child_for_request;

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

    // ANCHOR: handle
    /// Answers one request: walks the tree along its path (404 when a segment has
    /// no child), then lets [`dispatch`] render it.
    pub async fn handle(&self, request: hyper::Request<Incoming>) -> Response {
        let (head, body) = request.into_parts();
        let Some(walk) = get_child_for_request(&self.root, head.uri.path()) else {
            return pages::no_resource();
        };
        let request =
            Request { head, body, prepath: walk.prepath, postpath: walk.postpath };
        dispatch(walk.node.resource().as_ref(), request).await
    }
    // ANCHOR_END: handle

    // ANCHOR: serve_connection
    /// Serves HTTP/1.1 on `stream` until the client closes it or breaks a limit.
    /// A request's rendering runs inside the connection's future, so a client that
    /// leaves mid-render drops it (Twisted's `notifyFinish` errback, for free).
    pub async fn serve_connection(self, stream: TcpStream) {
        // Also how long a kept-alive connection may idle: hyper restarts this
        // timer whenever it waits for a request's head.
        let header_read_timeout = self.header_read_timeout;
        let service = service_fn(move |request| {
            let site = self.clone();
            async move { Ok::<_, Infallible>(site.handle(request).await) }
        });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_read_timeout)
            .max_buf_size(MAX_HEADER_BYTES)
            .serve_connection(TokioIo::new(stream), service);
        // An error here is the client's (a bad request, a timeout, a reset): the
        // connection is over either way, and nobody is waiting for the reason.
        let _ = connection.await;
    }
    // ANCHOR_END: serve_connection
}
