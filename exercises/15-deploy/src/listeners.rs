//! The server's given parts: the clerk limit, [`Drained`], and [`Server`], its two
//! bound listeners and drain deadline. Given whole.
//!
//! `Server::run` is yours to write in `server.rs`, in another `impl Server` block.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;

/// The most clerks served at once; the next one waits in the kernel's queue.
pub const MAX_CLERKS: usize = 1024;

/// How a drain ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    /// Connections that finished on their own within the deadline.
    pub finished: usize,
    /// Connections still open at the deadline, and closed by the server.
    pub cut: usize,
}

/// The inventory service, bound and ready to [`run`](Server::run).
pub struct Server {
    pub(crate) clerks: TcpListener,
    pub(crate) health: TcpListener,
    pub(crate) drain_deadline: Duration,
}

impl Server {
    /// Binds the clerks' address and the health check's.
    pub async fn bind(listen: SocketAddr, health: SocketAddr) -> io::Result<Server> {
        Ok(Server {
            clerks: TcpListener::bind(listen).await?,
            health: TcpListener::bind(health).await?,
            drain_deadline: Duration::from_secs(10),
        })
    }

    /// How long open connections get once a stop is requested (10 s by default).
    pub fn with_drain_deadline(mut self, deadline: Duration) -> Server {
        self.drain_deadline = deadline;
        self
    }

    /// Where clerks connect.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.clerks.local_addr()
    }

    /// Where the health check answers.
    pub fn health_addr(&self) -> io::Result<SocketAddr> {
        self.health.local_addr()
    }
}
