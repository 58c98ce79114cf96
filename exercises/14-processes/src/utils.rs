//! Twisted's `twisted.internet.utils`: run a program and get its output, or its
//! exit code, in one call, with Twisted's defaults.
//!
//! Yours to write: [`get_process_output`] and [`get_process_value`], below.
//! [`ProcessError`] is given in `process_error.rs`.

pub use crate::process_error::ProcessError;

/// Runs `program` with `args` and returns everything it wrote to stdout (Twisted's
/// `getProcessOutput(executable, args)`), with Twisted's defaults:
///
/// - the child gets an EMPTY environment (Twisted's `env={}` on POSIX; a tokio
///   `Command` would pass on this process's whole environment);
/// - its stdin is empty (closed at once);
/// - the exit code does not matter: a child that fails still gives its output;
/// - stderr output is an error ([`ProcessError::UnexpectedErrorOutput`]), unless
///   `errortoo` is true: then stderr is part of the output, in arrival order.
///
/// Built on [`spawn_process`](crate::spawn_process) with a protocol of your own.
pub async fn get_process_output(
    program: &str,
    args: &[&str],
    errortoo: bool,
) -> Result<Vec<u8>, ProcessError> {
    let _ = (program, args, errortoo);
    todo!("get_process_output")
}

/// Runs `program` with `args` and returns its exit code, or `None` if a signal
/// ended it (Twisted's `getProcessValue`), with the same defaults as
/// [`get_process_output`] (empty environment, empty stdin); output is ignored.
pub async fn get_process_value(
    program: &str,
    args: &[&str],
) -> Result<Option<i32>, ProcessError> {
    let _ = (program, args);
    todo!("get_process_value")
}
