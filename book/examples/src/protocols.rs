//! Worked examples for the protocols chapter (book/src/protocols/index.md).
//!
//! The exercise writes a quote-of-the-day service, a recording transport, a TCP
//! transport and a reconnecting client. Here the same traits (the exercise's own files)
//! run a different service, a metered echo, over a different in-memory transport, a
//! loopback that joins two protocols; a ticker shows one task driving one socket with
//! `select!`, and a heartbeat shows how a `watch` channel stops a loop that waits.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

// The traits are the exercise's own files, not copies: what the chapter shows from
// exercises/04-protocols is exactly what these examples implement.
#[path = "../../../exercises/04-protocols/src/protocol.rs"]
mod protocol;
#[path = "../../../exercises/04-protocols/src/transport.rs"]
mod transport;

pub use protocol::{Factory, Protocol, Reason};
pub use transport::Transport;

// ANCHOR: echo_factory
/// What every connection of one factory shares. Atomics: the connections may run on
/// several threads at the same moment, and an atomic needs no lock.
#[derive(Default)]
struct Meter {
    connections: AtomicUsize,
    echoed: AtomicUsize,
}

/// Builds a [`MeteredEcho`] per connection: each may echo `allowance` bytes, and the
/// factory counts what all of them echoed (Twisted: a `Factory` subclass whose
/// protocols reach it through `self.factory`).
pub struct MeteredEchoFactory {
    allowance: usize,
    meter: Arc<Meter>,
}

impl MeteredEchoFactory {
    /// Each connection may echo up to `allowance` bytes, then it is closed.
    pub fn new(allowance: usize) -> Self {
        Self { allowance, meter: Arc::default() }
    }

    /// How many bytes all connections have echoed so far.
    pub fn echoed(&self) -> usize {
        self.meter.echoed.load(Ordering::SeqCst)
    }
}

impl Factory for MeteredEchoFactory {
    fn build_protocol(&self, _peer: SocketAddr) -> Box<dyn Protocol> {
        // `fetch_add` returns the old value: two connections accepted at the same
        // moment on two threads still get two different numbers.
        let number = self.meter.connections.fetch_add(1, Ordering::SeqCst) + 1;
        Box::new(MeteredEcho {
            number,
            left: self.allowance,
            meter: Arc::clone(&self.meter), // a second handle to the same counters
            transport: None,
        })
    }
}
// ANCHOR_END: echo_factory

// ANCHOR: echo_protocol
/// One connection of the metered echo: announces its allowance, echoes every byte
/// until the allowance is used up, then says so and closes.
pub struct MeteredEcho {
    number: usize,
    left: usize,
    meter: Arc<Meter>,
    /// `None` before `connection_made` and after `connection_lost`.
    transport: Option<Box<dyn Transport>>,
}

impl Protocol for MeteredEcho {
    fn connection_made(&mut self, mut transport: Box<dyn Transport>) {
        let hello = format!("echo #{}: {} bytes allowed\r\n", self.number, self.left);
        transport.write(hello.as_bytes());
        self.transport = Some(transport);
    }

    fn data_received(&mut self, data: &[u8]) {
        // An echo needs no framing: it does not care where a message ends, so each
        // chunk goes straight back, however the network cut it.
        let Some(transport) = self.transport.as_mut() else { return };
        if self.left == 0 {
            return; // closing: what arrives now is ignored
        }
        let echo = &data[..data.len().min(self.left)];
        transport.write(echo);
        self.left -= echo.len();
        self.meter.echoed.fetch_add(echo.len(), Ordering::SeqCst);
        if self.left == 0 {
            transport.write(b"\r\nallowance used up, bye\r\n");
            // Closes *after* the writes above: a transport flushes before it closes.
            transport.lose_connection();
        }
    }

    fn connection_lost(&mut self, _reason: Reason) {
        self.transport = None; // nothing written from now on could reach the peer
    }
}
// ANCHOR_END: echo_protocol

/// A client for the examples: writes `script` when connected, keeps all it hears.
pub struct Listener {
    script: Vec<u8>,
    /// Everything the server sent, in order.
    pub heard: Vec<u8>,
    /// Why the connection ended, once it has.
    pub lost: Option<Reason>,
}

impl Listener {
    /// A client that will send `script` in one write.
    pub fn new(script: &[u8]) -> Self {
        Self { script: script.to_vec(), heard: Vec::new(), lost: None }
    }
}

impl Protocol for Listener {
    fn connection_made(&mut self, mut transport: Box<dyn Transport>) {
        transport.write(&self.script);
    }

