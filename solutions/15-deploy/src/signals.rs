//! How a stop is asked for: SIGTERM from `systemctl stop`, `docker stop` or `kill`;
//! SIGINT from Ctrl-C in a terminal.

// ANCHOR: stop_requested
/// Resolves on the first SIGTERM or SIGINT, after logging which one came. On Windows,
/// which has no SIGTERM, only Ctrl-C.
///
/// The handlers are installed when this is first polled. Tokio keeps a handler for
/// the life of the process, so a second SIGTERM during the drain does not kill it:
/// the deadline ends the drain.
pub async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("a SIGTERM handler");
        let mut int = signal(SignalKind::interrupt()).expect("a SIGINT handler");
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        tracing::info!(signal = name, "stop requested");
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!(signal = "ctrl-c", "stop requested");
    }
}
// ANCHOR_END: stop_requested
