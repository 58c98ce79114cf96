//! [`ReactorHandle`]: how other threads hand calls to a running reactor
//! (Twisted's `reactor.callFromThread`). Given whole.

use std::sync::{Arc, Mutex};

use mio::Waker;

use crate::reactor::Reactor;

/// A call handed to the reactor by another thread.
pub(crate) type Remote = Box<dyn FnOnce(&Reactor) + Send>;

// ANCHOR: handle
/// A `Send` handle to a reactor running on another thread (Twisted's
/// `reactor.callFromThread`).
///
/// The reactor may be asleep in `poll`; a [`mio::Waker`] makes that `poll` return, and
/// the reactor then runs the queued calls on its own thread.
#[derive(Clone)]
pub struct ReactorHandle {
    waker: Arc<Waker>,
    remote: Arc<Mutex<Vec<Remote>>>,
}

impl ReactorHandle {
    /// A handle that queues calls on `remote` and wakes the reactor with `waker`.
    pub(crate) fn new(waker: Arc<Waker>, remote: Arc<Mutex<Vec<Remote>>>) -> Self {
        Self { waker, remote }
    }
}

impl ReactorHandle {
    /// Queues `f` to run on the reactor's thread and wakes the reactor.
    pub fn call_from_thread(&self, f: impl FnOnce(&Reactor) + Send + 'static) {
        self.remote.lock().unwrap_or_else(|e| e.into_inner()).push(Box::new(f));
        // An error means the reactor is gone; then there is nobody left to call.
        let _ = self.waker.wake();
    }

    /// Stops the reactor from another thread.
    pub fn stop(&self) {
        self.call_from_thread(|reactor| reactor.stop());
    }
}
// ANCHOR_END: handle
