//! The runner's errors, and the exit code each maps to.

use std::fmt;

/// A failure that stops a command, with the words the user needs.
#[derive(Debug)]
pub enum Error {
    /// A wrong name or flag: exit code 2.
    Usage(String),
    /// The workspace or toolchain is not as it must be: exit code 2.
    Setup(String),
}

/// Results in the runner.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A wrong name or flag.
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }

    /// A broken workspace or toolchain.
    pub fn setup(message: impl Into<String>) -> Self {
        Error::Setup(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) | Error::Setup(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}
