//! The real transport: a TCP socket, driven by one task per connection.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::{Factory, Protocol, Reason, Transport};

/// How many bytes one read may hand to `data_received`. It bounds the memory of a
/// connection, and it is why a protocol sees long messages in pieces.
const READ_CHUNK: usize = 4096;

// ANCHOR: outgoing
/// What a [`TcpTransport`] asks its connection task to do, in the order asked.
enum Outgoing {
    Data(Vec<u8>),
    Close,
}
// ANCHOR_END: outgoing

// ANCHOR: tcp_transport
/// The transport a protocol gets on a real TCP connection.
///
/// It does not own the socket: it queues requests on a channel, and the task that
/// runs the connection ([`run_connection`]) writes them out in order. So `write`
/// never blocks, and `lose_connection` closes only after every earlier write.
pub struct TcpTransport {
    outgoing: mpsc::UnboundedSender<Outgoing>,
}

impl Transport for TcpTransport {
    fn write(&mut self, data: &[u8]) {
        // Fails only once the connection task has ended: the bytes have nowhere
        // to go, and Twisted drops them silently too.
        let _ = self.outgoing.send(Outgoing::Data(data.to_vec()));
    }

    fn lose_connection(&mut self) {
        let _ = self.outgoing.send(Outgoing::Close);
    }
}
// ANCHOR_END: tcp_transport

// ANCHOR: run_connection
/// Runs one connection to its end: calls `protocol.connection_made`, then
/// `data_received` for every chunk read from `stream`, writes out what the
/// protocol queued, and finally calls `connection_lost` with the reason, which it
/// also returns.
pub async fn run_connection(
    stream: TcpStream,
    mut protocol: Box<dyn Protocol>,
) -> Reason {
    let (outgoing, mut queued) = mpsc::unbounded_channel();
    let (mut reader, mut writer) = stream.into_split();
    protocol.connection_made(Box::new(TcpTransport { outgoing: outgoing.clone() }));
    // Holding a sender ourselves keeps the channel open: if the protocol drops its
    // transport, `recv` waits instead of returning `None` in a busy loop.
    let _keep_open = outgoing;

    let mut chunk = vec![0; READ_CHUNK];
    let reason = loop {
        tokio::select! {
            // Drain queued writes before reading more: what the protocol wrote in
            // answer to one chunk goes out before the next chunk is handled, and a
            // Close is seen only after the writes queued before it.
            biased;
            Some(request) = queued.recv() => match request {
                Outgoing::Data(bytes) => {
                    if let Err(error) = writer.write_all(&bytes).await {
                        break lost(error);
                    }
                }
                Outgoing::Close => {
                    // Everything queued before the Close is written: now send FIN.
                    break match writer.shutdown().await {
                        Ok(()) => Reason::ConnectionDone,
                        Err(error) => lost(error),
                    };
                }
            },
            read = reader.read(&mut chunk) => match read {
                Ok(0) => break Reason::ConnectionDone, // the peer closed cleanly
                Ok(n) => protocol.data_received(&chunk[..n]),
                Err(error) => break lost(error),
            },
        }
    };
    protocol.connection_lost(reason.clone());
    reason
}
// ANCHOR_END: run_connection

fn lost(error: io::Error) -> Reason {
    Reason::ConnectionLost(error.to_string())
}

// ANCHOR: listen_tcp
/// Accepts connections on `listener` forever, one task and one protocol (from
/// `factory`) each (Twisted's `reactor.listenTCP(port, factory)`).
///
/// Returns only if accepting fails for a reason other than one aborted connection.
pub async fn listen_tcp<F>(listener: TcpListener, factory: Arc<F>) -> io::Result<()>
where
    F: Factory + ?Sized + 'static,
{
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            // The peer gave up between SYN and accept: its problem, not the server's.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
                ) =>
            {
                continue;
            }
            Err(e) => return Err(e),
        };
        let protocol = factory.build_protocol(peer);
        tokio::spawn(run_connection(stream, protocol));
    }
}
// ANCHOR_END: listen_tcp

// ANCHOR: connect_tcp
/// Connects to `addr` and runs one connection with a protocol from `factory` until
/// it ends (Twisted's `reactor.connectTCP`, waiting for the whole connection).
///
/// `Err` means no connection was made (refused, unreachable); `Ok` carries the
/// reason an established connection ended.
pub async fn connect_tcp<F>(addr: SocketAddr, factory: &F) -> io::Result<Reason>
where
    F: Factory + ?Sized,
{
    let stream = TcpStream::connect(addr).await?;
    let protocol = factory.build_protocol(addr);
    Ok(run_connection(stream, protocol).await)
}
// ANCHOR_END: connect_tcp
