// The steps of exercise 02: a reactor of your own, on mio.
//
// Steps 1-4 use the deterministic Clock: no real time passes. Steps 5-7 run the real
// reactor, with real sockets on 127.0.0.1:0, and never sleep.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use reactor::echo::BUFFER_LIMIT;
use reactor::{CallError, Clock, EchoServer, ManualTime, Reactor, TimeSource, Timers};
use std::io::ErrorKind;
use test_kit::{LineClient, Transcript};
use tokio::io::{AsyncReadExt, AsyncWriteExt, Interest};
use tokio::net::{TcpSocket, TcpStream};

// The kernel socket buffers step 7 asks for, each way, on both ends.
const SOCKET_BUFFER: usize = 8192;

// Returns once `server`'s reactor has run a call handed to it now: by then it has
// handled every socket event that came before (step 7's "has it stopped reading?").
async fn server_caught_up(server: &EchoServer) {
    let (done, caught_up) = tokio::sync::oneshot::channel();
    server.handle().call_from_thread(move |_| {
        let _ = done.send(());
    });
    caught_up.await.expect("the server's reactor runs calls from other threads");
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

// What the callbacks did, in order. Single-threaded like the reactor: Rc, not Arc.
#[derive(Clone, Default)]
struct Log(Rc<RefCell<Vec<String>>>);

impl Log {
    fn push(&self, what: impl Into<String>) {
        self.0.borrow_mut().push(what.into());
    }

    // A callback that records `what`.
    fn later(&self, what: &str) -> impl FnOnce() + 'static {
        let log = self.clone();
        let what = what.to_owned();
        move || log.push(what)
    }

    // A callback that records `what` and the clock's time when it ran.
    fn at(&self, clock: &Clock, what: &str) -> impl FnOnce() + 'static {
        let (log, clock, what) = (self.clone(), clock.clone(), what.to_owned());
        move || log.push(format!("t={} {what}", clock.seconds()))
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

#[test]
fn step_1_clock_starts_at_zero_and_runs_calls_when_due() {
    test_kit::run(|| async {
        let clock = Clock::new();
        assert_eq!(clock.seconds(), 0.0, "a Clock starts at time 0");
        let log = Log::default();
        clock.call_later(secs(2), log.later("two seconds"));

        clock.advance(secs(1));
        assert_eq!(clock.seconds(), 1.0, "advance(1 s) moves the time by one second");
        assert!(log.take().is_empty(), "a call due at 2 s must not run at 1 s");

        clock.advance(secs(1));
        assert_eq!(clock.seconds(), 2.0);
        assert_eq!(log.take(), ["two seconds"], "a call due exactly now runs");

        clock.advance(secs(10));
        assert!(log.take().is_empty(), "a call runs once, never again");
        assert_eq!(clock.seconds(), 12.0);
    });
}

#[test]
fn step_2_timers_fire_in_time_order_and_ties_in_scheduling_order() {
    test_kit::run(|| async {
        let clock = Clock::new();
        let log = Log::default();
        // Scheduled out of order on purpose; three calls tie at 2 s.
        clock.call_later(secs(3), log.at(&clock, "c"));
        clock.call_later(secs(2), log.at(&clock, "tie 1"));
        clock.call_later(secs(1), log.at(&clock, "a"));
        clock.call_later(secs(2), log.at(&clock, "tie 2"));
        clock.call_later(Duration::ZERO, log.at(&clock, "now"));
        clock.call_later(secs(2), log.at(&clock, "tie 3"));

        clock.advance(Duration::from_millis(1500));
        assert_eq!(log.take(), ["t=0 now", "t=1 a"], "only what is due by 1.5 s runs");

        clock.advance(secs(5));
        let order = log.take();
        insta::assert_snapshot!(order.join("\n"));
        assert_eq!(order, ["t=2 tie 1", "t=2 tie 2", "t=2 tie 3", "t=3 c"]);
    });
}

#[test]
fn step_3_calls_scheduled_during_a_run_wait_for_their_own_time() {
    test_kit::run(|| async {
        // One pass of the timer heap runs what was due when the pass began. A call
        // scheduled during the pass waits for the next pass, even with a zero delay.
        let timers = Timers::new(ManualTime::default());
        let log = Log::default();
        let (again, inner_log) = (timers.clone(), log.clone());
        timers.call_later(Duration::ZERO, move || {
            inner_log.push("first");
            again
                .call_later(Duration::ZERO, inner_log.later("scheduled during the pass"));
        });
        assert_eq!(timers.run_due(), 1, "the pass runs the one call that was due");
        assert_eq!(log.take(), ["first"]);
        assert_eq!(
            timers.run_due(),
            1,
            "the call scheduled during the pass runs in the next"
        );
        assert_eq!(log.take(), ["scheduled during the pass"]);
        assert_eq!(timers.run_due(), 0);

        // Clock::advance runs calls scheduled during the advance if they fall due
        // within it, each at its own time, and leaves the rest for later.
        let clock = Clock::new();
        let (c, l) = (clock.clone(), log.clone());
        clock.call_later(secs(1), move || {
            l.push(format!("t={} first", c.seconds()));
            c.call_later(secs(2), l.at(&c, "two after the first"));
            c.call_later(Duration::ZERO, l.at(&c, "zero after the first"));
            c.call_later(secs(10), l.at(&c, "ten after the first"));
        });
        clock.advance(secs(5));
        assert_eq!(
            log.take(),
            ["t=1 first", "t=1 zero after the first", "t=3 two after the first"],
            "Clock::advance steps the time to each call's own due time before running it"
        );
        assert_eq!(clock.seconds(), 5.0, "advance ends at the time it was asked for");
        clock.advance(secs(6));
        assert_eq!(log.take(), ["t=11 ten after the first"]);

        // Twisted's task.Clock.advance sets the time to the end FIRST, then runs what
        // is due: a call scheduled during the advance counts its delay from the end.
        // The same schedule on that rule (written here on Timers) gives another
        // timeline: book/src/reactor/twisted/clock_advance.py prints Twisted's own.
        let time = ManualTime::default();
        let timers = Timers::new(time.clone());
        let twisted_advance = |by: Duration| {
            let end = time.now() + by;
            time.set(end);
            while timers.next_due().is_some_and(|due| due <= end) {
                timers.run_due();
            }
        };
        let (t, l) = (timers.clone(), log.clone());
        timers.call_later(secs(1), move || {
            l.push(format!("t={} first", t.now().as_secs()));
            for (delay, what) in [(2, "two"), (0, "zero"), (10, "ten")] {
                let (t2, l2) = (t.clone(), l.clone());
                t.call_later(secs(delay), move || {
                    l2.push(format!("t={} {what} after the first", t2.now().as_secs()))
                });
            }
        });
        twisted_advance(secs(5));
        assert_eq!(log.take(), ["t=5 first", "t=5 zero after the first"]);
        twisted_advance(secs(6));
        assert_eq!(log.take(), ["t=11 two after the first"], "due at 7, run at 11");
        assert_eq!(timers.pending(), 1, "ten after the first is due at 15");
    });
}

#[test]
fn step_4_delayed_calls_cancel_reset_and_delay_like_twisted() {
    test_kit::run(|| async {
        let clock = Clock::new();
        let log = Log::default();

        // Cancel: it never runs, and a cancelled call cannot be changed.
        let cancelled = clock.call_later(secs(5), log.later("cancelled call"));
        assert!(cancelled.active());
        assert_eq!(cancelled.time(), secs(5), "time() is when the call is due");
        assert_eq!(cancelled.cancel(), Ok(()));
        assert!(!cancelled.active(), "a cancelled call is no longer active");
        assert_eq!(cancelled.cancel(), Err(CallError::AlreadyCancelled));
        assert_eq!(cancelled.reset(secs(1)), Err(CallError::AlreadyCancelled));
        assert_eq!(cancelled.delay(secs(1)), Err(CallError::AlreadyCancelled));

        // Delay: later than it was due. Reset: a new delay counted from now.
        let moved = clock.call_later(secs(5), log.at(&clock, "moved call"));
        assert_eq!(moved.delay(secs(3)), Ok(()));
        assert_eq!(moved.time(), secs(8), "delay(3 s) moves a call due at 5 s to 8 s");
        clock.advance(secs(6));
        assert!(log.take().is_empty(), "neither call runs at 5 s");
        assert_eq!(moved.reset(secs(1)), Ok(()));
        assert_eq!(moved.time(), secs(7), "reset(1 s) at 6 s makes it due at 7 s");
        clock.advance(secs(1));
        assert_eq!(log.take(), ["t=7 moved call"]);

        // A call that ran cannot be changed either.
        assert!(!moved.active());
        assert_eq!(moved.cancel(), Err(CallError::AlreadyCalled));
        assert_eq!(moved.reset(secs(1)), Err(CallError::AlreadyCalled));
        assert_eq!(moved.delay(secs(1)), Err(CallError::AlreadyCalled));

        // Reset can also move a call earlier; it then fires at its new time only.
        let early = clock.call_later(secs(100), log.at(&clock, "brought forward"));
        assert_eq!(early.reset(secs(2)), Ok(()));
        clock.advance(secs(200));
        assert_eq!(log.take(), ["t=9 brought forward"], "runs once, at the new time");
    });
}

#[test]
fn step_5_run_returns_after_stop() {
    test_kit::run(|| async {
        let reactor = Reactor::new().expect("a reactor");
        let log = Log::default();
        let (r, l) = (reactor.clone(), log.clone());
        reactor.call_later(Duration::ZERO, move || {
            l.push(format!("first pass, running: {}", r.is_running()));
            r.stop();
            // Scheduled during the pass in which stop() was called: waits for the next run.
            r.call_later(Duration::ZERO, l.later("second run"));
        });
        // A far-away timer must not keep run() from returning.
        let later =
            reactor.call_later(Duration::from_secs(3600), log.later("an hour later"));

        reactor.run().expect("run() returns Ok after stop()");
        assert_eq!(log.take(), ["first pass, running: true"]);
        assert!(!reactor.is_running(), "is_running() is false once run() returned");

        // Another thread stops the reactor through a handle: the waker interrupts
        // the poll, which would otherwise sleep for an hour.
        let handle = reactor.handle();
        let stopper = std::thread::spawn(move || handle.stop());
        reactor.run().expect("run() returns Ok after a stop from another thread");
        stopper.join().expect("the stopping thread");
        assert_eq!(log.take(), ["second run"]);
        assert!(later.active(), "the hour-long call is still pending");
    });
}

#[test]
fn step_6_echoes_lines_over_tcp() {
    test_kit::run(|| async {
        let server = EchoServer::start("127.0.0.1:0".parse().unwrap())
            .expect("the echo server starts");
        let transcript = Transcript::new();
        let mut alice = LineClient::connect(server.addr(), "alice", &transcript).await;
        let mut bob = LineClient::connect(server.addr(), "bob", &transcript).await;

        alice.send_line("hello from the warehouse").await;
        assert_eq!(alice.recv_line().await, "hello from the warehouse");
        bob.send_line("SCAN WIDGET-42 5").await;
        assert_eq!(bob.recv_line().await, "SCAN WIDGET-42 5");
        // TCP is a stream: what arrives in two pieces is echoed all the same.
        alice.send_raw(b"one line in ").await;
        alice.send_raw(b"two pieces\r\n").await;
        assert_eq!(alice.recv_line().await, "one line in two pieces");
        bob.send_raw(b"two lines\r\nin one piece\r\n").await;
        assert_eq!(bob.recv_line().await, "two lines");
        assert_eq!(bob.recv_line().await, "in one piece");

        insta::assert_snapshot!(transcript.to_string());
        server.stop().expect("the reactor stops cleanly");
    });
}

#[test]
fn step_7_echoes_megabytes_through_a_bounded_buffer() {
    test_kit::run(|| async {
        // Kernel buffers of a few kilobytes on both ends (loopback's would swallow
        // megabytes): the server's writes come back partial or WouldBlock, and what it
        // has read but not yet echoed is all it can hold up.
        let small = Some(SOCKET_BUFFER);
        let server =
            EchoServer::start_with_socket_buffers("127.0.0.1:0".parse().unwrap(), small)
                .expect("the echo server starts");
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_send_buffer_size(SOCKET_BUFFER as u32).unwrap();
        socket.set_recv_buffer_size(SOCKET_BUFFER as u32).unwrap();
        // What four kernel buffers can hold at most: ours and the server's (which asked
        // for the same size), each way.
        let in_kernels = 2
            * (socket.send_buffer_size().unwrap() + socket.recv_buffer_size().unwrap())
                as usize;
        let mut stream = socket.connect(server.addr()).await.expect("connect");

        // The client writes without reading for as long as the server keeps reading;
        // it reads only when the server is stuck: a write still blocks after the server
        // handled everything sent so far (a round trip through the server's reactor).
        let sent: Vec<u8> = (0..2 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
        let (mut written, mut echoed, mut most_in_flight) = (0, Vec::new(), 0);
        let try_write = |stream: &TcpStream, written: &mut usize| {
            while *written < sent.len() {
                match stream.try_write(&sent[*written..]) {
                    Ok(n) => *written += n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                    Err(e) => panic!("sending failed: {e}"),
                }
            }
        };
        while written < sent.len() {
            let before = written;
            try_write(&stream, &mut written);
            if written == before {
                // The write would block: let the server handle everything sent so far.
                server_caught_up(&server).await;
                try_write(&stream, &mut written);
            }
            most_in_flight = most_in_flight.max(written - echoed.len());
            if written > before {
                continue; // the server is still reading
            }
            // Stuck: read what came back, or wait for the server to move.
            let mut read_any = false;
            let mut sip = [0u8; 4096];
            loop {
                match stream.try_read(&mut sip) {
                    Ok(0) => panic!("the server closed the connection before the end"),
                    Ok(n) => {
                        echoed.extend_from_slice(&sip[..n]);
                        read_any = true;
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => panic!("receiving failed: {e}"),
                }
            }
            if !read_any {
                stream
                    .ready(Interest::READABLE | Interest::WRITABLE)
                    .await
                    .expect("ready");
            }
        }
        // Half-close: the server echoes what is left, then closes its side.
        stream.shutdown().await.expect("shutdown");
        stream.read_to_end(&mut echoed).await.expect("receive");
        assert_eq!(echoed.len(), sent.len(), "every byte comes back, none twice");
        assert!(echoed == sent, "the bytes come back in the order they were sent");
        let bound = BUFFER_LIMIT + in_kernels;
        assert!(
            most_in_flight <= bound,
            "{most_in_flight} bytes were sent and not yet echoed, more than BUFFER_LIMIT \
             ({BUFFER_LIMIT}) plus the kernels' socket buffers ({in_kernels}): the server \
             must stop reading while BUFFER_LIMIT bytes wait to be written"
        );
        server.stop().expect("the reactor stops cleanly");
    });
}
