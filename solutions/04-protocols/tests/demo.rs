//! The demo server against a hostile room: what `cargo xtask demo 04-protocols`
//! must survive (issue 8). Not a step of the exercise: the learner's crate has no
//! demo.

use std::io::Write;

use test_kit::DemoProcess;
use test_kit::process::read_line;

const DEMO: &str = env!("CARGO_BIN_EXE_sol04-protocols");

/// Running out of file descriptors (about 1,020 connections on Linux's default
/// limit, 250 on macOS's) pauses accepting; it does not end the server.
#[test]
#[cfg(unix)]
fn running_out_of_descriptors_pauses_accepting_and_the_server_lives_on() {
    let mut demo = DemoProcess::command(DEMO).max_open_files(24).spawn();
    let (served, mut waiting) = demo.run_out_of_descriptors(b"", 24);
    drop(served);
    match read_line(&mut waiting) {
        // Which quote depends on how many connections came before, so on how many
        // descriptors the runtime itself holds (tokio's `process` feature adds three
        // per runtime): any of the demo's quotes will do.
        Ok(quote) => assert!(
            ["The network", "Latency", "Bandwidth"].iter().any(|q| quote.starts_with(q)),
            "a quote, not {quote:?}"
        ),
        Err(e) => {
            panic!("the waiting client never gets its quote ({e}):\n{}", demo.output())
        }
    }
}

/// A stdout that nobody reads (a terminal paused with Ctrl-S, a pipe into a stuck
/// program) must not freeze the clients: the log waits, or drops lines; serving
/// does not. Far more than a pipe's buffer (64 KiB) of log is asked for: a
/// 1 MiB chatty client and 300 short connections.
#[test]
fn a_stalled_stdout_never_stops_the_server() {
    let demo = DemoProcess::command(DEMO).stall_stdout().spawn();
    let mut chatty = demo.connect();
    read_line(&mut chatty).expect("the chatty client's quote");
    let line = "x".repeat(1000);
    for n in 0..1024 {
        chatty.get_mut().write_all(format!("{line}\r\n").as_bytes()).unwrap();
        match read_line(&mut chatty) {
            Ok(echo) => assert_eq!(echo, line),
            Err(e) => panic!("the chatty client's line {n} is not echoed: {e}"),
        }
    }
    for n in 0..300 {
        let mut client = demo.connect();
        let quote = read_line(&mut client);
        assert!(quote.is_ok(), "client {n} gets no quote: {quote:?}");
        client.get_mut().write_all(b"quit\r\n").unwrap();
        assert_eq!(read_line(&mut client).ok().as_deref(), Some("Bye!"), "client {n}");
    }
}
