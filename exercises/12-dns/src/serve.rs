//! The two transports: datagrams on one UDP socket, and messages with a two-byte
//! length prefix on TCP connections. Both hand every query to [`respond`].

use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpStream, UdpSocket};

use crate::zone::Zone;

// What `serve_udp` and `serve_tcp` will need.
#[allow(unused_imports)]
use {
    crate::message::Transport,
    crate::respond::respond,
    tokio::io::{AsyncReadExt, AsyncWriteExt},
    tokio::time::timeout,
};

/// The largest query datagram read whole; the kernel cuts longer ones, and the cut
/// query then fails to parse (FORMERR).
pub const MAX_QUERY_DATAGRAM: usize = 4096;

/// Answers datagrams on `socket` until it fails (Twisted's `DatagramProtocol`:
/// no connection, each datagram comes with its sender's address).
///
/// Loop: `socket.recv_from(&mut buffer)` gives the length and the sender;
/// [`respond`] to `&buffer[..len]` over [`Transport::Udp`]; `send_to` the reply,
/// if any, to that sender. A receive error ends the loop; a failed send is the
/// client's problem (it may be gone), not a reason to stop serving the others.
pub async fn serve_udp(socket: Arc<UdpSocket>, zone: Arc<Zone>) {
    todo!("serve_udp({:?}, {})", socket.local_addr(), zone.origin())
}

/// Answers the queries of one TCP connection until the client closes it, is
/// silent for `idle` (the port passes [`IDLE_TIMEOUT`](crate::IDLE_TIMEOUT)
/// unless told otherwise), or sends something that is not a query.
///
/// Each message, both ways, is a big-endian `u16` length and that many bytes
/// (RFC 1035 4.2.2): `read_u16`, then `read_exact` into a buffer of that length.
/// Wrap each read in `timeout(idle, …)`. A query [`respond`] gives no
/// reply for (not even FORMERR: it had no header) closes the connection. Write
/// the reply's length, then the reply, in one `write_all` (two writes can leave
/// as two packets). A client may send several queries without waiting: answer
/// them in order.
pub async fn serve_tcp(stream: TcpStream, zone: Arc<Zone>, idle: Duration) {
    todo!("serve_tcp({:?}, {}, {idle:?})", stream.peer_addr(), zone.origin())
}
