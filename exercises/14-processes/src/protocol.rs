//! Twisted's `ProcessProtocol` and `reactor.spawnProcess`: a child process whose
//! output arrives as events, the way a socket's bytes arrive at a `Protocol`.

use std::io;

use tokio::process::Command;

use crate::exit::Exit;

// ANCHOR: trait
/// What happens to a child process, one callback per event (Twisted's
/// `ProcessProtocol`). Only the output and the end are required.
pub trait ProcessProtocol {
    /// The child started and has this process id (Twisted: `connectionMade`, with
    /// `self.transport.pid`).
    fn connection_made(&mut self, _pid: u32) {}

    /// Some bytes the child wrote to its stdout, in whatever chunks the pipe gave.
    fn out_received(&mut self, data: &[u8]);

    /// Some bytes the child wrote to its stderr.
    fn err_received(&mut self, _data: &[u8]) {}

    /// The child exited (or was killed) and was reaped; its pipes may still hold
    /// output, which is delivered before `process_ended`.
    fn process_exited(&mut self, _exit: Exit) {}

    /// The end: the child exited AND its stdout and stderr are closed. Called
    /// exactly once, last.
    fn process_ended(&mut self, exit: Exit);
}
// ANCHOR_END: trait

/// Runs `command` (Twisted's `reactor.spawnProcess(protocol, ...)`), writes `input`
/// to its stdin and then closes it, and calls `protocol` for each event until the
/// child has ended; returns the protocol, so its caller can read what it gathered.
///
/// `command` comes as it was built: set its stdin, stdout and stderr to pipes.
/// Feed stdin while reading stdout and stderr, never one after the other: a child
/// that writes more than a pipe holds (64 KiB on Linux) blocks until someone reads,
/// and would never read the rest of its input.
/// Errors: only when the child cannot be started (no such program, ...).
pub async fn spawn_process<P: ProcessProtocol>(
    command: Command,
    input: Vec<u8>,
    protocol: P,
) -> io::Result<P> {
    let _ = (command, input, protocol);
    todo!("spawn_process")
}
