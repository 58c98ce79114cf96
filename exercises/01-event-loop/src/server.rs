//! The stock server the downloader talks to: provided, read it, don't change it.
//!
//! A tiny line protocol over real TCP. The client connects, sends one request line
//! and reads one reply line; then the server closes the connection:
//!
//! ```text
//! client > GET /stock/widget
//! server < OK 12 widgets on hand          (after the resource's delay)
//! client > GET /stock/unobtainium
//! server < ERR no such resource: /stock/unobtainium
//! ```
//!
//! The server is itself event-driven: one task per connection, so a slow resource
//! does not hold up the others. (If it answered one connection at a time, no client
//! could ever be faster than the sum of the delays.)

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// The longest request line the server reads, delimiter included. A client that
/// sends more gets `ERR bad request` instead of growing the server's memory.
pub const MAX_REQUEST: usize = 1024;

/// One resource the server knows: its path, what it answers, and how long it takes.
#[derive(Clone, Debug)]
pub struct Resource {
    path: String,
    /// `None`: the server hangs up instead of answering (a broken backend).
    body: Option<String>,
    delay: Duration,
}

impl Resource {
    /// A resource that answers `OK <body>` after `delay`.
    pub fn new(path: &str, body: &str, delay: Duration) -> Self {
        Self { path: path.to_owned(), body: Some(body.to_owned()), delay }
    }

    /// A resource whose backend is broken: after `delay` the server closes the
    /// connection without a word.
    pub fn hang_up(path: &str, delay: Duration) -> Self {
        Self { path: path.to_owned(), body: None, delay }
    }
}

/// Binds `127.0.0.1:0`, serves `resources` in a background task on the current
/// tokio runtime, and returns the address to connect to.
///
/// The delays are `tokio::time::sleep`s on that same runtime, so a test with paused
/// time controls them: see the tests' step 4 for why that matters.
pub async fn start(resources: Vec<Resource>) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(serve(listener, resources));
    Ok(addr)
}

/// Accepts connections on `listener` forever, answering each in its own task.
pub async fn serve(listener: TcpListener, resources: Vec<Resource>) -> io::Result<()> {
    // Shared, read-only: every connection task gets a cheap handle to one catalog.
    let catalog: Arc<HashMap<String, Resource>> =
        Arc::new(resources.into_iter().map(|r| (r.path.clone(), r)).collect());
    loop {
        let (stream, _peer) = listener.accept().await?;
        let catalog = Arc::clone(&catalog);
        tokio::spawn(async move {
            // A client that vanishes mid-request is its own problem, not the server's.
            let _ = answer(stream, &catalog).await;
        });
    }
}

// ANCHOR: answer
/// Reads one request from `stream` and answers it.
async fn answer(
    mut stream: TcpStream,
    catalog: &HashMap<String, Resource>,
) -> io::Result<()> {
    let (read, mut write) = stream.split();
    let mut request = Vec::new();
    // `take` bounds what one request may cost us, whatever the client sends.
    BufReader::new(read).take(MAX_REQUEST as u64).read_until(b'\n', &mut request).await?;
    let request = String::from_utf8_lossy(&request);

    let reply = match request.strip_suffix('\n').map(|line| line.trim_end_matches('\r')) {
        None => "ERR bad request".to_owned(),
        Some(line) => match line.strip_prefix("GET ") {
            None => "ERR bad request".to_owned(),
            Some(path) => match catalog.get(path) {
                None => format!("ERR no such resource: {path}"),
                Some(resource) => {
                    // The work this resource stands for: a slow database, a far-away
                    // service. A tokio sleep, so the event loop serves others meanwhile.
                    tokio::time::sleep(resource.delay).await;
                    match &resource.body {
                        Some(body) => format!("OK {body}"),
                        None => return Ok(()), // hang up: dropping the stream closes it
                    }
                }
            },
        },
    };
    write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    write.shutdown().await
}
// ANCHOR_END: answer
