//! The runner's errors, and the exit code each maps to: 0 pass, 1 fail, 2 a usage or
//! setup error.

use std::fmt;
use std::process::ExitCode;

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

/// The exit code of a command that judged something: 0 when it passed, 1 when not.
pub fn exit(passed: bool) -> ExitCode {
    if passed { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

impl Error {
    /// A wrong name or flag.
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }

    /// A broken workspace or toolchain.
    pub fn setup(message: impl Into<String>) -> Self {
        Error::Setup(message.into())
    }

    /// The exit code for any error: 2.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(2)
    }

    /// What `--json` prints instead of a verdict: one object, `status: "error"`, with
    /// a stable `code` (`usage`, `setup`) and the message.
    pub fn to_json(&self) -> String {
        let (code, message) = match self {
            Error::Usage(message) => ("usage", message),
            Error::Setup(message) => ("setup", message),
        };
        let report = serde_json::json!({
            "version": crate::verdict::JSON_VERSION,
            "status": "error",
            "error": { "code": code, "message": message },
        });
        serde_json::to_string_pretty(&report).expect("an error serialises")
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
