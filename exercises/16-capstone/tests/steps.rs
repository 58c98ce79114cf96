// The capstone's steps, in the order you write the functions (see src/lib.rs).
// Steps 1, 2 and 5 run on their own, in paused time; steps 3, 4, 6 and 7 run the
// whole service on real sockets (TLS, HTTP, WebSocket) on 127.0.0.1, port 0.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use capstone::{
    Ledger, ReorderRule, Report, Server, Service, Settings, reorder_job, serve_scanner,
};
use futures_util::{SinkExt, StreamExt};
use parts::drain::{Stop, stop_signal};
use parts::feed::StockMove;
use parts::hub::{Hub, Interest, Push, Subscription};
use parts::tls::{TestPki, client_config, connect};
use test_kit::{LineClient, Transcript};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, duplex};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::{Instant, advance, sleep, sleep_until, timeout};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

#[test]
fn step_1_the_reorder_rule_alerts_once_per_crossing_and_rearms_at_its_threshold() {
    test_kit::run(|| async {
        let mut ledger = Ledger::new();
        let mut apply = |line: &str| {
            ledger.apply(&StockMove::parse(line.as_bytes()).unwrap()).unwrap();
        };
        apply("A 3");
        apply("B 0");
        apply("D -5"); // no threshold: never reordered
        let thresholds = [("A", 10), ("B", 0), ("C", 5)];
        let thresholds = thresholds.into_iter().map(|(s, n)| (s.to_owned(), n)).collect();
        let mut rule = ReorderRule::new(thresholds);
        let run = |rule: &mut ReorderRule, ledger: &Ledger| -> Vec<String> {
            let alerts = rule.check(ledger);
            alerts
                .iter()
                .map(|a| format!("{} {} < {}", a.sku, a.qty, a.threshold))
                .collect()
        };
        // C never moved: it is at 0, below 5. B sits exactly at its threshold: fine.
        assert_eq!(run(&mut rule, &ledger), ["A 3 < 10", "C 0 < 5"], "the first run");
        assert_eq!(
            run(&mut rule, &ledger),
            Vec::<String>::new(),
            "once per crossing, not per run"
        );
        let mut apply = |line: &str| {
            ledger.apply(&StockMove::parse(line.as_bytes()).unwrap()).unwrap();
        };
        apply("A 7"); // back at its threshold: re-armed by the next run
        assert_eq!(
            run(&mut rule, &ledger),
            Vec::<String>::new(),
            "A is at 10, not below"
        );
        ledger.apply(&StockMove::parse(b"A -1").unwrap()).unwrap();
        assert_eq!(run(&mut rule, &ledger), ["A 9 < 10"], "a new crossing, a new alert");
        ledger.apply(&StockMove::parse(b"A -4").unwrap()).unwrap();
        assert_eq!(
            run(&mut rule, &ledger),
            Vec::<String>::new(),
            "still the same crossing"
        );
    });
}

