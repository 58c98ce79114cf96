//! The reactor: one thread, one `poll`, a map from token to handler, and a timer heap.
//!
//! Each pass of the loop (`iterate`) does three things, like Twisted's `doIteration`
//! plus `runUntilCurrent`:
//! 1. ask the OS which sockets are ready, sleeping at most until the next timer;
//! 2. hand each ready socket to the handler registered under its token;
//! 3. run the timers that are due.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io;
use std::mem;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mio::{Events, Interest, Poll, Token, Waker};

pub use crate::handle::ReactorHandle;
use crate::handle::Remote;
pub use crate::handler::{Handler, Next, Readiness};
use crate::time::RealTime;
use crate::timers::{DelayedCall, Timers};

/// The token of the waker, which other threads use to interrupt `poll`.
const WAKER: Token = Token(usize::MAX);

struct Inner {
    poll: RefCell<Poll>,
    events: RefCell<Events>,
    /// Reused between passes so a busy loop does not allocate.
    ready: RefCell<Vec<(Token, Readiness)>>,
    handlers: RefCell<HashMap<Token, Box<dyn Handler>>>,
    /// Tokens are never reused: an event for a closed socket finds no handler
    /// instead of a stranger that got its number.
    next_token: Cell<usize>,
    timers: Timers<RealTime>,
    running: Cell<bool>,
    waker: Arc<Waker>,
    remote: Arc<Mutex<Vec<Remote>>>,
}

/// A single-threaded reactor on mio (Twisted's `reactor`).
///
/// Cloning gives another handle to the same reactor, so timer callbacks can capture
/// one (`let r = reactor.clone(); reactor.call_later(d, move || r.stop())`). It is
/// not `Send`: everything happens on the thread that created it. Other threads talk
/// to it through a [`ReactorHandle`].
#[derive(Clone)]
pub struct Reactor {
    inner: Rc<Inner>,
}

impl Reactor {
    /// A reactor with nothing registered, not yet running.
    pub fn new() -> io::Result<Self> {
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        Ok(Self {
            inner: Rc::new(Inner {
                poll: RefCell::new(poll),
                events: RefCell::new(Events::with_capacity(1024)),
                ready: RefCell::new(Vec::with_capacity(1024)),
                handlers: RefCell::new(HashMap::new()),
                next_token: Cell::new(0),
                timers: Timers::new(RealTime::new()),
                running: Cell::new(false),
                waker,
                remote: Arc::default(),
            }),
        })
    }

    /// Registers `handler`'s socket for `interest` and returns its token.
    pub fn add(
        &self,
        mut handler: impl Handler + 'static,
        interest: Interest,
    ) -> io::Result<Token> {
        let token = Token(self.inner.next_token.get());
        self.inner.next_token.set(token.0 + 1);
        self.inner.poll.borrow().registry().register(
            handler.source(),
            token,
            interest,
        )?;
        self.inner.handlers.borrow_mut().insert(token, Box::new(handler));
        Ok(token)
    }

    /// Deregisters and drops the handler under `token`; false if there was none.
    pub fn remove(&self, token: Token) -> bool {
        let handler = self.inner.handlers.borrow_mut().remove(&token);
        match handler {
            Some(mut handler) => {
                let _ = self.inner.poll.borrow().registry().deregister(handler.source());
                true
            }
            None => false,
        }
    }

    /// How many sockets are registered (listeners and connections).
    pub fn handlers(&self) -> usize {
        self.inner.handlers.borrow().len()
    }

    /// Schedules `f` to run on the reactor thread, `delay` from now (`callLater`).
    pub fn call_later(&self, delay: Duration, f: impl FnOnce() + 'static) -> DelayedCall {
        self.inner.timers.call_later(delay, f)
    }

    /// Seconds since the reactor was created, on the monotonic clock.
    pub fn seconds(&self) -> f64 {
        self.inner.timers.now().as_secs_f64()
    }

    /// A `Send` handle other threads use to hand work to this reactor.
    pub fn handle(&self) -> ReactorHandle {
        ReactorHandle::new(Arc::clone(&self.inner.waker), Arc::clone(&self.inner.remote))
    }

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

    /// True between `run` starting and `stop` taking effect.
    pub fn is_running(&self) -> bool {
        self.inner.running.get()
    }

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

    /// How long `poll` may sleep: until the next timer, capped by `max_wait`.
    fn timeout(&self, max_wait: Option<Duration>) -> Option<Duration> {
        let until_timer = self
            .inner
            .timers
            .next_due()
            .map(|due| due.saturating_sub(self.inner.timers.now()));
        match (until_timer, max_wait) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
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

    /// Runs what other threads handed over with [`ReactorHandle::call_from_thread`].
    fn run_remote_calls(&self) {
        let calls =
            mem::take(&mut *self.inner.remote.lock().unwrap_or_else(|e| e.into_inner()));
        for call in calls {
            call(self);
        }
    }
}
