//! Twisted's `twisted.internet.utils`: run a program and get its output, or its
//! exit code, in one call, with Twisted's defaults.

use std::fmt;
use std::io;

/// Why `get_process_output` or `get_process_value` gave no result.
#[derive(Debug)]
pub enum ProcessError {
    /// The program could not be started.
    Spawn(io::Error),
    /// The child wrote to stderr, and `errortoo` was false: Twisted's
    /// `_UnexpectedErrorOutput`, an `IOError`, "got stderr: ...".
    UnexpectedErrorOutput {
        /// Everything the child wrote to stderr.
        stderr: Vec<u8>,
    },
}

impl fmt::Display for ProcessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProcessError::Spawn(err) => write!(f, "cannot start the process: {err}"),
            ProcessError::UnexpectedErrorOutput { stderr } => {
                write!(f, "got stderr: {:?}", String::from_utf8_lossy(stderr))
            }
        }
    }
}

impl std::error::Error for ProcessError {}

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
