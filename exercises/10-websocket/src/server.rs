//! The listening server: one port for the dashboard page (`GET /`), the echo
//! endpoint (`/echo`) and the dashboards (`/live`), and one port for the stock feed
//! (05's `SKU qty` lines). Given whole: routing and plain HTTP are 08-web's topic.
//!
//! A server open to a room bounds what each client may hold and says no out loud:
//! at most [`MAX_CONNECTIONS`] connections per port (a newcomer beyond that is
//! answered `503 Service Unavailable`, or `error server busy` on the feed, and
//! closed, not left waiting in silence); a request head (the WebSocket upgrade
//! included) must arrive within [`HANDSHAKE_TIMEOUT`], so connections that never
//! finish their handshake cannot keep everyone else out; and running out of file
//! descriptors pauses accepting instead of ending the server.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, timeout, timeout_at};
use tokio_util::codec::{Framed, LinesCodec};

use crate::hub::Hub;
use crate::inventory::StockMove;
use crate::page::DASHBOARD_PAGE;
use crate::policy::{
    self, MAX_DASHBOARD_MESSAGE, MAX_ECHO_MESSAGE, Policy, QUEUE_CAPACITY,
};
use crate::session;
use crate::stream::WebStream;

/// Connections served at once on each port; a newcomer beyond that is told the
/// server is busy and closed. Below macOS's default limit of 256 open files
/// (Linux's is 1,024) for both ports, so the server reaches it before running out
/// of descriptors, when it could no longer accept a newcomer even to say no.
pub const MAX_CONNECTIONS: usize = 100;

/// How long a web client has to send its whole request head (for a WebSocket, to
/// finish the opening handshake); then it is dropped (autobahn's
/// `openHandshakeTimeout`, 5 s there by default).
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest HTTP request head (request line and headers) the server reads.
pub const MAX_HEAD: usize = 8 * 1024;

/// How long a feed connection may stay silent before it is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Longest feed line.
pub const MAX_FEED_LINE: usize = 128;

/// The dashboard server: its two listening sockets and the hub they share.
pub struct Server {
    web: TcpListener,
    feed: TcpListener,
    hub: Arc<Hub>,
    policy: Policy,
    limits: Limits,
}

/// What one port allows each client: how many at once, how long to shake hands.
#[derive(Debug, Clone, Copy)]
struct Limits {
    max_connections: usize,
    handshake_timeout: Duration,
}

impl Server {
    /// Listens on `addr` for the page and the WebSockets, and on a free port of the
    /// same host for the stock feed. Dashboards must come from this server's page
    /// (or send no Origin).
    pub async fn bind(addr: SocketAddr) -> io::Result<Server> {
        let web = TcpListener::bind(addr).await?;
        let feed = TcpListener::bind(SocketAddr::new(addr.ip(), 0)).await?;
        let policy = Policy::for_page(&web.local_addr()?.to_string());
        let limits = Limits {
            max_connections: MAX_CONNECTIONS,
            handshake_timeout: HANDSHAKE_TIMEOUT,
        };
        Ok(Server { web, feed, hub: Hub::new(QUEUE_CAPACITY), policy, limits })
    }

    /// Serves at most `max_connections` clients at once on each port instead of
    /// [`MAX_CONNECTIONS`].
    pub fn with_max_connections(mut self, max_connections: usize) -> Server {
        self.limits.max_connections = max_connections.max(1);
        self
    }

    /// Drops a web client that has not sent its request head after
    /// `handshake_timeout` instead of [`HANDSHAKE_TIMEOUT`].
    pub fn with_handshake_timeout(mut self, handshake_timeout: Duration) -> Server {
        self.limits.handshake_timeout = handshake_timeout;
        self
    }

    /// The address of the page and the WebSocket endpoints.
    pub fn local_addr(&self) -> SocketAddr {
        self.web.local_addr().expect("a bound listener has an address")
    }

    /// The address of the stock feed.
    pub fn feed_addr(&self) -> SocketAddr {
        self.feed.local_addr().expect("a bound listener has an address")
    }

    /// The hub the dashboards register with.
    pub fn hub(&self) -> Arc<Hub> {
        self.hub.clone()
    }

    /// The dashboard policy (allowed origins, ping timing), to change before `run`.
    pub fn policy_mut(&mut self) -> &mut Policy {
        &mut self.policy
    }

    /// Serves both ports until the task is dropped. Spawn it.
    pub async fn run(self) {
        let Server { web, feed, hub, policy, limits } = self;
        let policy = Arc::new(policy);
        let feed_hub = hub.clone();
        let feed = serve(feed, limits, FEED_BUSY, move |stream| {
            serve_feed(stream, feed_hub.clone())
        });
        let web = serve(web, limits, WEB_BUSY, move |stream| {
            serve_web(stream, hub.clone(), policy.clone(), limits.handshake_timeout)
        });
        tokio::join!(feed, web);
    }
}

/// What a web client beyond [`MAX_CONNECTIONS`] hears before the server closes.
const WEB_BUSY: &str = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n\
                        Content-Length: 12\r\nRetry-After: 1\r\nConnection: close\r\n\r\n\
                        server busy\n";

