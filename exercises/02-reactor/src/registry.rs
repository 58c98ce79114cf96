//! The [`Reactor`] type and the parts of it that are given: its state (one `poll`, a
//! map from token to handler, a timer heap), registering and removing handlers,
//! timers, the handle for other threads, and the timeout of one pass. Given whole.
//!
//! The loop itself, `run`, `stop`, `iterate` and `dispatch`, is yours to write in
//! `reactor.rs`, in another `impl Reactor` block.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io;
use std::mem;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mio::{Events, Interest, Poll, Token, Waker};

use crate::handle::ReactorHandle;
use crate::handle::Remote;
use crate::handler::{Handler, Readiness};
use crate::time::RealTime;
use crate::timers::{DelayedCall, Timers};

/// The token of the waker, which other threads use to interrupt `poll`.
pub(crate) const WAKER: Token = Token(usize::MAX);

/// The reactor's state, shared by its clones.
pub(crate) struct Inner {
    pub(crate) poll: RefCell<Poll>,
    pub(crate) events: RefCell<Events>,
    /// Reused between passes so a busy loop does not allocate.
    pub(crate) ready: RefCell<Vec<(Token, Readiness)>>,
    pub(crate) handlers: RefCell<HashMap<Token, Box<dyn Handler>>>,
    /// Tokens are never reused: an event for a closed socket finds no handler
    /// instead of a stranger that got its number.
    pub(crate) next_token: Cell<usize>,
    pub(crate) timers: Timers<RealTime>,
    pub(crate) running: Cell<bool>,
    pub(crate) waker: Arc<Waker>,
    pub(crate) remote: Arc<Mutex<Vec<Remote>>>,
}

/// A single-threaded reactor on mio (Twisted's `reactor`).
///
/// Cloning gives another handle to the same reactor, so timer callbacks can capture
/// one (`let r = reactor.clone(); reactor.call_later(d, move || r.stop())`). It is
/// not `Send`: everything happens on the thread that created it. Other threads talk
/// to it through a [`ReactorHandle`].
#[derive(Clone)]
pub struct Reactor {
    pub(crate) inner: Rc<Inner>,
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

    /// True between `run` starting and `stop` taking effect.
    pub fn is_running(&self) -> bool {
        self.inner.running.get()
    }

    /// How long `poll` may sleep: until the next timer, capped by `max_wait`.
    pub(crate) fn timeout(&self, max_wait: Option<Duration>) -> Option<Duration> {
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

    /// Runs what other threads handed over with [`ReactorHandle::call_from_thread`].
    pub(crate) fn run_remote_calls(&self) {
        let calls =
            mem::take(&mut *self.inner.remote.lock().unwrap_or_else(|e| e.into_inner()));
        for call in calls {
            call(self);
        }
    }
}