#[test]
fn step_2_the_reorder_job_checks_at_once_then_on_a_fixed_schedule_skipping_missed_ticks()
{
    test_kit::run_paused(|| async {
        let every = Duration::from_secs(5);
        let service = Service::new(Hub::new(64));
        let mut dashboard = service.hub().subscribe(Interest::All);
        assert_eq!(service.handle_line(b"A 5"), "A 5");
        let (stopper, stop) = stop_signal();
        let rule = ReorderRule::new(BTreeMap::from([("A".to_owned(), 10)]));
        let start = Instant::now();
        let job = tokio::spawn(reorder_job(service.clone(), rule, every, stop));

        let at = next_alert(&mut dashboard, start).await;
        assert_eq!(
            at,
            ("alert A=5 below=10".into(), 0.0),
            "the first check runs at once"
        );
        let quiet =
            timeout(Duration::from_secs(60), next_alert(&mut dashboard, start)).await;
        assert!(quiet.is_err(), "one alert per crossing, not one per tick: {quiet:?}");

        assert_eq!(service.handle_line(b"A 7"), "A 12");
        sleep(every).await; // a tick sees 12: re-armed
        assert_eq!(service.handle_line(b"A -9"), "A 3");
        let checks = service.checks();
        // The runtime is busy for 12.5 s (the clock jumps, no timer runs meanwhile):
        // the late check runs as soon as it can.
        advance(Duration::from_millis(12_500)).await;
        let at = next_alert(&mut dashboard, start).await;
        assert_eq!(
            at,
            ("alert A=3 below=10".into(), 77.5),
            "the late check runs at once"
        );
        // ...and the schedule stays where it was: the next check is at 80 s (not 87.5).
        assert_eq!(service.handle_line(b"A 20"), "A 23");
        sleep_until(start + Duration::from_millis(80_001)).await;
        assert_eq!(
            service.checks() - checks,
            2,
            "checks since 65 s: the late one at 77.5 s and the one at 80 s (counted with \
             Service::checked). The ticks missed while busy (70 s, 75 s) are skipped, as \
             LoopingCall skips them: tokio's default, Burst, runs them all"
        );
        assert_eq!(service.handle_line(b"A -20"), "A 3");
        let at =
            timeout(Duration::from_secs(30), next_alert(&mut dashboard, start)).await;
        assert_eq!(
            at.ok(),
            Some(("alert A=3 below=10".into(), 85.0)),
            "checks at 80 s (re-armed) and 85 s (alert): after a late check the schedule \
             keeps its phase, as LoopingCall's does (not 87.5 s: that is Delay's)"
        );
        let alerts: Vec<_> = service.alerts().iter().map(|a| a.qty).collect();
        assert_eq!(alerts, [5, 3, 3], "/alerts keeps every alert, oldest first");

        stopper.stop();
        let ended = timeout(Duration::from_millis(1), job).await;
        assert!(ended.is_ok(), "the job ends when the stop is raised");
    });
}

#[test]
fn step_3_a_scanner_with_a_ca_signed_certificate_moves_stock_over_tls_and_the_api_agrees()
{
    test_kit::run(|| async {
        let pki = TestPki::generate();
        let service = Running::start(&pki, Settings::new(loopback())).await;
        let transcript = Transcript::new();
        let mut scanner = service.scanner(&pki, "scanner-1", &transcript).await;
        for line in [
            "WIDGET-1 5",
            "GADGET 3",
            "WIDGET-1 -2",
            "WIDGET-1 five",
            "W!DGET 1",
            "GADGET",
        ] {
            scanner.send_line(line).await;
            scanner.recv_line().await;
        }
        for path in
            ["/inventory", "/inventory/WIDGET-1", "/inventory/NOPE", "/alerts", "/ready"]
        {
            let (status, body) = get(service.addrs.api, path).await;
            transcript.event("api", &format!("GET {path} -> {status} {body}"));
        }
        let (status, _) = get(service.addrs.api, "/inventory").await;
        assert_eq!(status, 200);
        // An over-long line is refused, then the connection closes. Its bytes are
        // summarised instead of recorded.
        let mut flooder = service.scanner(&pki, "flooder", &Transcript::new()).await;
        transcript
            .event("flooder", "sends 1500 bytes without a line end (the limit is 1024)");
        flooder.send_raw(&[b'x'; 1500]).await;
        transcript.received("flooder", &flooder.recv_line().await);
        flooder.expect_closed().await;
        transcript.event("flooder", "connection closed by server");
        let report = service.stop().await;
        assert_eq!(report.moves, 3, "three moves were applied");
        insta::assert_snapshot!(transcript.to_string());
    });
}

