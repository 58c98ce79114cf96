//! What one link of a chain hands to the next.

use crate::Deferred;

// ANCHOR: outcome
/// What a callback or errback returns: it decides which path the chain takes next.
///
/// Twisted decides this from what a Python callback does: return a value (callback
/// path), raise (errback path) or return a `Deferred` (pause until it fires).
pub enum Outcome<T, E> {
    /// Success: the next callback gets this value.
    Value(T),
    /// Failure: the next errback gets this error (a Python callback that raised).
    Failure(E),
    /// Not known yet: pause the chain until this deferred fires, then carry on with
    /// its result, on whichever path that result belongs to.
    Wait(Deferred<T, E>),
}
// ANCHOR_END: outcome

/// `Ok` continues on the callback path, `Err` on the errback path, so an `add_both`
/// callback can hand its input straight on with `result.into()`.
impl<T, E> From<Result<T, E>> for Outcome<T, E> {
    fn from(result: Result<T, E>) -> Self {
        match result {
            Ok(value) => Outcome::Value(value),
            Err(error) => Outcome::Failure(error),
        }
    }
}
