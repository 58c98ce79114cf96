// The steps of exercise 10, in order. `cargo xtask check 10-websocket` runs them and
// names the first that fails. Real sockets on 127.0.0.1:0; paused time where a
// clock matters (the ping deadline).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use test_kit::{LineClient, Transcript};
use tokio::io::{AsyncReadExt, DuplexStream};
use tokio::time::{Instant, timeout};
use websocket::client::WsClient;
use websocket::policy::{MAX_DASHBOARD_MESSAGE, PING_INTERVAL, PONG_DEADLINE};
use websocket::{Hub, Interest, Policy, Push, Server, StockMove, session};

/// A running server: where its page and sockets are, where its feed is, its hub.
struct Running {
    addr: SocketAddr,
    feed: SocketAddr,
    hub: Arc<Hub>,
}

async fn start() -> Running {
    let server = Server::bind("127.0.0.1:0".parse().unwrap()).await.expect("bind");
    let running = Running {
        addr: server.local_addr(),
        feed: server.feed_addr(),
        hub: server.hub(),
    };
    tokio::spawn(server.run());
    running
}

fn page_origin(running: &Running) -> String {
    format!("http://{}", running.addr)
}

/// Waits (yielding, never sleeping) until the hub has `n` dashboards.
async fn until_subscribers(hub: &Hub, n: usize) {
    let waited = timeout(Duration::from_secs(5), async {
        while hub.subscribers() != n {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(
        waited.is_ok(),
        "the hub has {} dashboards registered, expected {n}",
        hub.subscribers()
    );
}

fn stock_move(line: &str) -> StockMove {
    StockMove::parse(line).unwrap()
}

#[test]
fn step_1_the_handshake_completes_and_echo_returns_what_it_gets() {
    test_kit::run(|| async {
        let server = start().await;
        let transcript = Transcript::new();
        let mut alice =
            WsClient::connect(server.addr, "/echo", None, "alice", &transcript).await;
        alice.send_text("hello, warehouse").await;
        assert_eq!(alice.expect().await, "hello, warehouse");
        alice.send_binary(&[1, 2, 3, 255]).await;
        assert_eq!(alice.expect().await, "binary [1, 2, 3, 255]");
        alice.send_ping("are you there").await;
        assert_eq!(
            alice.expect().await,
            "pong \"are you there\"",
            "tungstenite answers pings"
        );
        alice.send_text("naïve café ✓").await;
        assert_eq!(alice.expect().await, "naïve café ✓");
        alice.close(1000, "done").await;
        assert_eq!(
            alice.expect().await,
            "close 1000 \"done\"",
            "a close is answered with its code"
        );
        alice.expect_closed(0).await;
        insta::assert_snapshot!(transcript.to_string());
    });
}

#[test]
fn step_2_dashboards_get_a_snapshot_then_the_totals_they_subscribed_to() {
    test_kit::run(|| async {
        let server = start().await;
        let origin = page_origin(&server);
        let transcript = Transcript::new();
        let mut feed = LineClient::connect(server.feed, "feed", &transcript).await;
        feed.send_line("WIDGET-1 5").await;
        assert_eq!(feed.recv_line().await, "WIDGET-1 5");

        let mut ana =
            WsClient::connect(server.addr, "/live", Some(&origin), "ana", &transcript)
                .await;
        ana.send_text("subscribe WIDGET-1 GADGET").await;
        assert_eq!(ana.expect().await, "snapshot GADGET=0 WIDGET-1=5");
        let mut bo =
            WsClient::connect(server.addr, "/live", None, "bo", &transcript).await;
        bo.send_text("subscribe *").await;
        assert_eq!(bo.expect().await, "snapshot WIDGET-1=5");
        until_subscribers(&server.hub, 2).await;

        for line in ["WIDGET-1 -2", "SPROCKET 7", "GADGET 4"] {
            feed.send_line(line).await;
            feed.recv_line().await;
        }
        assert_eq!(ana.expect().await, "total WIDGET-1=3");
        assert_eq!(
            ana.expect().await,
            "total GADGET=4",
            "ana did not subscribe to SPROCKET"
        );
        assert_eq!(bo.expect().await, "total WIDGET-1=3");
        assert_eq!(bo.expect().await, "total SPROCKET=7");
        assert_eq!(bo.expect().await, "total GADGET=4");

        ana.send_text("subscribe").await;
        assert!(ana.expect().await.starts_with("error "), "a bad request gets `error …`");
        insta::assert_snapshot!(transcript.to_string());
    });
}

#[test]
fn step_3_a_dashboard_that_leaves_is_unregistered() {
    test_kit::run(|| async {
        let server = start().await;
        let transcript = Transcript::new();
        let mut ana =
            WsClient::connect(server.addr, "/live", None, "ana", &transcript).await;
        ana.send_text("subscribe WIDGET-1").await;
        assert_eq!(ana.expect().await, "snapshot WIDGET-1=0");
        let mut bo =
            WsClient::connect(server.addr, "/live", None, "bo", &transcript).await;
        bo.send_text("subscribe WIDGET-1").await;
        bo.expect().await;
        until_subscribers(&server.hub, 2).await;

        ana.close(1000, "bye").await;
        assert_eq!(ana.expect().await, "close 1000 \"bye\"");
        ana.expect_closed(0).await;
        until_subscribers(&server.hub, 1).await;
        // A peer that vanishes without a close is unregistered too.
        drop(bo.into_inner());
        until_subscribers(&server.hub, 0).await;

        // And the hub's own bookkeeping: unregister forgets, twice is harmless.
        let hub = Hub::new(4);
        let sub = hub.register(Interest::All);
        assert_eq!(hub.subscribers(), 1);
        hub.unregister(sub.id());
        hub.unregister(sub.id());
        assert_eq!(hub.subscribers(), 0);
        hub.publish(&stock_move("WIDGET-1 1")).expect("publishing to nobody is fine");
    });
}

#[test]
fn step_4_a_slow_dashboard_is_resynced_with_a_snapshot_and_never_slows_the_others() {
    test_kit::run(|| async {
        const CAPACITY: usize = 8;
        let hub = Hub::new(CAPACITY);
        let mut slow = hub.register(Interest::only(["WIDGET-1"]));
        let mut fast = hub.register(Interest::All);
        assert_eq!(slow.next().await, Some(Push::Snapshot(vec![("WIDGET-1".into(), 0)])));
        assert_eq!(fast.next().await, Some(Push::Snapshot(vec![])));

        // The fast dashboard reads every push at once; the slow one reads nothing.
        for n in 1..=1000 {
            assert_eq!(hub.publish(&stock_move("WIDGET-1 1")), Ok(n));
            let push = timeout(Duration::from_secs(1), fast.next()).await;
            assert_eq!(
                push,
                Ok(Some(Push::Total("WIDGET-1".into(), n))),
                "the fast dashboard must get every total at once, in order"
            );
            assert!(
                slow.queued() <= CAPACITY,
                "the slow dashboard's queue holds {} pushes: it must stay within {CAPACITY}",
                slow.queued()
            );
        }
        // It fell behind: what it missed comes as one snapshot, not as stale totals.
        assert_eq!(
            slow.next().await,
            Some(Push::Snapshot(vec![("WIDGET-1".into(), 1000)])),
            "a dashboard that fell behind gets a fresh snapshot instead of its stale queue"
        );
        assert_eq!(slow.queued(), 0, "the stale pushes are dropped");
        hub.publish(&stock_move("WIDGET-1 1")).unwrap();
        assert_eq!(slow.next().await, Some(Push::Total("WIDGET-1".into(), 1001)));
        hub.unregister(slow.id());
        assert_eq!(slow.next().await, None, "an unregistered dashboard's pushes end");
    });
}

/// One dashboard connection served over an in-memory stream, so paused time jumps
/// only when both ends wait for a timer (a TCP socket would let it jump while the
/// bytes are in the kernel).
async fn dashboard_in_memory(
    hub: &Arc<Hub>,
    name: &str,
    transcript: &Transcript,
) -> WsClient<DuplexStream> {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let hub = hub.clone();
    tokio::spawn(async move {
        let policy = Policy::for_page("127.0.0.1:8010");
        let config = websocket::policy::config(MAX_DASHBOARD_MESSAGE);
        if let Ok((ws, origin)) = session::accept(server, config).await {
            session::dashboard(ws, origin, hub, &policy).await;
        }
    });
    WsClient::handshake(client, "127.0.0.1:8010", "/live", None, name, transcript).await
}

#[test]
fn step_5_a_peer_that_stops_answering_pings_is_dropped_after_the_deadline() {
    test_kit::run_paused(|| async {
        let hub = Hub::new(8);
        let transcript = Transcript::new();
        // A live dashboard answers pings (tungstenite does, on every read).
        let mut live = dashboard_in_memory(&hub, "live", &transcript).await;
        live.send_text("subscribe WIDGET-1").await;
        live.expect().await;
        let started = Instant::now();
        for _ in 0..3 {
            let ping = live.recv_within(PING_INTERVAL * 2).await;
            assert_eq!(
                ping.as_deref(),
                Some("ping \"heartbeat\""),
                "the server pings every interval"
            );
        }
        let pinged = started.elapsed();
        assert!(
            pinged >= PING_INTERVAL * 3
                && pinged < PING_INTERVAL * 3 + Duration::from_secs(1),
            "three pings took {pinged:?}, expected three intervals of {PING_INTERVAL:?}"
        );

        live.close(1000, "bye").await;
        live.expect_closed(1).await;
        until_subscribers(&hub, 0).await;

        // A dead one: subscribed, then never reads again, so it never answers.
        let mut dead = dashboard_in_memory(&hub, "dead", &transcript).await;
        dead.send_text("subscribe WIDGET-1").await;
        dead.expect().await;
        until_subscribers(&hub, 1).await;
        let mut socket = dead.into_inner();
        let since = Instant::now();
        let mut bytes = Vec::new();
        let limit = PING_INTERVAL * 10;
        let read = timeout(limit, socket.read_to_end(&mut bytes)).await;
        assert!(
            read.is_ok(),
            "a peer that never answered was still connected after {limit:?}"
        );
        let waited = since.elapsed();
        let expected = PING_INTERVAL + PONG_DEADLINE;
        assert!(
            waited >= expected && waited <= expected + Duration::from_secs(1),
            "the dead peer was dropped after {waited:?}: expected one ping interval and the \
             pong deadline, {expected:?}"
        );
        // What reached the dead peer: one ping (0x89), then a close frame (0x88)
        // whose code is 1011, "unexpected condition" (0x03f3).
        assert_eq!(
            bytes.first(),
            Some(&0x89),
            "the dead peer was pinged first: {bytes:x?}"
        );
        let close = bytes.iter().position(|&b| b == 0x88);
        let code = close.and_then(|at| bytes.get(at + 2..at + 4));
        assert_eq!(
            code,
            Some(&[0x03, 0xf3][..]),
            "after the deadline the server says why, best effort: close 1011 ({bytes:x?})"
        );
        assert_eq!(hub.subscribers(), 0, "the dead peer is unregistered");
    });
}

#[test]
fn step_6_close_codes_say_why_1008_1009_1007() {
    test_kit::run(|| async {
        let server = start().await;
        let transcript = Transcript::new();
        let evil = Some("http://evil.example");
        let mut mallory =
            WsClient::connect(server.addr, "/live", evil, "mallory", &transcript).await;
        let refused = mallory.expect().await;
        assert_eq!(refused, "close 1008 \"origin http://evil.example is not allowed\"");
        mallory.expect_closed(0).await;

        let origin = page_origin(&server);
        let mut ana =
            WsClient::connect(server.addr, "/live", Some(&origin), "ana", &transcript)
                .await;
        let flood = format!("subscribe {}", "W".repeat(MAX_DASHBOARD_MESSAGE));
        ana.send_big_text(&flood).await;
        assert_eq!(
            ana.expect().await,
            format!("close 1009 \"message over {MAX_DASHBOARD_MESSAGE} bytes\"")
        );
        ana.expect_closed(0).await;

        let mut bo =
            WsClient::connect(server.addr, "/echo", None, "bo", &transcript).await;
        bo.send_raw_text(&[b'o', b'k', 0xff, 0xfe]).await;
        assert_eq!(bo.expect().await, "close 1007 \"text message is not UTF-8\"");
        bo.expect_closed(0).await;
        insta::assert_snapshot!(transcript.to_string());
    });
}