#[test]
fn step_4_a_scanner_without_a_ca_signed_certificate_is_refused_and_moves_nothing() {
    test_kit::run(|| async {
        let pki = TestPki::generate();
        let service = Running::start(&pki, Settings::new(loopback())).await;
        // Signed by another CA, or no certificate at all: the handshake fails (with
        // TLS 1.3 the client hears it on its first read).
        for who in [Some(&pki.intruder), None] {
            let config = client_config(&pki.ca, who).unwrap();
            if let Ok(mut tls) = connect(service.addrs.scanners, config).await {
                let _ = tls.write_all(b"WIDGET-1 100\r\n").await;
                let mut answer = Vec::new();
                let _ =
                    timeout(Duration::from_secs(5), tls.read_to_end(&mut answer)).await;
                assert!(answer.is_empty(), "a stranger was answered: {answer:?}");
            }
        }
        // Plain TCP: no TLS at all.
        let mut plain = TcpStream::connect(service.addrs.scanners).await.unwrap();
        plain.write_all(b"WIDGET-1 100\r\n").await.unwrap();
        let mut answer = Vec::new();
        let _ = timeout(Duration::from_secs(5), plain.read_to_end(&mut answer)).await;
        assert!(!String::from_utf8_lossy(&answer).contains("WIDGET-1 100"));
        assert_eq!(get(service.addrs.api, "/inventory").await, (200, "[]".into()));
        // A scanner with a certificate the CA signed still gets in.
        let mut scanner = service.scanner(&pki, "scanner", &Transcript::new()).await;
        scanner.send_line("WIDGET-1 1").await;
        assert_eq!(scanner.recv_line().await, "WIDGET-1 1");
        assert_eq!(service.stop().await.moves, 1, "only the trusted scanner's move");
    });
}

#[test]
fn step_5_dashboards_see_every_total_in_per_sku_order_and_each_alert_once() {
    test_kit::run_paused(|| async {
        // Four threads at once (scanners served by a multi-threaded runtime): the hub
        // must hear one SKU's totals in the order the ledger made them. Every move
        // adds, so in that order they only grow.
        let racing = Service::new(Hub::new(1 << 16));
        let mut heard = racing.hub().subscribe(Interest::All);
        std::thread::scope(|threads| {
            for t in 0..4 {
                let racing = &racing;
                threads.spawn(move || {
                    for k in 0..5_000 {
                        racing.handle_line(format!("R {}", t * 5_000 + k + 1).as_bytes());
                    }
                });
            }
        });
        racing.hub().close();
        let mut last = 0;
        while let Some(push) = heard.next().await {
            if let Push::Total(_, total) = push {
                assert!(
                    total > last,
                    "the hub heard R={total} after R={last}: totals published out of order"
                );
                last = total;
            }
        }
        assert_eq!(last, (1..=20_000).sum::<i64>(), "the hub heard the last total");

        let every = Duration::from_secs(5);
        let service = Service::new(Hub::new(256));
        let (stopper, stop) = stop_signal();
        let thresholds = BTreeMap::from([("A".to_owned(), 10), ("B".to_owned(), -100)]);
        let rule = ReorderRule::new(thresholds);
        let mut screens = Vec::new();
        for interest in ["subscribe *", "subscribe A", "subscribe *"] {
            screens.push(InMemoryDashboard::open(&service, interest).await);
        }
        let mut scanners = Vec::new();
        for n in 0..5 {
            scanners.push(InMemoryScanner::open(&service, &stop, n));
        }
        // Five scanners, moves interleaved across three SKUs; the answers say the
        // order in which the ledger made each total.
        let mut made: HashMap<String, Vec<i64>> = HashMap::new();
        let mut ask =
            async |scanners: &mut Vec<InMemoryScanner>, n: usize, line: String| {
                let answer = scanners[n].ask(&line).await;
                let (sku, total) = answer.split_once(' ').expect("SKU TOTAL");
                made.entry(sku.to_owned()).or_default().push(total.parse().unwrap());
            };
        for round in 0..6_i64 {
            for n in 0..5 {
                let sku = ["A", "B", "C"][(n + round as usize) % 3];
                ask(&mut scanners, n, format!("{sku} {}", round * 5 + n as i64 + 1))
                    .await;
            }
        }
        // The job starts with A high. A crosses below 10 and stays below for three
        // checks; climbs back; crosses again.
        let job = tokio::spawn(reorder_job(service.clone(), rule, every, stop.clone()));
        sleep(every / 2).await;
        ask(&mut scanners, 0, "A -1000".into()).await;
        sleep(every * 3).await;
        ask(&mut scanners, 1, "A 2000".into()).await;
        sleep(every).await;
        ask(&mut scanners, 2, "A -2000".into()).await;
        sleep(every * 3).await;

        stopper.stop();
        let _ = job.await;
        service.hub().close();
        let alert_a = |qty: i64| format!("alert A={qty} below=10");
        let a = made["A"].clone();
        for (n, screen) in screens.into_iter().enumerate() {
            let seen = screen.all_until_close().await;
            let totals = per_sku_totals(&seen);
            let wants: &[&str] = if n == 1 { &["A"] } else { &["A", "B", "C"] };
            for sku in ["A", "B", "C"] {
                let expected =
                    if wants.contains(&sku) { made[sku].clone() } else { vec![] };
                let got = totals.get(sku).cloned().unwrap_or_default();
                assert_eq!(
                    got, expected,
                    "dashboard {n}: totals of {sku}, in the ledger's order"
                );
            }
            let alerts: Vec<&String> =
                seen.iter().filter(|m| m.starts_with("alert")).collect();
            let crossing = [alert_a(a[a.len() - 3]), alert_a(a[a.len() - 1])];
            assert_eq!(
                alerts,
                crossing.iter().collect::<Vec<_>>(),
                "dashboard {n}: one alert per crossing"
            );
            let first = seen.iter().position(|m| *m == crossing[0]).unwrap();
            let total = format!("total A={}", a[a.len() - 3]);
            assert!(
                seen[..first].contains(&total),
                "dashboard {n}: the alert comes after the total it reports"
            );
        }
    });
}

