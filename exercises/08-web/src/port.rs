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

/// At most this many connections at once; the next waits in the listen backlog.
pub const MAX_CONNECTIONS: usize = 256;

/// A listening web server.
#[derive(Debug)]
pub struct WebServer {
    listener: TcpListener,
    local_addr: SocketAddr,
    site: Site,
}

impl WebServer {
    /// Listens on `addr` (use `127.0.0.1:0` for any free loopback port).
    pub async fn bind(addr: SocketAddr, site: Site) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        Ok(Self { listener, local_addr, site })
    }

    /// The address the server really listens on, with the port the OS picked.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Accepts connections forever, each served on its own task by a clone of the
    /// site. Spawn it: `tokio::spawn(server.run())`.
    pub async fn run(self) {
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        loop {
            // Wait for a free slot before accepting: this bounds the connections.
            let Ok(slot) = slots.clone().acquire_owned().await else { return };
            match self.listener.accept().await {
                Ok((stream, _peer)) => {
                    let site = self.site.clone();
                    tokio::spawn(async move {
                        site.serve_connection(stream).await;
                        drop(slot); // the connection is over: let the next one in
                    });
                }
                // Out of file descriptors and the like: pause instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }
}
