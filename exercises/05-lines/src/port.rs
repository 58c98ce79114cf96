//! The listening port (Twisted's `reactor.listenTCP(port, factory)`): accepts
//! connections and runs the factory's protocol on each. Given whole.
//!
//! A server open to a room must bound what each client may hold, and say no out
//! loud: at most [`MAX_CONNECTIONS`] at once (a newcomer beyond that is told
//! `ERR server busy` and closed, not left waiting in silence), and a connection
//! that sends nothing for [`IDLE_TIMEOUT`] is told so and closed, so idle clients
//! cannot keep everyone else out (what Twisted's `policies.TimeoutMixin` does for
//! a protocol, here done by the port for every connection).

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncWriteExt, Interest};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::timeout;

use crate::server::{FeedFactory, MAX_CONNECTIONS};

/// How long a connection may send nothing before the server closes it.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// What a client beyond [`MAX_CONNECTIONS`] hears before the server closes.
pub const BUSY: &str = "ERR server busy";

/// A listening feed server (Twisted's `reactor.listenTCP(port, factory)`).
#[derive(Debug)]
pub struct FeedServer {
    listener: TcpListener,
    local_addr: SocketAddr,
    factory: FeedFactory,
    max_connections: usize,
    idle_timeout: Duration,
}

impl FeedServer {
    /// Listens on `addr` (use `127.0.0.1:0` for any free loopback port).
    pub async fn bind(addr: SocketAddr, factory: FeedFactory) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        Ok(Self {
            listener,
            local_addr,
            factory,
            max_connections: MAX_CONNECTIONS,
            idle_timeout: IDLE_TIMEOUT,
        })
    }

    /// Serves at most `max_connections` clients at once instead of
    /// [`MAX_CONNECTIONS`].
    pub fn with_max_connections(mut self, max_connections: usize) -> Self {
        self.max_connections = max_connections;
        self
    }

    /// Closes connections silent for `idle_timeout` instead of [`IDLE_TIMEOUT`].
    pub fn with_idle_timeout(mut self, idle_timeout: Duration) -> Self {
        self.idle_timeout = idle_timeout;
        self
    }

    /// The address the server really listens on, with the port the OS picked.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    // ANCHOR: run
    /// Accepts connections forever, serving each one on its own task with a clone
    /// of the factory. Spawn it: `tokio::spawn(server.run())`.
    pub async fn run(self) {
        let slots = Arc::new(Semaphore::new(self.max_connections));
        loop {
            match self.listener.accept().await {
                Ok((stream, _peer)) => {
                    // A slot per connection bounds them; with none free, say so.
                    let Ok(slot) = slots.clone().try_acquire_owned() else {
                        refuse(stream);
                        continue;
                    };
                    let factory = self.factory.clone();
                    let idle_timeout = self.idle_timeout;
                    tokio::spawn(async move {
                        serve_until_idle(&factory, stream, idle_timeout).await;
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

/// Tells a client beyond the limit that the server is busy, and closes. Without
/// waiting: a fresh socket's send buffer is empty, so the line fits.
fn refuse(stream: TcpStream) {
    let Ok(mut stream) = stream.into_std() else { return };
    let _ = stream.write_all(format!("{BUSY}\r\n").as_bytes());
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

/// Runs the factory's protocol on `stream` until it ends or the client has sent
/// nothing for `idle_timeout`; then says so and closes.
async fn serve_until_idle(
    factory: &FeedFactory,
    stream: TcpStream,
    idle_timeout: Duration,
) {
    // The protocol owns the socket; a second handle on the same socket hears that
    // bytes arrived (a readiness event each time) without reading them.
    let Ok((stream, mut watch)) = two_handles(stream) else { return };
    tokio::select! {
        () = factory.serve(stream) => {}
        () = silent_for(&watch, idle_timeout) => {
            let idle = format!("ERR idle for {} s, closing\r\n", idle_timeout.as_secs());
            let _ = timeout(Duration::from_secs(1), watch.write_all(idle.as_bytes())).await;
        }
    }
}

/// Two tokio handles on one socket.
fn two_handles(stream: TcpStream) -> io::Result<(TcpStream, TcpStream)> {
    let stream = stream.into_std()?;
    let watch = stream.try_clone()?;
    Ok((TcpStream::from_std(stream)?, TcpStream::from_std(watch)?))
}

/// Returns once no bytes have arrived on `watch` for `idle_timeout`.
async fn silent_for(watch: &TcpStream, idle_timeout: Duration) {
    loop {
        match timeout(idle_timeout, watch.ready(Interest::READABLE)).await {
            Err(_silent) => return,
            Ok(Ok(ready)) if !ready.is_read_closed() => {
                // Forget this event without reading (the protocol reads the bytes),
                // so the next `ready` waits for the next bytes.
                let _ = watch.try_io(Interest::READABLE, || {
                    Err::<(), _>(io::ErrorKind::WouldBlock.into())
                });
            }
            // The client sent all it ever will: no more activity to wait for.
            Ok(_) => return tokio::time::sleep(idle_timeout).await,
        }
    }
}
