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

/// Awaiting a tokio `JoinHandle` gives `Err(JoinError)` when the task did not finish:
/// it was aborted (that is our cancel: [`TaskError::Cancelled`]) or it panicked
/// ([`TaskError::Panicked`] with the panic's message).
///
/// `error.is_cancelled()` tells the two apart; `error.into_panic()` gives the panic's
/// payload, a `Box<dyn Any + Send>`: `panic!("literal")` carries a `&'static str`,
/// `panic!("{x}")` a `String` (try `downcast::<String>()`, then `downcast_ref::<&str>()`).
impl From<JoinError> for TaskError {
    fn from(error: JoinError) -> Self {
        todo!("TaskError::from({error:?})")
    }
}