#[test]
fn step_6_fifty_scanners_send_interleaved_moves_over_tls_and_the_api_agrees_with_every_dashboard()
 {
    test_kit::run(|| async {
        let pki = TestPki::generate();
        // The service runs on two threads of its own: moves of one SKU from many
        // scanners then really race each other to the ledger and the hub.
        let service = Running::start_threaded(&pki, Settings::new(loopback())).await;
        let mut screens = Vec::new();
        for _ in 0..3 {
            screens.push(Dashboard::open(service.addrs.dashboards, "subscribe *").await);
        }
        const SKUS: [&str; 2] = ["A", "B"];
        const MOVES: usize = 10;
        let mut scanners = tokio::task::JoinSet::new();
        for n in 0..50_usize {
            let mut scanner =
                service.scanner(&pki, &format!("scanner-{n}"), &Transcript::new()).await;
            scanners.spawn(async move {
                // Positive and all different: a total pushed out of order shows up
                // as a step that is no scanner's move.
                let moves: Vec<(&str, i64)> = (0..MOVES)
                    .map(|k| (SKUS[(n + k) % SKUS.len()], (n * MOVES + k + 1) as i64))
                    .collect();
                // All at once: the service works through them while other scanners'
                // moves of the same SKUs race them to the ledger.
                let lines: String =
                    moves.iter().map(|(sku, qty)| format!("{sku} {qty}\r\n")).collect();
                scanner.send_raw(lines.as_bytes()).await;
                let mut acked = Vec::new();
                for (sku, qty) in moves {
                    let answer = scanner.recv_line().await;
                    let (said, total) = answer.split_once(' ').expect("SKU TOTAL");
                    assert_eq!(said, sku);
                    acked.push((sku, qty, total.parse::<i64>().unwrap()));
                }
                acked
            });
        }
        let acked: Vec<(&str, i64, i64)> =
            scanners.join_all().await.into_iter().flatten().collect();
        let mut sums: BTreeMap<&str, i64> = BTreeMap::new();
        for (sku, qty, _) in &acked {
            *sums.entry(sku).or_default() += qty;
        }
        let (status, body) = get(service.addrs.api, "/inventory").await;
        let api: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
        let api: BTreeMap<&str, i64> = api
            .iter()
            .map(|l| (l["sku"].as_str().unwrap(), l["qty"].as_i64().unwrap()))
            .collect();
        assert_eq!(
            (status, &api),
            (200, &sums),
            "the API's totals are the sums of every acknowledged move"
        );

        let report = service.stop().await;
        assert_eq!(report.moves, 500);
        let mut streams = Vec::new();
        for screen in screens {
            let (seen, code) = screen.all_until_close().await;
            assert_eq!(code, Some(1001), "a dashboard is told the service is going away");
            streams.push(seen);
        }
        for (n, seen) in streams.iter().enumerate() {
            for sku in SKUS {
                let qtys: Vec<i64> =
                    acked.iter().filter(|m| m.0 == sku).map(|m| m.1).collect();
                let mut totals: Vec<i64> =
                    acked.iter().filter(|m| m.0 == sku).map(|m| m.2).collect();
                let got = per_sku_totals(seen).remove(sku).unwrap_or_default();
                let mut last = 0;
                for total in &got {
                    assert!(
                        qtys.contains(&(total - last)),
                        "dashboard {n}: {sku} went from {last} to {total}, which is no move: pushed out of order"
                    );
                    last = *total;
                }
                assert_eq!(
                    last, api[sku],
                    "dashboard {n}: {sku}'s last total is the API's"
                );
                let mut sorted = got.clone();
                sorted.sort();
                totals.sort();
                assert_eq!(
                    sorted, totals,
                    "dashboard {n}: {sku}: every acknowledged total, once"
                );
            }
            assert_eq!(
                seen, &streams[0],
                "every dashboard sees the same pushes in the same order"
            );
        }
    });
}

