//! The server: accepts clerks until a stop is requested, then drains.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;

// What `run` will need.
#[allow(unused_imports)]
use {
    crate::health::{Readiness, serve_health},
    crate::session::serve_clerk,
    tokio::{sync::watch, task::JoinSet, time::timeout},
};

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
    clerks: TcpListener,
    health: TcpListener,
    drain_deadline: Duration,
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

    /// Serves until `stop` resolves, then drains, and returns how the drain went.
    ///
    /// Before the stop: `/ready` answers 200, and each clerk is served by
    /// [`serve_clerk`] in a task of its own. When `stop` resolves, in this order:
    /// `/ready` turns 503, the clerks' listener is closed (new clerks are refused),
    /// and every open connection is told through the `stopping` channel. Connections
    /// then have the drain deadline to finish; those still open are cut. The health
    /// check stops last. Logs `listening`, `draining` (with `open`) and `drained`
    /// (with `finished` and `cut`) at INFO.
    pub async fn run(self, stop: impl Future<Output = ()>) -> Drained {
        drop(stop);
        todo!("Server::run")
    }
}
