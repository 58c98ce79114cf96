//! The chain: links added in order, a result that arrives once, and the loop that
//! runs the links over it.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::error::Error;
use std::fmt;
use std::mem;
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

/// One link of the chain: gets the current result, returns the next one, or `None`
/// when it took the result away for good (see [`Slot::Given`]).
type Link<T, E> = Box<dyn FnOnce(Result<T, E>) -> Option<Outcome<T, E>>>;

// ANCHOR: state
/// Everything behind the `Rc`: where the result is, and the links still to run.
pub(crate) struct State<T, E> {
    /// The current result, or why there is none right now.
    pub(crate) slot: Slot<T, E>,
    /// Links not run yet, oldest first.
    chain: VecDeque<Link<T, E>>,
    /// The task awaiting this deferred, woken when the chain has run dry.
    pub(crate) waker: Option<Waker>,
}

/// Where a deferred's result is.
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
// ANCHOR_END: state

// ANCHOR: already_called
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
// ANCHOR_END: already_called

impl<T: 'static, E: 'static> Deferred<T, E> {
    // ANCHOR: new
    /// A deferred that has not fired yet (Twisted's `Deferred()`).
    pub fn new() -> Self {
        let state = State { slot: Slot::Unfired, chain: VecDeque::new(), waker: None };
        Deferred { state: Rc::new(RefCell::new(state)) }
    }

    /// A deferred that already fired with `value` (Twisted's `defer.succeed`).
    pub fn succeed(value: T) -> Self {
        let deferred = Self::new();
        deferred.state.borrow_mut().slot = Slot::Ready(Ok(value));
        deferred
    }

    /// A deferred that already failed with `error` (Twisted's `defer.fail`).
    pub fn fail(error: E) -> Self {
        let deferred = Self::new();
        deferred.state.borrow_mut().slot = Slot::Ready(Err(error));
        deferred
    }

    /// Whether `callback` or `errback` was called (Twisted's `d.called`).
    pub fn is_called(&self) -> bool {
        !matches!(self.state.borrow().slot, Slot::Unfired)
    }
    // ANCHOR_END: new

    // ANCHOR: fire
    /// Fires the deferred with a value: the callbacks run now, before this returns.
    pub fn callback(&self, value: T) -> Result<(), AlreadyCalled> {
        self.fire(Ok(value))
    }

    /// Fires the deferred with an error: the errbacks run now, before this returns.
    pub fn errback(&self, error: E) -> Result<(), AlreadyCalled> {
        self.fire(Err(error))
    }

    fn fire(&self, result: Result<T, E>) -> Result<(), AlreadyCalled> {
        {
            let mut state = self.state.borrow_mut();
            if !matches!(state.slot, Slot::Unfired) {
                return Err(AlreadyCalled);
            }
            state.slot = Slot::Ready(result);
        }
        self.run_chain();
        Ok(())
    }
    // ANCHOR_END: fire

    // ANCHOR: add
    /// Adds a callback and an errback as one link: exactly one of them runs, on the
    /// result that reaches this link (Twisted's `addCallbacks`).
    pub fn add_callbacks(
        &self,
        callback: impl FnOnce(T) -> Outcome<T, E> + 'static,
        errback: impl FnOnce(E) -> Outcome<T, E> + 'static,
    ) -> &Self {
        self.push(Box::new(move |result| {
            Some(match result {
                Ok(value) => callback(value),
                Err(error) => errback(error),
            })
        }))
    }

    /// Adds a callback; an error passes by it untouched (Twisted's `addCallback`).
    pub fn add_callback(
        &self,
        callback: impl FnOnce(T) -> Outcome<T, E> + 'static,
    ) -> &Self {
        self.add_callbacks(callback, Outcome::Failure)
    }

    /// Adds an errback; a value passes by it untouched (Twisted's `addErrback`).
    pub fn add_errback(
        &self,
        errback: impl FnOnce(E) -> Outcome<T, E> + 'static,
    ) -> &Self {
        self.add_callbacks(Outcome::Value, errback)
    }

    /// Adds one function for both paths; it sees the result as a `Result`
    /// (Twisted's `addBoth`, the `finally` of a chain).
    pub fn add_both(
        &self,
        both: impl FnOnce(Result<T, E>) -> Outcome<T, E> + 'static,
    ) -> &Self {
        self.push(Box::new(move |result| Some(both(result))))
    }
    // ANCHOR_END: add

    // ANCHOR: push
    /// Adds a last link that takes the result away for good: chaining, lists and
    /// `await` use it. Links added after it never run.
    pub(crate) fn hand_off(&self, take: impl FnOnce(Result<T, E>) + 'static) {
        self.push(Box::new(move |result| {
            take(result);
            None
        }));
    }

    /// Queues a link and, if the result is already here, runs it at once.
    fn push(&self, link: Link<T, E>) -> &Self {
        self.state.borrow_mut().chain.push_back(link);
        self.run_chain();
        self
    }
    // ANCHOR_END: push

    // ANCHOR: run_chain
    /// Runs links while there is a result and a link to give it to.
    fn run_chain(&self) {
        loop {
            // Take the next link and the result out of the cell, then let go of the
            // borrow before calling user code: a callback may add callbacks to this
            // deferred or fire another one, and both borrow the cell again.
            let (link, current) = {
                let mut state = self.state.borrow_mut();
                if !matches!(state.slot, Slot::Ready(_)) {
                    // Not fired, paused, given away, or a link of ours is running
                    // further up the stack and its loop will carry on.
                    return;
                }
                let Some(link) = state.chain.pop_front() else {
                    // Ran dry with a result: that is what an `await` waits for.
                    let waker = state.waker.take();
                    drop(state);
                    if let Some(waker) = waker {
                        waker.wake();
                    }
                    return;
                };
                let Slot::Ready(current) = mem::replace(&mut state.slot, Slot::Running)
                else {
                    unreachable!("checked just above");
                };
                (link, current)
            };

            let next = match link(current) {
                None => Slot::Given,
                Some(Outcome::Value(value)) => Slot::Ready(Ok(value)),
                Some(Outcome::Failure(error)) => Slot::Ready(Err(error)),
                Some(Outcome::Wait(other)) => {
                    self.wait_for(other);
                    continue;
                }
            };
            self.state.borrow_mut().slot = next;
        }
    }

    /// Pauses this chain until `other` fires, then resumes it with other's result.
    fn wait_for(&self, other: Deferred<T, E>) {
        // A chain paused on itself can never resume. Twisted (26.10) does not raise:
        // it emits a DeprecationWarning ("Callback returned the Deferred it was
        // attached to; ... will raise an exception in the future") and leaves the
        // chain paused for good, later links never run. We panic at the mistake
        // instead of hanging in silence (and leaking the Rc cycle the hand-off
        // link would make): a callback cannot recover from it anyway.
        assert!(
            !Rc::ptr_eq(&self.state, &other.state),
            "a callback returned the Deferred it is attached to: it would wait on itself"
        );
        self.state.borrow_mut().slot = Slot::Waiting;
        let this = self.clone();
        // If `other` already fired this resumes us right away, in a nested
        // run_chain; the loop above then finds nothing left to do.
        other.hand_off(move |result| {
            this.state.borrow_mut().slot = Slot::Ready(result);
            this.run_chain();
        });
    }
    // ANCHOR_END: run_chain
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
