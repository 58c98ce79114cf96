//! The demo server against a hostile room: what `cargo xtask demo 08-web` must
//! survive. Not a step of the exercise: the learner's crate has no demo.

use std::io::{BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use sol08_web::MAX_CONNECTIONS;
use test_kit::DemoProcess;
use test_kit::process::read_line;

const DEMO: &str = env!("CARGO_BIN_EXE_sol08-web");

/// A request that keeps its connection open afterwards (HTTP/1.1's default).
const GET: &[u8] = b"GET /inventory/WIDGET-1 HTTP/1.1\r\nHost: demo\r\n\r\n";

/// The start of a request whose head never ends (slowloris).
const SLOW_HEAD: &[u8] = b"GET /inventory HTTP/1.1\r\nHost: demo\r\nX-Wait: ";

/// Reads one response: its status line and its body (by its Content-Length).
fn read_response(client: &mut BufReader<TcpStream>, who: &str) -> (String, String) {
    let status = read_line(client).unwrap_or_else(|e| panic!("{who} hears nothing: {e}"));
    let mut length = 0;
    loop {
        let header = read_line(client).unwrap_or_else(|e| panic!("{who}'s headers: {e}"));
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().expect("a Content-Length");
        }
    }
    let mut body = vec![0; length];
    client.read_exact(&mut body).unwrap_or_else(|e| panic!("{who}'s body: {e}"));
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// A keep-alive client with one request answered: it surely holds a slot.
fn kept_alive(demo: &DemoProcess, who: &str) -> BufReader<TcpStream> {
    let mut client = demo.connect();
    client.get_mut().write_all(GET).unwrap();
    let (status, _) = read_response(&mut client, who);
    assert_eq!(status, "HTTP/1.1 200 OK", "{who}");
    client
}

/// A client that sent half a head and stops there.
fn slowloris(demo: &DemoProcess) -> BufReader<TcpStream> {
    let mut client = demo.connect();
    client.get_mut().write_all(SLOW_HEAD).unwrap();
    client
}

/// Reads to the end of the connection: the server closes it, maybe after a 408.
fn assert_closed(client: &mut BufReader<TcpStream>, who: &str) {
    let mut rest = Vec::new();
    match client.read_to_end(&mut rest) {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
        Err(e) => panic!("{who}: the server does not close the connection ({e})"),
    }
    let rest = String::from_utf8_lossy(&rest);
    assert!(rest.is_empty() || rest.starts_with("HTTP/1.1 408"), "{who} reads {rest:?}");
}

/// With every slot held by idle keep-alive connections and slowloris heads, a
/// newcomer is answered 503 at once instead of waiting unanswered in the kernel's
/// queue until one of them leaves.
#[test]
fn a_newcomer_beyond_the_connection_limit_is_answered_503() {
    let demo = DemoProcess::command(DEMO).spawn();
    let mut held = Vec::new();
    for n in 0..MAX_CONNECTIONS {
        held.push(if n % 2 == 0 {
            kept_alive(&demo, "a keep-alive client")
        } else {
            slowloris(&demo)
        });
    }
    // The newcomer is accepted after all of them: the kernel's queue is in order.
    let mut newcomer = demo.connect();
    newcomer.get_mut().write_all(GET).unwrap();
    let (status, body) = read_response(&mut newcomer, "the newcomer");
    assert_eq!(status, "HTTP/1.1 503 Service Unavailable");
    assert_eq!(body, "server busy\n");
    assert_closed(&mut newcomer, "the newcomer");
    drop(held);
}

/// Idle keep-alive connections and heads that never end are closed after the
/// header timeout (`--header-timeout`, 10 s by default), and free their slots.
#[test]
fn idle_keep_alive_and_slowloris_connections_are_cut_after_the_header_timeout() {
    let demo = DemoProcess::command(DEMO)
        .arg("--max-connections")
        .arg("2")
        .arg("--header-timeout")
        .arg("1")
        .spawn();
    let mut idle = kept_alive(&demo, "the keep-alive client");
    let started = Instant::now();
    let mut slow = slowloris(&demo);
    let mut third = demo.connect();
    third.get_mut().write_all(GET).unwrap();
    let (status, _) = read_response(&mut third, "the third client");
    assert_eq!(status, "HTTP/1.1 503 Service Unavailable", "beyond the limit of 2");
    assert_closed(&mut idle, "the idle keep-alive client");
    assert_closed(&mut slow, "the slowloris client");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(900), "closed after {waited:?}, before 1 s");
    kept_alive(&demo, "a newcomer");
}

/// A stdout that nobody reads (a terminal paused with Ctrl-S, a pipe into a stuck
/// program) must not freeze the clients: far more than a pipe's buffer (64 KiB)
/// of traffic, 300 connections and 1 MiB of answers.
#[test]
fn a_stalled_stdout_never_stops_the_server() {
    let demo = DemoProcess::command(DEMO).stall_stdout().spawn();
    let mut chatty = kept_alive(&demo, "the chatty client");
    for n in 0..1000 {
        chatty.get_mut().write_all(GET).unwrap();
        let (status, _) = read_response(&mut chatty, &format!("request {n}"));
        assert_eq!(status, "HTTP/1.1 200 OK", "request {n}");
    }
    for n in 0..300 {
        kept_alive(&demo, &format!("client {n}"));
    }
}

/// Running out of file descriptors (about 1,020 connections on Linux's default
/// limit) pauses accepting, and the demo says so; it does not end the server,
/// and the client left waiting is served once others leave.
#[test]
#[cfg(unix)]
fn running_out_of_descriptors_pauses_accepting_and_the_server_lives_on() {
    let mut demo = DemoProcess::command(DEMO).max_open_files(24).spawn();
    let (served, mut waiting) = demo.run_out_of_descriptors(GET, 24);
    drop(served);
    match read_line(&mut waiting) {
        Ok(status) => assert_eq!(status, "HTTP/1.1 200 OK"),
        Err(e) => panic!("the waiting client is never served ({e}):\n{}", demo.output()),
    }
    assert!(demo.exited().is_none(), "the demo exited:\n{}", demo.output());
    kept_alive(&demo, "a newcomer");
}
