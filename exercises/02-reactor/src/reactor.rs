//! The reactor: one thread, one `poll`, a map from token to handler, and a timer heap.
//!
//! Yours to write: `run`, `stop`, `iterate` and `dispatch`, in the `impl Reactor`
//! block below. The [`Reactor`] type itself, its fields (`self.inner.…`), registering
//! handlers, `timeout` and `run_remote_calls` are given in `registry.rs`; the
//! [`Handler`] trait (`handler.rs`) and calls from other threads (`handle.rs`) are
//! given whole.
//!
//! Each pass of the loop (`iterate`) does three things, like Twisted's `doIteration`
//! plus `runUntilCurrent`:
//! 1. ask the OS which sockets are ready, sleeping at most until the next timer;
//! 2. hand each ready socket to the handler registered under its token;
//! 3. run the timers that are due.

use std::io;
// `mem::take` and the `WAKER` token are for your `iterate`.
#[allow(unused_imports)]
use std::mem;
use std::time::Duration;

pub use crate::handle::ReactorHandle;
pub use crate::handler::{Handler, Next, Readiness};
pub use crate::registry::Reactor;
#[allow(unused_imports)]
use crate::registry::WAKER;
use mio::Token;

impl Reactor {
    /// Runs passes of the loop until [`Reactor::stop`] is called.
    pub fn run(&self) -> io::Result<()> {
        // Set `running`, then call `iterate(None)` until `running` is false again.
        // If `iterate` fails, clear `running` and return the error.
        todo!("Reactor::run")
    }

    /// Makes `run` return once the current pass is over. Callable from handlers and
    /// timer callbacks; from other threads use [`ReactorHandle::stop`].
    pub fn stop(&self) {
        todo!("Reactor::stop")
    }

    /// One pass of the loop: wait for readiness (at most `max_wait`, and never past
    /// the next timer), dispatch it, then run the due timers.
    ///
    /// `iterate(Some(Duration::ZERO))` never blocks: that is how a foreign loop (a
    /// GUI's) drives this reactor from its own idle callback.
    pub fn iterate(&self, max_wait: Option<Duration>) -> io::Result<()> {
        // 1. `poll` the `Poll` into `self.inner.events` with `self.timeout(max_wait)`;
        //    an `Interrupted` error just means "nothing ready".
        // 2. Copy each event out as `(event.token(), Readiness::of(event))` into the
        //    reusable `self.inner.ready` vector, and let go of `events` and `poll`.
        // 3. For each one: the `WAKER` token means `run_remote_calls()`, any other
        //    token means `dispatch(token, readiness)`.
        // 4. Run the due timers: `self.inner.timers.run_due()`.
        let _ = max_wait;
        todo!("Reactor::iterate")
    }

    /// Calls the handler under `token`. The handler is taken out of the map while it
    /// runs, so it may add or remove other handlers without a double borrow.
    fn dispatch(&self, token: Token, readiness: Readiness) {
        // Remove the handler from the map (a token with no handler was closed earlier
        // in this pass: ignore it), call `handler.ready(self, readiness)` with the map
        // NOT borrowed, then put it back on `Next::Keep`, or deregister its
        // `source()` and drop it on `Next::Close`.
        let _ = (token, readiness);
        todo!("Reactor::dispatch")
    }
}
