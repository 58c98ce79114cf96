//! The demo server against a hostile room: what `cargo xtask demo 05-lines` must
//! survive (issue 8). Not a step of the exercise: the learner's crate has no demo.

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use sol05_lines::MAX_CONNECTIONS;
use test_kit::DemoProcess;
use test_kit::process::{read_line, told_and_closed};

const DEMO: &str = env!("CARGO_BIN_EXE_sol05-lines");

/// Connects a client and has one move answered, so it surely holds a slot.
fn served_client(demo: &DemoProcess, n: usize) -> BufReader<TcpStream> {
    test_kit::process::served_client(demo, b"WIDGET-1 0\r\n", "WIDGET-1 0", n)
}

/// With every slot held by an idle client, a newcomer is answered at once instead
/// of waiting in the kernel's queue, in silence, forever.
#[test]
fn a_newcomer_beyond_the_connection_limit_hears_server_busy() {
    let demo = DemoProcess::command(DEMO).spawn();
    let _idle: Vec<_> = (0..MAX_CONNECTIONS).map(|n| served_client(&demo, n)).collect();
    let mut newcomer = demo.connect();
    told_and_closed(&mut newcomer, "ERR server busy", "the newcomer");
}

/// Idle connections time out (`--idle-timeout`, 120 s by default), and free their
/// slots for the clients that were turned away; a client that keeps talking stays.
#[test]
fn idle_connections_time_out_and_let_newcomers_in() {
    let demo = DemoProcess::command(DEMO)
        .arg("--max-connections")
        .arg("2")
        .arg("--idle-timeout")
        .arg("1")
        .spawn();
    let mut idle: Vec<_> = (0..2).map(|n| served_client(&demo, n)).collect();
    told_and_closed(&mut demo.connect(), "ERR server busy", "the third client");
    for (n, client) in idle.iter_mut().enumerate() {
        told_and_closed(client, "ERR idle for 1 s, closing", &format!("idle client {n}"));
    }
    let mut talker = served_client(&demo, 3);
    // Talk for longer than the idle limit, never silent for long.
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(1500) {
        talker.get_mut().write_all(b"WIDGET-1 0\r\n").unwrap();
        let answer = read_line(&mut talker);
        assert_eq!(
            answer.ok().as_deref(),
            Some("WIDGET-1 0"),
            "after {:?}",
            started.elapsed()
        );
    }
}
