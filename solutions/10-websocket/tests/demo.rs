//! The demo server against a hostile room: what `cargo xtask demo 10-websocket`
//! must survive (issue 8). Not a step of the exercise: the learner's crate has no
//! demo.

use std::io::{BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use sol10_websocket::inventory::MAX_SKUS;
use sol10_websocket::policy::QUEUE_CAPACITY;
use sol10_websocket::server::MAX_CONNECTIONS;
use test_kit::DemoProcess;
use test_kit::process::{PATIENCE, is_timeout, read_line};
use tokio_tungstenite::tungstenite::{self, Message, WebSocket};

const DEMO: &str = env!("CARGO_BIN_EXE_sol10-websocket");

/// A complete opening handshake for `path`, as a browser would send it.
fn upgrade(path: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nHost: demo\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    )
    .into_bytes()
}

/// The first half of a handshake: what a slowloris sends, and then no more.
const HALF_UPGRADE: &[u8] = b"GET /live HTTP/1.1\r\nHost: demo\r\nUpgrade: websocket\r\n";

/// The stock feed's address, from the demo's first line.
fn feed_addr(demo: &mut DemoProcess) -> SocketAddr {
    let line =
        demo.wait_for_output("stock feed on ", PATIENCE).expect("the feed's address");
    let addr = line.split("stock feed on ").nth(1).unwrap_or_default();
    addr.trim().parse().unwrap_or_else(|e| panic!("{line:?}: {e}"))
}

/// A blocking feed client that gives up on a silent server after [`PATIENCE`].
fn feed_client(addr: SocketAddr) -> BufReader<TcpStream> {
    let stream = TcpStream::connect(addr).expect("connect to the feed");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    BufReader::new(stream)
}

/// Sends one move to the feed and returns its answer.
fn move_stock(feed: &mut BufReader<TcpStream>, line: &str) -> String {
    feed.get_mut().write_all(format!("{line}\r\n").as_bytes()).unwrap();
    read_line(feed).unwrap_or_else(|e| panic!("the feed does not answer {line:?}: {e}"))
}

/// A dashboard on `stream` (connected to `addr`), subscribed to `interest`.
fn subscribe(
    stream: TcpStream,
    addr: SocketAddr,
    interest: &str,
) -> WebSocket<TcpStream> {
    let url = format!("ws://{addr}/live");
    let (mut ws, _) = tungstenite::client(url.as_str(), stream)
        .unwrap_or_else(|e| panic!("the dashboard's handshake fails: {e}"));
    ws.send(Message::text(interest)).expect("send the subscription");
    ws
}

/// A dashboard that reads, giving up on a silent server after [`PATIENCE`].
fn reading_dashboard(addr: SocketAddr, interest: &str) -> WebSocket<TcpStream> {
    let stream = TcpStream::connect(addr).expect("connect a dashboard");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    subscribe(stream, addr, interest)
}

/// The next text message of a dashboard (pings are answered by tungstenite).
fn next_text(ws: &mut WebSocket<TcpStream>, who: &str) -> String {
    loop {
        match ws.read() {
            Ok(Message::Text(text)) => return text.to_string(),
            Ok(Message::Ping(_) | Message::Pong(_)) => {}
            Ok(other) => panic!("{who} gets {other:?}, expected a text"),
            Err(e) => panic!("{who} gets nothing: {e}"),
        }
    }
}

/// A connection whose receive buffer is as small as the kernel allows, for a
/// client that never reads: the server's writes to it block after a few KiB.
fn tiny_window_connection(addr: SocketAddr) -> TcpStream {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_io().build().unwrap();
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.set_recv_buffer_size(1024)?;
        socket.connect(addr).await?.into_std()
    });
    let stream = stream.expect("connect a dashboard that never reads");
    stream.set_nonblocking(false).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// The status line of an HTTP answer the client reads without sending anything.
fn status_line(client: &mut BufReader<TcpStream>, who: &str) -> String {
    read_line(client).unwrap_or_else(|e| panic!("{who} hears nothing: {e}"))
}

/// Reads (and drops) what the server still sends, up to the close.
fn until_closed(client: &mut BufReader<TcpStream>, who: &str) {
    let mut rest = Vec::new();
    match client.read_to_end(&mut rest) {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
        Err(e) => panic!("{who}: the server does not close ({e})"),
    }
}