    fn data_received(&mut self, data: &[u8]) {
        self.heard.extend_from_slice(data);
    }

    fn connection_lost(&mut self, reason: Reason) {
        self.lost = Some(reason);
    }
}

// ANCHOR: loopback
/// What a [`ChannelTransport`] was asked to do, in order.
enum Sent {
    Data(Vec<u8>),
    Close,
}

/// An in-memory transport: every call becomes a message on a channel, and whoever
/// holds the receiving end decides when and how to deliver it. A `Sender` is `Send`,
/// so this is a `Transport`; an `Rc<RefCell<…>>` would not be.
struct ChannelTransport {
    sent: mpsc::Sender<Sent>,
}

impl Transport for ChannelTransport {
    fn write(&mut self, data: &[u8]) {
        let _ = self.sent.send(Sent::Data(data.to_vec())); // no receiver: nobody to tell
    }

    fn lose_connection(&mut self) {
        let _ = self.sent.send(Sent::Close);
    }
}

/// Connects two protocols in memory, no socket involved (Twisted's
/// `loopback.loopbackAsync`): what one side writes, the other receives, cut into
/// pieces of at most `chunk` bytes, as a network might. Runs until one side closes
/// (what it wrote before is still delivered) or both fall silent, then calls
/// `connection_lost(ConnectionDone)` on both.
pub fn loopback(server: &mut dyn Protocol, client: &mut dyn Protocol, chunk: usize) {
    let (to_client, from_server) = mpsc::channel();
    let (to_server, from_client) = mpsc::channel();
    server.connection_made(Box::new(ChannelTransport { sent: to_client }));
    client.connection_made(Box::new(ChannelTransport { sent: to_server }));
    loop {
        let server_said = deliver(&from_server, client, chunk);
        let client_said = deliver(&from_client, server, chunk);
        if server_said == Delivery::Closed
            || client_said == Delivery::Closed
            || (server_said, client_said) == (Delivery::Nothing, Delivery::Nothing)
        {
            break;
        }
    }
    server.connection_lost(Reason::ConnectionDone);
    client.connection_lost(Reason::ConnectionDone);
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Delivery {
    Nothing,
    Some,
    Closed,
}

/// Hands `peer` everything queued on `sent` so far, `chunk` bytes at a time.
fn deliver(
    sent: &mpsc::Receiver<Sent>,
    peer: &mut dyn Protocol,
    chunk: usize,
) -> Delivery {
    let mut delivery = Delivery::Nothing;
    while let Ok(message) = sent.try_recv() {
        match message {
            Sent::Data(bytes) => {
                for piece in bytes.chunks(chunk.max(1)) {
                    peer.data_received(piece);
                }
                delivery = Delivery::Some;
            }
            Sent::Close => return Delivery::Closed,
        }
    }
    delivery
}
// ANCHOR_END: loopback

// ANCHOR: ticker
/// A "daytime"-like service on one raw socket: writes `tick N` every `period`, counts
/// what the peer sends (and ignores it), and stops at `ticks` ticks, or when the peer
/// goes away. One task, one socket, two event sources: `select!` waits for whichever
/// comes first.
pub async fn run_ticker(stream: TcpStream, period: Duration, ticks: u32) -> Reason {
    // Two halves, so one branch can wait to read while another writes.
    let (mut reader, mut writer) = stream.into_split();
    let mut clock = tokio::time::interval(period);
    let mut chunk = [0u8; 1024]; // bounded: one read never holds more than this
    let mut sent = 0;
    loop {
        tokio::select! {
            // `biased`: try the branches in order instead of at random. Here the
            // ticks come first; the exercise wants its queued writes first.
            biased;
            _ = clock.tick() => {
                if sent == ticks {
                    // shutdown() sends FIN once what was written is out: a clean end.
                    return match writer.shutdown().await {
                        Ok(()) => Reason::ConnectionDone,
                        Err(error) => Reason::ConnectionLost(error.to_string()),
                    };
                }
                sent += 1;
                let line = format!("tick {sent}\r\n");
                if let Err(error) = writer.write_all(line.as_bytes()).await {
                    return Reason::ConnectionLost(error.to_string());
                }
            }
            read = reader.read(&mut chunk) => match read {
                Ok(0) => return Reason::ConnectionDone, // the peer closed: FIN
                Ok(_) => {} // heard, ignored
                Err(error) => return Reason::ConnectionLost(error.to_string()), // reset
            },
        }
    }
}

/// Accepts forever; one task per connection (Twisted's `listenTCP`, without a factory).
pub async fn serve_tickers(listener: TcpListener, period: Duration, ticks: u32) {
    while let Ok((stream, _peer)) = listener.accept().await {
        tokio::spawn(run_ticker(stream, period, ticks));
    }
}
// ANCHOR_END: ticker

// ANCHOR: heartbeat
/// Calls `beat` every `period` until `stop` turns `true`; returns how many beats.
///
/// A `watch` channel holds one value that many tasks can read and wait on: the
/// sender's `send_replace(true)` is "stop", seen even by a receiver that subscribes
/// later. `select!` races the sleep against the stop, so a stop cuts a wait short.
pub async fn heartbeat(
    period: Duration,
    mut stop: watch::Receiver<bool>,
    mut beat: impl FnMut(u32),
) -> u32 {
    let mut beats = 0;
    loop {
        if *stop.borrow() {
            return beats; // stopped before (or between) the waits
        }
        tokio::select! {
            () = tokio::time::sleep(period) => {
                beats += 1;
                beat(beats);
            }
            // Err only if every sender is gone: then no one can stop us either.
            _ = stop.wait_for(|stopped| *stopped) => return beats,
        }
    }
}
// ANCHOR_END: heartbeat

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncBufReadExt;
    use tokio::time::Instant;

    fn peer() -> SocketAddr {
        "127.0.0.1:40000".parse().unwrap()
    }

    // ANCHOR: loopback_test
    #[test]
    fn a_metered_echo_runs_in_memory_cut_into_three_byte_chunks() {
        let factory = MeteredEchoFactory::new(8);
        let mut server = factory.build_protocol(peer());
        let mut client = Listener::new(b"hello, world");
        loopback(server.as_mut(), &mut client, 3);
        assert_eq!(
            String::from_utf8_lossy(&client.heard),
            "echo #1: 8 bytes allowed\r\nhello, w\r\nallowance used up, bye\r\n"
        );
        assert_eq!(client.lost, Some(Reason::ConnectionDone));
        assert_eq!(factory.echoed(), 8);
    }
    // ANCHOR_END: loopback_test

    #[test]
    fn connections_share_the_factorys_meter() {
        let factory = MeteredEchoFactory::new(100);
        for (script, number) in [(&b"abc"[..], 1), (b"de", 2)] {
            let mut client = Listener::new(script);
            loopback(factory.build_protocol(peer()).as_mut(), &mut client, 1);
            let hello = format!("echo #{number}: 100 bytes allowed\r\n");
            assert!(client.heard.starts_with(hello.as_bytes()));
            assert!(client.heard.ends_with(script), "echoed back whole");
        }
        assert_eq!(factory.echoed(), 5, "both connections counted in one place");
    }

    #[tokio::test(start_paused = true)]
    async fn the_ticker_ticks_then_closes_cleanly() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve_tickers(listener, Duration::from_secs(1), 3));
        let client = TcpStream::connect(addr).await.unwrap();
        let mut lines = tokio::io::BufReader::new(client).lines();
        let mut heard = Vec::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            heard.push(line);
        }
        assert_eq!(heard, ["tick 1", "tick 2", "tick 3"], "then a clean close (EOF)");
    }

    #[tokio::test]
    async fn the_ticker_sees_the_peer_leave() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut client = TcpStream::connect(addr).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        client.shutdown().await.unwrap(); // FIN: "I will send no more" (still reading)
        let reason = run_ticker(server, Duration::from_secs(3600), 10).await;
        assert_eq!(reason, Reason::ConnectionDone);
        drop(client);
    }

    // ANCHOR: heartbeat_test
    #[tokio::test(start_paused = true)]
    async fn a_stop_ends_the_heartbeat_even_mid_wait() {
        let (stop, stopped) = watch::channel(false);
        let start = Instant::now();
        let stop_later = async {
            tokio::time::sleep(Duration::from_millis(3500)).await;
            stop.send_replace(true);
        };
        let mut at = Vec::new();
        let run =
            heartbeat(Duration::from_secs(1), stopped, |n| at.push((n, start.elapsed())));
        let (beats, ()) = tokio::join!(run, stop_later);
        assert_eq!(beats, 3);
        assert_eq!(start.elapsed(), Duration::from_millis(3500), "not 4 s: cut short");
        assert_eq!(at.last(), Some(&(3, Duration::from_secs(3))));
    }
    // ANCHOR_END: heartbeat_test
}