#[test]
fn step_7_the_drain_answers_what_it_received_loses_nothing_refuses_newcomers_and_closes_dashboards_1001()
 {
    test_kit::run(|| async {
        // First one scanner's session, in memory: it has answered three lines and
        // is blocked sending the fourth answer (its scanner reads nothing yet),
        // with lines 5 and 6 received and waiting in its buffer when the stop comes.
        let service = Service::new(Hub::new(64));
        let (stopper, stop) = stop_signal();
        let (mut scanner, session) = duplex(16);
        let idle = Duration::from_secs(3600);
        let session = tokio::spawn(serve_scanner(session, service.clone(), stop, idle));
        let (mut reader, mut writer) = tokio::io::split(&mut scanner);
        let lines = "B 1\r\n".repeat(12);
        let writing = async {
            let _ = writer.write_all(lines.as_bytes()).await;
        };
        let settle = async {
            for _ in 0..200 {
                tokio::task::yield_now().await;
            }
        };
        tokio::select! {
            () = writing => panic!("the session read all twelve lines before answering"),
            () = settle => {}
        }
        stopper.stop();
        let mut answers = String::new();
        timeout(Duration::from_secs(5), reader.read_to_string(&mut answers))
            .await
            .unwrap()
            .unwrap();
        let expected: String = (1..=6).map(|n| format!("B {n}\r\n")).collect();
        assert_eq!(
            answers, expected,
            "at the stop, the lines already received are answered, no more"
        );
        assert_eq!(service.moves_applied(), 6, "and only those are applied");
        timeout(Duration::from_secs(1), session)
            .await
            .expect("the session ends")
            .unwrap();

        // A scanner that keeps sending through the stop: a line still in the socket
        // (not yet read by the session) was not received, and gets no answer. Both
        // the stop and that line are ready when the session runs again; unless the
        // stop is checked first, `select!` picks at random and sometimes reads on,
        // so twenty rounds.
        for round in 1..=20 {
            let service = Service::new(Hub::new(64));
            let (stopper, stop) = stop_signal();
            let mut scanner = InMemoryScanner::open(&service, &stop, round);
            assert_eq!(scanner.ask("D 1").await, "D 1");
            scanner.0.send_line("D 2").await;
            stopper.stop();
            scanner.0.expect_closed().await;
            assert_eq!(
                service.moves_applied(),
                1,
                "round {round}: a line that arrived with the stop is not read (check the \
                 stop first)"
            );
        }

        // Then the whole service.
        let pki = TestPki::generate();
        let mut settings = Settings::new(loopback());
        settings.drain_deadline = Duration::from_millis(800);
        let service = Running::start(&pki, settings).await;
        let screen = Dashboard::open(service.addrs.dashboards, "subscribe *").await;
        let transcript = Transcript::new();
        let mut steady = service.scanner(&pki, "steady", &transcript).await;
        for n in 1..=10 {
            steady.send_line(&format!("A {n}")).await;
            steady.recv_line().await;
        }
        // A burst in one write: the service has it all once it answered the first.
        let mut burst = service.scanner(&pki, "burst", &Transcript::new()).await;
        let lines: String = (1..=50).map(|n| format!("B {n}\r\n")).collect();
        burst.send_raw(lines.as_bytes()).await;
        assert_eq!(burst.recv_line().await, "B 1");
        // Connected, but never starts its handshake: only the deadline ends it. (The
        // door takes connections in order: once the idle scanner after it is in, so
        // is this one.)
        let _stuck = TcpStream::connect(service.addrs.scanners).await.unwrap();
        let _idle = service.scanner(&pki, "idle", &Transcript::new()).await;

        let Running { addrs, stop, run, .. } = service;
        // The dashboard reads on: its closing handshake is part of the drain.
        let screen = tokio::spawn(async {
            let heard = screen.all_until_close().await;
            (heard, Instant::now())
        });
        let stopped_at = Instant::now();
        stop.send(()).unwrap();
        let mut draining = false;
        for _ in 0..1000 {
            match get_or_refused(addrs.api, "/ready").await {
                Some((503, body)) if body == "draining" => {
                    draining = true;
                    break;
                }
                Some(_) => tokio::task::yield_now().await,
                None => break,
            }
        }
        assert!(draining, "/ready answers 503 draining during the drain");
        let refused = TcpStream::connect(addrs.scanners).await.is_err();
        assert!(refused, "a new scanner is refused once the drain started");
        assert!(
            TcpStream::connect(addrs.dashboards).await.is_err(),
            "a new dashboard is refused"
        );
        // Every line of the burst was received: every one is answered.
        for n in 2..=50 {
            let total: i64 = (1..=n).sum();
            assert_eq!(
                burst.recv_line().await,
                format!("B {total}"),
                "the burst's line {n}"
            );
        }
        burst.expect_closed().await;
        steady.expect_closed().await;

        let report =
            timeout(Duration::from_secs(5), run).await.expect("the drain ends").unwrap();
        let took = stopped_at.elapsed();
        assert!(
            took >= Duration::from_millis(800),
            "the drain gives scanners its deadline, 800 ms: {took:?}"
        );
        assert!(took < Duration::from_secs(3), "and cuts them then: {took:?}");
        assert_eq!(report.moves, 60, "every acknowledged move, and no other");
        assert_eq!(
            report.scanners.cut, 1,
            "the scanner stuck before its handshake is cut at the deadline"
        );
        let ((seen, code), closed_at) = screen.await.unwrap();
        let after = closed_at - stopped_at;
        assert!(
            after >= Duration::from_millis(800),
            "the dashboards are closed only once the scanners are drained (the stuck one is \
             cut at 800 ms), or they miss the last totals: closed after {after:?}"
        );
        let finals = per_sku_totals(&seen);
        assert_eq!(finals["A"].last(), Some(&55), "the dashboard's final A");
        assert_eq!(
            finals["B"].last(),
            Some(&1275),
            "the dashboard's final B, after the drain"
        );
        assert_eq!(code, Some(1001), "then Close 1001 (going away)");
    });
}

