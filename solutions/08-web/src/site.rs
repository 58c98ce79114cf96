//! The site (Twisted's `server.Site`): serves HTTP/1.1 on each connection and
//! hands every request to the resource the tree walk finds.

use std::convert::Infallible;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;

use crate::pages;
use crate::render::dispatch;
use crate::resource::{Request, Response};
use crate::tree::get_child_for_request;

pub use crate::site_limits::{HEADER_READ_TIMEOUT, MAX_HEADER_BYTES, Site};

impl Site {
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