/// What a feed beyond [`MAX_CONNECTIONS`] hears before the server closes.
const FEED_BUSY: &str = "error server busy\r\n";

/// Accepts connections forever, serving at most `limits.max_connections` at a
/// time, each on its own task; a newcomer beyond that hears `busy` and is closed.
async fn serve<F, Fut>(listener: TcpListener, limits: Limits, busy: &str, handle: F)
where
    F: Fn(TcpStream) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut failing = false;
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                failing = false;
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    refuse(stream, busy);
                    continue;
                };
                // A push, an answer: a few bytes that should leave at once. Nagle's
                // algorithm would hold each back until the previous one is acked.
                let _ = stream.set_nodelay(true);
                let connection = handle(stream);
                tokio::spawn(async move {
                    connection.await;
                    drop(slot); // the connection is over: let the next one in
                });
            }
            // The peer gave up between SYN and accept: its problem, not the server's.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
                ) => {}
            // Out of file descriptors, most likely: say so once, then pause instead
            // of spinning; it clears when other connections end, and the clients
            // waiting in the kernel's queue get their turn.
            Err(e) => {
                if !failing {
                    eprintln!(
                        "cannot accept a connection ({e}); trying again until it works"
                    );
                    failing = true;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Tells a client beyond the limit that the server is busy, and closes. Without
/// waiting: a fresh socket's send buffer is empty, so the answer fits.
fn refuse(stream: TcpStream, busy: &str) {
    let Ok(mut stream) = stream.into_std() else { return };
    let _ = stream.write_all(busy.as_bytes());
    let _ = stream.shutdown(std::net::Shutdown::Write);
    // Closing with unread input would reset the connection, and the client could
    // lose the answer: read what is already there (nonblocking, bounded) first.
    let mut unread = [0; 4096];
    for _ in 0..16 {
        if !matches!(stream.read(&mut unread), Ok(n) if n > 0) {
            break;
        }
    }
}

/// One feed connection: `SKU qty` lines in, the new total (or `error …`) out.
async fn serve_feed(stream: TcpStream, hub: Arc<Hub>) {
    let mut lines = Framed::new(stream, LinesCodec::new_with_max_length(MAX_FEED_LINE));
    while let Ok(Some(Ok(line))) = timeout(IDLE_TIMEOUT, lines.next()).await {
        let line = line.trim_end_matches('\r');
        let reply = match StockMove::parse(line).and_then(|m| Ok((hub.publish(&m)?, m))) {
            Ok((total, stock_move)) => format!("{} {total}\r", stock_move.sku),
            Err(error) => format!("error {error}\r"),
        };
        if lines.send(reply).await.is_err() {
            return;
        }
    }
}

/// One web connection: the page, or a WebSocket handed to its endpoint.
async fn serve_web(
    mut stream: TcpStream,
    hub: Arc<Hub>,
    policy: Arc<Policy>,
    handshake_timeout: Duration,
) {
    // One deadline for the whole opening handshake: a client that trickles its
    // head (slowloris) gets no more time than one that sends nothing.
    let deadline = Instant::now() + handshake_timeout;
    let Ok(Ok(head)) = timeout_at(deadline, read_head(&mut stream)).await else {
        return;
    };
    // A peer that takes nothing for as long as a pinged one has to answer is gone.
    let patience = policy.pong_deadline;
    let request = String::from_utf8_lossy(&head).into_owned();
    let path = request.split_ascii_whitespace().nth(1).unwrap_or("");
    let upgrade = request.lines().any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("upgrade:") && line.contains("websocket")
    });
    match (upgrade, path) {
        (false, "/") => {
            respond(stream, "200 OK", "text/html; charset=utf-8", DASHBOARD_PAGE).await
        }
        (true, "/echo") => {
            let config = policy::config(MAX_ECHO_MESSAGE);
            let accepted =
                session::accept(WebStream::new(head, stream, patience), config);
            if let Ok(Ok((ws, _origin))) = timeout_at(deadline, accepted).await {
                session::echo(ws).await;
            }
        }
        (true, "/live") => {
            let config = policy::config(MAX_DASHBOARD_MESSAGE);
            let accepted =
                session::accept(WebStream::new(head, stream, patience), config);
            if let Ok(Ok((ws, origin))) = timeout_at(deadline, accepted).await {
                session::dashboard(ws, origin, hub, &policy).await;
            }
        }
        _ => {
            respond(stream, "404 Not Found", "text/plain", "try / or ws://…/live\n").await
        }
    }
}

/// Reads up to the end of the request head (`\r\n\r\n`), at most [`MAX_HEAD`]
/// bytes; whatever came with it stays in the buffer.
async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() >= MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "request head too long",
            ));
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&chunk[..n]);
    }
    Ok(head)
}

/// A whole HTTP/1.1 response, then the connection closes.
async fn respond<S: AsyncWrite + Unpin>(
    mut stream: S,
    status: &str,
    kind: &str,
    body: &str,
) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}