#[test]
fn step_8_a_scanner_silent_for_the_idle_timeout_is_told_and_closed_one_that_talks_stays()
{
    test_kit::run_paused(|| async {
        let service = Service::new(Hub::new(64));
        let (_stopper, stop) = stop_signal();
        let idle = Duration::from_secs(30);
        let mut talker = InMemoryScanner::idling(&service, &stop, 1, idle);
        let mut silent = InMemoryScanner::idling(&service, &stop, 2, idle);
        let start = Instant::now();
        // The talker speaks every 20 s: each line starts its silence anew, so it
        // outlives a deadline counted from the connection's start.
        for n in 1..=4 {
            sleep_until(start + Duration::from_secs(20 * n)).await;
            assert_eq!(
                talker.ask("A 1").await,
                format!("A {n}"),
                "the talker at {}0 s",
                2 * n
            );
        }
        // The silent one was told at 30 s, and closed.
        assert_eq!(silent.0.recv_line().await, "ERR idle for 30 s, closing");
        silent.0.expect_closed().await;
        // Now the talker falls silent too: told 30 s after its last line (80 s).
        sleep_until(start + Duration::from_secs(109)).await;
        let told = talker.0.recv_line().await;
        assert_eq!(
            (told.as_str(), start.elapsed().as_secs()),
            ("ERR idle for 30 s, closing", 110),
            "the talker is told 30 s after its last line, at 110 s"
        );
        talker.0.expect_closed().await;
    });
}

