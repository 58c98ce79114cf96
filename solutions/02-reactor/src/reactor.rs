//! The reactor: one thread, one `poll`, a map from token to handler, and a timer heap.
//!
//! Each pass of the loop (`iterate`) does three things, like Twisted's `doIteration`
//! plus `runUntilCurrent`:
//! 1. ask the OS which sockets are ready, sleeping at most until the next timer;
//! 2. hand each ready socket to the handler registered under its token;
//! 3. run the timers that are due.

use std::io;
use std::mem;
use std::time::Duration;

pub use crate::handle::ReactorHandle;
pub use crate::handler::{Handler, Next, Readiness};
pub use crate::registry::Reactor;
use crate::registry::WAKER;
use mio::Token;

impl Reactor {
    // ANCHOR: run
    /// Runs passes of the loop until [`Reactor::stop`] is called.
    pub fn run(&self) -> io::Result<()> {
        self.inner.running.set(true);
        while self.inner.running.get() {
            if let Err(e) = self.iterate(None) {
                self.inner.running.set(false);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Makes `run` return once the current pass is over. Callable from handlers and
    /// timer callbacks; from other threads use [`ReactorHandle::stop`].
    pub fn stop(&self) {
        self.inner.running.set(false);
    }
    // ANCHOR_END: run

    // ANCHOR: iterate
    /// One pass of the loop: wait for readiness (at most `max_wait`, and never past
    /// the next timer), dispatch it, then run the due timers.
    ///
    /// `iterate(Some(Duration::ZERO))` never blocks: that is how a foreign loop (a
    /// GUI's) drives this reactor from its own idle callback.
    pub fn iterate(&self, max_wait: Option<Duration>) -> io::Result<()> {
        let timeout = self.timeout(max_wait);
        let mut ready = mem::take(&mut *self.inner.ready.borrow_mut());
        {
            let mut events = self.inner.events.borrow_mut();
            match self.inner.poll.borrow_mut().poll(&mut events, timeout) {
                Ok(()) => {}
                // A signal interrupted the wait: nothing is ready, run the timers.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
            // Copy the events out: handlers must not run while `events` is borrowed.
            ready
                .extend(events.iter().map(|event| (event.token(), Readiness::of(event))));
        }
        for (token, readiness) in ready.drain(..) {
            if token == WAKER {
                self.run_remote_calls();
            } else {
                self.dispatch(token, readiness);
            }
        }
        *self.inner.ready.borrow_mut() = ready;
        self.inner.timers.run_due();
        Ok(())
    }

    /// Calls the handler under `token`. The handler is taken out of the map while it
    /// runs, so it may add or remove other handlers without a double borrow.
    fn dispatch(&self, token: Token, readiness: Readiness) {
        let Some(mut handler) = self.inner.handlers.borrow_mut().remove(&token) else {
            return; // closed earlier in this pass
        };
        match handler.ready(self, readiness) {
            Next::Keep => {
                self.inner.handlers.borrow_mut().insert(token, handler);
            }
            Next::Close => {
                let _ = self.inner.poll.borrow().registry().deregister(handler.source());
            }
        }
    }
    // ANCHOR_END: iterate
}
