//! Waiting for many deferreds at once.

use std::convert::Infallible;

use crate::Deferred;

/// One deferred for many: fires with every value, in the order of `deferreds` (not
/// the order they fired in), once all succeeded; or with the first error, at once,
/// without waiting for the rest (Twisted's `gatherResults`). An empty list fires at
/// once with an empty `Vec`.
///
/// How: create the result deferred, and a shared table (`Rc<RefCell<…>>`) with one
/// `Option<T>` per deferred and a count of those still missing. `hand_off` each
/// deferred's result into it: a value fills its slot (when none is missing, fire with
/// them all); an error fires `errback` at once. Later errors then get `AlreadyCalled`:
/// ignore it. Release the table's borrow before firing: callbacks are user code.
///
/// The list takes the results: Rust values have one owner, so callbacks added to the
/// given deferreds afterwards never run. Errors after the first are dropped, as with
/// Twisted's `consumeErrors=True` (Twisted also wraps the error in `FirstError`).
pub fn gather_results<T: 'static, E: 'static>(
    deferreds: Vec<Deferred<T, E>>,
) -> Deferred<Vec<T>, E> {
    let _ = deferreds;
    todo!("gather_results")
}

/// One deferred for many that never fails: fires, once every deferred fired, with
/// each one's `Result` in the order of `deferreds` (Twisted's `DeferredList`, whose
/// result is a list of `(success, result)` pairs). Same table as `gather_results`,
/// holding `Result<T, E>` instead of `T`.
pub fn deferred_list<T: 'static, E: 'static>(
    deferreds: Vec<Deferred<T, E>>,
) -> Deferred<Vec<Result<T, E>>, Infallible> {
    let _ = deferreds;
    todo!("deferred_list")
}
