//! The real transport: a TCP socket, driven by one task per connection.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};

use crate::{Factory, Protocol, Reason, Transport};

/// The transport a protocol gets on a real TCP connection.
///
/// It does not own the socket: it queues requests on a channel
/// (`tokio::sync::mpsc::unbounded_channel`, of an enum like `Data(Vec<u8>)` /
/// `Close`), and the task that runs the connection ([`run_connection`]) writes them
/// out in order. So `write` never blocks, and `lose_connection` closes only after
/// every earlier write. A send that fails means the connection is already gone:
/// ignore it, as Twisted does.
pub struct TcpTransport {
    // Your fields here: the sending half of the channel.
}

impl Transport for TcpTransport {
    fn write(&mut self, data: &[u8]) {
        todo!("TcpTransport::write({} bytes)", data.len())
    }

    fn lose_connection(&mut self) {
        todo!("TcpTransport::lose_connection")
    }
}

/// Runs one connection to its end: calls `protocol.connection_made`, then
/// `data_received` for every chunk read from `stream`, writes out what the
/// protocol queued, and finally calls `connection_lost` with the reason, which it
/// also returns.
///
/// One loop with `tokio::select!` over two events: a request from the channel
/// (write the bytes with `write_all`; on `Close`, `shutdown` the socket and stop)
/// and a read from the socket (`Ok(0)` is a clean close by the peer; `Ok(n)` goes
/// to `data_received`; `Err` is a broken connection). Split the stream
/// (`into_split`) so both halves can be used in one `select!`. Read into a buffer
/// of a few KiB: that bounds the memory of a connection. Keep a sender yourself,
/// or `recv` returns `None` at once, forever, when the protocol drops its transport.
pub async fn run_connection(stream: TcpStream, protocol: Box<dyn Protocol>) -> Reason {
    let _ = protocol;
    todo!("run_connection({:?})", stream.peer_addr())
}

/// Accepts connections on `listener` forever, one task (`tokio::spawn`) and one
/// protocol (from `factory`) each (Twisted's `reactor.listenTCP(port, factory)`).
///
/// Returns only if accepting fails for a reason other than one aborted connection
/// (`ConnectionAborted`, `ConnectionReset`: skip those and go on).
pub async fn listen_tcp<F>(listener: TcpListener, factory: Arc<F>) -> io::Result<()>
where
    F: Factory + ?Sized + 'static,
{
    let _ = factory;
    todo!("listen_tcp({:?})", listener.local_addr())
}

/// Connects to `addr` and runs one connection with a protocol from `factory` until
/// it ends (Twisted's `reactor.connectTCP`, waiting for the whole connection).
///
/// `Err` means no connection was made (refused, unreachable); `Ok` carries the
/// reason an established connection ended.
pub async fn connect_tcp<F>(addr: SocketAddr, factory: &F) -> io::Result<Reason>
where
    F: Factory + ?Sized,
{
    let _ = factory;
    todo!("connect_tcp({addr})")
}
