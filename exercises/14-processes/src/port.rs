//! The listening port (Twisted's `reactor.listenTCP(port, factory)`): accepts
//! connections and runs the bridge on each. Given whole.
//!
//! Every connection of the bridge is a process on the server, so connections are
//! bounded: at most [`MAX_CONNECTIONS`] at once; a newcomer beyond that is told
//! `! server busy` and closed. How long each may last is the bridge's run timeout.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::bridge::TelnetBridge;
use crate::wire::say;

/// How many connections (so, child processes) the bridge serves at once.
pub const MAX_CONNECTIONS: usize = 32;

/// A listening bridge.
#[derive(Debug)]
pub struct BridgeServer {
    listener: TcpListener,
    local_addr: SocketAddr,
    bridge: TelnetBridge,
    max_connections: usize,
}

impl BridgeServer {
    /// Listens on `addr` (use `127.0.0.1:0` for any free loopback port).
    pub async fn bind(addr: SocketAddr, bridge: TelnetBridge) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        Ok(Self { listener, local_addr, bridge, max_connections: MAX_CONNECTIONS })
    }

    /// Serves at most `max_connections` clients at once instead of
    /// [`MAX_CONNECTIONS`].
    pub fn with_max_connections(mut self, max_connections: usize) -> Self {
        self.max_connections = max_connections;
        self
    }

    /// The address the server really listens on, with the port the OS picked.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Accepts connections forever, serving each one on its own task with a clone
    /// of the bridge. Spawn it: `tokio::spawn(server.run())`.
    pub async fn run(self) {
        let slots = Arc::new(Semaphore::new(self.max_connections));
        loop {
            match self.listener.accept().await {
                Ok((stream, _peer)) => {
                    let Ok(slot) = slots.clone().try_acquire_owned() else {
                        refuse(stream);
                        continue;
                    };
                    let bridge = self.bridge.clone();
                    tokio::spawn(async move {
                        bridge.serve(stream).await;
                        drop(slot); // the connection is over: let the next one in
                    });
                }
                // Out of file descriptors and the like: pause instead of spinning,
                // the condition usually clears when other connections end.
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }
}

/// Tells a client beyond the limit that the server is busy, and closes. Without
/// waiting: a fresh socket's send buffer is empty, so the line fits.
fn refuse(stream: TcpStream) {
    let Ok(mut stream) = stream.into_std() else { return };
    let _ = stream.write_all(say("server busy").as_bytes());
    let _ = stream.shutdown(std::net::Shutdown::Write);
    // Closing with unread input would reset the connection, and the client could
    // lose the line: read what is already there (nonblocking, bounded) first.
    let mut unread = [0; 4096];
    for _ in 0..16 {
        if !matches!(stream.read(&mut unread), Ok(n) if n > 0) {
            break;
        }
    }
}
