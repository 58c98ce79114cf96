//! The demo service against a hostile room: what `cargo xtask demo 16-capstone`
//! must survive. Not a step of the exercise: the learner's crate has no demo.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use parts::tls::{Identity, client_config, connect};
use rustls::ClientConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use test_kit::DemoProcess;
use test_kit::process::DemoCommand;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

const DEMO: &str = env!("CARGO_BIN_EXE_sol16-capstone");
const PATIENCE: Duration = Duration::from_secs(5);

/// A running demo, its doors, and the PKI it wrote.
struct Demo {
    process: DemoProcess,
    scanners: SocketAddr,
    api: SocketAddr,
    dashboards: SocketAddr,
    pki: PathBuf,
}

impl Demo {
    fn start(command: DemoCommand) -> Demo {
        let mut process = command.spawn();
        let mut after = |prefix: &str| {
            let line = process.wait_for_output(prefix, PATIENCE);
            let line = line.unwrap_or_else(|| {
                panic!("no {prefix:?} line in:\n{}", process.output())
            });
            line.split(prefix).nth(1).unwrap().trim().to_owned()
        };
        let scanners = after("scanners listening on ").parse().unwrap();
        let api = after("api listening on http://").parse().unwrap();
        let dashboards = after("dashboards listening on ws://").parse().unwrap();
        let pki = PathBuf::from(after("pki in "));
        Demo { process, scanners, api, dashboards, pki }
    }

    /// A client configuration presenting `who`'s certificate (`scanner`, `intruder`).
    fn tls_as(&self, who: &str) -> Arc<ClientConfig> {
        let ca = CertificateDer::from_pem_file(self.pki.join("ca.pem")).unwrap();
        let cert =
            CertificateDer::from_pem_file(self.pki.join(format!("{who}.pem"))).unwrap();
        let key =
            PrivateKeyDer::from_pem_file(self.pki.join(format!("{who}.key"))).unwrap();
        let me = Identity {
            chain: vec![cert],
            key,
            cert_pem: String::new(),
            key_pem: String::new(),
        };
        client_config(&ca, Some(&me)).unwrap()
    }

    async fn scanner(&self) -> Lines {
        let tls = connect(self.scanners, self.tls_as("scanner"))
            .await
            .expect("a scanner gets in");
        Lines(tokio::io::BufReader::new(tls))
    }
}

/// A scanner's line conversation over TLS.
struct Lines(tokio::io::BufReader<tokio_rustls::client::TlsStream<TcpStream>>);

impl Lines {
    async fn ask(&mut self, line: &str) -> Option<String> {
        self.0.get_mut().write_all(format!("{line}\r\n").as_bytes()).await.ok()?;
        self.read().await
    }

    /// The next line, or `None` at the end of the connection.
    async fn read(&mut self) -> Option<String> {
        use tokio::io::AsyncBufReadExt;
        let mut line = String::new();
        match timeout(PATIENCE, self.0.read_line(&mut line))
            .await
            .expect("an answer or the end")
        {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim_end().to_owned()),
        }
    }
}

