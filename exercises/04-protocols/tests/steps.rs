// The steps of exercise 04. The runner reports the first one that fails.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use protocols::{
    Backoff, Factory, Finished, MAX_LINE, Protocol, QotdFactory, Reason,
    ReconnectingClient, StringTransport, Transport, connect_tcp, listen_tcp,
};
use test_kit::{LineClient, Transcript};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

const QUOTES: [&str; 2] = ["The network is reliable.", "Latency is zero."];

fn qotd_factory() -> QotdFactory {
    QotdFactory::new(QUOTES.iter().map(|quote| quote.to_string()).collect())
}

fn peer() -> SocketAddr {
    "127.0.0.1:40000".parse().expect("a socket address")
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

// What a StringTransport recorded, one written line per snapshot line, with the
// "\r\n" delimiters shown.
fn written(transport: &StringTransport) -> String {
    String::from_utf8_lossy(&transport.value())
        .split_inclusive('\n')
        .map(|line| line.escape_debug().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn step_1_string_transport_records_what_is_written() {
    test_kit::run(|| async {
        let recorder = StringTransport::new();
        // The protocol gets one handle; the test keeps another to look at.
        let mut transport: Box<dyn Transport> = Box::new(recorder.clone());
        assert!(
            recorder.value().is_empty(),
            "a new StringTransport has recorded nothing"
        );

        transport.write(b"hello, ");
        transport.write(b"world\r\n");
        assert_eq!(
            recorder.value(),
            b"hello, world\r\n",
            "value() returns every write, in order"
        );
        assert!(!recorder.disconnecting(), "nobody asked to close yet");

        transport.lose_connection();
        assert!(
            recorder.disconnecting(),
            "lose_connection() only marks the transport as disconnecting"
        );

        recorder.clear();
        assert!(recorder.value().is_empty(), "clear() forgets what was written");
        transport.write(b"again");
        assert_eq!(recorder.value(), b"again");
    });
}

#[test]
fn step_2_qotd_protocol_runs_on_a_string_transport() {
    test_kit::run(|| async {
        // ANCHOR: string_transport_test
        let factory = qotd_factory();
        let wire = StringTransport::new();
        let mut alice = factory.build_protocol(peer());
        alice.connection_made(Box::new(wire.clone()));
        assert_eq!(
            wire.value(),
            format!("{}\r\n", QUOTES[0]).as_bytes(),
            "connection_made sends the quote"
        );
        assert_eq!(
            factory.active(),
            1,
            "connection_made counts the connection as active"
        );

        // data_received gets arbitrary chunks, not lines.
        for chunk in [&b"hel"[..], b"lo\r\nwor", b"ld\n", b"qu"] {
            alice.data_received(chunk);
        }
        assert!(
            wire.value().ends_with(b"world\r\n"),
            "complete lines are echoed, and only those"
        );
        assert!(!wire.disconnecting(), "\"qu\" is not a line yet");
        alice.data_received(b"it\r\nthis line comes after quit\r\n");
        assert!(wire.disconnecting(), "quit closes the connection");
        insta::assert_snapshot!(written(&wire));
        // ANCHOR_END: string_transport_test

        // A StringTransport never calls connection_lost: the test plays the reactor.
        assert_eq!(factory.active(), 1);
        alice.connection_lost(Reason::ConnectionDone);
        assert_eq!(factory.active(), 0, "connection_lost counts the connection as gone");

        // The factory's state is shared by every protocol it builds.
        let (bob_wire, carol_wire) = (StringTransport::new(), StringTransport::new());
        let mut bob = factory.build_protocol(peer());
        bob.connection_made(Box::new(bob_wire.clone()));
        let mut carol = factory.build_protocol(peer());
        carol.connection_made(Box::new(carol_wire.clone()));
        assert_eq!(
            bob_wire.value(),
            format!("{}\r\n", QUOTES[1]).as_bytes(),
            "quotes are handed out in turn"
        );
        assert_eq!(
            carol_wire.value(),
            format!("{}\r\n", QUOTES[0]).as_bytes(),
            "and start over after the last"
        );
        assert_eq!((factory.connections_made(), factory.active()), (3, 2));

        // Lines are bounded: MAX_LINE bytes is fine, one more is refused.
        bob_wire.clear();
        let longest = "x".repeat(MAX_LINE);
        bob.data_received(format!("{longest}\r\n").as_bytes());
        assert_eq!(bob_wire.value(), format!("{longest}\r\n").as_bytes());
        carol_wire.clear();
        carol.data_received(&vec![b'x'; MAX_LINE + 1]);
        let refusal = String::from_utf8_lossy(&carol_wire.value()).into_owned();
        assert!(
            refusal.starts_with("ERR ") && refusal.ends_with("\r\n"),
            "a too-long line gets an ERR line, got {refusal:?}"
        );
        assert!(carol_wire.disconnecting(), "and the connection is closed");
    });
}

#[test]
fn step_3_the_same_protocol_serves_real_tcp() {
    test_kit::run(|| async {
        let listener =
            TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let addr = listener.local_addr().expect("the bound address");
        let factory = Arc::new(qotd_factory());
        tokio::spawn(listen_tcp(listener, Arc::clone(&factory)));

        let transcript = Transcript::new();
        let mut alice = LineClient::connect(addr, "alice", &transcript).await;
        assert_eq!(alice.recv_line().await, QUOTES[0]);
        let mut bob = LineClient::connect(addr, "bob", &transcript).await;
        assert_eq!(bob.recv_line().await, QUOTES[1]);

        alice.send_line("hello").await;
        assert_eq!(alice.recv_line().await, "hello");
        // One line in two writes, then two lines in one write.
        bob.send_raw(b"split ").await;
        bob.send_raw(b"line\r\n").await;
        assert_eq!(bob.recv_line().await, "split line");
        bob.send_raw(b"one\r\ntwo\r\n").await;
        assert_eq!(bob.recv_line().await, "one");
        assert_eq!(bob.recv_line().await, "two");

        alice.send_line("quit").await;
        assert_eq!(
            alice.recv_line().await,
            "Bye!",
            "Bye! is written before the connection closes"
        );
        alice.expect_closed().await;
        bob.send_line("quit").await;
        assert_eq!(bob.recv_line().await, "Bye!");
        bob.expect_closed().await;

        insta::assert_snapshot!(transcript.to_string());
        assert_eq!(factory.connections_made(), 2, "one protocol per connection");
    });
}

// A protocol for the tests: it reports what happens to it on a channel, and can
// greet with some bytes and close at once.
enum Seen {
    Data(Vec<u8>),
    Lost(Reason),
}

struct Reporter {
    seen: mpsc::UnboundedSender<Seen>,
    greeting: Vec<u8>,
    close_at_once: bool,
    transport: Option<Box<dyn Transport>>,
}

impl Protocol for Reporter {
    fn connection_made(&mut self, mut transport: Box<dyn Transport>) {
        if !self.greeting.is_empty() {
            transport.write(&self.greeting);
        }
        if self.close_at_once {
            transport.lose_connection();
        }
        self.transport = Some(transport);
    }

    fn data_received(&mut self, data: &[u8]) {
        let _ = self.seen.send(Seen::Data(data.to_vec()));
    }

    fn connection_lost(&mut self, reason: Reason) {
        let _ = self.seen.send(Seen::Lost(reason));
    }
}

struct ReporterFactory {
    seen: mpsc::UnboundedSender<Seen>,
    greeting: Vec<u8>,
    close_at_once: bool,
}

impl Factory for ReporterFactory {
    fn build_protocol(&self, _peer: SocketAddr) -> Box<dyn Protocol> {
        Box::new(Reporter {
            seen: self.seen.clone(),
            greeting: self.greeting.clone(),
            close_at_once: self.close_at_once,
            transport: None,
        })
    }
}

// Starts a server whose protocols report to the returned channel.
async fn reporting_server(
    greeting: Vec<u8>,
    close_at_once: bool,
) -> (SocketAddr, mpsc::UnboundedReceiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let addr = listener.local_addr().expect("the bound address");
    let (seen, reports) = mpsc::unbounded_channel();
    tokio::spawn(listen_tcp(
        listener,
        Arc::new(ReporterFactory { seen, greeting, close_at_once }),
    ));
    (addr, reports)
}

// Collects the data a protocol received until its connection_lost.
async fn until_lost(reports: &mut mpsc::UnboundedReceiver<Seen>) -> (Vec<u8>, Reason) {
    let mut data = Vec::new();
    loop {
        match reports.recv().await.expect("the server's protocol reports connection_lost")
        {
            Seen::Data(chunk) => data.extend_from_slice(&chunk),
            Seen::Lost(reason) => return (data, reason),
        }
    }
}

#[test]
fn step_4_connection_lost_tells_clean_from_broken() {
    test_kit::run(|| async {
        // The peer closes cleanly: ConnectionDone, after the data it sent.
        let (addr, mut reports) = reporting_server(Vec::new(), false).await;
        let mut client = TcpStream::connect(addr).await.expect("connect");
        client.write_all(b"ping").await.expect("send");
        client.shutdown().await.expect("close cleanly");
        drop(client);
        assert_eq!(
            until_lost(&mut reports).await,
            (b"ping".to_vec(), Reason::ConnectionDone)
        );

        // The peer resets the connection: ConnectionLost.
        let (addr, mut reports) = reporting_server(Vec::new(), false).await;
        let mut client = TcpStream::connect(addr).await.expect("connect");
        client.write_all(b"ping").await.expect("send");
        let Some(Seen::Data(_)) = reports.recv().await else {
            panic!("the server should receive data first")
        };
        client.set_zero_linger().expect("SO_LINGER 0: close with a reset");
        drop(client);
        let (_, reason) = until_lost(&mut reports).await;
        assert!(
            matches!(reason, Reason::ConnectionLost(_)),
            "a reset is ConnectionLost, got {reason:?}"
        );

        // The server writes more than the socket buffers hold, then loses the
        // connection: every byte arrives before the close, which is clean.
        let big: Vec<u8> = (0..1 << 20).map(|i: u32| b'a' + (i % 26) as u8).collect();
        let (addr, mut reports) = reporting_server(big.clone(), true).await;
        let mut client = TcpStream::connect(addr).await.expect("connect");
        let mut received = Vec::new();
        client.read_to_end(&mut received).await.expect("read until the server closes");
        assert_eq!(
            received.len(),
            big.len(),
            "lose_connection must flush pending writes first"
        );
        assert!(received == big, "the bytes arrive in the order written");
        assert_eq!(until_lost(&mut reports).await, (Vec::new(), Reason::ConnectionDone));
    });
}

#[test]
fn step_5_backoff_grows_caps_resets_and_jitters() {
    test_kit::run(|| async {
        let mut backoff = Backoff::new(secs(1), 2.0, secs(30));
        let delays: Vec<Duration> =
            (0..7).map(|_| backoff.next_delay().expect("no retry limit")).collect();
        assert_eq!(
            delays,
            [1, 2, 4, 8, 16, 30, 30].map(secs),
            "initial, ×factor each time, capped at max_delay"
        );
        assert_eq!(backoff.retries(), 7);
        backoff.reset();
        assert_eq!(backoff.retries(), 0);
        assert_eq!(
            backoff.next_delay(),
            Some(secs(1)),
            "reset() starts over from the initial delay"
        );

        let mut limited = Backoff::new(secs(1), 2.0, secs(30)).with_max_retries(3);
        let delays: Vec<Option<Duration>> =
            (0..5).map(|_| limited.next_delay()).collect();
        assert_eq!(
            delays,
            [Some(secs(1)), Some(secs(2)), Some(secs(4)), None, None],
            "max_retries delays, then give up"
        );
        limited.reset();
        assert_eq!(
            limited.next_delay(),
            Some(secs(1)),
            "reset() also resets the retry count"
        );

        // Jitter spreads each delay around the same sequence, within bounds.
        let jitter = 0.25;
        let mut jittery = Backoff::new(secs(1), 2.0, secs(64)).with_jitter(jitter, 42);
        let (mut below, mut above) = (0, 0);
        let mut drawn = Vec::new();
        for i in 0..200 {
            let base = secs(1 << i.min(6));
            let delay = jittery.next_delay().expect("no retry limit");
            assert!(
                delay >= base.mul_f64(1.0 - jitter)
                    && delay <= base.mul_f64(1.0 + jitter),
                "delay {i} is {delay:?}, outside {base:?} ± 25%"
            );
            below += usize::from(delay < base);
            above += usize::from(delay > base);
            drawn.push(delay);
        }
        assert!(
            below > 20 && above > 20,
            "jitter goes both ways ({below} below, {above} above)"
        );
        let mut again = Backoff::new(secs(1), 2.0, secs(64)).with_jitter(jitter, 42);
        let replay: Vec<Duration> =
            (0..200).map(|_| again.next_delay().expect("no retry limit")).collect();
        assert_eq!(replay, drawn, "the same seed gives the same delays");
    });
}

fn refused() -> io::Error {
    io::Error::from(io::ErrorKind::ConnectionRefused)
}

#[test]
fn step_6_reconnecting_client_waits_resets_and_stops() {
    // Paused time: an hour of backoff passes instantly, and exactly.
    test_kit::run_paused(|| async {
        // Three refusals, a connection that lasts 100 s, two refusals; the seventh
        // attempt stops the client.
        let client = ReconnectingClient::new(Backoff::new(secs(1), 2.0, secs(30)));
        let stopper = client.stopper();
        let start = Instant::now();
        let mut attempts = Vec::new();
        let finished = client
            .run(|| {
                attempts.push(start.elapsed());
                let number = attempts.len();
                let stopper = stopper.clone();
                async move {
                    match number {
                        4 => {
                            tokio::time::sleep(secs(100)).await;
                            Ok(Reason::ConnectionDone)
                        }
                        7 => {
                            stopper.stop_trying();
                            Err(refused())
                        }
                        _ => Err(refused()),
                    }
                }
            })
            .await;
        assert_eq!(finished, Finished::Stopped);
        assert_eq!(
            attempts,
            [0, 1, 3, 7, 108, 110, 114].map(secs),
            "waits 1, 2, 4 s; after the connection ends, starts over at 1 s"
        );
        assert_eq!(start.elapsed(), secs(114), "no wait after stop_trying");

        // stop_trying ends a long wait at once.
        let client = ReconnectingClient::new(Backoff::new(secs(3600), 2.0, secs(3600)));
        let stopper = client.stopper();
        let start = Instant::now();
        let mut tries = 0;
        let stop_later = async {
            tokio::time::sleep(secs(10)).await;
            stopper.stop_trying();
        };
        let run = client.run(|| {
            tries += 1;
            async { Err(refused()) }
        });
        let (finished, ()) = tokio::join!(run, stop_later);
        assert_eq!((finished, tries, start.elapsed()), (Finished::Stopped, 1, secs(10)));

        // Out of retries: give up.
        let client = ReconnectingClient::new(
            Backoff::new(secs(1), 2.0, secs(30)).with_max_retries(2),
        );
        let start = Instant::now();
        let finished = client.run(|| async { Err(refused()) }).await;
        assert_eq!(
            (finished, start.elapsed()),
            (Finished::GaveUp { retries: 2 }, secs(3))
        );

        // Stopped before it starts: not a single attempt.
        let client = ReconnectingClient::new(Backoff::new(secs(1), 2.0, secs(30)));
        client.stopper().stop_trying();
        let mut tries = 0;
        let finished = client
            .run(|| {
                tries += 1;
                async { Err(refused()) }
            })
            .await;
        assert_eq!((finished, tries), (Finished::Stopped, 0));
    });
}

#[test]
fn step_7_reconnecting_client_over_real_tcp() {
    test_kit::run_paused(|| async {
        // A port that is bound but not listening: connections to it are refused,
        // and no one else can take it before we listen.
        let socket = TcpSocket::new_v4().expect("a TCP socket");
        socket
            .bind("127.0.0.1:0".parse().expect("an address"))
            .expect("bind a loopback port");
        let addr = socket.local_addr().expect("the bound address");

        let (seen, mut client_saw) = mpsc::unbounded_channel();
        let client_factory =
            ReporterFactory { seen, greeting: Vec::new(), close_at_once: false };
        let client = ReconnectingClient::new(Backoff::new(secs(1), 2.0, secs(30)));
        let stopper = client.stopper();
        let (outcome, mut outcomes) = mpsc::unbounded_channel();
        let start = Instant::now();
        let mut attempts = Vec::new();
        let run = client.run(|| {
            attempts.push(start.elapsed());
            let (outcome, factory) = (outcome.clone(), &client_factory);
            async move {
                let result = connect_tcp(addr, factory).await;
                let _ = outcome.send(match &result {
                    Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                        "refused".to_owned()
                    }
                    Err(e) => format!("failed: {e}"),
                    Ok(reason) => format!("connected, then {reason:?}"),
                });
                result
            }
        });
        let server = async {
            for _ in 0..2 {
                assert_eq!(outcomes.recv().await.expect("an outcome"), "refused");
            }
            let listener = socket.listen(16).expect("listen");
            for greeting in ["hello #1\r\n", "hello #2\r\n"] {
                let (mut stream, _) =
                    listener.accept().await.expect("the client reconnects");
                stream.write_all(greeting.as_bytes()).await.expect("greet");
                if greeting.contains("#2") {
                    stopper.stop_trying();
                }
                drop(stream); // accept and close
                assert_eq!(
                    outcomes.recv().await.expect("an outcome"),
                    "connected, then ConnectionDone"
                );
            }
        };
        let (finished, ()) = tokio::join!(run, server);
        assert_eq!(finished, Finished::Stopped);
        assert_eq!(
            attempts,
            [0, 1, 3, 4].map(secs),
            "1 s, 2 s, connected; after it ends, 1 s again"
        );

        for expected in ["hello #1\r\n", "hello #2\r\n"] {
            let (data, reason) = until_lost(&mut client_saw).await;
            assert_eq!(
                (String::from_utf8_lossy(&data).into_owned(), reason),
                (expected.to_owned(), Reason::ConnectionDone)
            );
        }
    });
}
