//! Demo: the quote-of-the-day + echo server, a scripted client, a reconnecting client.
//!
//! ```text
//! cargo run -p sol04-protocols -- [--listen ADDR] [--script]
//! cargo run -p sol04-protocols -- --reconnect ADDR
//! ```
//! The server logs every protocol callback, so the room sees `connection_made`,
//! each `data_received` chunk and `connection_lost` with its reason. A room of `nc`
//! users cannot stop it: logging never waits for stdout (`demo_log`), a chatty
//! connection is summarised, and running out of file descriptors only pauses
//! accepting.

mod demo_log;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Parser;
use demo_log::Log;
use sol04_protocols::{
    Backoff, Factory, Protocol, QotdFactory, Reason, ReconnectingClient, Transport,
    connect_tcp, run_connection,
};
use test_kit::DemoArgs;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// The quote-of-the-day + echo server of 04-protocols, logging every protocol
/// callback; or, with --reconnect, a client that keeps reconnecting.
#[derive(Parser)]
#[command(long_about = None)]
struct Cli {
    #[command(flatten)]
    demo: DemoArgs,
    /// Instead of serving: connect to ADDR, and reconnect with backoff whenever the
    /// connection is refused or lost.
    #[arg(long, value_name = "ADDR", conflicts_with_all = ["listen", "script"])]
    reconnect: Option<SocketAddr>,
}

const QUOTES: [&str; 4] = [
    "The network is reliable.",
    "Latency is zero.",
    "Bandwidth is infinite.",
    "The network is secure.",
];

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let (log, printer) = Log::start();
    let outcome = match cli.reconnect {
        Some(to) => {
            reconnect(to, &log).await;
            Ok(())
        }
        None => serve(cli.demo, &log).await,
    };
    printer.finish();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: DemoArgs, log: &Log) -> std::io::Result<()> {
    let listener = TcpListener::bind(args.listen).await?;
    let addr = listener.local_addr()?;
    let quotes = QUOTES.iter().map(|quote| quote.to_string()).collect();
    let factory = Arc::new(Logging {
        name: "server",
        inner: QotdFactory::new(quotes),
        log: log.clone(),
    });
    log.line(format!("QOTD + echo server listening on {addr}"));
    log.line(format!(
        "Talk to it:      nc {} {}    (or: telnet {} {})",
        addr.ip(),
        addr.port(),
        addr.ip(),
        addr.port()
    ));
    log.line(format!(
        "Twisted client:  python book/src/protocols/twisted/qotd.py --connect {addr}"
    ));
    log.line(format!(
        "Reconnecting:    cargo run -p sol04-protocols -- --reconnect {addr}"
    ));
    log.line("Type a line to hear it back; `quit` says Bye! and closes.\n");
    let server = tokio::spawn(accept_forever(listener, factory, log.clone()));
    if args.script {
        scripted_client(addr, log).await?;
        server.abort();
        return Ok(());
    }
    server.await.map_err(std::io::Error::other)
}

