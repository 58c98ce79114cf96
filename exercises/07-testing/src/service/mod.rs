//! The system under test: a stock-reservation service. Read it, do not edit it.
//!
//! Warehouse scanners reserve units of a SKU for a while; a reservation that is not
//! released in time expires and its units go back on the shelf. One request line, one
//! reply line, every line ending in `\r\n`:
//!
//! | request              | reply                                        |
//! |----------------------|----------------------------------------------|
//! | `STOCK <sku>`        | `STOCK <sku> <units left>`                   |
//! | `RESERVE <sku> <n>`  | `RESERVED <id> <sku> <n>` or `ERR only <left> <sku> left` |
//! | `RELEASE <id>`       | `RELEASED <id>` or `ERR no reservation <id>` |
//!
//! Reservation ids count from 1 per service. A reservation expires [`HOLD`] after it
//! was made, unless released first. Unknown SKUs, bad numbers and unknown commands get
//! a line starting with `ERR`.
//!
//! A [`Factory`] builds either the correct service or a mutant with one planted bug
//! ([`Variant`]); your tests get a factory and cannot tell which.

mod command;
mod connection;
mod protocol;
mod shared;
mod store;
mod tasks;
mod variant;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

pub use connection::{Connection, REPLY_TIMEOUT};
pub use protocol::MAX_LINE;
pub use variant::Variant;

use shared::Shared;

/// How long a reservation holds its units before it expires.
pub const HOLD: Duration = Duration::from_secs(30);

/// Bytes the in-memory pipe of a [`Connection`] buffers in each direction.
const PIPE_BUFFER: usize = 4096;

/// Builds stock services of one [`Variant`]: Twisted's protocol factory, and the
/// only thing your tests are given.
#[derive(Clone, Copy, Debug)]
pub struct Factory {
    variant: Variant,
}

impl Factory {
    /// A factory for `variant`. The steps make these; your tests only use them.
    pub fn new(variant: Variant) -> Self {
        Self { variant }
    }

    /// A new service with `stock` on the shelf, e.g. `&[("WIDGET", 5)]`, and nothing
    /// reserved. It runs until [`StockService::shutdown`]; dropping it stops nothing.
    pub fn build(&self, stock: &[(&str, u32)]) -> StockService {
        StockService { shared: Arc::new(Shared::new(self.variant, stock, HOLD)) }
    }
}

/// A running stock service: connect to it in memory, listen on TCP, shut it down.
pub struct StockService {
    shared: Arc<Shared>,
}

impl StockService {
    // ANCHOR: connect
    /// Opens an in-memory connection (the `StringTransport` way): a task of the
    /// service serves it, and the test holds the other end. Needs a tokio runtime.
    pub fn connect(&self) -> Connection {
        let (client, server) = tokio::io::duplex(PIPE_BUFFER);
        // After shutdown the group refuses the task; the server end is dropped and
        // the connection reads as closed.
        self.shared.connections.spawn(protocol::serve(server, Arc::clone(&self.shared)));
        Connection::new(client)
    }
    // ANCHOR_END: connect

    /// Listens for real TCP clients on `addr` (e.g. `"127.0.0.1:0"`) and returns the
    /// address it bound.
    pub async fn listen(&self, addr: &str) -> io::Result<SocketAddr> {
        let listener = TcpListener::bind(addr).await?;
        let bound = listener.local_addr()?;
        let accept = accept_loop(listener, Arc::clone(&self.shared));
        if self.shared.variant() == Variant::LeakedListener {
            // PLANTED BUG: spawned outside the service's task group, so shutdown()
            // cannot stop it (Twisted: a port that never got stopListening()).
            tokio::spawn(accept);
        } else if self.shared.connections.spawn(accept).is_none() {
            return Err(io::Error::other("the service is shut down"));
        }
        Ok(bound)
    }

    // ANCHOR: shutdown
    /// Stops everything the service started: the listener, every connection and
    /// every pending expiry timer. When it returns, none of its tasks is left.
    pub async fn shutdown(&self) {
        self.shared.connections.close().await;
        // PLANTED BUG (LeakedTimers): the timers are forgotten.
        if self.shared.variant() != Variant::LeakedTimers {
            self.shared.timers.close().await;
        }
    }
    // ANCHOR_END: shutdown
}

/// Accepts TCP clients and serves each one in its own task.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                shared.connections.spawn(protocol::serve(stream, Arc::clone(&shared)));
            }
            // Out of file descriptors and the like: back off instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
