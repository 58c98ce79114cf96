//! The one error type of the scheduling tools: what a Twisted errback would carry.
//!
//! Yours to write: `From<JoinError> for TaskError`, below. [`TaskError`] itself is
//! given in `task_error.rs`.

use tokio::task::JoinError;

pub use crate::task_error::TaskError;

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
