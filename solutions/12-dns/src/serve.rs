//! The two transports: datagrams on one UDP socket, and messages with a two-byte
//! length prefix on TCP connections. Both hand every query to [`respond`].

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::timeout;

use crate::message::Transport;
use crate::respond::respond;
use crate::zone::Zone;

/// The largest query datagram read whole; the kernel cuts longer ones, and the cut
/// query then fails to parse (FORMERR).
pub const MAX_QUERY_DATAGRAM: usize = 4096;

// ANCHOR: serve_udp
/// Answers datagrams on `socket` until it fails.
pub async fn serve_udp(socket: Arc<UdpSocket>, zone: Arc<Zone>) {
    let mut buffer = vec![0; MAX_QUERY_DATAGRAM];
    while let Ok((len, peer)) = socket.recv_from(&mut buffer).await {
        if let Some(reply) = respond(&zone, &buffer[..len], Transport::Udp) {
            // The sender may be gone; the others still want answers.
            let _ = socket.send_to(&reply, peer).await;
        }
    }
}
// ANCHOR_END: serve_udp

// ANCHOR: serve_tcp
/// Answers the queries of one TCP connection until the client closes it, is
/// silent for `idle` (the port passes [`IDLE_TIMEOUT`](crate::IDLE_TIMEOUT)
/// unless told otherwise), or sends something that is not a query.
pub async fn serve_tcp(mut stream: TcpStream, zone: Arc<Zone>, idle: Duration) {
    loop {
        let Ok(Ok(len)) = timeout(idle, stream.read_u16()).await else { return };
        let mut query = vec![0; usize::from(len)];
        let Ok(Ok(_)) = timeout(idle, stream.read_exact(&mut query)).await else {
            return;
        };
        let Some(reply) = respond(&zone, &query, Transport::Tcp) else { return };
        // respond() keeps a TCP reply under 65,536 bytes: its length fits a u16.
        let Ok(prefix) = u16::try_from(reply.len()) else { return };
        let framed = [&prefix.to_be_bytes()[..], &reply].concat();
        if stream.write_all(&framed).await.is_err() {
            return;
        }
    }
}
// ANCHOR_END: serve_tcp
