//! The chain: links added in order, a result that arrives once, and the loop that
//! runs the links over it.
//!
//! The shape below (an `Rc<RefCell<State>>`, a `Slot` saying where the result is, a
//! queue of boxed links) is a suggestion that the hints and the chapter follow. Keep
//! it or change it: the tests only see the public methods.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::error::Error;
use std::fmt;
use std::rc::Rc;
use std::task::Waker;

use crate::Outcome;

/// A result that will arrive later, and the callbacks and errbacks waiting for it.
///
/// Cloning a `Deferred` gives another handle to the same one (Python passes objects
/// by reference; here that is an `Rc`). It is single-threaded on purpose: like
/// Twisted's, it lives on the event loop's thread.
pub struct Deferred<T, E> {
    pub(crate) state: Rc<RefCell<State<T, E>>>,
}

// ANCHOR: shape
/// One link of the chain: gets the current result, returns the next one, or `None`
/// when it took the result away for good (see [`Slot::Given`]).
///
/// Every way of adding to the chain is one of these: `add_callback(f)` is a link that
/// calls `f` on `Ok(value)` and passes `Err(error)` on as `Outcome::Failure(error)`;
/// `add_errback` is the mirror image; `add_both` calls `f` on either.
#[allow(dead_code)] // the stub does not use it yet; delete this line when you do
type Link<T, E> = Box<dyn FnOnce(Result<T, E>) -> Option<Outcome<T, E>>>;

/// Everything behind the `Rc`: where the result is, and the links still to run.
#[allow(dead_code)] // the stub does not use it yet; delete this line when you do
pub(crate) struct State<T, E> {
    /// The current result, or why there is none right now.
    pub(crate) slot: Slot<T, E>,
    /// Links not run yet, oldest first.
    pub(crate) chain: VecDeque<Link<T, E>>,
    /// The task awaiting this deferred, woken when the chain has run dry (step 6).
    pub(crate) waker: Option<Waker>,
}

/// Where a deferred's result is.
#[allow(dead_code)] // the stub does not use it yet; delete this line when you do
pub(crate) enum Slot<T, E> {
    /// Nobody called `callback` or `errback` yet.
    Unfired,
    /// The result, waiting for the next link.
    Ready(Result<T, E>),
    /// A link has the result right now. A link that adds links to this deferred
    /// only queues them: the loop that is running it will get to them.
    Running,
    /// Paused on another deferred that a callback returned.
    Waiting,
    /// The result was handed on for good (to a chained deferred, a list, or an
    /// `await`). Twisted leaves `None` behind; Rust cannot invent a `T`, so later
    /// links never run.
    Given,
}
// ANCHOR_END: shape

/// `callback` or `errback` on a deferred that already fired (Twisted's
/// `AlreadyCalledError`). A deferred fires exactly once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlreadyCalled;

impl fmt::Display for AlreadyCalled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("this Deferred has already been called")
    }
}

impl Error for AlreadyCalled {}

impl<T: 'static, E: 'static> Deferred<T, E> {
    /// A deferred that has not fired yet (Twisted's `Deferred()`): slot `Unfired`,
    /// no links, no waker.
    pub fn new() -> Self {
        todo!("Deferred::new")
    }

    /// A deferred that already fired with `value` (Twisted's `defer.succeed`): the
    /// first callback added to it runs at once.
    pub fn succeed(value: T) -> Self {
        let _ = value;
        todo!("Deferred::succeed")
    }

    /// A deferred that already failed with `error` (Twisted's `defer.fail`).
    pub fn fail(error: E) -> Self {
        let _ = error;
        todo!("Deferred::fail")
    }

    /// Whether `callback` or `errback` was called (Twisted's `d.called`).
    pub fn is_called(&self) -> bool {
        todo!("Deferred::is_called")
    }

    /// Fires the deferred with a value: the callbacks run now, before this returns.
    ///
    /// A deferred fires once: if the slot is not `Unfired` any more, return
    /// `Err(AlreadyCalled)` and change nothing. Otherwise store the result, let go of
    /// the borrow, and `run_chain`.
    pub fn callback(&self, value: T) -> Result<(), AlreadyCalled> {
        let _ = value;
        todo!("Deferred::callback")
    }

