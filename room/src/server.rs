//! The listening port: at most [`MAX_CONNECTIONS`] connections at once, each served
//! HTTP/1.1 (and upgraded to a WebSocket for /ws) with bounded heads and timeouts.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::app::App;
use crate::routes;

/// At most this many connections at once; the next is answered [`BUSY`] and closed.
pub const MAX_CONNECTIONS: usize = 1024;
/// How long a client may take to send a request's head, and how long a kept-alive
/// connection may idle (hyper restarts this timer whenever it waits for a head).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The most bytes of request head (hyper's smallest read buffer): more gets 431.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;

/// What a client beyond the limit reads before its connection is closed.
pub const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
    Content-Length: 12\r\nRetry-After: 1\r\nConnection: close\r\n\r\nroom busy.\r\n";

/// A bound room server.
pub struct Server {
    listener: TcpListener,
    app: App,
}

impl Server {
    /// Listens on `addr` for `app`.
    pub async fn bind(addr: SocketAddr, app: App) -> io::Result<Self> {
        Ok(Server { listener: TcpListener::bind(addr).await?, app })
    }

    /// Where it really listens.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts connections forever; spawn it. A failed accept (out of file
    /// descriptors, most likely) pauses and retries instead of ending the room.
    pub async fn run(self) {
        let slots = Arc::new(Semaphore::new(self.app.limits.max_connections.max(1)));
        loop {
            let stream = match self.listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) if matches!(e.kind(), io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset) => {
                    continue;
                }
                Err(e) => {
                    eprintln!("room: cannot accept a connection ({e}); retrying in 100 ms");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                let _ = stream.try_write(BUSY);
                continue;
            };
            let app = self.app.clone();
            tokio::spawn(async move {
                serve_connection(app, stream).await;
                drop(slot);
            });
        }
    }
}

/// Serves HTTP/1.1 on one connection until the client leaves or breaks a limit.
async fn serve_connection(app: App, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let header_read_timeout = app.limits.header_read_timeout;
    let service = service_fn(move |request| {
        let app = app.clone();
        async move { Ok::<_, Infallible>(routes::handle(app, request).await) }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .max_buf_size(MAX_HEADER_BYTES)
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    // An error is the client's (garbage, a timeout, a reset): the connection is over.
    let _ = connection.await;
}
