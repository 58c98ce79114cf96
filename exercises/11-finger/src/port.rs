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

/// How many clients may be connected to one port at once, by default; the next
/// one is told the port is busy ([`BUSY`]) and closed.
pub const MAX_CONNECTIONS: usize = 256;

/// What a finger or setter client beyond the connection limit reads before the
/// port closes its connection.
pub const BUSY: &[u8] = b"Server busy, try again later\r\n";

/// How a port bounds the room: how many connections at once, and how long each
/// may last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// At most this many connections at once (at least one).
    pub max_connections: usize,
    /// The longest a connection may last, all of it; `None` leaves it to the
    /// protocol's own timeouts (finger's `IDLE_TIMEOUT`, the setter's).
    pub deadline: Option<Duration>,
}

impl Default for Limits {
    /// [`MAX_CONNECTIONS`], and no deadline of the port's own.
    fn default() -> Self {
        Self { max_connections: MAX_CONNECTIONS, deadline: None }
    }
}

/// A listening finger server (`reactor.listenTCP(79, factory)`).
pub struct FingerServer {
    listener: TcpListener,
    factory: FingerFactory,
    limits: Limits,
}

impl FingerServer {
    /// Listens on `addr` (use `127.0.0.1:0` for any free loopback port).
    pub async fn bind(addr: SocketAddr, factory: FingerFactory) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self { listener, factory, limits: Limits::default() })
    }

    /// Bounds the connections with `limits` instead of [`Limits::default`].
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The address the server really listens on, with the port the OS picked.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts connections forever, answering each on its own task. Spawn it:
    /// `tokio::spawn(server.run())`.
    pub async fn run(self) {
        let factory = self.factory;
        accept_forever(self.listener, self.limits, BUSY, move |stream| {
            let factory = factory.clone();
            async move { factory.serve(stream).await }
        })
        .await
    }
}

// ANCHOR: accept_forever
/// Accepts connections on `listener` forever, running `protocol(stream)` on a task
/// of its own for each, within `limits`: a client beyond the limit reads `busy` and
/// is closed at once, rather than waiting unanswered in the kernel's queue. Every
/// port of the service (finger, setter, web) is this loop with another protocol.
pub async fn accept_forever<P, F>(
    listener: TcpListener,
    limits: Limits,
    busy: &'static [u8],
    protocol: P,
) where
    P: Fn(TcpStream) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut pause = None;
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(e) => {
                pause = pause_accepting(&e, pause).await;
                continue;
            }
        };
        if pause.take().is_some() {
            eprintln!("finger: accepting connections again");
        }
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            // Full: a few bytes fit any empty socket buffer, so this never waits.
            let _ = stream.try_write(busy);
            continue; // dropping the stream closes it
        };
        let connection = protocol(stream);
        tokio::spawn(async move {
            match limits.deadline {
                Some(deadline) => {
                    let _ = tokio::time::timeout(deadline, connection).await;
                }
                None => connection.await,
            }
            drop(slot); // the connection is over: let the next one in
        });
    }
}
// ANCHOR_END: accept_forever

/// After a failed accept (out of file descriptors, most likely): says so on stderr
/// the first time, as Twisted's port logs it, then waits a pause that doubles up to
/// a second instead of spinning. Returns the pause it waited, if any.
async fn pause_accepting(error: &io::Error, last: Option<Duration>) -> Option<Duration> {
    // The peer gave up between SYN and accept: its problem, no pause.
    if matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    ) {
        return last;
    }
    let pause = match last {
        None => {
            eprintln!("finger: cannot accept a connection ({error}); pausing");
            Duration::from_millis(10)
        }
        Some(last) => (last * 2).min(Duration::from_secs(1)),
    };
    tokio::time::sleep(pause).await;
    Some(pause)
}
