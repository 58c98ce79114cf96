//! The demo of the capstone: the whole inventory service, for the room to watch.
//!
//! `cargo xtask demo 16-capstone` runs `cargo run -p sol16-capstone -- [--listen ADDR]
//! [--script] [--reorder SKU=N]…` (`--help` lists every flag). It writes a fresh test
//! PKI, prints where each door listens, and serves until SIGTERM or Ctrl-C, then
//! drains. With `--script`, three scripted scanners and a dashboard play against it
//! (their transcript is printed), then a fleet of scanners keeps moving stock every
//! half second for `--fleet-secs` so the room watches the page, and the service
//! drains itself and exits.
//! The service's outside contract: book/src/capstone/ (CAPSTONE-CONTRACT).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use parts::feed::LineCodec;
use parts::tls::{TestPki, client_config, connect};
use sol16_capstone::settings::{Settings, parse_threshold};
use sol16_capstone::{Addrs, Server};
use test_kit::{DemoArgs, LineClient, Transcript};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::codec::Framed;

/// The capstone's real-time inventory service: TLS scanners (client certificates
/// required), a JSON API with the dashboard page, WebSocket dashboards, a reorder
/// job and a graceful drain on SIGTERM/SIGINT. It always generates its PKI.
#[derive(Parser)]
#[command(long_about = None)]
struct Cli {
    #[command(flatten)]
    demo: DemoArgs,
    /// Where to write the test PKI made at start (ca.pem, server.pem/.key,
    /// scanner.pem/.key, intruder.pem/.key); a fresh temporary directory by default.
    #[arg(long, value_name = "DIR")]
    pki: Option<PathBuf>,
    /// A reorder threshold (repeatable): an alert when SKU's total falls below N.
    #[arg(long, value_name = "SKU=N", value_parser = parse_threshold)]
    reorder: Vec<(String, i64)>,
    /// How often the reorder job runs, in seconds (fractions allowed).
    #[arg(long, value_name = "SECS", default_value_t = 5.0,
          value_parser = positive_secs)]
    reorder_every: f64,
    /// How long a drain waits for scanners, in seconds, before cutting them.
    #[arg(long, value_name = "SECS", default_value_t = 10.0,
          value_parser = positive_secs)]
    drain_secs: f64,
    /// Serve at most N scanners at once; the next is told `ERR server busy`.
    #[arg(long, value_name = "N", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..))]
    max_scanners: u32,
    /// Serve at most N dashboards at once; the next is closed.
    #[arg(long, value_name = "N", default_value_t = 2048,
          value_parser = clap::value_parser!(u32).range(1..))]
    max_dashboards: u32,
    /// Close a scanner silent for SECS seconds (after telling it so).
    #[arg(long, value_name = "SECS", default_value_t = 120,
          value_parser = clap::value_parser!(u64).range(1..))]
    idle_timeout: u64,
    /// With --script: how long the fleet scans after the transcript, for the room
    /// to watch the page, before the service drains itself and exits.
    #[arg(long, value_name = "SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(0..=3600))]
    fleet_secs: u64,
    /// Drop a scanner whose TLS handshake takes more than SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..))]
    handshake_timeout: u64,
}

