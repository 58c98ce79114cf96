//! A test suite for the stock service that passes on the correct service and kills
//! every mutant.
//!
//! Each test builds its own service, talks to it through an in-memory connection
//! (trial's `StringTransport`), moves paused time by hand (trial's `task.Clock`) and
//! shuts the service down at the end.

use std::time::Duration;

use tokio::net::TcpStream;
use tokio::runtime::Handle;
use tokio::time::advance;

use crate::service::{Factory, HOLD};

/// A moment, in paused time: small next to [`HOLD`], big next to a timer's 1 ms tick.
const MOMENT: Duration = Duration::from_secs(1);

// ANCHOR: crlf
/// Proves that replies are framed as the protocol says: each one ends in `\r\n`.
pub async fn replies_end_with_crlf(factory: Factory) {
    let service = factory.build(&[("WIDGET", 5)]);
    let mut conn = service.connect();
    // Whole lines, delimiter included: `StringTransport.value()` style.
    assert_eq!(conn.request("STOCK WIDGET").await, "STOCK WIDGET 5\r\n");
    assert_eq!(conn.request("RESERVE WIDGET 2").await, "RESERVED 1 WIDGET 2\r\n");
    assert_eq!(conn.request("STOCK GIZMO").await, "ERR unknown sku GIZMO\r\n");
    service.shutdown().await;
}
// ANCHOR_END: crlf

// ANCHOR: stock
/// Proves that the service never reserves more units than are left.
pub async fn reservations_never_exceed_stock(factory: Factory) {
    let service = factory.build(&[("WIDGET", 5)]);
    let mut conn = service.connect();
    assert_eq!(conn.request("RESERVE WIDGET 3").await, "RESERVED 1 WIDGET 3\r\n");
    // Two are left. Test at the boundary: one more than is left must be refused (a
    // request for 100 would let an off-by-one survive), exactly what is left granted.
    assert_eq!(conn.request("RESERVE WIDGET 3").await, "ERR only 2 WIDGET left\r\n");
    assert_eq!(conn.request("RESERVE WIDGET 2").await, "RESERVED 2 WIDGET 2\r\n");
    assert_eq!(conn.request("STOCK WIDGET").await, "STOCK WIDGET 0\r\n");
    service.shutdown().await;
}
// ANCHOR_END: stock

// ANCHOR: expiry
/// Proves that a reservation holds its units for the whole [`HOLD`], and gives them
/// back when it is over.
pub async fn reservations_expire_after_the_hold(factory: Factory) {
    let service = factory.build(&[("WIDGET", 5)]);
    let mut conn = service.connect();
    assert_eq!(conn.request("RESERVE WIDGET 5").await, "RESERVED 1 WIDGET 5\r\n");

    // Both sides of the deadline: still held a moment before it...
    advance(HOLD - MOMENT).await;
    assert_eq!(
        conn.request("STOCK WIDGET").await,
        "STOCK WIDGET 0\r\n",
        "expired before the hold was over"
    );
    // ...and back on the shelf once it has passed.
    advance(MOMENT).await;
    assert_eq!(
        conn.request("STOCK WIDGET").await,
        "STOCK WIDGET 5\r\n",
        "not expired after the hold"
    );
    assert_eq!(
        conn.request("RELEASE 1").await,
        "ERR no reservation 1\r\n",
        "an expired reservation is gone"
    );
    service.shutdown().await;
}
// ANCHOR_END: expiry

// ANCHOR: release
/// Proves that released units come back exactly once, however much time passes.
pub async fn released_units_come_back_once(factory: Factory) {
    let service = factory.build(&[("WIDGET", 5)]);
    let mut conn = service.connect();
    assert_eq!(conn.request("RESERVE WIDGET 4").await, "RESERVED 1 WIDGET 4\r\n");
    assert_eq!(conn.request("RELEASE 1").await, "RELEASED 1\r\n");
    assert_eq!(conn.request("STOCK WIDGET").await, "STOCK WIDGET 5\r\n");
    assert_eq!(
        conn.request("RELEASE 1").await,
        "ERR no reservation 1\r\n",
        "released twice"
    );

    // The released reservation's timer would have fired by now: nothing must come back.
    advance(HOLD + MOMENT).await;
    assert_eq!(
        conn.request("STOCK WIDGET").await,
        "STOCK WIDGET 5\r\n",
        "units came back twice"
    );
    service.shutdown().await;
}
// ANCHOR_END: release

// ANCHOR: clean
/// Proves that `shutdown()` leaves nothing running: no task, no timer, no listener.
pub async fn shutdown_leaves_nothing_running(factory: Factory) {
    let service = factory.build(&[("WIDGET", 5)]);
    let addr = service.listen("127.0.0.1:0").await.expect("listen on loopback");
    let mut conn = service.connect();
    // A reservation arms a timer: the shutdown must cancel it too.
    assert_eq!(conn.request("RESERVE WIDGET 1").await, "RESERVED 1 WIDGET 1\r\n");

    service.shutdown().await;

    // trial's "Reactor was unclean": every task the service spawned must be gone...
    let alive = Handle::current().metrics().num_alive_tasks();
    assert_eq!(
        alive, 0,
        "{alive} task(s) still alive after shutdown (a timer or a listener?)"
    );
    // ...and its port must be closed.
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the listener still accepts connections after shutdown"
    );
}
// ANCHOR_END: clean
