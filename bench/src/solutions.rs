//! The Part II servers the learners build (the solution crates), run the way their
//! demos run them, for `untwisted-bench serve web|tls|ws|dns|finger` in a child process.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::Arc;

use sol08_web::{Inventory, Site, WebServer, inventory_tree};
use sol09_tls::{ConnectionLog, Security, TestCa, TlsFeedServer};
use sol11_finger::{FingerFactory, FingerServer, MemoryDirectory};
use sol12_dns::{DnsServer, Zone};

/// The Rust servers `serve` runs from the solution crates.
pub const KINDS: [&str; 5] = ["web", "tls", "ws", "dns", "finger"];

/// 10-websocket's demo serves 100 clients per port; the benchmark's dashboards are
/// more.
const WS_MAX_CONNECTIONS: usize = 20_000;

/// 08-web's demo serves 256 connections at once and answers the next 503; Twisted
/// has no such cap. The benchmark lifts it, so both serve every client it opens.
const WEB_MAX_CONNECTIONS: usize = 20_000;

/// Runs the solution server `kind` on `addr` on a current-thread runtime (as the
/// demos do) until killed. Prints `listening on ADDR` first (09-tls: and where the
/// CA to trust is, as the Twisted feed server does).
pub fn serve(kind: &str, addr: SocketAddr) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        match kind {
            "web" => {
                let site = Site::new(inventory_tree(Arc::new(Inventory::demo())));
                let server = WebServer::bind(addr, site).await?.with_max_connections(WEB_MAX_CONNECTIONS);
                announce(server.local_addr())?;
                server.run().await;
            }
            "tls" => {
                // Certificates made at start-up, as the demo makes them.
                let ca = TestCa::new("untwisted bench CA");
                let dir = std::env::temp_dir().join(format!("untwisted-bench-tls-{}", std::process::id()));
                std::fs::create_dir_all(&dir)?;
                let ca_pem = dir.join("ca.pem");
                std::fs::write(&ca_pem, ca.cert_pem())?;
                let config = sol09_tls::server_config(ca.server(), None).map_err(io::Error::other)?;
                let server = TlsFeedServer::bind(addr, config, Security::Tls, ConnectionLog::new()).await?;
                let mut out = io::stdout().lock();
                writeln!(out, "listening on {}; CA in {}", server.local_addr(), ca_pem.display())?;
                out.flush()?;
                drop(out);
                server.run().await;
            }
            "ws" => {
                let server = sol10_websocket::Server::bind(addr).await?.with_max_connections(WS_MAX_CONNECTIONS);
                let mut out = io::stdout().lock();
                writeln!(out, "listening on {}; stock feed on {}", server.local_addr(), server.feed_addr())?;
                out.flush()?;
                drop(out);
                server.run().await;
            }
            "dns" => {
                let server = DnsServer::bind(addr, Zone::erp()).await?;
                announce(server.local_addr())?;
                server.run().await;
            }
            "finger" => {
                // The demo's users; the book's Twisted server has the same.
                let users = MemoryDirectory::with_users([
                    ("alice", "Counting widgets in aisle 7"),
                    ("bob", "Out to lunch"),
                    ("moshez", "Happy and well"),
                ]);
                let server = FingerServer::bind(addr, FingerFactory::new(users)).await?;
                announce(server.local_addr()?)?;
                server.run().await;
            }
            other => return Err(io::Error::other(format!("no solution server {other:?}"))),
        }
        Ok(())
    })
}

fn announce(addr: SocketAddr) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "listening on {addr}")?;
    out.flush()
}
