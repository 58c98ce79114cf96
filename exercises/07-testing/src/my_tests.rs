//! Your tests: replace each `todo!()` with a test of the stock service.
//!
//! Each test gets a [`Factory`] and must pass when it builds the correct service and
//! fail (panic, e.g. with `assert_eq!`) when it builds a mutant with the bug the test
//! is about. You have three tools:
//!
//! - **A fake transport** (trial's `StringTransport`): `factory.build(&[("WIDGET", 5)])`
//!   then `service.connect()` gives a [`Connection`](crate::service::Connection) in
//!   memory. `conn.request("STOCK WIDGET").await` returns the reply exactly as sent,
//!   delimiter included, so compare whole lines: `"STOCK WIDGET 5\r\n"`.
//! - **A fake clock** (trial's `task.Clock`): time starts paused.
//!   `tokio::time::advance(d).await` moves it forward by `d` at once and fires every
//!   timer that falls due; nothing else moves it while your test is busy. The hold is
//!   [`HOLD`](crate::service::HOLD).
//! - **A clean-reactor check** (trial fails a test that leaves "DelayedCalls" or open
//!   ports behind): after `service.shutdown().await`,
//!   `tokio::runtime::Handle::current().metrics().num_alive_tasks()` counts the tasks
//!   still alive on your test's runtime, and `tokio::net::TcpStream::connect(addr)`
//!   tells you whether a listener still accepts.
//!
//! Start every test with a new service and end it with `service.shutdown().await`.

use crate::service::Factory;

/// Proves that replies are framed as the protocol says: each one ends in `\r\n`.
pub async fn replies_end_with_crlf(factory: Factory) {
    todo!("my_tests::replies_end_with_crlf({factory:?})")
}

/// Proves that the service never reserves more units than are left.
pub async fn reservations_never_exceed_stock(factory: Factory) {
    todo!("my_tests::reservations_never_exceed_stock({factory:?})")
}

/// Proves that a reservation holds its units for the whole [`HOLD`](crate::service::HOLD),
/// and gives them back when it is over.
pub async fn reservations_expire_after_the_hold(factory: Factory) {
    todo!("my_tests::reservations_expire_after_the_hold({factory:?})")
}

/// Proves that released units come back exactly once, however much time passes.
pub async fn released_units_come_back_once(factory: Factory) {
    todo!("my_tests::released_units_come_back_once({factory:?})")
}

/// Proves that `shutdown()` leaves nothing running: no task, no timer, no listener.
pub async fn shutdown_leaves_nothing_running(factory: Factory) {
    todo!("my_tests::shutdown_leaves_nothing_running({factory:?})")
}
