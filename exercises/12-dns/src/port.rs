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
/// accept queue until a slot frees up.
pub const MAX_TCP_CONNECTIONS: usize = 128;
/// How long a TCP client may stay silent (between queries, or inside one) before
/// the server closes the connection (RFC 7766 asks for seconds, not minutes).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// An authoritative DNS server for one zone, bound and ready to [`run`](Self::run).
#[derive(Debug)]
pub struct DnsServer {
    udp: Arc<UdpSocket>,
    tcp: TcpListener,
    zone: Arc<Zone>,
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
                    });
                }
                Err(err) if attempts == 1 => return Err(err),
                Err(_) => attempts -= 1,
            }
        }
    }

    /// The address both sockets are bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.tcp.local_addr().expect("a bound listener has an address")
    }

    /// Serves until this future is dropped: the datagrams one after the other
    /// (each is answered at once, nothing to wait for), and every TCP connection
    /// in a task of its own (at most [`MAX_TCP_CONNECTIONS`] at a time).
    pub async fn run(self) {
        let datagrams = serve_udp(self.udp, Arc::clone(&self.zone));
        let connections = async {
            let slots = Arc::new(Semaphore::new(MAX_TCP_CONNECTIONS));
            loop {
                let Ok(slot) = Arc::clone(&slots).acquire_owned().await else { return };
                let Ok((stream, _peer)) = self.tcp.accept().await else { continue };
                let zone = Arc::clone(&self.zone);
                tokio::spawn(async move {
                    serve_tcp(stream, zone).await;
                    drop(slot);
                });
            }
        };
        tokio::join!(datagrams, connections);
    }
}