// ---- helpers ----

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// The service, running in the background until [`Running::stop`].
struct Running {
    addrs: capstone::Addrs,
    stop: oneshot::Sender<()>,
    run: JoinHandle<Report>,
    /// The runtime of a threaded service.
    _threads: Threads,
}

/// A runtime of its own, shut down in the background when dropped (a step's runtime
/// cannot block on another's shutdown).
struct Threads(Option<tokio::runtime::Runtime>);

impl Drop for Threads {
    fn drop(&mut self) {
        if let Some(threads) = self.0.take() {
            threads.shutdown_background();
        }
    }
}

impl Running {
    async fn start(pki: &TestPki, settings: Settings) -> Running {
        let (server, stop, stopped) = Self::bind(pki, settings).await;
        let addrs = server.addrs();
        let run = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        Running { addrs, stop, run, _threads: Threads(None) }
    }

    async fn start_threaded(pki: &TestPki, settings: Settings) -> Running {
        let threads = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (server, stop, stopped) = {
            let _enter = threads.enter();
            Self::bind(pki, settings).await
        };
        let addrs = server.addrs();
        let run = threads.spawn(server.run(async move {
            let _ = stopped.await;
        }));
        Running { addrs, stop, run, _threads: Threads(Some(threads)) }
    }

    async fn bind(
        pki: &TestPki,
        settings: Settings,
    ) -> (Server, oneshot::Sender<()>, oneshot::Receiver<()>) {
        let tls = parts::tls::server_config(&pki.server, &pki.ca).unwrap();
        let server = Server::bind(settings, tls).await.unwrap();
        let (stop, stopped) = oneshot::channel();
        (server, stop, stopped)
    }

    /// A scanner with the CA-signed certificate, through its handshake.
    async fn scanner(
        &self,
        pki: &TestPki,
        name: &str,
        transcript: &Transcript,
    ) -> LineClient<tokio_rustls::client::TlsStream<TcpStream>> {
        let config = client_config(&pki.ca, Some(&pki.scanner)).unwrap();
        let tls = connect(self.addrs.scanners, config)
            .await
            .expect("a trusted scanner gets in");
        LineClient::over(tls, name, transcript)
    }

    async fn stop(self) -> Report {
        let _ = self.stop.send(());
        let report =
            timeout(Duration::from_secs(5), self.run).await.expect("the drain ends");
        report.expect("Server::run returns a report")
    }
}

/// `GET path` with `Connection: close`: the status and the body.
async fn get(api: SocketAddr, path: &str) -> (u16, String) {
    get_or_refused(api, path)
        .await
        .unwrap_or_else(|| panic!("the API at {api} refused GET {path}"))
}

async fn get_or_refused(api: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut tcp = TcpStream::connect(api).await.ok()?;
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.ok()?;
    let mut response = String::new();
    timeout(Duration::from_secs(5), tcp.read_to_string(&mut response))
        .await
        .ok()?
        .ok()?;
    let status = response.get(9..12)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}

/// A dashboard over a real WebSocket.
struct Dashboard(WebSocketStream<TcpStream>);

impl Dashboard {
    /// Connects, subscribes and waits for the first snapshot.
    async fn open(addr: SocketAddr, subscribe: &str) -> Dashboard {
        let mut ws = parts::dashboard::connect(addr).await.expect("a dashboard connects");
        ws.send(Message::text(subscribe)).await.unwrap();
        let first =
            timeout(Duration::from_secs(5), ws.next()).await.expect("a snapshot comes");
        assert!(
            matches!(&first, Some(Ok(Message::Text(t))) if t.starts_with("snapshot")),
            "{first:?}"
        );
        Dashboard(ws)
    }

    /// Every text until the server's Close, and that Close's code.
    async fn all_until_close(self) -> (Vec<String>, Option<u16>) {
        timeout(Duration::from_secs(10), Dashboard::drain(self.0))
            .await
            .expect("the dashboard is closed")
    }
}

/// A dashboard over an in-memory stream (for paused time), served by parts.
struct InMemoryDashboard(WebSocketStream<DuplexStream>);

