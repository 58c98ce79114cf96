//! Worked examples for the reactor chapter (book/src/reactor/index.md).
//!
//! Neighbours of the exercise, not its answers: a min-heap of reorder reminders (the
//! timer heap's idea), a one-socket client on mio (poll, tokens, edge-triggered reads
//! and partial writes), and a `Waker` that interrupts a sleeping poll.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token, Waker};

// ANCHOR: reminders
/// Reorder reminders for a warehouse, due at times measured from the start of the day.
/// The soonest is always on top; two due at the same time come out in the order they
/// were added.
#[derive(Default)]
pub struct Reminders {
    /// `BinaryHeap` is a max-heap: `Reverse` makes the smallest (time, seq) the top.
    heap: BinaryHeap<Reverse<(Duration, u64, String)>>,
    /// Counts up forever: it ranks reminders added earlier before later ones.
    next_seq: u64,
}

impl Reminders {
    /// Adds a reminder due at `due`.
    pub fn add(&mut self, due: Duration, item: &str) {
        self.heap.push(Reverse((due, self.next_seq, item.to_owned())));
        self.next_seq += 1;
    }

    /// When the next reminder is due: how long a loop may sleep.
    pub fn next_due(&self) -> Option<Duration> {
        self.heap.peek().map(|Reverse((due, _, _))| *due)
    }

    /// Takes out every reminder due at or before `now`, soonest first.
    pub fn due_by(&mut self, now: Duration) -> Vec<String> {
        let mut due = Vec::new();
        // `peek` looks without taking: stop at the first one still in the future.
        while self.heap.peek().is_some_and(|Reverse((at, _, _))| *at <= now) {
            if let Some(Reverse((_, _, item))) = self.heap.pop() {
                due.push(item);
            }
        }
        due
    }
}
// ANCHOR_END: reminders

// ANCHOR: one_socket
/// The one socket this loop watches. Any number will do; it names the socket in events.
const PEER: Token = Token(0);

/// Sends `request` to `addr`, half-closes, and returns everything the peer sends back
/// until it closes: a complete event loop for a single client socket.
pub fn ask(addr: SocketAddr, request: &[u8]) -> io::Result<Vec<u8>> {
    let mut poll = Poll::new()?;
    let mut events = Events::with_capacity(16);
    let mut stream = TcpStream::connect(addr)?; // non-blocking: returns at once
    // Registered once, for both directions: events come as edges, not levels.
    poll.registry().register(
        &mut stream,
        PEER,
        Interest::READABLE | Interest::WRITABLE,
    )?;

    let (mut sent, mut reply, mut closed) = (0, Vec::new(), false);
    while !closed {
        poll.poll(&mut events, Some(Duration::from_secs(5)))?;
        if events.is_empty() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        for event in events.iter() {
            if event.token() != PEER {
                continue;
            }
            // Writable: send from where we stopped. `write` may take only part.
            while event.is_writable() && sent < request.len() {
                match stream.write(&request[sent..]) {
                    Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                    Ok(n) => sent += n, // keep the rest for the next writable edge
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    // Still connecting, seen on some systems: the next edge will do.
                    Err(e) if e.kind() == io::ErrorKind::NotConnected => break,
                    Err(e) => return Err(e),
                }
                if sent == request.len() {
                    stream.shutdown(Shutdown::Write)?; // "that is all I will send"
                }
            }
            // Readable: read until WouldBlock, or this edge is the last we hear of it.
            let mut chunk = [0u8; 4096];
            while event.is_readable() && !closed {
                match stream.read(&mut chunk) {
                    Ok(0) => closed = true, // the peer closed its side
                    Ok(n) => reply.extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(reply)
}
// ANCHOR_END: one_socket

// ANCHOR: waker
/// The waker's token: chosen so no socket can have it.
const WAKE: Token = Token(usize::MAX);

/// A poll with nothing to wait for sleeps its whole timeout, unless another thread
/// wakes it. Returns the tokens the poll reported.
pub fn woken_from_another_thread() -> io::Result<Vec<Token>> {
    let mut poll = Poll::new()?;
    let mut events = Events::with_capacity(4);
    // A Waker is a source the poll watches that any thread can make ready.
    let waker = Arc::new(Waker::new(poll.registry(), WAKE)?);
    let other = Arc::clone(&waker);
    let helper = thread::spawn(move || other.wake());

    poll.poll(&mut events, Some(Duration::from_secs(60)))?; // returns at the wake
    helper.join().map_err(|_| io::Error::other("the helper thread panicked"))??;
    Ok(events.iter().map(|event| event.token()).collect())
}
// ANCHOR_END: waker

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::time::Instant;

    fn mins(n: u64) -> Duration {
        Duration::from_secs(60 * n)
    }

    #[test]
    fn reminders_come_out_soonest_first_and_ties_in_the_order_added() {
        let mut reminders = Reminders::default();
        reminders.add(mins(30), "count bolts");
        reminders.add(mins(10), "reorder WIDGET-42");
        reminders.add(mins(30), "reorder GADGET-7");
        reminders.add(mins(90), "close the day");
        assert_eq!(reminders.next_due(), Some(mins(10)));
        assert_eq!(reminders.due_by(mins(5)), Vec::<String>::new());
        assert_eq!(
            reminders.due_by(mins(30)),
            ["reorder WIDGET-42", "count bolts", "reorder GADGET-7"]
        );
        assert_eq!(reminders.next_due(), Some(mins(90)));
    }

    #[test]
    fn one_socket_loop_sends_a_megabyte_and_reads_it_back() {
        // A blocking echo server on a thread: the peer the loop talks to.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = thread::spawn(move || {
            let (mut peer, _) = listener.accept().unwrap();
            let mut copy = peer.try_clone().unwrap();
            io::copy(&mut peer, &mut copy).unwrap(); // echo until the client half-closes
        });
        // Big enough that writes are partial and reads come in many pieces.
        let request: Vec<u8> = (0..1024 * 1024u32).map(|i| (i % 253) as u8).collect();
        let reply = ask(addr, &request).unwrap();
        server.join().unwrap();
        assert!(reply == request, "{} of {} bytes came back", reply.len(), request.len());
    }

    #[test]
    fn a_waker_ends_a_long_poll_at_once() {
        let started = Instant::now();
        assert_eq!(woken_from_another_thread().unwrap(), [WAKE]);
        assert!(started.elapsed() < Duration::from_secs(30), "the poll slept on");
    }
}
