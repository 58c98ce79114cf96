//! A group of tasks that can be stopped together, like the selectables and delayed
//! calls a Twisted reactor tracks.

use std::future::Future;
use std::mem;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::task::{AbortHandle, JoinSet};

/// Tasks spawned on behalf of one service, stopped as a whole by [`TaskGroup::close`].
#[derive(Default)]
pub(crate) struct TaskGroup {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    closed: bool,
    tasks: JoinSet<()>,
}

impl TaskGroup {
    /// Spawns `task` in the group, or drops it if the group is already closed.
    ///
    /// The handle cancels just this task (a `DelayedCall.cancel()`).
    pub(crate) fn spawn<F>(&self, task: F) -> Option<AbortHandle>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let mut inner = self.lock();
        // Checked under the same lock `close` takes, so no task slips in after it.
        if inner.closed {
            return None;
        }
        // A JoinSet keeps finished tasks until they are joined: reap them here so a
        // long-running service does not grow without bound.
        while inner.tasks.try_join_next().is_some() {}
        Some(inner.tasks.spawn(task))
    }

    // ANCHOR: close
    /// Aborts every task and waits until each has really ended, so that when this
    /// returns nothing of the group is left on the runtime.
    pub(crate) async fn close(&self) {
        let mut tasks = {
            let mut inner = self.lock();
            inner.closed = true;
            mem::take(&mut inner.tasks)
        };
        // The lock is released before awaiting: never hold a std Mutex across `.await`.
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
    // ANCHOR_END: close

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
