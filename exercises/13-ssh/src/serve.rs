//! Given: the listening socket. It accepts TCP connections and hands each to
//! russh with a fresh [`Clerk`]; russh runs the SSH protocol and calls the Clerk.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use russh::server::Config;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::accounts::Accounts;
use crate::server::Clerk;
use crate::shell::Inventory;

/// Connections served at once; the next one is told so and closed.
pub const MAX_CONNECTIONS: usize = 64;

/// Time a client has to send its version line (`SSH-2.0-…`), so a silent TCP
/// connection cannot hold a slot: russh waits for it without a limit.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// What a client beyond [`MAX_CONNECTIONS`] reads before the close. RFC 4253
/// §4.2 lets a server send lines before its version line; OpenSSH prints none
/// of them, but nc shows it.
pub const BUSY: &[u8] = b"server busy, try again later\r\n";

/// A bound SSH server for the inventory shell.
pub struct SshServer {
    listener: TcpListener,
    config: Arc<Config>,
    accounts: Arc<Accounts>,
    inventory: Inventory,
    slots: Arc<Semaphore>,
    handshake_timeout: Duration,
}

impl SshServer {
    /// Binds `addr` (use `127.0.0.1:0` in tests).
    pub async fn bind(
        addr: SocketAddr,
        config: Config,
        accounts: Accounts,
        inventory: Inventory,
    ) -> io::Result<SshServer> {
        Ok(SshServer {
            listener: TcpListener::bind(addr).await?,
            config: Arc::new(config),
            accounts: Arc::new(accounts),
            inventory,
            slots: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
            handshake_timeout: HANDSHAKE_TIMEOUT,
        })
    }

    /// Serves at most `n` connections at once instead of [`MAX_CONNECTIONS`].
    pub fn with_max_connections(mut self, n: usize) -> SshServer {
        self.slots = Arc::new(Semaphore::new(n));
        self
    }

    /// Gives clients `timeout` instead of [`HANDSHAKE_TIMEOUT`] to send their version.
    pub fn with_handshake_timeout(mut self, timeout: Duration) -> SshServer {
        self.handshake_timeout = timeout;
        self
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Accepts connections until the task is dropped.
    pub async fn run(self) {
        loop {
            let stream = match self.listener.accept().await {
                Ok((stream, _)) => stream,
                // Out of file descriptors, or a connection reset before accept:
                // wait a moment instead of spinning, and keep serving.
                Err(e) => {
                    eprintln!("accept failed: {e}; retrying");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let Ok(slot) = self.slots.clone().try_acquire_owned() else {
                tokio::spawn(turn_away(stream));
                continue;
            };
            let clerk = Clerk::new(self.accounts.clone(), self.inventory.clone());
            let (config, patience) = (self.config.clone(), self.handshake_timeout);
            tokio::spawn(async move {
                let _slot = slot;
                let start = russh::server::run_stream(config, stream, clerk);
                if let Ok(Ok(session)) = tokio::time::timeout(patience, start).await {
                    // Ends when the client leaves, the server disconnects, or the
                    // connection is inactive for the configured timeout.
                    let _ = session.await;
                }
            });
        }
    }
}

async fn turn_away(mut stream: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(BUSY)).await;
}