/// The demo's resident memory, in bytes.
#[cfg(target_os = "linux")]
fn resident_bytes(demo: &DemoProcess) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", demo.id())).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// A deterministic stream of bytes that are not a protocol (xorshift).
fn garbage(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// The page is still served, to a fresh client.
fn page_is_served(demo: &mut DemoProcess, after: &str) {
    if let Some(status) = demo.exited() {
        panic!("the demo exited ({status}) after {after}:\n{}", demo.output());
    }
    let mut client = demo.connect();
    client.get_mut().write_all(b"GET / HTTP/1.1\r\nHost: demo\r\n\r\n").unwrap();
    assert_eq!(status_line(&mut client, "the page"), "HTTP/1.1 200 OK", "after {after}");
}

/// With every slot held by a handshake that never finishes (slowloris), a newcomer
/// is answered at once, `503`, instead of waiting in the kernel's queue, in silence.
#[test]
fn a_newcomer_beyond_the_connection_limit_hears_503_not_silence() {
    let demo = DemoProcess::command(DEMO).spawn();
    let slowloris: Vec<_> = (0..MAX_CONNECTIONS)
        .map(|_| {
            let mut client = demo.connect();
            client.get_mut().write_all(HALF_UPGRADE).unwrap();
            client
        })
        .collect();
    // The kernel hands connections over in order: by the time the server accepts
    // the newcomer, every slowloris holds a slot.
    let mut newcomer = demo.connect();
    let status = status_line(&mut newcomer, "the newcomer");
    assert_eq!(status, "HTTP/1.1 503 Service Unavailable");
    until_closed(&mut newcomer, "the newcomer");
    drop(slowloris);
}

/// A handshake that never finishes, even one that keeps trickling header lines, is
/// dropped after `--handshake-timeout`, and its slot lets a newcomer in.
#[test]
fn unfinished_handshakes_are_dropped_after_the_timeout_and_let_newcomers_in() {
    let mut demo = DemoProcess::command(DEMO)
        .arg("--max-connections")
        .arg("2")
        .arg("--handshake-timeout")
        .arg("1")
        .spawn();
    let mut silent = demo.connect();
    silent.get_mut().write_all(HALF_UPGRADE).unwrap();
    let mut trickler = demo.connect();
    trickler.get_mut().write_all(HALF_UPGRADE).unwrap();
    let mut turned_away = demo.connect();
    let status = status_line(&mut turned_away, "the third client");
    assert_eq!(status, "HTTP/1.1 503 Service Unavailable");
    // One header line whenever the server has said nothing for 50 ms: a deadline
    // that restarted with every byte would never come.
    trickler.get_mut().set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let started = Instant::now();
    let mut lines = 0;
    loop {
        match trickler.read(&mut [0; 64]) {
            Ok(0) => break,
            Ok(_) => panic!("the trickler is answered instead of dropped"),
            Err(e) if is_timeout(&e) => {
                assert!(started.elapsed() < PATIENCE, "the trickler is never dropped");
                // Dropped between the read and this write: the next read says so.
                let _ =
                    trickler.get_mut().write_all(format!("X-{lines}: y\r\n").as_bytes());
                lines += 1;
            }
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the trickler: {e}"),
        }
    }
    until_closed(&mut silent, "the silent client");
    let mut dashboard = reading_dashboard(demo.addr(), "subscribe WIDGET-1");
    assert_eq!(next_text(&mut dashboard, "the newcomer"), "snapshot WIDGET-1=0");
    let feed = feed_addr(&mut demo);
    assert_eq!(move_stock(&mut feed_client(feed), "WIDGET-1 5"), "WIDGET-1 5");
    assert_eq!(next_text(&mut dashboard, "the newcomer"), "total WIDGET-1=5");
}

/// The feed port has its own limit, and says so in its own words.
#[test]
fn a_feed_beyond_the_connection_limit_hears_server_busy() {
    let mut demo = DemoProcess::command(DEMO).arg("--max-connections").arg("2").spawn();
    let feed = feed_addr(&mut demo);
    let mut clerks: Vec<_> = (0..2).map(|_| feed_client(feed)).collect();
    for clerk in &mut clerks {
        assert_eq!(move_stock(clerk, "WIDGET-1 0"), "WIDGET-1 0");
    }
    let mut newcomer = feed_client(feed);
    let said = read_line(&mut newcomer);
    assert_eq!(said.ok().as_deref(), Some("error server busy"));
    until_closed(&mut newcomer, "the third feed");
}

/// Dashboards that subscribe to everything and never read (stalled browser tabs)
/// cost a bounded queue each: the feed is answered at once, the server's memory
/// stays flat, and a dashboard that reads gets every total, in order, with
/// nothing in between, however many moves go by.
#[test]
fn dashboards_that_never_read_neither_slow_a_reader_nor_grow_memory() {
    const NEVER_READING: usize = 8;
    // Each batch moves the reader's SKU half a queue's worth of times, and other
    // SKUs enough that the never-reading dashboards overflow their queues: each
    // then gets a snapshot of every SKU, until its socket's buffers are full.
    const READER_MOVES: usize = QUEUE_CAPACITY / 2;
    const OTHER_MOVES: usize = 3 * READER_MOVES;
    const BATCHES: usize = 1200;
    let mut demo = DemoProcess::command(DEMO).spawn();
    let (addr, feed) = (demo.addr(), feed_addr(&mut demo));
    let mut feed = feed_client(feed);
    // As many SKUs as the inventory takes, as long as they may be: big snapshots.
    let sku = format!("{:-<32}", "WIDGET");
    let others: Vec<String> =
        (1..MAX_SKUS).map(|n| format!("{:-<28}{n:04}", "SKU")).collect();
    let created: String = others.iter().map(|other| format!("{other} 0\r\n")).collect();
    feed.get_mut().write_all(created.as_bytes()).unwrap();
    for other in &others {
        assert_eq!(read_line(&mut feed).ok(), Some(format!("{other} 0")));
    }
    let _stalled: Vec<_> = (0..NEVER_READING)
        .map(|_| subscribe(tiny_window_connection(addr), addr, "subscribe *"))
        .collect();
    let mut reader = reading_dashboard(addr, &format!("subscribe {sku}"));
    assert_eq!(next_text(&mut reader, "the reader"), format!("snapshot {sku}=0"));
    let mut total = 0;
    let mut other = others.iter().cycle();
    #[cfg(target_os = "linux")]
    let before = resident_bytes(&demo);
    for batch in 0..BATCHES {
        // Pipelined: a batch of moves in one write, then their answers.
        let mut lines = String::new();
        let mut answers = Vec::new();
        for _ in 0..READER_MOVES {
            total += 1;
            lines.push_str(&format!("{sku} 1\r\n"));
            answers.push(format!("{sku} {total}"));
            for other in other.by_ref().take(OTHER_MOVES / READER_MOVES) {
                lines.push_str(&format!("{other} 1\r\n"));
                answers.push(other.clone());
            }
        }
        feed.get_mut().write_all(lines.as_bytes()).unwrap();
        for expected in answers {
            let answer =
                read_line(&mut feed).unwrap_or_else(|e| panic!("batch {batch}: {e}"));
            assert!(answer.starts_with(&expected), "batch {batch}: {answer:?}");
        }
        for expected in total + 1 - READER_MOVES..=total {
            let push = next_text(&mut reader, "the reader");
            assert_eq!(push, format!("total {sku}={expected}"), "batch {batch}");
        }
    }
    #[cfg(target_os = "linux")]
    {
        // Under 1 MiB here; with queues of 16 million pushes (as good as unbounded)
        // the same run grew by 26 MiB: what the sockets cannot take piles up.
        let grown = resident_bytes(&demo).saturating_sub(before);
        assert!(grown < 4 << 20, "the server grew by {grown} bytes");
    }
}

/// A peer that stops reading (a stalled tab, an attacker) leaves the server's
/// write blocked once the socket's buffers are full; after `--pong-deadline` the
/// server gives up on it, as on a peer that does not pong, and its slot lets a
/// newcomer in. Here on the echo endpoint, where 8 MiB sent back fill any buffer.
#[test]
#[cfg(unix)]
fn a_peer_that_stops_reading_is_dropped_and_frees_its_slot() {
    let mut demo = DemoProcess::command(DEMO)
        .arg("--max-connections")
        .arg("1")
        .arg("--pong-deadline")
        .arg("1")
        .spawn();
    let addr = demo.addr();
    let url = format!("ws://{addr}/echo");
    let (mut hog, _) = tungstenite::client(url.as_str(), tiny_window_connection(addr))
        .unwrap_or_else(|e| panic!("the hog's handshake fails: {e}"));
    hog.send(Message::binary(vec![b'x'; 8 << 20])).expect("send 8 MiB");
    // Bytes the blocked server does not read: its close is then a reset, which
    // the hog sees without reading (reading would unblock the server).
    hog.get_mut().write_all(&garbage(7, 64 << 10)).expect("send 64 KiB more");
    let mut turned_away = demo.connect();
    let status = status_line(&mut turned_away, "the newcomer");
    assert_eq!(status, "HTTP/1.1 503 Service Unavailable", "the hog holds the slot");
    let dropped = test_kit::process::wait_for_hangup(hog.get_ref(), PATIENCE);
    assert!(dropped, "the server never gives up on the peer that stopped reading");
    page_is_served(&mut demo, "the hog was dropped");
}

/// A stdout that nobody reads (a terminal paused with Ctrl-S, a pipe into a stuck
/// program) must not freeze the clients: far more than a pipe's buffer (64 KiB) of
/// traffic goes by, pages, dashboards and moves.
#[test]
fn a_stalled_stdout_never_stops_the_server() {
    let mut demo = DemoProcess::command(DEMO).stall_stdout().spawn();
    let mut dashboard = reading_dashboard(demo.addr(), "subscribe WIDGET-1");
    assert_eq!(next_text(&mut dashboard, "the dashboard"), "snapshot WIDGET-1=0");
    let feed = feed_addr(&mut demo);
    let mut feed = feed_client(feed);
    for n in 1..=300 {
        page_is_served(&mut demo, &format!("{n} pages"));
        assert_eq!(move_stock(&mut feed, "WIDGET-1 1"), format!("WIDGET-1 {n}"));
        let push = next_text(&mut dashboard, "the dashboard");
        assert_eq!(push, format!("total WIDGET-1={n}"));
    }
}

/// Running out of file descriptors (about 1,020 connections on Linux's default
/// limit, 250 on macOS's) pauses accepting, says so, and does not end the server:
/// a handshake waiting in the kernel's queue completes once others leave.
#[test]
#[cfg(unix)]
fn running_out_of_descriptors_pauses_accepting_and_the_server_lives_on() {
    let mut demo = DemoProcess::command(DEMO).max_open_files(24).spawn();
    let (served, mut waiting) = demo.run_out_of_descriptors(&upgrade("/echo"), 24);
    drop(served);
    match read_line(&mut waiting) {
        Ok(status) => assert_eq!(status, "HTTP/1.1 101 Switching Protocols"),
        Err(e) => {
            panic!("the waiting handshake never completes ({e}):\n{}", demo.output())
        }
    }
}

/// Bytes that are no protocol at all, sent to the feed: each line is answered with
/// `error …` or the connection is dropped; the feed lives on.
#[test]
fn garbage_on_the_feed_is_answered_or_dropped_and_the_feed_lives_on() {
    let mut demo = DemoProcess::command(DEMO).spawn();
    let feed = feed_addr(&mut demo);
    for seed in 1..=40 {
        let mut client = feed_client(feed);
        let mut bytes = garbage(seed, 64 * seed as usize);
        bytes.extend_from_slice(b"\r\n");
        // The server may close before reading everything: a reset is an answer too.
        let _ = client.get_mut().write_all(&bytes);
        let _ = client.get_mut().shutdown(std::net::Shutdown::Write);
        loop {
            match read_line(&mut client) {
                Ok(line) => assert!(line.starts_with("error "), "seed {seed}: {line:?}"),
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset
                    ) =>
                {
                    break;
                }
                Err(e) => panic!("seed {seed}: neither answered nor dropped ({e})"),
            }
        }
    }
    let mut clerk = feed_client(feed);
    assert_eq!(move_stock(&mut clerk, "WIDGET-1 2"), "WIDGET-1 2");
    page_is_served(&mut demo, "garbage on the feed");
}

