//! `capstone`: the 16-capstone inventory service under a warehouse's load, the Rust
//! solution's demo binary and then the chapter's Twisted service (both speak
//! CAPSTONE-CONTRACT.md). N scanners over TLS with the client certificate the service
//! made, each moving a SKU of its own by +1 in a closed loop, and M dashboards over
//! WebSocket, each following [`FOLLOW`] SKUs. Every move is positive and its SKU has one
//! scanner, so (SKU, total) names one move: a dashboard's `total SKU=N` frame is matched
//! to the instant its scanner sent it. At the end the totals are reconciled exactly: the
//! API's, the sum of acknowledged moves, every dashboard's last, and the drain's count.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use sol09_tls::rustls::pki_types::pem::PemObject;
use sol09_tls::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use sol09_tls::rustls::{ClientConfig, RootCertStore};
use sol09_tls::tokio_rustls::TlsConnector;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, watch};
use tokio_tungstenite::tungstenite::Message;

use crate::procstat;
use crate::report::{latency, percentile, thousands};

/// SKUs each dashboard follows: every move reaches about `FOLLOW × M / N` dashboards.
const FOLLOW: usize = 10;
/// Sent instants kept per SKU: a frame for an older move than this finds none.
const RING: usize = 64;
/// At most this many connections being set up at once (the listen backlog).
const CONNECTS_IN_FLIGHT: usize = 128;
/// Setting up every connection, or the dashboards catching up, may take this long.
const PHASE_LIMIT: Duration = Duration::from_secs(120);
/// The drain deadline given to the service, and the margin on top for it to exit.
const DRAIN_SECS: u64 = 5;

/// The Rust solution's demo binary: `cargo xtask bench capstone` builds it beside this
/// program.
const RUST_BINARY: &str = "sol16-capstone";
/// The chapter's Twisted service.
const TWISTED_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../book/src/capstone/twisted/inventory.py");

/// What `capstone` was asked to do.
pub struct Options {
    scanners: usize,
    dashboards: usize,
    duration: Duration,
    servers: Vec<&'static str>,
    python: Option<PathBuf>,
    binary: Option<PathBuf>,
    client_threads: usize,
    pin: Option<crate::args::Pinning>,
    /// With `--pace`: each scanner sends one move per period (an offered load the
    /// same for every server) instead of the next as soon as the last is answered.
    pace: Option<Duration>,
}

