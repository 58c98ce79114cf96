//! Twisted's `ProcessProtocol` and `reactor.spawnProcess`: a child process whose
//! output arrives as events, the way a socket's bytes arrive at a `Protocol`.
//!
//! Yours to write: [`spawn_process`], below. The [`ProcessProtocol`] trait it calls
//! is given in `process_protocol.rs`.

use std::io;

use tokio::process::Command;

#[allow(unused_imports)] // for you: `Exit::from_status`
use crate::exit::Exit;
pub use crate::process_protocol::ProcessProtocol;

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