/// Bytes that are no HTTP, a handshake that is half right, and frames that are no
/// WebSocket after a good handshake: each is answered or dropped, without a panic.
#[test]
fn garbage_on_the_web_port_is_answered_or_dropped_and_the_server_lives_on() {
    let mut demo = DemoProcess::command(DEMO).spawn();
    let mut attacks: Vec<(String, Vec<u8>)> = Vec::new();
    for seed in 1..=20 {
        let mut bytes = garbage(seed, 100 * seed as usize);
        bytes.extend_from_slice(b"\r\n\r\n");
        attacks.push((format!("garbage {seed}"), bytes));
    }
    attacks.push(("an endless head".into(), vec![b'A'; 20_000]));
    attacks.push((
        "an upgrade without a key".into(),
        b"GET /live HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
            .to_vec(),
    ));
    for (seed, path) in [(50, "/live"), (51, "/echo")] {
        let mut bytes = upgrade(path);
        bytes.extend(garbage(seed, 4096));
        attacks.push((format!("garbage frames on {path}"), bytes));
    }
    for (what, bytes) in attacks {
        let mut client = demo.connect();
        let _ = client.get_mut().write_all(&bytes);
        let _ = client.get_mut().shutdown(std::net::Shutdown::Write);
        let mut answer = Vec::new();
        match client.read_to_end(&mut answer) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
            Err(e) => panic!("{what}: neither answered nor dropped ({e})"),
        }
        page_is_served(&mut demo, &what);
    }
}
