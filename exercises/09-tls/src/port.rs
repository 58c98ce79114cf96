//! The listening port: accepts TCP connections, brings each one to TLS (at once, or
//! after STARTTLS), finds its warehouse and runs the feed on it. Given whole: the
//! functions it calls in `config`, `accept` and `client` are yours.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::accept::warehouse_of;
use crate::feed::{DEFAULT_WAREHOUSE, Feed, serve_lines};
use crate::log::ConnectionLog;

/// How many clients may be connected at once, by default (below macOS's default of
/// 256 open files, so the limit comes before the descriptors run out). A newcomer
/// beyond it is closed at once: see [`TlsFeedServer::run`].
pub const MAX_CONNECTIONS: usize = 200;

/// How long a client has, by default, to complete the TLS handshake (and, on a
/// STARTTLS port, to ask for it) before the server drops it.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// What a server needs to bring a new connection to TLS: its acceptor (the server
/// configuration), how long a client may take, and where to say what went wrong.
#[derive(Clone)]
pub struct Gatekeeper {
    /// Runs the server side of a handshake (`TlsAcceptor::from(Arc<ServerConfig>)`).
    pub acceptor: TlsAcceptor,
    /// How long a client has to complete the handshake (and to ask for it).
    pub deadline: Duration,
    /// Where every refused connection's reason goes.
    pub log: ConnectionLog,
}

/// When a connection becomes TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (Twisted's `SSL4ServerEndpoint`, HTTPS, port 993).
    Tls,
    /// Plain lines until the client sends `STARTTLS`, then TLS on the same
    /// connection (Twisted's `transport.startTLS`, SMTP, IMAP).
    StartTls,
}

/// The first pause after a failed accept; each next failure doubles it, up to
/// [`MAX_ACCEPT_PAUSE`].
const FIRST_ACCEPT_PAUSE: Duration = Duration::from_millis(10);

/// The longest pause between two tries to accept after failures.
const MAX_ACCEPT_PAUSE: Duration = Duration::from_secs(1);

/// A listening TLS feed server (`reactor.listenSSL(port, factory, contextFactory)`).
pub struct TlsFeedServer {
    listener: TcpListener,
    local_addr: SocketAddr,
    max_connections: usize,
    shared: Shared,
}

/// What every connection of one server shares.
struct Shared {
    gatekeeper: Gatekeeper,
    security: Security,
    feed: Feed,
}

impl TlsFeedServer {
    /// Listens on `addr` (use `127.0.0.1:0` for any free loopback port) with the
    /// server's TLS configuration, logging what happens to connections in `log`.
    pub async fn bind(
        addr: SocketAddr,
        config: ServerConfig,
        security: Security,
        log: ConnectionLog,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let gatekeeper = Gatekeeper { acceptor, deadline: HANDSHAKE_TIMEOUT, log };
        let shared = Shared { gatekeeper, security, feed: Feed::new() };
        Ok(Self { listener, local_addr, max_connections: MAX_CONNECTIONS, shared })
    }

    /// Serves at most `max` clients at once instead of [`MAX_CONNECTIONS`] (at
    /// least one).
    pub fn with_max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// Gives clients `deadline` instead of [`HANDSHAKE_TIMEOUT`] to handshake.
    pub fn with_handshake_timeout(mut self, deadline: Duration) -> Self {
        self.shared.gatekeeper.deadline = deadline;
        self
    }

    /// The address the server really listens on, with the port the OS picked.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The inventories this server updates, to look at from outside.
    pub fn feed(&self) -> Feed {
        self.shared.feed.clone()
    }

    /// Accepts connections forever, serving each one on its own task. Spawn it:
    /// `tokio::spawn(server.run())`.
    ///
    /// A client that never handshakes holds its slot until the handshake deadline.
    /// A newcomer beyond the limit is closed at once, rather than left waiting,
    /// unanswered, in the kernel's queue behind them. It hears no "busy" line: a
    /// TLS client expects a ServerHello, and plaintext would read as a corrupt
    /// record, while finishing a handshake only to say "busy" would spend the CPU
    /// the limit protects. Its handshake ends at once (end of stream, or a reset if
    /// its ClientHello was already waiting), and the log says why.
    ///
    /// A failed accept (out of file descriptors, most likely) is logged once and
    /// retried after a pause that doubles up to a second: the clients waiting in
    /// the queue get in when others leave, and the server lives on.
    pub async fn run(self) {
        let shared = Arc::new(self.shared);
        let log = shared.gatekeeper.log.clone();
        let slots = Arc::new(Semaphore::new(self.max_connections));
        let mut pause: Option<Duration> = None;
        loop {
            let (tcp, peer) = match self.listener.accept().await {
                Ok(accepted) => accepted,
                // The peer gave up between its SYN and our accept: its problem.
                Err(err) if is_peer_gone(&err) => continue,
                Err(err) => {
                    let next = match pause {
                        None => {
                            log.note(format_args!(
                                "cannot accept a connection ({err}); pausing"
                            ));
                            FIRST_ACCEPT_PAUSE
                        }
                        Some(last) => (last * 2).min(MAX_ACCEPT_PAUSE),
                    };
                    pause = Some(next);
                    tokio::time::sleep(next).await;
                    continue;
                }
            };
            if pause.take().is_some() {
                log.note("accepting connections again");
            }
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                let max = self.max_connections;
                log.record(peer, format_args!("refused: server busy ({max} clients)"));
                drop(tcp); // closed before any byte of TLS
                continue;
            };
            let shared = shared.clone();
            tokio::spawn(async move {
                shared.serve(tcp, peer).await;
                drop(slot); // the connection is over: let the next one in
            });
        }
    }
}

/// True for an accept error that only concerns the peer that gave up.
fn is_peer_gone(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}

impl Shared {
    // ANCHOR: serve
    /// One connection: TLS first, then who is it, then the unchanged feed.
    async fn serve(&self, tcp: TcpStream, peer: SocketAddr) {
        let (gatekeeper, log) = (&self.gatekeeper, &self.gatekeeper.log);
        let tls = match self.security {
            Security::Tls => gatekeeper.handshake(tcp, peer).await,
            Security::StartTls => gatekeeper.start_tls(tcp, peer).await,
        };
        let Some(tls) = tls else { return }; // the reason is in the log
        let session = tls.get_ref().1;
        // Only a server that asked for client certificates (mutual TLS) gets any,
        // and rustls has already checked they were signed by the trusted CA.
        let warehouse = match session.peer_certificates() {
            None => DEFAULT_WAREHOUSE,
            Some(chain) => match chain.first().and_then(warehouse_of) {
                Some(warehouse) => warehouse,
                None => return log.record(peer, "certificate names no known warehouse"),
            },
        };
        let version = session.protocol_version().map(|v| format!("{v:?}"));
        let version = version.unwrap_or_default();
        log.record(peer, format_args!("{version} established, warehouse {warehouse}"));
        if let Err(err) = serve_lines(tls, &self.feed.inventory(warehouse)).await {
            log.record(peer, format_args!("connection failed: {err}"));
        }
    }
    // ANCHOR_END: serve
}
