//! The listening ports (Twisted's `reactor.listenTCP(port, factory)`): accept
//! connections and run a protocol on each. Given whole.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::server::FingerFactory;

/// How many clients may be connected to one port at once; the next one waits in
/// the kernel's accept queue until a slot frees up.
pub const MAX_CONNECTIONS: usize = 256;

/// A listening finger server (`reactor.listenTCP(79, factory)`).
pub struct FingerServer {
    listener: TcpListener,
    factory: FingerFactory,
}

impl FingerServer {
    /// Listens on `addr` (use `127.0.0.1:0` for any free loopback port).
    pub async fn bind(addr: SocketAddr, factory: FingerFactory) -> io::Result<Self> {
        Ok(Self { listener: TcpListener::bind(addr).await?, factory })
    }

    /// The address the server really listens on, with the port the OS picked.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts connections forever, answering each on its own task. Spawn it:
    /// `tokio::spawn(server.run())`.
    pub async fn run(self) {
        let factory = self.factory;
        accept_forever(self.listener, move |stream| {
            let factory = factory.clone();
            async move { factory.serve(stream).await }
        })
        .await
    }
}

// ANCHOR: accept_forever
/// Accepts connections on `listener` forever, running `protocol(stream)` on a task
/// of its own for each, at most [`MAX_CONNECTIONS`] at a time. Every port of the
/// service (finger, setter, web) is this loop with another protocol.
pub async fn accept_forever<P, F>(listener: TcpListener, protocol: P)
where
    P: Fn(TcpStream) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        // Wait for a free slot before accepting: this bounds the connections.
        let Ok(slot) = slots.clone().acquire_owned().await else { return };
        match listener.accept().await {
            Ok((stream, _peer)) => {
                let connection = protocol(stream);
                tokio::spawn(async move {
                    connection.await;
                    drop(slot); // the connection is over: let the next one in
                });
            }
            // Out of file descriptors and the like: pause instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
// ANCHOR_END: accept_forever
