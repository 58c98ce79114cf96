//! The listening port (Twisted's `reactor.listenTCP(port, factory)`): accepts
//! connections and runs the factory's protocol on each. Given whole.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::server::{FeedFactory, MAX_CONNECTIONS};

/// A listening feed server (Twisted's `reactor.listenTCP(port, factory)`).
#[derive(Debug)]
pub struct FeedServer {
    listener: TcpListener,
    local_addr: SocketAddr,
    factory: FeedFactory,
}

impl FeedServer {
    /// Listens on `addr` (use `127.0.0.1:0` for any free loopback port).
    pub async fn bind(addr: SocketAddr, factory: FeedFactory) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        Ok(Self { listener, local_addr, factory })
    }

    /// The address the server really listens on, with the port the OS picked.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    // ANCHOR: run
    /// Accepts connections forever, serving each one on its own task with a clone
    /// of the factory. Spawn it: `tokio::spawn(server.run())`.
    pub async fn run(self) {
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        loop {
            // Wait for a free slot before accepting: this bounds the connections.
            let Ok(slot) = slots.clone().acquire_owned().await else { return };
            match self.listener.accept().await {
                Ok((stream, _peer)) => {
                    let factory = self.factory.clone();
                    tokio::spawn(async move {
                        factory.serve(stream).await;
                        drop(slot); // the connection is over: let the next one in
                    });
                }
                // Out of file descriptors and the like: pause instead of spinning,
                // the condition usually clears when other connections end.
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }
    // ANCHOR_END: run
}
