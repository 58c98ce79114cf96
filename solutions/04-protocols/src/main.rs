//! Demo: the quote-of-the-day + echo server, a scripted client, a reconnecting client.
//!
//! ```text
//! cargo run -p sol04-protocols -- [--listen ADDR] [--script]
//! cargo run -p sol04-protocols -- --reconnect ADDR
//! ```
//! The server logs every protocol callback, so the room sees `connection_made`,
//! each `data_received` chunk and `connection_lost` with its reason.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sol04_protocols::{
    Backoff, Factory, Protocol, QotdFactory, Reason, ReconnectingClient, Transport,
    connect_tcp, listen_tcp,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

const USAGE: &str =
    "usage: sol04-protocols [--listen ADDR] [--script] | --reconnect ADDR";

const QUOTES: [&str; 4] = [
    "The network is reliable.",
    "Latency is zero.",
    "Bandwidth is infinite.",
    "The network is secure.",
];

/// What the command line asked for.
enum Mode {
    Serve { listen: SocketAddr, script: bool },
    Reconnect { to: SocketAddr },
}

fn parse_args() -> Result<Mode, String> {
    let mut listen: SocketAddr = "127.0.0.1:0".parse().expect("a valid default address");
    let mut script = false;
    let mut reconnect = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = address(args.next())?,
            "--reconnect" => reconnect = Some(address(args.next())?),
            "--script" => script = true,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(match reconnect {
        Some(to) => Mode::Reconnect { to },
        None => Mode::Serve { listen, script },
    })
}

fn address(arg: Option<String>) -> Result<SocketAddr, String> {
    let arg = arg.ok_or_else(|| format!("an address is missing\n{USAGE}"))?;
    arg.parse().map_err(|e| format!("{arg:?} is not an address like 127.0.0.1:8007: {e}"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let outcome = match parse_args() {
        Ok(Mode::Serve { listen, script }) => serve(listen, script).await,
        Ok(Mode::Reconnect { to }) => {
            reconnect(to).await;
            Ok(())
        }
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(listen: SocketAddr, script: bool) -> std::io::Result<()> {
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let quotes = QUOTES.iter().map(|quote| quote.to_string()).collect();
    let factory = Arc::new(Logging { name: "server", inner: QotdFactory::new(quotes) });
    println!("QOTD + echo server listening on {addr}");
    println!(
        "Talk to it:      nc {} {}    (or: telnet {} {})",
        addr.ip(),
        addr.port(),
        addr.ip(),
        addr.port()
    );
    println!(
        "Twisted client:  python book/src/protocols/twisted/qotd.py --connect {addr}"
    );
    println!("Reconnecting:    cargo run -p sol04-protocols -- --reconnect {addr}");
    println!("Type a line to hear it back; `quit` says Bye! and closes.\n");
    let server = tokio::spawn(listen_tcp(listener, factory));
    if script {
        scripted_client(addr).await?;
        server.abort();
        return Ok(());
    }
    server.await.map_err(std::io::Error::other)?
}

/// Plays a short conversation and prints it, one line per message.
async fn scripted_client(addr: SocketAddr) -> std::io::Result<()> {
    let stream = TcpStream::connect(addr).await?;
    let mut stream = BufReader::new(stream);
    receive_line(&mut stream).await?;
    for chunk in ["hello\r\n", "split ", "line\r\n", "quit\r\n"] {
        println!("client > {}", chunk.escape_debug());
        stream.get_mut().write_all(chunk.as_bytes()).await?;
        if chunk.ends_with('\n') {
            receive_line(&mut stream).await?;
        } else {
            // Give the server a moment, so the half line arrives as its own chunk.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    receive_line(&mut stream).await?;
    // Let the server log its connection_lost before the process exits.
    tokio::time::sleep(Duration::from_millis(50)).await;
    Ok(())
}

/// Reads one line and prints it, or says that the server closed.
async fn receive_line(stream: &mut BufReader<TcpStream>) -> std::io::Result<()> {
    let mut line = String::new();
    match stream.read_line(&mut line).await? {
        0 => println!("client -- connection closed by server"),
        _ => println!("client < {}", line.trim_end()),
    }
    Ok(())
}

/// A client that reconnects forever, printing each attempt and every line it hears.
async fn reconnect(to: SocketAddr) {
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let backoff = Backoff::new(Duration::from_millis(500), 2.0, Duration::from_secs(8))
        .with_jitter(0.1, seed);
    let factory = Logging { name: "client", inner: Listener };
    let start = Instant::now();
    println!(
        "Reconnecting to {to} (Ctrl-C to stop); start a server there to see it connect."
    );
    let mut number = 0;
    ReconnectingClient::new(backoff)
        .run(|| {
            number += 1;
            let (factory, number) = (&factory, number);
            async move {
                let at = start.elapsed().as_secs_f64();
                let result = connect_tcp(to, factory).await;
                match &result {
                    Err(e) => println!("[{at:6.2} s] attempt {number}: {e}"),
                    Ok(reason) => println!(
                        "[{at:6.2} s] attempt {number}: connected, then {reason:?}"
                    ),
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

// ANCHOR: logging
/// Wraps a factory so that its protocols print every callback and every write
/// (Twisted's `policies.TrafficLoggingFactory`): a protocol is just an object with
/// three methods, so wrapping one is easy.
struct Logging<F> {
    name: &'static str,
    inner: F,
}

impl<F: Factory> Factory for Logging<F> {
    fn build_protocol(&self, peer: SocketAddr) -> Box<dyn Protocol> {
        let tag = format!("{} {peer}", self.name);
        Box::new(LoggingProtocol { tag, inner: self.inner.build_protocol(peer) })
    }
}

struct LoggingProtocol {
    tag: String,
    inner: Box<dyn Protocol>,
}

impl Protocol for LoggingProtocol {
    fn connection_made(&mut self, transport: Box<dyn Transport>) {
        println!("  [{}] connection_made", self.tag);
        self.inner.connection_made(Box::new(LoggingTransport {
            tag: self.tag.clone(),
            inner: transport,
        }));
    }

    fn data_received(&mut self, data: &[u8]) {
        println!("  [{}] data_received({:?})", self.tag, String::from_utf8_lossy(data));
        self.inner.data_received(data);
    }

    fn connection_lost(&mut self, reason: Reason) {
        println!("  [{}] connection_lost({reason:?})", self.tag);
        self.inner.connection_lost(reason);
    }
}

// ANCHOR_END: logging

struct LoggingTransport {
    tag: String,
    inner: Box<dyn Transport>,
}

impl Transport for LoggingTransport {
    fn write(&mut self, data: &[u8]) {
        println!("  [{}] transport.write({:?})", self.tag, String::from_utf8_lossy(data));
        self.inner.write(data);
    }

    fn lose_connection(&mut self) {
        println!("  [{}] transport.lose_connection()", self.tag);
        self.inner.lose_connection();
    }
}
