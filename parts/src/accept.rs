//! Accepting connections without spinning: a failed `accept` (out of file
//! descriptors, most likely) is said once on stderr and retried after a pause that
//! doubles up to a second, as Twisted's port does. Clients waiting in the kernel's
//! queue get in when others leave.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

/// Accepts from one listener, pausing after failures; `name` labels its messages.
#[derive(Debug)]
pub struct Acceptor {
    listener: TcpListener,
    name: &'static str,
    pause: Option<Duration>,
}

impl Acceptor {
    /// Wraps a bound listener.
    pub fn new(listener: TcpListener, name: &'static str) -> Acceptor {
        Acceptor { listener, name, pause: None }
    }

    /// Where it listens.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The next connection. Never fails: errors are reported and waited out.
    pub async fn accept(&mut self) -> TcpStream {
        loop {
            match self.listener.accept().await {
                Ok((stream, _)) => {
                    if self.pause.take().is_some() {
                        eprintln!("{}: accepting connections again", self.name);
                    }
                    return stream;
                }
                // The peer gave up between SYN and accept: its problem only.
                Err(e) if is_peer_gone(&e) => {}
                Err(e) => {
                    let next = match self.pause {
                        None => {
                            eprintln!(
                                "{}: cannot accept a connection ({e}); pausing",
                                self.name
                            );
                            Duration::from_millis(10)
                        }
                        Some(last) => (last * 2).min(Duration::from_secs(1)),
                    };
                    self.pause = Some(next);
                    tokio::time::sleep(next).await;
                }
            }
        }
    }
}

fn is_peer_gone(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}