/// Parses `capstone`'s options; `Ok(None)` for `--help`.
pub fn parse(args: &[String]) -> Result<Option<Options>, String> {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut options = Options {
        scanners: 1_000,
        dashboards: 1_000,
        duration: Duration::from_secs(30),
        servers: Vec::new(),
        python: None,
        binary: None,
        client_threads: 0,
        pin: None,
        pace: None,
    };
    let mut pin = cfg!(target_os = "linux") && cpus >= 2;
    let count = |flag: &str, value: &str| -> Result<usize, String> {
        match value.replace('_', "").parse() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{flag} takes a count above 0, not {value:?}")),
        }
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().map(String::as_str).ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--scanners" => options.scanners = count(flag, value()?)?,
            "--dashboards" => options.dashboards = count(flag, value()?)?,
            "--secs" | "--duration" => {
                let secs: f64 = value()?.parse().map_err(|_| "--secs takes seconds, e.g. 30 or 0.5")?;
                if !(secs > 0.0 && secs < 3600.0) {
                    return Err("--secs must be between 0 and 3600".into());
                }
                options.duration = Duration::from_secs_f64(secs);
            }
            "--pace" => {
                let secs: f64 = value()?.parse().map_err(|_| "--pace takes seconds, e.g. 0.5")?;
                if !(secs > 0.0 && secs <= 60.0) {
                    return Err("--pace must be between 0 and 60 seconds".into());
                }
                options.pace = Some(Duration::from_secs_f64(secs));
            }
            "--servers" => {
                options.servers = value()?
                    .split(',')
                    .map(|s| match s.trim() {
                        "rust" => Ok("rust"),
                        "twisted" => Ok("twisted"),
                        other => Err(format!("unknown server {other:?} (rust, twisted)")),
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--python" => options.python = Some(PathBuf::from(value()?)),
            "--binary" => options.binary = Some(PathBuf::from(value()?)),
            "--client-threads" => options.client_threads = count(flag, value()?)?,
            "--no-pin" => pin = false,
            "--pin" => pin = true,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    (options.pin, options.client_threads) = crate::args::placement(pin, cpus, options.client_threads);
    if options.servers.is_empty() {
        options.servers = if options.python.is_some() { vec!["rust", "twisted"] } else { vec!["rust"] };
    }
    if options.servers.contains(&"twisted") && options.python.is_none() {
        return Err("the twisted server needs --python PATH (`cargo xtask bench capstone` passes one)".into());
    }
    Ok(Some(options))
}

/// What one run found.
struct Outcome {
    /// Moves acknowledged within the window.
    moves: u64,
    window: Duration,
    /// Scanner send to dashboard `total` frame, per delivery, sorted, in µs.
    latencies_us: Vec<u32>,
    peak_rss_kib: Option<u64>,
    server_cpu: Option<f64>,
    /// "yes", or what disagreed.
    reconciled: String,
    /// Connections that failed or broke, answers that were wrong.
    errors: usize,
}

/// Runs the benchmark and prints its table.
pub fn run(options: &Options) -> ExitCode {
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; run with --release for meaningful numbers");
    }
    let wanted = (options.scanners + options.dashboards) as u64;
    if let Some(limit) = procstat::raise_nofile(wanted + 256).filter(|&l| l < wanted + 64) {
        eprintln!("the open-file limit is {limit}, too low for {wanted} connections (try `ulimit -n 20000`)");
        return ExitCode::FAILURE;
    }
    println!();
    println!(
        "| server | scanners | dashboards | moves/s | p50 latency | p99 latency | peak RSS | server CPU | reconciled | errors |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    for &server in &options.servers {
        let label = match server {
            "rust" => "16-capstone (Rust demo)",
            _ => "Twisted (inventory.py)",
        };
        eprintln!("  {label}: {} scanners, {} dashboards ...", options.scanners, options.dashboards);
        match measure(server, options) {
            Ok(o) => println!(
                "| {label} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                thousands(options.scanners as f64),
                thousands(options.dashboards as f64),
                thousands(o.moves as f64 / o.window.as_secs_f64()),
                latency(percentile(&o.latencies_us, 0.50)),
                latency(percentile(&o.latencies_us, 0.99)),
                o.peak_rss_kib.map_or("n/a".into(), |kib| format!("{:.1} MiB", kib as f64 / 1024.0)),
                o.server_cpu.map_or("n/a".into(), |c| format!("{:.0}%", c * 100.0)),
                o.reconciled,
                o.errors,
            ),
            Err(e) => println!("| {label} | {} | {} | failed: {e} | | | | | | |", options.scanners, options.dashboards),
        }
    }
    println!();
    println!(
        "Each scanner {} (its own SKU, a client certificate signed by the \
         service's CA) for {:.1} s; each dashboard followed {FOLLOW} SKUs. Latency: from a scanner's send to a \
         dashboard's `total SKU-i=N` frame for that move, every delivery counted. Reconciled: after the window, the \
         API's totals, the acknowledged moves per SKU, every dashboard's last totals and the drain's `drained: N` \
         all agree. Server CPU: its CPU time over the window (100% = one core).",
        match options.pace {
            Some(pace) => format!("sent one move `SKU-i 1` every {:.3} s over TLS", pace.as_secs_f64()),
            None => "kept one move `SKU-i 1` in flight over TLS".to_owned(),
        },
        options.duration.as_secs_f64()
    );
    match &options.pin {
        Some((server, clients)) => println!(
            "Each server was pinned to CPU {server:?}, the load generator ({} thread(s)) to CPUs {clients:?}.",
            options.client_threads
        ),
        None => println!("Server and load generator ({} thread(s)) shared all CPUs.", options.client_threads),
    }
    ExitCode::SUCCESS
}

/// One run: a fresh service with a fresh PKI, loaded, reconciled, drained.
fn measure(server: &str, options: &Options) -> Result<Outcome, String> {
    let pki = std::env::temp_dir().join(format!("untwisted-bench-capstone-{}-{server}", std::process::id()));
    let _ = std::fs::remove_dir_all(&pki);
    let mut command = match server {
        "twisted" => {
            let python = options.python.as_ref().ok_or("the twisted server needs --python")?;
            let mut command = Command::new(python);
            command.arg(TWISTED_SCRIPT).env("PYTHONDONTWRITEBYTECODE", "1").env("PYTHONUNBUFFERED", "1");
            command
        }
        _ => Command::new(rust_binary(options)?),
    };
    command.args(["--listen", "127.0.0.1:0", "--pki"]).arg(&pki);
    command.args(["--drain-secs", &DRAIN_SECS.to_string()]);
    let service = Service::start(command, options.pin.as_ref().map(|(server, _)| server.as_slice()))?;
    let cpus = options.pin.as_ref().map(|(_, clients)| clients.clone()).unwrap_or_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.client_threads)
        .on_thread_start(move || {
            if !cpus.is_empty() {
                procstat::pin(0, &cpus);
            }
        })
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let outcome = runtime.block_on(load(&service, options));
    runtime.shutdown_timeout(Duration::from_secs(1));
    let _ = std::fs::remove_dir_all(&pki);
    let mut outcome = outcome?;
    // The drain: its count must be every acknowledged move (the load's moves are all
    // the moves there were).
    match service.drain() {
        Ok(drained) if drained == outcome.moves => {}
        Ok(drained) => outcome.reconciled = format!("no: drained {drained}, acknowledged {}", outcome.moves),
        Err(e) => outcome.reconciled = format!("no: {e}"),
    }
    Ok(outcome)
}

/// `--binary`, or the Rust service built beside this program.
fn rust_binary(options: &Options) -> Result<PathBuf, String> {
    if let Some(binary) = &options.binary {
        return Ok(binary.clone());
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let binary = exe.with_file_name(format!("{RUST_BINARY}{}", std::env::consts::EXE_SUFFIX));
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!("no {} (build it: cargo build --release -p {RUST_BINARY}, or pass --binary)", binary.display()))
    }
}