/// A raw HTTP exchange: the status line of the answer to `request`.
async fn http(api: SocketAddr, request: &[u8]) -> String {
    let mut tcp = TcpStream::connect(api).await.expect("the API");
    let _ = tcp.write_all(request).await;
    let mut answer = Vec::new();
    let _ = timeout(PATIENCE, tcp.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_owned()
}

async fn get(api: SocketAddr, path: &str) -> String {
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    http(api, request.as_bytes()).await
}

/// Whether the server closes `tcp` (EOF or reset) within the patience.
async fn closed(tcp: &mut TcpStream) -> bool {
    let mut buf = [0; 256];
    loop {
        match timeout(PATIENCE, tcp.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {}
            Err(_) => return false,
        }
    }
}

/// Garbage at every door (plaintext on the TLS port, bad lines, bad HTTP, a bad
/// WebSocket handshake and frame) is refused, and the next scanner is served.
#[tokio::test]
async fn garbage_at_every_door_is_refused_and_the_next_scanner_is_served() {
    let demo = Demo::start(DemoProcess::command(DEMO));
    let mut plain = TcpStream::connect(demo.scanners).await.unwrap();
    plain.write_all(b"WIDGET-1 5\r\n\x00\xff garbage\r\n").await.unwrap();
    assert!(closed(&mut plain).await, "plaintext on the scanners' port is closed");

    let mut scanner = demo.scanner().await;
    assert_eq!(
        scanner.ask("\u{fffd}\u{0} 1").await.as_deref().map(|a| a.starts_with("ERR")),
        Some(true)
    );
    let not_utf8 = scanner.0.get_mut().write_all(b"\xff\xfe 1\r\n").await;
    assert!(not_utf8.is_ok());
    assert_eq!(scanner.read().await.as_deref(), Some("ERR line is not UTF-8"));
    let flood = "x".repeat(5000);
    assert_eq!(
        scanner.ask(&flood).await.as_deref(),
        Some("ERR line too long (max 1024 bytes)")
    );
    assert_eq!(scanner.read().await, None, "then the connection closes");

    assert_eq!(
        http(demo.api, b"\x00\x01 garbage\r\n\r\n").await,
        "HTTP/1.1 400 Bad Request"
    );
    let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(20_000));
    assert_eq!(
        http(demo.api, huge.as_bytes()).await,
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    let post =
        b"POST /inventory HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n";
    assert_eq!(http(demo.api, post).await, "HTTP/1.1 405 Method Not Allowed");
    assert_eq!(get(demo.api, "/nope").await, "HTTP/1.1 404 Not Found");

    let mut not_ws = TcpStream::connect(demo.dashboards).await.unwrap();
    not_ws.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
    assert!(
        closed(&mut not_ws).await,
        "a request that is no WebSocket handshake is refused"
    );
    let mut ws = parts::dashboard::connect(demo.dashboards).await.unwrap();
    ws.send(Message::text("hello?")).await.unwrap();
    let answer = timeout(PATIENCE, ws.next()).await.unwrap();
    assert!(matches!(answer, Some(Ok(Message::Text(t))) if t.starts_with("error")));
    ws.send(Message::binary(vec![0; 16])).await.unwrap();
    let close = timeout(PATIENCE, ws.next()).await.unwrap();
    assert!(
        matches!(close, Some(Ok(Message::Close(Some(f)))) if u16::from(f.code) == 1003)
    );

    let mut next = demo.scanner().await;
    assert_eq!(next.ask("WIDGET-1 5").await.as_deref(), Some("WIDGET-1 5"));
    assert_eq!(get(demo.api, "/inventory/WIDGET-1").await, "HTTP/1.1 200 OK");
}

/// Beyond --max-scanners, a newcomer is told `ERR server busy` (after its
/// handshake: only then can it read anything) and closed; a stranger's certificate
/// is refused whatever the room.
#[tokio::test]
async fn a_scanner_beyond_the_cap_hears_server_busy() {
    let demo = Demo::start(DemoProcess::command(DEMO).arg("--max-scanners").arg("2"));
    let mut held = Vec::new();
    for n in 0..2 {
        let mut scanner = demo.scanner().await;
        assert_eq!(scanner.ask("A 1").await, Some(format!("A {}", n + 1)));
        held.push(scanner);
    }
    let mut third = demo.scanner().await;
    assert_eq!(third.read().await.as_deref(), Some("ERR server busy"));
    assert_eq!(third.read().await, None);
    if let Ok(mut tls) = connect(demo.scanners, demo.tls_as("intruder")).await {
        let mut rest = Vec::new();
        let _ = timeout(PATIENCE, tls.read_to_end(&mut rest)).await;
        assert!(rest.is_empty(), "the intruder hears nothing: {rest:?}");
    }
    drop(held);
}

/// Beyond --max-dashboards, a newcomer's WebSocket handshake is answered 503; the
/// dashboards inside the cap are served as before.
#[tokio::test]
async fn a_dashboard_beyond_the_cap_is_answered_503() {
    let demo = Demo::start(DemoProcess::command(DEMO).arg("--max-dashboards").arg("1"));
    let mut first = parts::dashboard::connect(demo.dashboards).await.unwrap();
    first.send(Message::text("subscribe *")).await.unwrap();
    assert!(matches!(
        timeout(PATIENCE, first.next()).await,
        Ok(Some(Ok(Message::Text(_))))
    ));
    let refused =
        parts::dashboard::connect(demo.dashboards).await.map(|_| ()).unwrap_err();
    assert!(refused.to_string().contains("503"), "{refused}");
    let mut scanner = demo.scanner().await;
    assert_eq!(scanner.ask("A 1").await.as_deref(), Some("A 1"));
    let pushed = timeout(PATIENCE, first.next()).await;
    assert!(
        matches!(&pushed, Ok(Some(Ok(Message::Text(t)))) if t.as_str() == "total A=1"),
        "{pushed:?}"
    );
}

/// A scanner silent for --idle-timeout is told so and closed; a connection that
/// never finishes its handshake is dropped after --handshake-timeout.
#[tokio::test]
async fn idle_scanners_and_stalled_handshakes_time_out() {
    let command = DemoProcess::command(DEMO)
        .arg("--idle-timeout")
        .arg("1")
        .arg("--handshake-timeout")
        .arg("1");
    let demo = Demo::start(command);
    let mut stalled = TcpStream::connect(demo.scanners).await.unwrap();
    let mut idle = demo.scanner().await;
    assert_eq!(idle.ask("A 1").await.as_deref(), Some("A 1"));
    assert_eq!(idle.read().await.as_deref(), Some("ERR idle for 1 s, closing"));
    assert_eq!(idle.read().await, None);
    assert!(closed(&mut stalled).await, "the stalled handshake is dropped");
}

/// Out of file descriptors, each door says it cannot accept and pauses instead of
/// spinning; once clients leave, the service serves again.
#[tokio::test]
async fn running_out_of_descriptors_pauses_accepting_and_the_service_lives_on() {
    let mut demo = Demo::start(DemoProcess::command(DEMO).max_open_files(48));
    let mut held = Vec::new();
    for _ in 0..64 {
        match TcpStream::connect(demo.api).await {
            Ok(tcp) => held.push(tcp),
            Err(_) => break,
        }
        if demo
            .process
            .wait_for_output("cannot accept", Duration::from_millis(20))
            .is_some()
        {
            break;
        }
    }
    let said = demo.process.wait_for_output("cannot accept", PATIENCE);
    assert!(said.is_some(), "no complaint about accept:\n{}", demo.process.output());
    drop(held);
    let mut served = false;
    for _ in 0..50 {
        if get(demo.api, "/live").await == "HTTP/1.1 200 OK" {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served, "the API serves again:\n{}", demo.process.output());
    assert!(demo.process.exited().is_none(), "the service lives on");
}

/// A terminal paused with Ctrl-S never stalls the service: it prints nothing while
/// it serves. (Only the first line is read: the PKI goes where the test says.)
#[tokio::test]
async fn a_stalled_stdout_does_not_stall_serving() {
    let pki = std::env::temp_dir()
        .join(format!("untwisted-capstone-test-{}", std::process::id()));
    let command =
        DemoProcess::command(DEMO).stall_stdout().arg("--pki").arg(pki.to_str().unwrap());
    let process =
        command.arg("--reorder").arg("A=1000").arg("--reorder-every").arg("0.01").spawn();
    let demo = Demo {
        scanners: process.addr(),
        api: process.addr(),
        dashboards: process.addr(),
        pki,
        process,
    };
    let mut scanner = demo.scanner().await;
    for n in 1..=200 {
        assert_eq!(scanner.ask("A 1").await, Some(format!("A {n}")));
    }
    let _ = std::fs::remove_dir_all(&demo.pki);
}

/// SIGTERM: /ready says draining, the dashboards get the final totals then Close
/// 1001, the demo exits 0, and its last line counts every move.
#[tokio::test]
#[cfg(unix)]
async fn sigterm_drains_final_totals_then_1001_and_the_last_line_counts_the_moves() {
    let mut demo = Demo::start(DemoProcess::command(DEMO).arg("--drain-secs").arg("1"));
    let mut ws = parts::dashboard::connect(demo.dashboards).await.unwrap();
    ws.send(Message::text("subscribe WIDGET-1")).await.unwrap();
    let snapshot = timeout(PATIENCE, ws.next()).await.unwrap();
    assert!(matches!(snapshot, Some(Ok(Message::Text(t))) if t == "snapshot WIDGET-1=0"));
    let mut scanner = demo.scanner().await;
    for n in 1..=3 {
        assert_eq!(scanner.ask("WIDGET-1 2").await, Some(format!("WIDGET-1 {}", 2 * n)));
    }
    // SAFETY: kill(2) with the pid of our own child; no memory is involved.
    assert_eq!(unsafe { libc::kill(demo.process.id() as libc::pid_t, libc::SIGTERM) }, 0);
    let mut seen = Vec::new();
    let code = loop {
        match timeout(PATIENCE, ws.next()).await.expect("the dashboard hears the drain") {
            Some(Ok(Message::Text(text))) => seen.push(text.to_string()),
            Some(Ok(Message::Close(frame))) => break frame.map(|f| u16::from(f.code)),
            other => panic!("{other:?} after {seen:?}"),
        }
    };
    // Every total on its way, then the final snapshot (the contract's "final totals").
    assert_eq!(
        seen,
        [
            "total WIDGET-1=2",
            "total WIDGET-1=4",
            "total WIDGET-1=6",
            "snapshot WIDGET-1=6"
        ]
    );
    assert_eq!(code, Some(1001));
    assert_eq!(scanner.read().await, None, "the scanner's connection is closed");
    let status = demo.process.wait_for_exit(PATIENCE);
    assert_eq!(status.and_then(|s| s.code()), Some(0), "{}", demo.process.output());
    let last = demo.process.wait_for_output("drained:", PATIENCE);
    assert_eq!(last.as_deref(), Some("drained: 3 moves applied"));
}