/// `listen_tcp` for a room: the same accept loop, but an accept that fails (out of
/// file descriptors, most likely) is logged once and retried after a growing
/// pause, instead of ending the server. The clients that leave free descriptors;
/// the clients waiting in the kernel's queue get their turn then.
async fn accept_forever<F>(listener: TcpListener, factory: Arc<F>, log: Log)
where
    F: Factory + ?Sized + 'static,
{
    // The chapter's own backoff, without jitter or a limit on retries.
    let mut backoff =
        Backoff::new(Duration::from_millis(10), 2.0, Duration::from_secs(1));
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                if backoff.retries() > 0 {
                    log.line("  [server] accepting connections again");
                    backoff.reset();
                }
                tokio::spawn(run_connection(stream, factory.build_protocol(peer)));
            }
            // The peer gave up between SYN and accept: its problem, not the server's.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionAborted
                        | std::io::ErrorKind::ConnectionReset
                ) => {}
            Err(e) => {
                if backoff.retries() == 0 {
                    log.line(format!(
                        "  [server] cannot accept a connection ({e}); \
                         trying again until it works"
                    ));
                }
                let delay = backoff.next_delay().unwrap_or(Duration::from_secs(1));
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// Plays a short conversation and prints it, one line per message.
async fn scripted_client(addr: SocketAddr, log: &Log) -> std::io::Result<()> {
    let stream = TcpStream::connect(addr).await?;
    let mut stream = BufReader::new(stream);
    receive_line(&mut stream, log).await?;
    for chunk in ["hello\r\n", "split ", "line\r\n", "quit\r\n"] {
        log.line(format!("client > {}", chunk.escape_debug()));
        stream.get_mut().write_all(chunk.as_bytes()).await?;
        if chunk.ends_with('\n') {
            receive_line(&mut stream, log).await?;
        } else {
            // Give the server a moment, so the half line arrives as its own chunk.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    receive_line(&mut stream, log).await?;
    // Let the server log its connection_lost before the process exits.
    tokio::time::sleep(Duration::from_millis(50)).await;
    Ok(())
}

/// Reads one line and prints it, or says that the server closed.
async fn receive_line(
    stream: &mut BufReader<TcpStream>,
    log: &Log,
) -> std::io::Result<()> {
    let mut line = String::new();
    match stream.read_line(&mut line).await? {
        0 => log.line("client -- connection closed by server"),
        _ => log.line(format!("client < {}", line.trim_end())),
    }
    Ok(())
}

/// A client that reconnects forever, printing each attempt and every line it hears.
async fn reconnect(to: SocketAddr, log: &Log) {
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let backoff = Backoff::new(Duration::from_millis(500), 2.0, Duration::from_secs(8))
        .with_jitter(0.1, seed);
    let factory = Logging { name: "client", inner: Listener, log: log.clone() };
    let start = Instant::now();
    log.line(format!(
        "Reconnecting to {to} (Ctrl-C to stop); start a server there to see it connect."
    ));
    let mut number = 0;
    ReconnectingClient::new(backoff)
        .run(|| {
            number += 1;
            let (factory, number) = (&factory, number);
            async move {
                let at = start.elapsed().as_secs_f64();
                let result = connect_tcp(to, factory).await;
                match &result {
                    Err(e) => log.line(format!("[{at:6.2} s] attempt {number}: {e}")),
                    Ok(reason) => log.line(format!(
                        "[{at:6.2} s] attempt {number}: connected, then {reason:?}"
                    )),
                }
                result
            }
        })
        .await;
}

/// A client protocol that only listens: `Logging` prints what it receives.
struct Listener;

impl Factory for Listener {
    fn build_protocol(&self, _peer: SocketAddr) -> Box<dyn Protocol> {
        Box::new(Listener)
    }
}

impl Protocol for Listener {
    fn connection_made(&mut self, _transport: Box<dyn Transport>) {}
    fn data_received(&mut self, _data: &[u8]) {}
    fn connection_lost(&mut self, _reason: Reason) {}
}

/// How many `data_received` and `write` calls of one connection are logged in full.
/// After that only its totals are, at `connection_lost`: a chatty client must not
/// turn each byte it sends into several bytes of log.
const CALLS_LOGGED: u32 = 20;

/// The most bytes of one chunk a log line shows; longer chunks are cut.
const BYTES_SHOWN: usize = 60;

// ANCHOR: logging
/// Wraps a factory so that its protocols log every callback and every write
/// (Twisted's `policies.TrafficLoggingFactory`): a protocol is just an object with
/// three methods, so wrapping one is easy.
struct Logging<F> {
    name: &'static str,
    inner: F,
    log: Log,
}

impl<F: Factory> Factory for Logging<F> {
    fn build_protocol(&self, peer: SocketAddr) -> Box<dyn Protocol> {
        let tag = format!("{} {peer}", self.name);
        let traffic = Arc::new(Traffic::new(tag, self.log.clone()));
        Box::new(LoggingProtocol { traffic, inner: self.inner.build_protocol(peer) })
    }
}

struct LoggingProtocol {
    traffic: Arc<Traffic>,
    inner: Box<dyn Protocol>,
}

impl Protocol for LoggingProtocol {
    fn connection_made(&mut self, transport: Box<dyn Transport>) {
        self.traffic.log("connection_made");
        let traffic = Arc::clone(&self.traffic);
        self.inner
            .connection_made(Box::new(LoggingTransport { traffic, inner: transport }));
    }

    fn data_received(&mut self, data: &[u8]) {
        self.traffic.bytes_in.fetch_add(data.len() as u64, Ordering::Relaxed);
        self.traffic.call("data_received", data);
        self.inner.data_received(data);
    }

    fn connection_lost(&mut self, reason: Reason) {
        self.traffic.lost(&reason);
        self.inner.connection_lost(reason);
    }
}
// ANCHOR_END: logging

struct LoggingTransport {
    traffic: Arc<Traffic>,
    inner: Box<dyn Transport>,
}

impl Transport for LoggingTransport {
    fn write(&mut self, data: &[u8]) {
        self.traffic.bytes_out.fetch_add(data.len() as u64, Ordering::Relaxed);
        self.traffic.call("transport.write", data);
        self.inner.write(data);
    }

    fn lose_connection(&mut self) {
        self.traffic.log("transport.lose_connection()");
        self.inner.lose_connection();
    }
}

/// What one connection has logged and moved, shared by its protocol and transport.
struct Traffic {
    tag: String,
    log: Log,
    calls: AtomicU32,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
}

impl Traffic {
    fn new(tag: String, log: Log) -> Self {
        let (calls, bytes_in, bytes_out) = Default::default();
        Self { tag, log, calls, bytes_in, bytes_out }
    }

    fn log(&self, what: &str) {
        self.log.line(format!("  [{}] {what}", self.tag));
    }

    /// Logs a call with its bytes, the first `CALLS_LOGGED` times.
    fn call(&self, name: &str, data: &[u8]) {
        let calls = self.calls.fetch_add(1, Ordering::Relaxed);
        if calls < CALLS_LOGGED {
            self.log(&format!("{name}({})", shown(data)));
        } else if calls == CALLS_LOGGED {
            self.log("... a chatty one: totals at connection_lost");
        }
    }

    fn lost(&self, reason: &Reason) {
        if self.calls.load(Ordering::Relaxed) <= CALLS_LOGGED {
            return self.log(&format!("connection_lost({reason:?})"));
        }
        self.log(&format!(
            "connection_lost({reason:?}) after {} bytes in, {} bytes out",
            self.bytes_in.load(Ordering::Relaxed),
            self.bytes_out.load(Ordering::Relaxed)
        ));
    }
}

/// `"hello\r\n"`, or the first `BYTES_SHOWN` bytes and the size of a long chunk.
fn shown(data: &[u8]) -> String {
    let text = String::from_utf8_lossy(&data[..data.len().min(BYTES_SHOWN)]);
    if data.len() <= BYTES_SHOWN {
        format!("{text:?}")
    } else {
        format!("{text:?}... ({} bytes)", data.len())
    }
}