/// The service in a child process, killed when dropped.
struct Service {
    child: Child,
    stdout: mpsc::Receiver<String>,
    scanners: SocketAddr,
    api: SocketAddr,
    dashboards: SocketAddr,
    pki: PathBuf,
}

impl Service {
    /// Starts `command`, pinned to `cpus`, and reads the contract's four lines.
    fn start(mut command: Command, cpus: Option<&[usize]>) -> Result<Service, String> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {command:?}: {e}"))?;
        if let Some(cpus) = cpus {
            procstat::pin(child.id(), cpus);
        }
        let (tx, stdout) = mpsc::channel();
        let out = child.stdout.take().expect("piped");
        std::thread::spawn(move || BufReader::new(out).lines().map_while(Result::ok).try_for_each(|l| tx.send(l)));
        let said: Vec<String> = (0..4).map_while(|_| stdout.recv_timeout(Duration::from_secs(60)).ok()).collect();
        let addr = |i: usize, prefix: &str| -> Option<SocketAddr> {
            let rest = said.get(i)?.strip_prefix(prefix)?;
            rest.trim_start_matches("http://").trim_start_matches("ws://").trim_end_matches('/').parse().ok()
        };
        let found = (|| {
            let pki = PathBuf::from(said.get(3)?.strip_prefix("pki in ")?);
            Some((
                addr(0, "scanners listening on ")?,
                addr(1, "api listening on ")?,
                addr(2, "dashboards listening on ")?,
                pki,
            ))
        })();
        match found {
            Some((scanners, api, dashboards, pki)) => Ok(Service { child, stdout, scanners, api, dashboards, pki }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("the service did not print the contract's four lines: {said:?}"))
            }
        }
    }

    /// SIGTERM, then the `drained: N moves applied` line's N.
    fn drain(mut self) -> Result<u64, String> {
        #[cfg(unix)]
        // SAFETY: kill only sends a signal to our own child.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let give_up = Instant::now() + Duration::from_secs(DRAIN_SECS + 10);
        let mut last = String::new();
        loop {
            match self.stdout.recv_timeout(give_up.saturating_duration_since(Instant::now())) {
                Ok(line) => last = line,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => return Err("no exit after SIGTERM".into()),
            }
        }
        let status = self.child.wait().map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("exit {status} after SIGTERM"));
        }
        last.strip_prefix("drained: ")
            .and_then(|rest| rest.strip_suffix(" moves applied")?.parse().ok())
            .ok_or_else(|| format!("the last line was {last:?}, not `drained: N moves applied`"))
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the scanners and dashboards share.
struct Shared {
    /// When the run began; sent instants are nanoseconds after it.
    epoch: Instant,
    /// Per SKU: the total its scanner's last move asked for.
    totals: Vec<AtomicI64>,
    /// Per SKU, [`RING`] slots: when the move making total `t` was sent, at `t % RING`.
    sent_ns: Vec<AtomicU64>,
    /// Per dashboard, per followed SKU: the last total it was shown.
    shown: Vec<AtomicI64>,
    /// Set up (connected and subscribed), failed, or broke later.
    ready: AtomicUsize,
    errors: AtomicUsize,
    /// Every delivery's latency, in µs (appended by each dashboard at the end).
    latencies_us: Mutex<Vec<u32>>,
    connect_slots: Semaphore,
}

