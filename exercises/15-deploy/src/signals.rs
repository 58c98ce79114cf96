//! How a stop is asked for: SIGTERM from `systemctl stop`, `docker stop` or `kill`;
//! SIGINT from Ctrl-C in a terminal.

/// Resolves on the first SIGTERM or SIGINT, after logging which one came. On Windows,
/// which has no SIGTERM, only Ctrl-C.
///
/// The handlers are installed when this is first polled. Tokio keeps a handler for
/// the life of the process, so a second SIGTERM during the drain does not kill it:
/// the deadline ends the drain.
pub async fn stop_requested() {
    todo!("signals::stop_requested")
}
