//! The graceful drain (chapter 15): one stop signal every task can wait on, the
//! signals that request it, and a drain that waits for tasks up to a deadline and
//! cuts the rest.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::timeout;

/// The side that requests the stop (kept by whoever runs the service).
#[derive(Debug)]
pub struct Stopper(watch::Sender<bool>);

/// The side every task waits on. Cheap to clone: one per connection.
#[derive(Debug, Clone)]
pub struct Stop(watch::Receiver<bool>);

/// A new stop signal, not yet raised.
pub fn stop_signal() -> (Stopper, Stop) {
    let (sender, receiver) = watch::channel(false);
    (Stopper(sender), Stop(receiver))
}

impl Stopper {
    /// Raises the stop: every [`Stop::stopped`] resolves, now and later.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

impl Stop {
    /// Resolves once the stop is raised (or its [`Stopper`] is gone: then no stop
    /// could ever come, and waiting forever would only leak the task).
    pub async fn stopped(&self) {
        let mut receiver = self.0.clone();
        let _ = receiver.wait_for(|stopped| *stopped).await;
    }

    /// Whether the stop is raised already.
    pub fn is_stopped(&self) -> bool {
        *self.0.borrow()
    }
}

/// A future that resolves on the first SIGTERM or SIGINT (Ctrl-C): what a
/// supervisor or a terminal sends to ask a service to stop. The handlers are
/// installed by this call, not when the future is first polled: a SIGTERM that
/// arrives right after start-up must not kill the process instead of draining it.
/// Call it inside a tokio runtime.
pub fn terminated() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        async move {
            match (term, int) {
                (Ok(mut term), Ok(mut int)) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = int.recv() => {}
                    }
                }
                _ => std::future::pending().await,
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// How a drain ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Drained {
    /// Tasks that finished on their own within the deadline.
    pub finished: usize,
    /// Tasks still running at the deadline, aborted.
    pub cut: usize,
}

/// Waits for every task of `tasks` for at most `deadline`, then aborts those left
/// (and waits until they are gone, so their sockets are closed on return).
pub async fn drain<T: 'static>(tasks: &mut JoinSet<T>, deadline: Duration) -> Drained {
    let mut finished = 0;
    let all = async {
        while tasks.join_next().await.is_some() {
            finished += 1;
        }
    };
    let _ = timeout(deadline, all).await;
    let cut = tasks.len();
    tasks.shutdown().await;
    Drained { finished, cut }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_drain_waits_for_the_quick_and_cuts_the_stuck() {
        let (stopper, stop) = stop_signal();
        let mut tasks = JoinSet::new();
        for _ in 0..3 {
            let stop = stop.clone();
            tasks.spawn(async move { stop.stopped().await });
        }
        tasks.spawn(std::future::pending::<()>());
        assert!(!stop.is_stopped());
        stopper.stop();
        let drained = drain(&mut tasks, Duration::from_secs(10)).await;
        assert_eq!(drained, Drained { finished: 3, cut: 1 });
        assert!(stop.is_stopped());
    }
}
