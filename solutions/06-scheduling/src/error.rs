//! The one error type of the scheduling tools: what a Twisted errback would carry.

use tokio::task::JoinError;

pub use crate::task_error::TaskError;

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
