//! The echo servers under test. The benchmark runs each in a child process, so memory
//! and thread counts are the server's own: the Rust ones as `untwisted-bench serve
//! KIND`, Twisted's as `python bench/twisted_echo.py`.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::thread;

/// Which echo server to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    /// The reactor built in exercise 02, on mio, one thread.
    Reactor,
    /// tokio's current-thread runtime: one thread, a task per connection.
    Tokio,
    /// std::net, blocking, one OS thread per connection.
    Threads,
    /// Twisted's echo server (bench/twisted_echo.py) on its default reactor.
    Twisted,
}

impl Server {
    /// Every server, in the order the table lists them.
    pub const ALL: [Server; 4] = [Server::Reactor, Server::Tokio, Server::Threads, Server::Twisted];

    /// The servers this program runs itself (Twisted's needs a Python with Twisted).
    pub const RUST: [Server; 3] = [Server::Reactor, Server::Tokio, Server::Threads];

    /// The name used on the command line and in the table.
    pub fn name(self) -> &'static str {
        match self {
            Server::Reactor => "reactor",
            Server::Tokio => "tokio",
            Server::Threads => "threads",
            Server::Twisted => "twisted",
        }
    }

    /// A longer label for the table.
    pub fn label(self) -> &'static str {
        match self {
            Server::Reactor => "02-reactor (mio, 1 thread)",
            Server::Tokio => "tokio current-thread",
            Server::Threads => "thread per connection",
            Server::Twisted => "Twisted (default reactor)",
        }
    }

    /// Parses a name given on the command line.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// Twisted's echo server, run with a Python that has Twisted installed.
pub const TWISTED_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/twisted_echo.py");

/// Runs `server` on `addr` in this process until it is killed. Prints
/// `listening on ADDR` first: the parent reads it to learn the port.
pub fn serve(server: Server, addr: SocketAddr) -> io::Result<()> {
    match server {
        Server::Reactor => serve_reactor(addr),
        Server::Tokio => serve_tokio(addr),
        Server::Threads => serve_threads(addr),
        Server::Twisted => Err(io::Error::other(format!("Twisted's server runs in Python: python {TWISTED_SCRIPT}"))),
    }
}

fn announce(addr: SocketAddr) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "listening on {addr}")?;
    out.flush()
}

fn serve_reactor(addr: SocketAddr) -> io::Result<()> {
    let reactor = sol02_reactor::Reactor::new()?;
    let addr = sol02_reactor::echo::listen(&reactor, addr)?;
    announce(addr)?;
    reactor.run()
}

/// The echo server from tokio's own examples, on a current-thread runtime.
fn serve_tokio(addr: SocketAddr) -> io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        announce(listener.local_addr()?)?;
        loop {
            let (mut stream, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    eprintln!("tokio echo: accept failed: {e}");
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                loop {
                    let n = match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    if stream.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    })
}

/// Blocking std::net: accept on this thread, one thread per connection.
fn serve_threads(addr: SocketAddr) -> io::Result<()> {
    let listener = std::net::TcpListener::bind(addr)?;
    announce(listener.local_addr()?)?;
    for stream in listener.incoming() {
        let mut stream = match stream {
            Ok(stream) => stream,
            Err(e) => {
                eprintln!("threads echo: accept failed: {e}");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let spawned = thread::Builder::new().spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                let n = match stream.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                if stream.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        });
        if let Err(e) = spawned {
            // The connection is dropped (closed); the client counts an error.
            eprintln!("threads echo: cannot spawn a thread: {e}");
        }
    }
    Ok(())
}
