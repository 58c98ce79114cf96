//! The listening server: one port for the dashboard page (`GET /`), the echo
//! endpoint (`/echo`) and the dashboards (`/live`), and one port for the stock feed
//! (05's `SKU qty` lines). Given whole: routing and plain HTTP are 08-web's topic.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, Join};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::timeout;
use tokio_util::codec::{Framed, LinesCodec};

use crate::hub::Hub;
use crate::inventory::StockMove;
use crate::page::DASHBOARD_PAGE;
use crate::policy::{
    self, MAX_DASHBOARD_MESSAGE, MAX_ECHO_MESSAGE, Policy, QUEUE_CAPACITY,
};
use crate::session;

/// Connections served at once on each port; the next one waits to be accepted.
pub const MAX_CONNECTIONS: usize = 256;

/// Longest HTTP request head (request line and headers) the server reads.
pub const MAX_HEAD: usize = 8 * 1024;

/// How long a client has to send its request head, or a feed its next line.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Longest feed line.
pub const MAX_FEED_LINE: usize = 128;

/// A TCP stream whose first bytes (the request head the router already read) are
/// read again: what the handshake reads from.
pub type Replayed =
    Join<tokio::io::Chain<io::Cursor<Vec<u8>>, OwnedReadHalf>, OwnedWriteHalf>;

/// The dashboard server: its two listening sockets and the hub they share.
pub struct Server {
    web: TcpListener,
    feed: TcpListener,
    hub: Arc<Hub>,
    policy: Policy,
}

impl Server {
    /// Listens on `addr` for the page and the WebSockets, and on a free port of the
    /// same host for the stock feed. Dashboards must come from this server's page
    /// (or send no Origin).
    pub async fn bind(addr: SocketAddr) -> io::Result<Server> {
        let web = TcpListener::bind(addr).await?;
        let feed = TcpListener::bind(SocketAddr::new(addr.ip(), 0)).await?;
        let policy = Policy::for_page(&web.local_addr()?.to_string());
        Ok(Server { web, feed, hub: Hub::new(QUEUE_CAPACITY), policy })
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
        let Server { web, feed, hub, policy } = self;
        let policy = Arc::new(policy);
        let feed_hub = hub.clone();
        let feed = serve(feed, move |stream| serve_feed(stream, feed_hub.clone()));
        let web =
            serve(web, move |stream| serve_web(stream, hub.clone(), policy.clone()));
        tokio::join!(feed, web);
    }
}

/// Accepts connections forever, at most [`MAX_CONNECTIONS`] at a time, each on its
/// own task.
async fn serve<F, Fut>(listener: TcpListener, handle: F)
where
    F: Fn(TcpStream) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else { return };
        match listener.accept().await {
            Ok((stream, _)) => {
                let connection = handle(stream);
                tokio::spawn(async move {
                    connection.await;
                    drop(slot);
                });
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
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
async fn serve_web(mut stream: TcpStream, hub: Arc<Hub>, policy: Arc<Policy>) {
    let Ok(Ok(head)) = timeout(IDLE_TIMEOUT, read_head(&mut stream)).await else {
        return;
    };
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
            if let Ok((ws, _origin)) = session::accept(replay(head, stream), config).await
            {
                session::echo(ws).await;
            }
        }
        (true, "/live") => {
            let config = policy::config(MAX_DASHBOARD_MESSAGE);
            if let Ok((ws, origin)) = session::accept(replay(head, stream), config).await
            {
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

/// The stream again, with the bytes already read in front.
fn replay(head: Vec<u8>, stream: TcpStream) -> Replayed {
    let (read, write) = stream.into_split();
    tokio::io::join(io::Cursor::new(head).chain(read), write)
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
