//! The health check: a tiny HTTP endpoint a load balancer, Kubernetes or a monitoring
//! script polls. `GET /ready` is `200 ready` while the service takes new clients and
//! `503 draining` from the moment a drain starts; `GET /live` is `200 alive` as long
//! as the process answers at all.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::timeout;

/// The longest request head the health check reads.
pub const MAX_HEALTH_REQUEST: usize = 1024;

/// How long a health client may take to send its request.
pub const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// The most health clients served at once; more are closed at once.
pub const MAX_HEALTH_CLIENTS: usize = 32;

/// Whether the service takes new clients; shared by the server and the health check.
#[derive(Clone, Debug, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    /// A service that is not ready yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The service takes new clients: `/ready` answers 200.
    pub fn set_ready(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// The service is draining: `/ready` answers 503, so the load balancer sends new
    /// clients elsewhere.
    pub fn set_draining(&self) {
        self.0.store(false, Ordering::SeqCst);
    }

    /// What `/ready` answers now.
    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Answers health checks on `listener` until the task is dropped or aborted.
pub async fn serve_health(listener: TcpListener, readiness: Readiness) {
    let slots = Arc::new(Semaphore::new(MAX_HEALTH_CLIENTS));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors, say: let some close before trying again.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            continue; // too many at once: dropping the stream closes it
        };
        let readiness = readiness.clone();
        tokio::spawn(async move {
            let _ = timeout(HEALTH_TIMEOUT, answer(stream, &readiness)).await;
            drop(slot);
        });
    }
}

/// Reads a request head and answers it; `Connection: close` either way.
async fn answer(mut stream: TcpStream, readiness: &Readiness) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut chunk = [0; 256];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEALTH_REQUEST {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&chunk[..n]);
    }
    let request_line = head.split(|&b| b == b'\r').next().unwrap_or_default();
    let (status, body) = match request_line.split(|&b| b == b' ').collect::<Vec<_>>()[..]
    {
        [b"GET", b"/ready", _] if readiness.is_ready() => ("200 OK", "ready"),
        [b"GET", b"/ready", _] => ("503 Service Unavailable", "draining"),
        [b"GET", b"/live", _] => ("200 OK", "alive"),
        [_, _, _] => ("404 Not Found", "not found"),
        _ => ("400 Bad Request", "bad request"),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}\n",
        body.len() + 1
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}