impl InMemoryDashboard {
    async fn open(service: &Arc<Service>, subscribe: &str) -> InMemoryDashboard {
        let (client, server) = duplex(1 << 20);
        let limits = parts::dashboard::DashboardLimits::default();
        tokio::spawn(parts::dashboard::serve_dashboard(
            server,
            service.hub().clone(),
            limits,
        ));
        let (mut ws, _) =
            tokio_tungstenite::client_async("ws://dashboard/", client).await.unwrap();
        ws.send(Message::text(subscribe)).await.unwrap();
        let first = ws.next().await;
        assert!(
            matches!(&first, Some(Ok(Message::Text(t))) if t.starts_with("snapshot")),
            "{first:?}"
        );
        InMemoryDashboard(ws)
    }

    async fn all_until_close(self) -> Vec<String> {
        let (seen, code) = Dashboard::drain(self.0).await;
        assert_eq!(code, Some(1001), "the hub's close is a Close 1001 (going away)");
        seen
    }
}

impl Dashboard {
    async fn drain<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
        mut ws: WebSocketStream<S>,
    ) -> (Vec<String>, Option<u16>) {
        let mut seen = Vec::new();
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => seen.push(text.to_string()),
                Some(Ok(Message::Close(frame))) => {
                    // The hub's close sends a last snapshot, the final totals: it must
                    // agree with the totals pushed before it, and it is no move of its
                    // own, so it leaves the sequence the steps compare.
                    let last = seen.pop().unwrap_or_default();
                    assert!(
                        last.starts_with("snapshot"),
                        "the final snapshot comes just before Close, not {last:?}"
                    );
                    let before = per_sku_totals(&seen);
                    for (sku, finals) in per_sku_totals(std::slice::from_ref(&last)) {
                        let pushed = before.get(&sku).and_then(|t| t.last()).copied();
                        assert_eq!(
                            pushed.unwrap_or(0),
                            finals[0],
                            "the final snapshot's {sku} is the last total pushed ({last})"
                        );
                    }
                    return (seen, frame.map(|f| u16::from(f.code)));
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return (seen, None),
            }
        }
    }
}

/// A scanner over an in-memory stream (for paused time): the learner's session on
/// the other end.
struct InMemoryScanner(LineClient<DuplexStream>);

impl InMemoryScanner {
    fn open(service: &Arc<Service>, stop: &Stop, n: usize) -> InMemoryScanner {
        InMemoryScanner::idling(service, stop, n, Duration::from_secs(3600))
    }

    /// A scanner whose session closes it after `idle` of silence.
    fn idling(service: &Arc<Service>, stop: &Stop, n: usize, idle: Duration) -> Self {
        let (client, server) = duplex(1 << 16);
        tokio::spawn(serve_scanner(server, service.clone(), stop.clone(), idle));
        InMemoryScanner(LineClient::over(
            client,
            &format!("scanner-{n}"),
            &Transcript::new(),
        ))
    }

    async fn ask(&mut self, line: &str) -> String {
        self.0.send_line(line).await;
        self.0.recv_line().await
    }
}

/// Each SKU's totals in the order pushed (`total SKU=N`); a snapshot counts too.
fn per_sku_totals(seen: &[String]) -> HashMap<String, Vec<i64>> {
    let mut totals: HashMap<String, Vec<i64>> = HashMap::new();
    for message in seen {
        let mut words = message.split(' ');
        let pairs: Vec<&str> = match words.next() {
            Some("total") | Some("snapshot") => words.collect(),
            _ => continue,
        };
        for pair in pairs {
            let (sku, qty) = pair.split_once('=').unwrap();
            totals.entry(sku.to_owned()).or_default().push(qty.parse().unwrap());
        }
    }
    totals
}

/// The next alert on `dashboard` (skipping totals), and when, in seconds since
/// `start`.
async fn next_alert(dashboard: &mut Subscription, start: Instant) -> (String, f64) {
    loop {
        match dashboard.next().await {
            Some(push @ Push::Alert { .. }) => {
                return (push.to_string(), start.elapsed().as_secs_f64());
            }
            Some(_) => {}
            None => panic!("the hub closed"),
        }
    }
}
