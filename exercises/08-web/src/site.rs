//! The site (Twisted's `server.Site`): serves HTTP/1.1 on each connection and
//! hands every request to the resource the tree walk finds. `handle` and
//! `serve_connection` are yours to write, below; the limits and the [`Site`] type
//! (its fields `root` and `header_read_timeout`, and `new`) are given in
//! `site_limits.rs`.

use hyper::body::Incoming;
use tokio::net::TcpStream;

use crate::resource::Response;

pub use crate::site_limits::{HEADER_READ_TIMEOUT, MAX_HEADER_BYTES, Site};

impl Site {
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
