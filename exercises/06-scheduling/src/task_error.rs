//! [`TaskError`], the one error type of the scheduling tools: what a Twisted errback
//! would carry. Given whole.
//!
//! Its conversion from tokio's `JoinError` is yours to write in `error.rs`.

use std::fmt;

/// Why a scheduled call produced no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskError {
    /// The call was cancelled before it ran (Twisted's `CancelledError`).
    Cancelled,
    /// The function panicked; the panic's message (Twisted: the exception in the `Failure`).
    Panicked(String),
    /// The other end is gone: the loop stopped taking calls, or nobody reads the reports.
    Closed,
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Cancelled => write!(f, "cancelled before it ran"),
            TaskError::Panicked(message) => write!(f, "panicked: {message}"),
            TaskError::Closed => write!(f, "the other end is gone"),
        }
    }
}

impl std::error::Error for TaskError {}
