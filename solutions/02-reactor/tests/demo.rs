//! The demo server against a hostile room: what `cargo xtask demo 02-reactor` must
//! survive (issue 8). Not a step of the exercise: the learner's crate has no demo.

use test_kit::DemoProcess;
use test_kit::process::read_line;

const DEMO: &str = env!("CARGO_BIN_EXE_sol02-reactor");

/// After running out of file descriptors the listener must try again by itself:
/// the poll is edge-triggered, and no new event comes for the clients already
/// waiting in the kernel's queue.
#[test]
#[cfg(unix)]
fn a_client_waiting_while_out_of_descriptors_is_served_once_others_leave() {
    let mut demo = DemoProcess::command(DEMO).max_open_files(24).spawn();
    let (served, mut waiting) = demo.run_out_of_descriptors(b"ping\n", 24);
    // Everyone else leaves; nobody new connects.
    drop(served);
    match read_line(&mut waiting) {
        Ok(line) => assert_eq!(line, "ping"),
        Err(e) => panic!("the waiting client is never served ({e}):\n{}", demo.output()),
    }
}
