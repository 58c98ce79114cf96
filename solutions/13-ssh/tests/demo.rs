//! The demo server against a hostile room: what `cargo xtask demo 13-ssh` must
//! survive. Not a step of the exercise: the learner's crate has no demo. The room
//! here speaks raw TCP, not SSH: it is the part russh does not guard for us.

use std::io::{BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use test_kit::DemoProcess;
use test_kit::process::read_line;

const DEMO: &str = env!("CARGO_BIN_EXE_sol13-ssh");

/// Connects and reads the server's version line, so the client surely holds a slot.
fn greeted(demo: &DemoProcess, who: &str) -> BufReader<TcpStream> {
    let mut client = demo.connect();
    match read_line(&mut client) {
        Ok(line) => assert!(line.starts_with("SSH-2.0-"), "{who} got {line:?}"),
        Err(e) => panic!("{who} is not greeted: {e}"),
    }
    client
}

/// Waits (at most `patience`) for the server to close `client`.
fn closed_within(client: &mut BufReader<TcpStream>, patience: Duration, who: &str) {
    let started = Instant::now();
    client.get_mut().set_read_timeout(Some(patience)).unwrap();
    let mut rest = Vec::new();
    let end = client.read_to_end(&mut rest);
    assert!(
        end.is_ok() || matches!(&end, Err(e) if e.kind() == ErrorKind::ConnectionReset),
        "{who}: still open after {:?} ({end:?})",
        started.elapsed()
    );
}

/// With every slot held, a newcomer is told so and closed, instead of waiting in
/// the kernel's queue, in silence, forever.
#[test]
fn a_newcomer_beyond_the_connection_limit_hears_server_busy() {
    let demo = DemoProcess::command(DEMO).arg("--max-connections").arg("2").spawn();
    let _held: Vec<_> = (0..2).map(|n| greeted(&demo, &format!("client {n}"))).collect();
    let mut newcomer = demo.connect();
    let line = read_line(&mut newcomer);
    assert_eq!(line.ok().as_deref(), Some("server busy, try again later"));
    closed_within(&mut newcomer, Duration::from_secs(5), "the newcomer");
}

/// A client that never sends its version line loses its slot after
/// `--handshake-timeout`, and the next client gets in.
#[test]
fn a_silent_client_is_closed_and_frees_its_slot() {
    let demo = DemoProcess::command(DEMO)
        .arg("--max-connections")
        .arg("1")
        .arg("--handshake-timeout")
        .arg("1")
        .spawn();
    let mut silent = greeted(&demo, "the silent client");
    closed_within(&mut silent, Duration::from_secs(5), "the silent client");
    greeted(&demo, "the next client");
}

/// Garbage instead of SSH, and a client that stops in the middle of the key
/// exchange (`--idle-timeout`): both are closed, and the server serves on.
#[test]
fn garbage_and_a_stalled_key_exchange_are_closed() {
    let demo = DemoProcess::command(DEMO).arg("--idle-timeout").arg("1").spawn();
    let mut garbage = greeted(&demo, "the garbage client");
    garbage.get_mut().write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    garbage.get_mut().write_all(&[0xff; 4096]).unwrap();
    closed_within(&mut garbage, Duration::from_secs(5), "the garbage client");

    let mut stalled = greeted(&demo, "the stalled client");
    stalled.get_mut().write_all(b"SSH-2.0-stalled_0.1\r\n").unwrap();
    closed_within(&mut stalled, Duration::from_secs(5), "the stalled client");
    greeted(&demo, "the next client");
}