    /// Fires the deferred with an error: the errbacks run now, before this returns.
    /// `Err(AlreadyCalled)` if it already fired, like `callback`.
    pub fn errback(&self, error: E) -> Result<(), AlreadyCalled> {
        let _ = error;
        todo!("Deferred::errback")
    }

    /// Adds a callback and an errback as one link: exactly one of them runs, on the
    /// result that reaches this link (Twisted's `addCallbacks`). Note the difference
    /// from `add_callback(cb)` then `add_errback(eb)`: there, `eb` also sees an
    /// error that `cb` returned.
    ///
    /// Queue the link, then `run_chain`: if the deferred already fired, the new link
    /// runs before this returns. Return `self` so calls can be chained.
    pub fn add_callbacks(
        &self,
        callback: impl FnOnce(T) -> Outcome<T, E> + 'static,
        errback: impl FnOnce(E) -> Outcome<T, E> + 'static,
    ) -> &Self {
        let _ = (callback, errback);
        todo!("Deferred::add_callbacks")
    }

    /// Adds a callback; an error passes by it untouched (Twisted's `addCallback`).
    pub fn add_callback(
        &self,
        callback: impl FnOnce(T) -> Outcome<T, E> + 'static,
    ) -> &Self {
        let _ = callback;
        todo!("Deferred::add_callback")
    }

    /// Adds an errback; a value passes by it untouched (Twisted's `addErrback`).
    /// An errback that returns `Outcome::Value` has recovered: the chain goes back to
    /// the callback path.
    pub fn add_errback(
        &self,
        errback: impl FnOnce(E) -> Outcome<T, E> + 'static,
    ) -> &Self {
        let _ = errback;
        todo!("Deferred::add_errback")
    }

    /// Adds one function for both paths; it sees the result as a `Result`
    /// (Twisted's `addBoth`, the `finally` of a chain). `result.into()` hands the
    /// result on unchanged.
    pub fn add_both(
        &self,
        both: impl FnOnce(Result<T, E>) -> Outcome<T, E> + 'static,
    ) -> &Self {
        let _ = both;
        todo!("Deferred::add_both")
    }

    /// Adds a last link that takes the result away for good (it returns `None`, the
    /// slot becomes `Given`). Chaining (step 4) and lists (step 5) use it.
    #[allow(dead_code)] // the stub does not use it yet; delete this line when you do
    pub(crate) fn hand_off(&self, take: impl FnOnce(Result<T, E>) + 'static) {
        let _ = take;
        todo!("Deferred::hand_off")
    }

    /// Runs links while there is a result (`Slot::Ready`) and a link to give it to.
    ///
    /// Each turn: borrow the state, pop the next link and swap the slot to `Running`
    /// (taking the result out), then DROP THE BORROW before calling the link. A
    /// callback may add callbacks to this deferred or fire another one, and both
    /// borrow the `RefCell` again: holding it would panic with "already borrowed".
    /// A `run_chain` that finds the slot `Running` returns at once: the loop further
    /// up the stack will run the link that was just queued.
    ///
    /// What the link returned becomes the next slot: `Value` → `Ready(Ok)`, `Failure`
    /// → `Ready(Err)`, `None` → `Given`. `Wait(other)` (step 4): set the slot to
    /// `Waiting` and `other.hand_off(...)` a closure that puts other's result into
    /// our slot as `Ready` and calls our `run_chain` again.
    ///
    /// When the chain is empty and a result is ready, wake `State::waker` (step 6).
    #[allow(dead_code)] // the stub does not use it yet; delete this line when you do
    fn run_chain(&self) {
        todo!("Deferred::run_chain")
    }
}

impl<T: 'static, E: 'static> Default for Deferred<T, E> {
    fn default() -> Self {
        Self::new()
    }
}

/// Another handle to the same deferred (no `T: Clone` needed: only the `Rc` is cloned).
impl<T, E> Clone for Deferred<T, E> {
    fn clone(&self) -> Self {
        Deferred { state: Rc::clone(&self.state) }
    }
}
