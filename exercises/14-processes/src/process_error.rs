//! [`ProcessError`]: why `get_process_output` or `get_process_value` gave no result.
//! Given whole.

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
