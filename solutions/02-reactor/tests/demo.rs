//! The demo server against a hostile room: what `cargo xtask demo 02-reactor` must
//! survive. Not a step of the exercise: the learner's crate has no demo.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use test_kit::DemoProcess;
use test_kit::process::{PATIENCE, read_line};

const DEMO: &str = env!("CARGO_BIN_EXE_sol02-reactor");

/// Issue 8: after running out of file descriptors, the edge-triggered listener must
/// try again by itself; no new readiness event would ever come for the clients
/// already waiting in the kernel's queue.
#[test]
#[cfg(unix)]
fn a_client_waiting_while_out_of_descriptors_is_served_once_others_leave() {
    let mut demo = DemoProcess::command(DEMO).max_open_files(24).spawn();
    let mut served = Vec::new();
    let waiting = loop {
        assert!(served.len() < 24, "24 clients served with a limit of 24 descriptors");
        let mut client = demo.connect();
        client.get_mut().write_all(b"ping\n").unwrap();
        // Either the server echoes (it accepted this client) or it says it cannot
        // accept: then this client waits in the kernel's queue.
        client.get_mut().set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        let deadline = Instant::now() + PATIENCE;
        let echoed = loop {
            match read_line(&mut client) {
                Ok(line) => break Some(line),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("client {} lost its connection: {e}", served.len()),
            }
            if demo.wait_for_output("accept", Duration::ZERO).is_some() {
                break None;
            }
            assert!(
                Instant::now() < deadline,
                "neither an echo nor an accept error:\n{}",
                demo.output()
            );
        };
        match echoed {
            Some(line) => {
                assert_eq!(line, "ping");
                served.push(client);
            }
            None => break client,
        }
    };
    assert!(
        !served.is_empty(),
        "the demo ran out of descriptors before its first client"
    );
    // Everyone else leaves; nobody new connects, so no readiness event comes.
    drop(served);
    let mut waiting = waiting;
    waiting.get_mut().set_read_timeout(Some(PATIENCE)).unwrap();
    let echoed = read_line(&mut waiting).unwrap_or_else(|e| {
        panic!(
            "the waiting client is never served ({e}); the demo said:\n{}",
            demo.output()
        )
    });
    assert_eq!(echoed, "ping");
    assert!(demo.wait_for_output("accepting connections again", PATIENCE).is_some());
}
