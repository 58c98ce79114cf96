//! The demo server against a hostile room: what `cargo xtask demo 11-finger` must
//! survive. Not a step of the exercise: the learner's crate has no demo.

use std::io::Write;
use std::time::{Duration, Instant};

use sol11_finger::MAX_CONNECTIONS;
use test_kit::DemoProcess;
use test_kit::process::{PATIENCE, assert_closed, told_and_closed};

const DEMO: &str = env!("CARGO_BIN_EXE_sol11-finger");

/// What a client beyond the limit reads.
const BUSY: &str = "Server busy, try again later";

/// Fingers alice and checks the one-line answer.
fn finger_alice(demo: &DemoProcess, who: &str) {
    let mut client = demo.connect();
    client.get_mut().write_all(b"alice\r\n").unwrap();
    told_and_closed(&mut client, "alice: Counting widgets in aisle 7", who);
}

/// With every slot held by a client that says nothing, a newcomer is answered at
/// once instead of waiting in the kernel's queue, in silence.
#[test]
fn a_newcomer_beyond_the_connection_limit_hears_server_busy() {
    let demo = DemoProcess::command(DEMO).spawn();
    let silent: Vec<_> = (0..MAX_CONNECTIONS).map(|_| demo.connect()).collect();
    // The last one to connect is surely accepted once a newcomer is turned away.
    let mut newcomer = demo.connect();
    told_and_closed(&mut newcomer, BUSY, "the newcomer");
    drop(silent);
}

/// Clients that connect and never send a line are closed (`--timeout`; without
/// it, after IDLE_TIMEOUT, 10 s), and free their slots for newcomers.
#[test]
fn clients_that_never_send_a_line_time_out_and_let_newcomers_in() {
    let demo = DemoProcess::command(DEMO)
        .arg("--max-connections")
        .arg("2")
        .arg("--timeout")
        .arg("1")
        .spawn();
    let started = Instant::now();
    let mut silent: Vec<_> = (0..2).map(|_| demo.connect()).collect();
    // Half a line: no `\n` ever comes.
    silent[1].get_mut().write_all(b"ali").unwrap();
    told_and_closed(&mut demo.connect(), BUSY, "the third client");
    for (n, client) in silent.iter_mut().enumerate() {
        assert_closed(client, &format!("silent client {n}"));
    }
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "closed after {waited:?}, before 1 s");
    finger_alice(&demo, "the newcomer");
}

/// Running out of file descriptors pauses accepting (the demo says so on
/// stderr); it does not end the server, and the client left waiting is answered
/// once the others leave.
#[test]
#[cfg(unix)]
fn running_out_of_descriptors_pauses_accepting_and_the_server_lives_on() {
    let mut demo = DemoProcess::command(DEMO).max_open_files(24).spawn();
    // Silent clients hold a descriptor each in the server, for IDLE_TIMEOUT.
    let silent: Vec<_> = (0..32).map(|_| demo.connect()).collect();
    let complaint = demo.wait_for_output("accept", PATIENCE);
    assert!(complaint.is_some(), "no word of the failed accepts:\n{}", demo.output());
    let mut waiting = demo.connect();
    waiting.get_mut().write_all(b"alice\r\n").unwrap();
    drop(silent);
    told_and_closed(
        &mut waiting,
        "alice: Counting widgets in aisle 7",
        "the waiting one",
    );
    assert!(demo.exited().is_none(), "the demo exited:\n{}", demo.output());
    finger_alice(&demo, "a newcomer");
}
