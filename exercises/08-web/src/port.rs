//! The listening port (Twisted's `reactor.listenTCP(port, site)`): accepts
//! connections, at most [`MAX_CONNECTIONS`] at a time, and hands each to the site.
//! Given whole.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::site::Site;

/// At most this many connections at once, by default; the next one is answered
/// [`BUSY`] and closed.
pub const MAX_CONNECTIONS: usize = 256;

/// What a client beyond the connection limit reads before the port closes its
/// connection: a whole response, so that curl and browsers show it.
pub const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
    Content-Type: text/plain; charset=utf-8\r\nContent-Length: 12\r\n\
    Retry-After: 1\r\nConnection: close\r\n\r\nserver busy\n";

/// A listening web server.
#[derive(Debug)]
pub struct WebServer {
    listener: TcpListener,
    local_addr: SocketAddr,
    site: Site,
    max_connections: usize,
}

impl WebServer {
    /// Listens on `addr` (use `127.0.0.1:0` for any free loopback port).
    pub async fn bind(addr: SocketAddr, site: Site) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        Ok(Self { listener, local_addr, site, max_connections: MAX_CONNECTIONS })
    }

    /// Serves at most `max` connections at once instead of [`MAX_CONNECTIONS`]
    /// (at least one).
    pub fn with_max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// The address the server really listens on, with the port the OS picked.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Accepts connections forever, each served on its own task by a clone of the
    /// site. Spawn it: `tokio::spawn(server.run())`.
    ///
    /// A client beyond the limit is answered [`BUSY`] at once, rather than left
    /// waiting unanswered in the kernel's queue behind idle keep-alive connections.
    /// A failed accept (out of file descriptors, most likely) is reported on
    /// stderr once, like Twisted's port logs it, and retried after a pause that
    /// doubles up to a second: the clients waiting in the queue get in when others
    /// leave, and the server lives on.
    pub async fn run(self) {
        let slots = Arc::new(Semaphore::new(self.max_connections));
        let mut pause: Option<Duration> = None;
        loop {
            let stream = match self.listener.accept().await {
                Ok((stream, _peer)) => stream,
                // The peer gave up between SYN and accept: its problem.
                Err(e) if is_peer_gone(&e) => continue,
                Err(e) => {
                    let next = match pause {
                        None => {
                            eprintln!("web: cannot accept a connection ({e}); pausing");
                            Duration::from_millis(10)
                        }
                        Some(last) => (last * 2).min(Duration::from_secs(1)),
                    };
                    pause = Some(next);
                    tokio::time::sleep(next).await;
                    continue;
                }
            };
            if pause.take().is_some() {
                eprintln!("web: accepting connections again");
            }
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                // Full: a short answer fits any empty socket buffer, so this never
                // waits; dropping the stream then closes it.
                let _ = stream.try_write(BUSY);
                continue;
            };
            let site = self.site.clone();
            tokio::spawn(async move {
                site.serve_connection(stream).await;
                drop(slot); // the connection is over: let the next one in
            });
        }
    }
}

/// True for an accept error that only concerns the peer that gave up.
fn is_peer_gone(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}
