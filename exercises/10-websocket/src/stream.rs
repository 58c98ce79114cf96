//! The bytes of one web connection, as the WebSocket handshake and endpoints see
//! them: the request head the router already read, read again, then the socket;
//! and a deadline on writes. Given whole.
//!
//! Why the deadline: a peer that stops reading (a stalled browser tab, or an
//! attacker) leaves the server blocked in a write once the socket's buffers are
//! full, and a task blocked in a write runs neither its heartbeat nor anything
//! else: it would hold its connection slot forever. Twisted never blocks there
//! (its transport buffers without limit, and autobahn's `autoPingTimeout`, when
//! set, drops the peer); here a write that makes no progress for the pong deadline fails, and
//! every read and write after it, so the endpoint ends as for a dead peer.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, Chain, ReadBuf};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::time::{Sleep, sleep};

/// One web connection's stream: what the handshake reads from, what the endpoint
/// writes to.
#[derive(Debug)]
pub struct WebStream {
    read: Chain<io::Cursor<Vec<u8>>, OwnedReadHalf>,
    write: OwnedWriteHalf,
    /// How long a write may make no progress.
    patience: Duration,
    /// Started when a write could not go on, cleared when one does.
    stalled: Option<Pin<Box<Sleep>>>,
    /// Set once a write ran out of patience: the peer is as good as gone.
    gave_up: bool,
}

impl WebStream {
    /// `stream` with `head` (bytes already read from it) in front, whose writes
    /// fail after making no progress for `patience`.
    pub fn new(head: Vec<u8>, stream: TcpStream, patience: Duration) -> WebStream {
        let (read, write) = stream.into_split();
        let read = io::Cursor::new(head).chain(read);
        WebStream { read, write, patience, stalled: None, gave_up: false }
    }

    /// Runs one write operation under the deadline.
    fn guard<T>(
        &mut self,
        cx: &mut Context<'_>,
        op: impl FnOnce(Pin<&mut OwnedWriteHalf>, &mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if self.gave_up {
            return Poll::Ready(Err(gone()));
        }
        match op(Pin::new(&mut self.write), cx) {
            Poll::Ready(result) => {
                self.stalled = None;
                Poll::Ready(result)
            }
            Poll::Pending => {
                let patience = self.patience;
                let stalled =
                    self.stalled.get_or_insert_with(|| Box::pin(sleep(patience)));
                if stalled.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.gave_up = true;
                Poll::Ready(Err(gone()))
            }
        }
    }
}

/// The error of every read and write once the peer took nothing for too long.
fn gone() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "the peer stopped reading")
}

impl AsyncRead for WebStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.gave_up {
            return Poll::Ready(Err(gone()));
        }
        Pin::new(&mut this.read).poll_read(cx, buf)
    }
}

impl AsyncWrite for WebStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().guard(cx, |write, cx| write.poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().guard(cx, |write, cx| write.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().guard(cx, |write, cx| write.poll_shutdown(cx))
    }
}
