//! The demo bridge against a hostile room: what `cargo xtask demo 14-processes`
//! must survive. Not a step of the exercise: the learner's crate has no demo.

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;

use sol14_processes::MAX_CONNECTIONS;
use test_kit::DemoProcess;
use test_kit::process::{PATIENCE, read_line, told_and_closed};

const DEMO: &str = env!("CARGO_BIN_EXE_sol14-processes");

/// Starts `cat` on a new connection and has one line echoed, so it surely holds a
/// slot (and a child).
fn busy_client(demo: &DemoProcess, n: usize) -> BufReader<TcpStream> {
    test_kit::process::served_client(demo, b"cat\r\nstill here\r\n", "still here", n)
}

/// Every connection is a process: with all slots taken, a newcomer is told so at
/// once, and nothing more is spawned.
#[test]
fn a_newcomer_beyond_the_connection_limit_hears_server_busy() {
    let demo = DemoProcess::command(DEMO).spawn();
    let _busy: Vec<_> = (0..MAX_CONNECTIONS).map(|n| busy_client(&demo, n)).collect();
    told_and_closed(&mut demo.connect(), "! server busy", "the newcomer");
}

/// A client that never names a command, and one whose command never ends, are both
/// ended by the run timeout, and their slots serve the next clients.
#[test]
fn silent_clients_and_endless_commands_time_out_and_free_their_slots() {
    let demo = DemoProcess::command(DEMO)
        .arg("--max-connections")
        .arg("2")
        .arg("--run-timeout")
        .arg("1")
        .spawn();
    let mut silent = demo.connect();
    let mut napper = demo.connect();
    napper.get_mut().write_all(b"nap\r\n").unwrap();
    told_and_closed(&mut demo.connect(), "! server busy", "the third client");
    told_and_closed(&mut silent, "! no command, closing", "the silent client");
    assert_eq!(read_line(&mut napper).unwrap(), "! timed out after 1 s, killed");
    told_and_closed(&mut napper, "! killed by signal 9", "the napper");
    busy_client(&demo, 3);
}

/// A telnet user who starts `flood` and quits: the `yes` behind it is killed and
/// reaped (the log says so, and the pid is gone, not a zombie).
#[test]
fn a_vanished_client_leaves_no_process_behind() {
    let mut demo = DemoProcess::command(DEMO).spawn();
    let mut client = demo.connect();
    client.get_mut().write_all(b"flood\r\n").unwrap();
    let mut some = [0; 2];
    client.read_exact(&mut some).unwrap();
    let started =
        demo.wait_for_output(": started flood", PATIENCE).expect("a start in the log");
    let pid: i32 =
        started.trim_start_matches("pid ").split(':').next().unwrap().parse().unwrap();
    drop(client);
    let ended = format!("pid {pid}: killed by signal 9, reaped");
    assert!(demo.wait_for_output(&ended, PATIENCE).is_some(), "{}", demo.output());
    // SAFETY: signal 0 only asks whether the process exists.
    let exists = unsafe { libc::kill(pid, 0) } == 0;
    assert!(!exists, "process {pid} is still there after the log said it was reaped");
}

/// The log goes to stdout; a terminal paused with Ctrl-S must not stop the bridge.
#[test]
fn a_stalled_stdout_never_stops_the_bridge() {
    let demo = DemoProcess::command(DEMO).stall_stdout().spawn();
    // Each connection logs two lines (about 60 bytes): 1,500 of them are more than
    // a pipe (64 KiB) and the log queue (256 lines) hold together.
    for n in 0..1500 {
        let mut client = demo.connect();
        client.get_mut().write_all(b"upper\r\nsku\r\n").unwrap();
        client.get_mut().shutdown(std::net::Shutdown::Write).unwrap();
        assert_eq!(read_line(&mut client).unwrap(), "SKU", "client {n}");
        told_and_closed(&mut client, "! exited with code 0", &format!("client {n}"));
    }
}