fn positive_secs(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= 86_400.0 => Ok(secs),
        _ => Err(format!("{text:?} is not a number of seconds in (0, 86400]")),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let pki_dir = cli.pki.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("untwisted-capstone-{}", std::process::id()))
    });
    let pki = TestPki::generate();
    if let Err(err) = pki.write_to(&pki_dir) {
        eprintln!("sol16-capstone: cannot write the PKI to {}: {err}", pki_dir.display());
        return ExitCode::FAILURE;
    }
    let mut settings = Settings::new(cli.demo.listen);
    settings.thresholds = cli.reorder.iter().cloned().collect();
    if cli.demo.script && settings.thresholds.is_empty() {
        // The script shows an alert: it needs a threshold to cross.
        settings.thresholds.insert("WIDGET-1".into(), 10);
    }
    settings.reorder_every = Duration::from_secs_f64(cli.reorder_every);
    settings.drain_deadline = Duration::from_secs_f64(cli.drain_secs);
    settings.max_scanners = cli.max_scanners as usize;
    settings.max_dashboards = cli.max_dashboards as usize;
    settings.idle_timeout = Duration::from_secs(cli.idle_timeout);
    settings.handshake_timeout = Duration::from_secs(cli.handshake_timeout);
    let tls = parts::tls::server_config(&pki.server, &pki.ca).expect("the PKI just made");
    let listen = settings.listen;
    let server = match Server::bind(settings, tls).await {
        Ok(server) => server,
        Err(err) => {
            eprintln!("sol16-capstone: cannot listen on {listen}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let addrs = server.addrs();
    // Before anyone can know we listen: a SIGTERM from now on drains.
    let terminated = parts::drain::terminated();
    println!("scanners listening on {}", addrs.scanners);
    println!("api listening on http://{}", addrs.api);
    println!("dashboards listening on ws://{}", addrs.dashboards);
    println!("pki in {}", pki_dir.display());
    println!("{}", how_to_talk(&addrs, &pki_dir));
    let (script_done, done) = tokio::sync::oneshot::channel::<()>();
    let stop = async {
        tokio::select! {
            () = terminated => {}
            Ok(()) = done => {}
        }
    };
    let run = tokio::spawn(server.run(stop));
    if cli.demo.script {
        let every = Duration::from_secs_f64(cli.reorder_every);
        script(&addrs, &pki, every).await;
        let fleet_time = Duration::from_secs(cli.fleet_secs);
        println!(
            "a fleet of four scanners moves stock every half second for {} s: watch \
             http://{}/ (then the service drains itself)",
            fleet_time.as_secs(),
            addrs.api
        );
        let _ = tokio::time::timeout(fleet_time, fleet(addrs.scanners, pki)).await;
        let _ = script_done.send(());
    }
    let report = run.await.expect("the service's run");
    println!("drained: {} moves applied", report.moves);
    // The PKI was made for this run only.
    if cli.pki.is_none() {
        let _ = std::fs::remove_dir_all(&pki_dir);
    }
    ExitCode::SUCCESS
}

/// How the room talks to the service with real clients.
fn how_to_talk(addrs: &Addrs, pki: &Path) -> String {
    let (pki, scanners) = (pki.display(), addrs.scanners);
    format!(
        "open http://{api}/ in a browser for the live dashboard, then scan:\n  \
         openssl s_client -quiet -connect {scanners} -CAfile {pki}/ca.pem \
         -cert {pki}/scanner.pem -key {pki}/scanner.key\n  \
         (type `WIDGET-1 5`; with {pki}/intruder.pem the handshake is refused)\n  \
         curl http://{api}/inventory   curl http://{api}/alerts\n  \
         curl http://{api}/ready\n\
         SIGTERM or Ctrl-C drains: final totals to the dashboards, then exit.",
        api = addrs.api,
    )
}

/// Three scanners, one dashboard and the API, one after the other so the room can
/// follow; then the transcript.
async fn script(addrs: &Addrs, pki: &TestPki, every: Duration) {
    let transcript = Transcript::new();
    let mut dashboard =
        parts::dashboard::connect(addrs.dashboards).await.expect("dashboard");
    let _ = dashboard.send(Message::text("subscribe *")).await;
    transcript.sent("dashboard", "subscribe *");
    record_push(&mut dashboard, &transcript, Duration::from_secs(2)).await;
    let mut scanners = Vec::new();
    for name in ["dock-1", "dock-2", "shelf-3"] {
        let config = client_config(&pki.ca, Some(&pki.scanner)).expect("config");
        let tls = connect(addrs.scanners, config).await.expect("a trusted scanner");
        scanners.push(LineClient::over(tls, name, &transcript));
    }
    let moves =
        [(0, "WIDGET-1 40"), (1, "GADGET 12"), (2, "WIDGET-1 -25"), (0, "GADGET -3")];
    for (n, line) in moves.into_iter().chain([(1, "WIDGET-1 -20"), (2, "WIDGET-1 five")])
    {
        scanners[n].send_line(line).await;
        let answer = scanners[n].recv_line().await;
        if !answer.starts_with("ERR") {
            record_push(&mut dashboard, &transcript, Duration::from_secs(2)).await;
        }
        if line == "WIDGET-1 40" {
            // Let the reorder job see WIDGET-1 above its threshold (re-armed).
            transcript.event("script", "waits one reorder period");
            tokio::time::sleep(every).await;
        }
    }
    // WIDGET-1 is at -5 now: the next check raises the alert.
    record_push(&mut dashboard, &transcript, every + Duration::from_secs(1)).await;
    let config = client_config(&pki.ca, Some(&pki.intruder)).expect("config");
    let refused = match connect(addrs.scanners, config).await {
        Ok(mut tls) => {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let _ = tls.write_all(b"WIDGET-1 1000\r\n").await;
            let mut rest = Vec::new();
            let _ = tls.read_to_end(&mut rest).await;
            rest.is_empty()
        }
        Err(_) => true,
    };
    transcript
        .event("intruder", if refused { "handshake refused" } else { "ANSWERED?!" });
    for path in ["/inventory", "/alerts"] {
        let body = get(addrs.api, path).await;
        transcript.event("api", &format!("GET {path} -> {body}"));
    }
    println!("\n{transcript}");
}

/// Waits (at most `patience`) for the dashboard's next push and records it.
async fn record_push<S>(
    ws: &mut tokio_tungstenite::WebSocketStream<S>,
    transcript: &Transcript,
    patience: Duration,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let next = tokio::time::timeout(patience, ws.next()).await;
    if let Ok(Some(Ok(Message::Text(text)))) = next {
        transcript.received("dashboard", &text);
    }
}

/// A body from the API (Connection: close).
async fn get(api: SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut tcp) = tokio::net::TcpStream::connect(api).await else {
        return "(refused)".into();
    };
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let _ = tcp.write_all(request.as_bytes()).await;
    let mut response = String::new();
    let _ = tcp.read_to_string(&mut response).await;
    response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default()
}

/// Four scanners moving stock up and down until the drain closes them, so totals
/// tick and WIDGET-1 keeps crossing its threshold on the page.
async fn fleet(scanners: SocketAddr, pki: TestPki) {
    let mut fleet = Vec::new();
    for _ in 0..4 {
        let config = client_config(&pki.ca, Some(&pki.scanner)).expect("config");
        let Ok(tls) = connect(scanners, config).await else { return };
        fleet.push(Framed::new(tls, LineCodec::default()));
    }
    let pattern =
        ["WIDGET-1 20", "GADGET 2", "GIZMO 5", "WIDGET-1 -20", "GADGET -1", "GIZMO -4"];
    let mut ticker = tokio::time::interval(Duration::from_millis(500));
    for step in 0.. {
        ticker.tick().await;
        let scanner = &mut fleet[step % 4];
        if scanner.send(pattern[step % pattern.len()]).await.is_err() {
            return;
        }
        // An answer, or the end: the drain closed the connection.
        if !matches!(scanner.next().await, Some(Ok(_))) {
            return;
        }
    }
}
