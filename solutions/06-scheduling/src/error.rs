//! The one error type of the scheduling tools: what a Twisted errback would carry.

use std::fmt;

use tokio::task::JoinError;

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

// ANCHOR: join_error
/// A task that did not finish was either aborted (our cancel) or panicked.
impl From<JoinError> for TaskError {
    fn from(error: JoinError) -> Self {
        if error.is_cancelled() {
            return TaskError::Cancelled;
        }
        let payload = error.into_panic();
        // panic!("literal") carries a &str, panic!("{x}") a String.
        let message = match payload.downcast::<String>() {
            Ok(message) => *message,
            Err(payload) => payload
                .downcast_ref::<&str>()
                .map_or("a non-text panic", |m| m)
                .to_owned(),
        };
        TaskError::Panicked(message)
    }
}
// ANCHOR_END: join_error
