//! [`ProcessProtocol`]: what happens to a child process, one callback per event
//! (Twisted's `ProcessProtocol`). Given whole.
//!
//! `spawn_process`, which calls it, is yours to write in `protocol.rs`.

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