fn sku(i: usize) -> String {
    format!("SKU-{i:05}")
}

/// The load: set up, run for the window, stop the scanners, reconcile.
async fn load(service: &Service, options: &Options) -> Result<Outcome, String> {
    let (n, m) = (options.scanners, options.dashboards);
    let shared = Arc::new(Shared {
        epoch: Instant::now(),
        totals: (0..n).map(|_| AtomicI64::new(0)).collect(),
        sent_ns: (0..n * RING).map(|_| AtomicU64::new(0)).collect(),
        shown: (0..m * FOLLOW).map(|_| AtomicI64::new(0)).collect(),
        ready: AtomicUsize::new(0),
        errors: AtomicUsize::new(0),
        latencies_us: Mutex::new(Vec::new()),
        connect_slots: Semaphore::new(CONNECTS_IN_FLIGHT),
    });
    let tls = scanner_tls(&service.pki)?;
    let (go_tx, go) = watch::channel(false);
    let stop = Arc::new(AtomicBool::new(false));
    let (finish_tx, finish) = watch::channel(false);

    let dashboards: Vec<_> = (0..m)
        .map(|j| tokio::spawn(dashboard(j, n, service.dashboards, Arc::clone(&shared), finish.clone())))
        .collect();
    let scanners: Vec<_> = (0..n)
        .map(|i| {
            let (tls, shared, go, stop) = (tls.clone(), Arc::clone(&shared), go.clone(), Arc::clone(&stop));
            // Paced scanners start spread over one period, not all at once.
            let pace = options.pace.map(|pace| (pace, pace.mul_f64(i as f64 / n as f64)));
            tokio::spawn(scanner(i, service.scanners, tls, shared, go, stop, pace))
        })
        .collect();

    // Every connection set up (or failed) before the window opens.
    let setup = Instant::now();
    while shared.ready.load(Ordering::Acquire) + shared.errors.load(Ordering::Acquire) < n + m {
        if setup.elapsed() > PHASE_LIMIT {
            return Err(format!("only {} of {} connections set up", shared.ready.load(Ordering::Acquire), n + m));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pid = service.child.id();
    let cpu_before = procstat::cpu_time(pid);
    let start = Instant::now();
    let _ = go_tx.send(true);
    tokio::time::sleep(options.duration).await;
    stop.store(true, Ordering::Release);
    let mut acked = vec![0i64; n];
    let mut moves = 0;
    for (i, scanner) in scanners.into_iter().enumerate() {
        acked[i] = scanner.await.unwrap_or(0);
        moves += acked[i] as u64;
    }
    let window = start.elapsed();
    let server_cpu = cpu_before.zip(procstat::cpu_time(pid)).map(|(b, a)| (a - b).as_secs_f64() / window.as_secs_f64());

    // Reconcile: the API, the acknowledged moves, and (once they caught up) every
    // dashboard's last totals.
    let mut problems = Vec::new();
    let api = api_totals(service.api).await?;
    let wrong_api = (0..n).filter(|&i| api.get(&sku(i)).copied().unwrap_or(0) != acked[i]).count();
    if wrong_api > 0 || api.len() > n {
        problems.push(format!("API differs on {wrong_api} SKUs"));
    }
    let lagging = || {
        (0..m * FOLLOW)
            .filter(|&k| k % FOLLOW < follow(n))
            .filter(|&k| shared.shown[k].load(Ordering::Acquire) != acked[followed(k / FOLLOW, k % FOLLOW, n)])
            .count()
    };
    let caught_up = Instant::now();
    while lagging() > 0 && caught_up.elapsed() < PHASE_LIMIT {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if lagging() > 0 {
        problems.push(format!("{} dashboard totals never caught up", lagging()));
    }
    let _ = finish_tx.send(true);
    for dashboard in dashboards {
        let _ = dashboard.await;
    }
    let peak_rss_kib = procstat::status(pid).peak_rss_kib;
    let mut latencies_us = std::mem::take(&mut *shared.latencies_us.lock().expect("not poisoned"));
    latencies_us.sort_unstable();
    Ok(Outcome {
        moves,
        window,
        latencies_us,
        peak_rss_kib,
        server_cpu,
        reconciled: if problems.is_empty() { "yes".into() } else { format!("no: {}", problems.join("; ")) },
        errors: shared.errors.load(Ordering::Acquire),
    })
}

/// How many SKUs each dashboard follows when there are `n`: [`FOLLOW`], or all of them.
fn follow(n: usize) -> usize {
    FOLLOW.min(n)
}

/// The `f`th SKU dashboard `j` follows, of `n` (consecutive ones: all different).
fn followed(j: usize, f: usize, n: usize) -> usize {
    (j * FOLLOW + f) % n
}

/// A client configuration trusting the service's CA and presenting scanner.pem.
fn scanner_tls(pki: &Path) -> Result<TlsConnector, String> {
    let read = |name: &str| pki.join(name);
    let ca = CertificateDer::from_pem_file(read("ca.pem")).map_err(|e| format!("ca.pem: {e}"))?;
    let cert = CertificateDer::from_pem_file(read("scanner.pem")).map_err(|e| format!("scanner.pem: {e}"))?;
    let key = PrivateKeyDer::from_pem_file(read("scanner.key")).map_err(|e| format!("scanner.key: {e}"))?;
    let mut roots = RootCertStore::empty();
    roots.add(ca).map_err(|e| e.to_string())?;
    let config = ClientConfig::builder_with_provider(sol09_tls::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_client_auth_cert(vec![cert], key)
        .map_err(|e| e.to_string())?;
    Ok(TlsConnector::from(Arc::new(config)))
}

/// Scanner `i`: connects, waits for the window, then moves its SKU by +1 again and
/// again until told to stop; returns the moves acknowledged.
async fn scanner(
    i: usize,
    addr: SocketAddr,
    tls: TlsConnector,
    shared: Arc<Shared>,
    mut go: watch::Receiver<bool>,
    stop: Arc<AtomicBool>,
    pace: Option<(Duration, Duration)>,
) -> i64 {
    let connected = async {
        let _slot = shared.connect_slots.acquire().await.map_err(|e| e.to_string())?;
        let tcp = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        let _ = tcp.set_nodelay(true);
        let name = ServerName::try_from("localhost").expect("a valid name");
        tls.connect(name, tcp).await.map_err(|e| e.to_string())
    };
    let Ok(stream) = connected.await else {
        shared.errors.fetch_add(1, Ordering::AcqRel);
        return 0;
    };
    shared.ready.fetch_add(1, Ordering::AcqRel);
    let _ = go.wait_for(|&go| go).await;
    let mut stream = tokio::io::BufReader::new(stream);
    let (sku, mut total, mut answer) = (sku(i), 0i64, String::new());
    let mut next = pace.map(|(_, offset)| tokio::time::Instant::now() + offset);
    while !stop.load(Ordering::Acquire) {
        if let (Some(at), Some((period, _))) = (next.as_mut(), pace) {
            tokio::time::sleep_until(*at).await;
            *at += period;
        }
        total += 1;
        shared.totals[i].store(total, Ordering::Release);
        let now = shared.epoch.elapsed().as_nanos() as u64;
        shared.sent_ns[i * RING + total as usize % RING].store(now, Ordering::Release);
        let sent = stream.get_mut().write_all(format!("{sku} 1\r\n").as_bytes()).await;
        answer.clear();
        let read = match sent {
            Ok(()) => stream.read_line(&mut answer).await,
            Err(e) => Err(e),
        };
        if !matches!(read, Ok(n) if n > 0) || answer.trim_end() != format!("{sku} {total}") {
            shared.errors.fetch_add(1, Ordering::AcqRel);
            return total - 1;
        }
    }
    total
}

/// Dashboard `j`: subscribes to its [`FOLLOW`] SKUs and keeps what it is shown until
/// told to finish; each `total` frame of a move is a latency sample.
async fn dashboard(j: usize, n: usize, addr: SocketAddr, shared: Arc<Shared>, mut finish: watch::Receiver<bool>) {
    let skus: Vec<usize> = (0..follow(n)).map(|f| followed(j, f, n)).collect();
    let connected = async {
        let _slot = shared.connect_slots.acquire().await.map_err(|e| e.to_string())?;
        let tcp = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        let _ = tcp.set_nodelay(true);
        let (mut ws, _) =
            tokio_tungstenite::client_async(format!("ws://{addr}/"), tcp).await.map_err(|e| e.to_string())?;
        let names: Vec<String> = skus.iter().map(|&i| sku(i)).collect();
        ws.send(Message::text(format!("subscribe {}", names.join(" ")))).await.map_err(|e| e.to_string())?;
        Ok::<_, String>(ws)
    };
    let Ok(mut ws) = connected.await else {
        shared.errors.fetch_add(1, Ordering::AcqRel);
        return;
    };
    let mut latencies_us = Vec::new();
    let mut subscribed = false;
    loop {
        let message = tokio::select! {
            message = ws.next() => message,
            _ = finish.wait_for(|&f| f) => break,
        };
        let Some(Ok(message)) = message else {
            shared.errors.fetch_add(1, Ordering::AcqRel);
            break;
        };
        let Message::Text(text) = message else { continue };
        let (kind, pairs) = text.split_once(' ').unwrap_or((text.as_str(), ""));
        for (name, total) in pairs.split(' ').filter_map(|pair| pair.split_once('=')) {
            let (Some(i), Ok(total)) = (name.strip_prefix("SKU-").and_then(|s| s.parse::<usize>().ok()), total.parse())
            else {
                continue;
            };
            let Some(f) = skus.iter().position(|&s| s == i) else { continue };
            shared.shown[j * FOLLOW + f].store(total, Ordering::Release);
            let latest = shared.totals[i].load(Ordering::Acquire);
            if kind == "total" && total > 0 && total <= latest && latest - total < RING as i64 {
                let sent = shared.sent_ns[i * RING + total as usize % RING].load(Ordering::Acquire);
                let now = shared.epoch.elapsed().as_nanos() as u64;
                latencies_us.push((now.saturating_sub(sent) / 1_000).min(u32::MAX as u64) as u32);
            }
        }
        if kind == "snapshot" && !subscribed {
            subscribed = true;
            shared.ready.fetch_add(1, Ordering::AcqRel);
        }
    }
    shared.latencies_us.lock().expect("not poisoned").extend(latencies_us);
}

/// `GET /inventory` over HTTP/1.0 (no chunking, closed after): SKU → total.
async fn api_totals(addr: SocketAddr) -> Result<HashMap<String, i64>, String> {
    let response = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        stream.write_all(b"GET /inventory HTTP/1.0\r\nHost: bench\r\n\r\n")?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        Ok::<_, std::io::Error>(response)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("GET /inventory: {e}"))?;
    let text = String::from_utf8_lossy(&response);
    let body = text.split_once("\r\n\r\n").map(|(_, body)| body).ok_or("GET /inventory: no body")?;
    let rows: Vec<serde_json::Value> = serde_json::from_str(body).map_err(|e| format!("GET /inventory: {e}"))?;
    rows.iter()
        .map(|row| Some((row["sku"].as_str()?.to_owned(), row["qty"].as_i64()?)))
        .collect::<Option<_>>()
        .ok_or_else(|| "GET /inventory: rows without sku and qty".into())
}
