//! How a child process ended: Twisted's `ProcessDone` (exit code 0) and
//! `ProcessTerminated` (another code, or a signal). Given whole.

use std::fmt;
use std::process::ExitStatus;

/// How a child ended: it exited with a code, or a signal killed it.
///
/// Twisted hands `processEnded` a failure whose `value` has `exitCode` and `signal`,
/// one of them `None`; here the two cases are two variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The child called `exit(code)` (Twisted: `exitCode`, `signal` is `None`).
    Code(i32),
    /// A signal ended the child (Twisted: `signal`, `exitCode` is `None`).
    Signal(i32),
}

impl Exit {
    /// Reads what the operating system reported when the child was reaped.
    pub fn from_status(status: ExitStatus) -> Self {
        if let Some(code) = status.code() {
            return Exit::Code(code);
        }
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            if let Some(signal) = status.signal() {
                return Exit::Signal(signal);
            }
        }
        // Neither a code nor a signal happens only for a stopped child, which
        // `wait` never reports: stay total instead of panicking.
        Exit::Code(-1)
    }

    /// The exit code, or `None` when a signal ended the child: what Twisted's
    /// `getProcessValue` fires with.
    pub fn code(self) -> Option<i32> {
        match self {
            Exit::Code(code) => Some(code),
            Exit::Signal(_) => None,
        }
    }
}

impl fmt::Display for Exit {
    /// `exited with code 0`, `killed by signal 9`: the bridge's last line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exit::Code(code) => write!(f, "exited with code {code}"),
            Exit::Signal(signal) => write!(f, "killed by signal {signal}"),
        }
    }
}
