//! The demo server against a hostile room: what `cargo xtask demo 15-deploy` must
//! survive. Not a step of the exercise: the learner's crate has no demo.

use std::io::{Read, Write};
use std::time::Duration;

use test_kit::DemoProcess;
use test_kit::process::read_line;

const DEMO: &str = env!("CARGO_BIN_EXE_sol15-deploy");

/// Starts the demo and returns it with the address of its health check.
fn start(demo: test_kit::process::DemoCommand) -> (DemoProcess, std::net::SocketAddr) {
    let mut demo = demo.spawn();
    let said = demo.wait_for_output("health on http://", Duration::from_secs(5));
    let health = said
        .as_deref()
        .and_then(|line| line.split("http://").nth(1)?.split('/').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no health address in:\n{}", demo.output()));
    (demo, health)
}

/// Sends `request` to the health check and returns its status line.
fn health_says(health: std::net::SocketAddr, request: &[u8]) -> String {
    let mut probe = std::net::TcpStream::connect(health).expect("the health check");
    probe.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    probe.write_all(request).unwrap();
    let mut answer = String::new();
    let _ = probe.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_owned()
}

/// Out of file descriptors, the demo logs the failed accept and lives on; the
/// clerk waiting in the kernel's queue is served once others leave.
#[test]
#[cfg(unix)]
fn running_out_of_descriptors_pauses_accepting_and_the_service_lives_on() {
    let (mut demo, _) = start(DemoProcess::command(DEMO).max_open_files(24));
    let (served, mut waiting) = demo.run_out_of_descriptors(b"BOLT-M8 +1\r\n", 24);
    drop(served);
    match read_line(&mut waiting) {
        Ok(answer) => assert_eq!(answer, "ok BOLT-M8 +1"),
        Err(e) => panic!("the waiting clerk is never served ({e}):\n{}", demo.output()),
    }
}

/// A flood without a line end, a line that is not UTF-8, and garbage on the health
/// port: each is refused, and the next clerk is served as usual.
#[test]
fn floods_and_garbage_are_refused_and_the_service_answers_the_next_clerk() {
    let (demo, health) = start(DemoProcess::command(DEMO));
    let mut flood = demo.connect();
    flood.get_mut().write_all(&vec![b'x'; 4096]).unwrap();
    assert_eq!(read_line(&mut flood).ok().as_deref(), Some("error: line too long"));
    let mut binary = demo.connect();
    binary.get_mut().write_all(b"\xff\xfe\r\n").unwrap();
    assert_eq!(read_line(&mut binary).ok().as_deref(), Some("error: not UTF-8"));
    assert_eq!(
        health_says(health, b"\x00\x01 garbage\r\n\r\n"),
        "HTTP/1.1 400 Bad Request"
    );
    assert_eq!(health_says(health, &[b'G'; 4096]), "HTTP/1.1 400 Bad Request");
    assert_eq!(health_says(health, b"GET /ready HTTP/1.1\r\n\r\n"), "HTTP/1.1 200 OK");
    let mut clerk = demo.connect();
    clerk.get_mut().write_all(b"NUT-M8 -2\r\n").unwrap();
    assert_eq!(read_line(&mut clerk).ok().as_deref(), Some("ok NUT-M8 -2"));
}

/// `kill -TERM` on the demo, as the chapter's demo does it: the idle clerk hears the
/// goodbye, the demo exits 0 and says how the drain went.
#[test]
#[cfg(unix)]
fn sigterm_drains_the_demo_and_it_exits_0() {
    let (mut demo, _) = start(DemoProcess::command(DEMO));
    let mut clerk = demo.connect();
    clerk.get_mut().write_all(b"BOLT-M8 +40\r\n").unwrap();
    assert_eq!(read_line(&mut clerk).ok().as_deref(), Some("ok BOLT-M8 +40"));
    // SAFETY: kill(2) with the pid of our own child; no memory is involved.
    assert_eq!(unsafe { libc::kill(demo.id() as libc::pid_t, libc::SIGTERM) }, 0);
    assert_eq!(read_line(&mut clerk).ok().as_deref(), Some("bye: shutting down"));
    let status = demo.wait_for_exit(Duration::from_secs(5));
    assert_eq!(status.and_then(|s| s.code()), Some(0), "{}", demo.output());
    let said = demo.wait_for_output("stopped:", Duration::from_secs(2));
    assert_eq!(said.as_deref(), Some("stopped: 1 finished, 0 cut"));
}
