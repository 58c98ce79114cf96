//! The listening socket (Twisted's `Port`): accepts connections and hands each one
//! to the protocol's callback. Given whole, as a worked example of a [`Handler`], and
//! of what a server does when the system says "no more".
//!
//! Accepting can fail for a while: out of file descriptors (`EMFILE`) once the
//! process has as many sockets open as its limit allows (often 1,024). The waiting
//! clients stay in the kernel's queue, and the poll will not say so again: it is
//! edge-triggered, and it already told us. So the port tries again itself, on a
//! timer, backing off up to [`MAX_RETRY_DELAY`], until the clients that left have
//! freed enough descriptors. (Twisted's `Port` chooses the other way out: on
//! `EMFILE` it frees a descriptor it keeps in reserve, accepts every waiting client
//! with it and closes each one at once, so they hear a close rather than silence.)

use std::cell::Cell;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use mio::Interest;
use mio::event::Source;
use mio::net::{TcpListener, TcpStream};

use crate::reactor::{Handler, Next, Reactor, Readiness};

/// The first pause before accepting again after a failure; it doubles on each
/// failure in a row.
pub const FIRST_RETRY_DELAY: Duration = Duration::from_millis(10);

/// The longest pause between two attempts to accept after failures.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(1);

/// What a port does with a connection it accepted.
type OnAccept = Box<dyn Fn(&Reactor, TcpStream)>;

/// Listens on `addr` and calls `on_accept` with every connection; returns the bound
/// address (pass port 0 to let the OS choose). With `Some(bytes)`, every connection
/// gets kernel buffers of about that size (`socket_buffers.rs`).
pub fn listen(
    reactor: &Reactor,
    addr: SocketAddr,
    socket_buffers: Option<usize>,
    on_accept: impl Fn(&Reactor, TcpStream) + 'static,
) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr)?;
    if let Some(bytes) = socket_buffers {
        crate::socket_buffers::shrink(&listener, bytes)?;
    }
    let listener: std::net::TcpListener = listener.into();
    let bound = listener.local_addr()?;
    // Two handles on one socket: the poll watches one; the other accepts, from the
    // readiness handler or from a retry timer, which cannot borrow the first.
    let accepting = listener.try_clone()?;
    // mio needs nonblocking sockets; a clone may not inherit the mode everywhere.
    accepting.set_nonblocking(true)?;
    let acceptor = Rc::new(Acceptor {
        listener: TcpListener::from_std(accepting),
        on_accept: Box::new(on_accept),
        retry: Cell::new(None),
        retry_scheduled: Cell::new(false),
    });
    let watched = TcpListener::from_std(listener);
    reactor.add(Port { watched, acceptor }, Interest::READABLE)?;
    Ok(bound)
}

/// The handler the reactor calls when clients are waiting.
struct Port {
    watched: TcpListener,
    acceptor: Rc<Acceptor>,
}

impl Handler for Port {
    fn source(&mut self) -> &mut dyn Source {
        &mut self.watched
    }

    fn ready(&mut self, reactor: &Reactor, _readiness: Readiness) -> Next {
        self.acceptor.accept_waiting(reactor);
        Next::Keep
    }
}

/// Accepts the waiting clients, and schedules its own retry when it cannot.
struct Acceptor {
    listener: TcpListener,
    on_accept: OnAccept,
    /// `Some(delay)` while accepting fails: the pause before the next attempt.
    retry: Cell<Option<Duration>>,
    /// A retry timer is pending: readiness events meanwhile must not start another.
    retry_scheduled: Cell<bool>,
}

impl Acceptor {
    /// Edge-triggered: accepts until `WouldBlock`, or the rest would wait for the
    /// next client to arrive.
    fn accept_waiting(self: &Rc<Self>, reactor: &Reactor) {
        loop {
            match self.listener.accept() {
                Ok((stream, _peer)) => {
                    if self.retry.take().is_some() {
                        eprintln!("echo: accepting connections again");
                    }
                    (self.on_accept)(reactor, stream);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                // A client that left before we accepted it: its problem, go on.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::Interrupted
                            | io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                    ) => {}
                // Out of file descriptors (or memory): the clients wait in the
                // kernel's queue, and no new event will say so. Try again later.
                Err(e) => return self.retry_later(reactor, &e),
            }
        }
    }

    /// Schedules the next attempt, a little later each time in a row.
    fn retry_later(self: &Rc<Self>, reactor: &Reactor, error: &io::Error) {
        if self.retry_scheduled.replace(true) {
            return;
        }
        let delay = match self.retry.get() {
            None => {
                // Once per episode, not on every attempt: the log must not flood.
                eprintln!(
                    "echo: cannot accept a connection ({error}); \
                     trying again until it works"
                );
                FIRST_RETRY_DELAY
            }
            Some(delay) => (delay * 2).min(MAX_RETRY_DELAY),
        };
        self.retry.set(Some(delay));
        // The timer holds the reactor until it fires: a reactor dropped during an
        // episode is not freed, a leak only in a process already out of descriptors.
        let (acceptor, reactor_again) = (Rc::clone(self), reactor.clone());
        reactor.call_later(delay, move || {
            acceptor.retry_scheduled.set(false);
            acceptor.accept_waiting(&reactor_again);
        });
    }
}
