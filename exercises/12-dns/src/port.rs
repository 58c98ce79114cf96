//! The listening server: one UDP socket and one TCP listener on the same port,
//! as DNS has it (`dig` asks over UDP, then over TCP on the same port after a TC).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::Semaphore;

use crate::serve::{serve_tcp, serve_udp};
use crate::zone::Zone;

/// How many TCP clients may be connected at once; the next waits in the kernel's
/// accept queue until a slot frees up (UDP is answered all the while).
pub const MAX_TCP_CONNECTIONS: usize = 128;
/// How long a TCP client may stay silent (between queries, or inside one) before
/// the server closes the connection (RFC 7766 asks for seconds, not minutes).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// The first pause after a failed accept, and the longest one.
const ACCEPT_BACKOFF: (Duration, Duration) =
    (Duration::from_millis(10), Duration::from_secs(1));

/// An authoritative DNS server for one zone, bound and ready to [`run`](Self::run).
#[derive(Debug)]
pub struct DnsServer {
    udp: Arc<UdpSocket>,
    tcp: TcpListener,
    zone: Arc<Zone>,
    max_tcp_connections: usize,
    idle_timeout: Duration,
}

impl DnsServer {
    /// Binds UDP and TCP to `addr`. For port 0, the UDP socket picks a free port
    /// and TCP takes the same one; if another program holds it for TCP, it tries
    /// again with a new port.
    pub async fn bind(addr: SocketAddr, zone: Zone) -> io::Result<DnsServer> {
        let mut attempts = if addr.port() == 0 { 20 } else { 1 };
        loop {
            let udp = UdpSocket::bind(addr).await?;
            match TcpListener::bind(udp.local_addr()?).await {
                Ok(tcp) => {
                    return Ok(DnsServer {
                        udp: Arc::new(udp),
                        tcp,
                        zone: Arc::new(zone),
                        max_tcp_connections: MAX_TCP_CONNECTIONS,
                        idle_timeout: IDLE_TIMEOUT,
                    });
                }
                Err(err) if attempts == 1 => return Err(err),
                Err(_) => attempts -= 1,
            }
        }
    }

    /// Serves at most `max` TCP clients at once instead of [`MAX_TCP_CONNECTIONS`]
    /// (at least one).
    pub fn with_max_tcp_connections(mut self, max: usize) -> Self {
        self.max_tcp_connections = max.max(1);
        self
    }

    /// Closes a TCP connection silent for `idle` instead of [`IDLE_TIMEOUT`].
    pub fn with_idle_timeout(mut self, idle: Duration) -> Self {
        self.idle_timeout = idle;
        self
    }

    /// The address both sockets are bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.tcp.local_addr().expect("a bound listener has an address")
    }

    /// Serves until this future is dropped: the datagrams one after the other
    /// (each is answered at once, nothing to wait for), and every TCP connection
    /// in a task of its own (at most [`MAX_TCP_CONNECTIONS`] at a time). A failed
    /// accept (out of file descriptors, most likely) is reported on stderr once,
    /// like Twisted's port logs it, and retried after a growing pause: UDP is
    /// answered meanwhile, and TCP resumes when descriptors free up.
    pub async fn run(self) {
        let datagrams = serve_udp(self.udp, Arc::clone(&self.zone));
        let idle = self.idle_timeout;
        let connections = async {
            let slots = Arc::new(Semaphore::new(self.max_tcp_connections));
            let mut pause = None;
            loop {
                let Ok(slot) = Arc::clone(&slots).acquire_owned().await else { return };
                let stream = match self.tcp.accept().await {
                    Ok((stream, _peer)) => stream,
                    // The peer gave up between SYN and accept: its problem.
                    Err(e) if is_peer_gone(&e) => continue,
                    Err(e) => {
                        let next = match pause {
                            None => {
                                eprintln!(
                                    "dns: cannot accept a TCP connection ({e}); pausing"
                                );
                                ACCEPT_BACKOFF.0
                            }
                            Some(last) => ACCEPT_BACKOFF.1.min(last * 2),
                        };
                        pause = Some(next);
                        tokio::time::sleep(next).await;
                        continue;
                    }
                };
                if pause.take().is_some() {
                    eprintln!("dns: accepting TCP connections again");
                }
                let zone = Arc::clone(&self.zone);
                tokio::spawn(async move {
                    serve_tcp(stream, zone, idle).await;
                    drop(slot);
                });
            }
        };
        tokio::join!(datagrams, connections);
    }
}

/// True for an accept error that only concerns the peer that gave up.
fn is_peer_gone(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}
