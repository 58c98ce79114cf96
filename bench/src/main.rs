//! `untwisted-bench`: the workshop's measurements, never asserted in tests.
//!
//! `untwisted-bench echo` loads echo servers side by side on loopback (the reactor
//! built in exercise 02, tokio's current-thread runtime, a thread per connection, and
//! Twisted's own echo server when given a Python with Twisted) and prints a markdown
//! table. `cargo xtask bench echo` runs it, with the book's Twisted virtual environment.

mod load;
mod procstat;
mod servers;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Duration;

use servers::Server;

const USAGE: &str = "\
untwisted-bench: measurements for the untwisted workshop

USAGE:
    cargo run --release -p untwisted-bench -- echo [OPTIONS]
    (or: cargo xtask bench echo [OPTIONS])

Loads echo servers on loopback, side by side, and prints a markdown table:
requests/s, p50/p99 round-trip latency, peak RSS and threads of each server.
Each server runs in its own child process (so memory and threads are its own;
Twisted's is `python bench/twisted_echo.py`);
the load generator runs in this process on tokio current-thread runtimes.

OPTIONS (echo):
    --connections LIST   concurrent connections, comma-separated [default: 100,1000,10000]
    --duration SECS      measured window per run, after all connections are open [default: 3]
    --servers LIST       any of reactor,tokio,threads,twisted
                         [default: all four with --python, else the three in Rust]
    --python PATH        a Python with Twisted installed, for the twisted server
                         (bench/twisted_echo.py); `cargo xtask bench echo` passes
                         the book's virtual environment, creating it if missing
    --payload BYTES      size of each request, echoed back whole [default: 64]
    --repeat N           run each measurement N times, report the median by
                         requests/s (steadier on a busy machine) [default: 1]
    --client-threads N   load-generator threads, one runtime each
                         [default: CPUs - 1 when pinned, else CPUs]
    --no-pin             let the OS place server and load generator anywhere
                         [default on Linux with 2+ CPUs: the server gets CPU 0,
                         the load generator the others, so every server has the
                         same one-core budget and none can starve the clients]
    -h, --help           this text

Each connection sends PAYLOAD bytes, waits for them to come back, and repeats
until the window ends. 10,000 connections need about 10,000 file descriptors in
each process: the benchmark raises its soft RLIMIT_NOFILE up to the hard limit;
if that is not enough it says so (raise it with `ulimit -n 20000`). Build with
--release: debug builds measure the compiler, not the design.";

/// What `echo` was asked to do.
struct EchoArgs {
    connections: Vec<usize>,
    duration: Duration,
    servers: Vec<Server>,
    /// A Python with Twisted, for `Server::Twisted`.
    python: Option<PathBuf>,
    payload: usize,
    client_threads: usize,
    repeat: usize,
    /// (server CPUs, client CPUs) when pinning.
    pin: Option<(Vec<usize>, Vec<usize>)>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("echo") => match parse_echo(&args[1..]) {
            Ok(Some(echo)) => run_echo(&echo),
            Ok(None) => {
                println!("{USAGE}");
                ExitCode::SUCCESS
            }
            Err(message) => usage_error(&message),
        },
        // Internal: how the benchmark starts each server in its own process.
        Some("serve") => serve(&args[1..]),
        Some("-h" | "--help") | None => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => usage_error(&format!("unknown benchmark {other:?} (try `echo`)")),
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

fn parse_echo(args: &[String]) -> Result<Option<EchoArgs>, String> {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut echo = EchoArgs {
        connections: vec![100, 1_000, 10_000],
        duration: Duration::from_secs(3),
        servers: Vec::new(),
        python: None,
        payload: 64,
        client_threads: 0,
        repeat: 1,
        pin: None,
    };
    let mut pin = cfg!(target_os = "linux") && cpus >= 2;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--connections" | "--conns" => {
                echo.connections = value()?
                    .split(',')
                    .map(|n| n.trim().replace('_', "").parse().map_err(|_| format!("bad connection count {n:?}")))
                    .collect::<Result<_, _>>()?;
            }
            "--duration" => {
                let secs: f64 = value()?.parse().map_err(|_| "--duration takes seconds, e.g. 3 or 0.5")?;
                if !(secs > 0.0 && secs < 3600.0) {
                    return Err("--duration must be between 0 and 3600 seconds".into());
                }
                echo.duration = Duration::from_secs_f64(secs);
            }
            "--servers" => {
                echo.servers = value()?
                    .split(',')
                    .map(|s| {
                        Server::parse(s.trim())
                            .ok_or_else(|| format!("unknown server {s:?} (reactor, tokio, threads, twisted)"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--python" => echo.python = Some(PathBuf::from(value()?)),
            "--payload" => {
                echo.payload = value()?.parse().map_err(|_| "--payload takes a byte count")?;
                if echo.payload == 0 || echo.payload > 1 << 20 {
                    return Err("--payload must be between 1 and 1048576 bytes".into());
                }
            }
            "--client-threads" => {
                echo.client_threads = value()?.parse().map_err(|_| "--client-threads takes a number")?;
                if echo.client_threads == 0 {
                    return Err("--client-threads must be at least 1".into());
                }
            }
            "--repeat" => {
                echo.repeat = value()?.parse().map_err(|_| "--repeat takes a number")?;
                if echo.repeat == 0 || echo.repeat > 100 {
                    return Err("--repeat must be between 1 and 100".into());
                }
            }
            "--no-pin" => pin = false,
            "--pin" => pin = true,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    if pin && cpus >= 2 {
        echo.pin = Some((vec![0], (1..cpus).collect()));
    }
    if echo.client_threads == 0 {
        echo.client_threads = if echo.pin.is_some() { cpus - 1 } else { cpus };
    }
    if echo.connections.is_empty() || echo.connections.contains(&0) {
        return Err("--connections needs counts above 0".into());
    }
    if echo.servers.is_empty() {
        echo.servers = if echo.python.is_some() { Server::ALL.to_vec() } else { Server::RUST.to_vec() };
    }
    if echo.servers.contains(&Server::Twisted) && echo.python.is_none() {
        return Err("the twisted server needs --python PATH, a Python with Twisted installed \
                    (`cargo xtask bench echo` passes one)"
            .into());
    }
    Ok(Some(echo))
}

/// The child-process side: `serve KIND [--listen ADDR]`.
fn serve(args: &[String]) -> ExitCode {
    let Some(server) = args.first().and_then(|name| Server::parse(name)).filter(|s| Server::RUST.contains(s)) else {
        return usage_error("serve needs a server: reactor, tokio or threads");
    };
    let addr: SocketAddr = match args.get(1..) {
        Some([flag, addr]) if flag == "--listen" => match addr.parse() {
            Ok(addr) => addr,
            Err(_) => return usage_error(&format!("bad address {addr:?}")),
        },
        _ => ([127, 0, 0, 1], 0).into(),
    };
    match servers::serve(server, addr) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{} server: {e}", server.name());
            ExitCode::FAILURE
        }
    }
}

/// A server in a child process, killed when dropped.
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
    /// What the server said about itself after its address (Twisted: versions).
    about: String,
}

impl ServerProcess {
    fn start(server: Server, cpus: Option<&[usize]>, python: Option<&PathBuf>) -> Result<Self, String> {
        let mut command = match (server, python) {
            (Server::Twisted, Some(python)) => {
                let mut command = Command::new(python);
                command.arg(servers::TWISTED_SCRIPT).env("PYTHONDONTWRITEBYTECODE", "1");
                command
            }
            (Server::Twisted, None) => return Err("the twisted server needs --python".into()),
            _ => {
                let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
                let mut command = Command::new(exe);
                command.args(["serve", server.name()]);
                command
            }
        };
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the {} server: {e}", server.name()))?;
        // Pinned before it accepts anything: the threads it starts inherit the set.
        if let Some(cpus) = cpus {
            procstat::pin(child.id(), cpus);
        }
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        // `listening on ADDR`, perhaps followed by what the server says about itself.
        let said = line.trim().strip_prefix("listening on ").unwrap_or_default();
        let (addr, about) = said.split_once(' ').unwrap_or((said, ""));
        match addr.parse() {
            Ok(addr) => {
                let about = about.trim().trim_start_matches('(').trim_end_matches(')').to_owned();
                Ok(Self { child, addr, about })
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("the {} server did not start (it said {line:?})", server.name()))
            }
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One row of the table.
struct Row {
    server: Server,
    connections: usize,
    outcome: Result<load::Outcome, String>,
}

fn run_echo(echo: &EchoArgs) -> ExitCode {
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; run with --release for meaningful numbers");
    }
    // Each process needs one descriptor per connection, plus a few.
    let most = echo.connections.iter().copied().max().unwrap_or(0);
    let limit = procstat::raise_nofile(most as u64 + 256);
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let placement = match &echo.pin {
        Some((server, clients)) => format!("servers pinned to CPU {server:?}, load generator to CPUs {clients:?}"),
        None => "not pinned".to_string(),
    };
    eprintln!(
        "echo benchmark: {}-byte round trips for {:.1} s per run; {} client thread(s); {} CPU(s), {placement}; open-file limit {}",
        echo.payload,
        echo.duration.as_secs_f64(),
        echo.client_threads,
        cpus,
        limit.map_or("unknown".to_string(), |l| l.to_string()),
    );

    let mut rows = Vec::new();
    let mut notes = BTreeSet::new();
    for &connections in &echo.connections {
        if let Some(limit) = limit.filter(|&l| (l as usize) < connections + 64) {
            eprintln!(
                "skipping {connections} connections: the open-file limit is {limit}; \
                 raise it (e.g. `ulimit -n {}`) and run again",
                connections * 2 + 256
            );
            continue;
        }
        for &server in &echo.servers {
            eprintln!("  {} with {connections} connections ...", server.label());
            let outcome = median((0..echo.repeat).map(|_| measure(echo, server, connections, &mut notes)).collect());
            rows.push(Row { server, connections, outcome });
        }
    }
    print_table(&rows, echo);
    for note in &notes {
        println!("{note}.");
    }
    print_comparison(&rows);
    ExitCode::SUCCESS
}

/// One measurement: a fresh server process, loaded, sampled, killed.
/// What a server said about itself goes into `notes`, printed under the table.
fn measure(
    echo: &EchoArgs,
    server: Server,
    connections: usize,
    notes: &mut BTreeSet<String>,
) -> Result<load::Outcome, String> {
    let server_cpus = echo.pin.as_ref().map(|(server, _)| server.as_slice());
    let process = ServerProcess::start(server, server_cpus, echo.python.as_ref())?;
    if !process.about.is_empty() {
        notes.insert(format!("{} is {}", server.label(), process.about));
    }
    let load = load::Load {
        addr: process.addr,
        connections,
        duration: echo.duration,
        payload: echo.payload,
        client_threads: echo.client_threads,
        client_cpus: echo.pin.as_ref().map(|(_, clients)| clients.clone()).unwrap_or_default(),
    };
    Ok(load::run(&load, process.child.id()))
}

/// The run with the median requests/s (the first error if every run failed).
fn median(mut runs: Vec<Result<load::Outcome, String>>) -> Result<load::Outcome, String> {
    if runs.iter().all(Result::is_err) {
        return runs.swap_remove(0);
    }
    let mut ok: Vec<load::Outcome> = runs.into_iter().filter_map(Result::ok).collect();
    ok.sort_by_key(|o| o.requests);
    Ok(ok.swap_remove(ok.len() / 2))
}

fn print_table(rows: &[Row], echo: &EchoArgs) {
    println!();
    println!(
        "| server | connections | requests/s | p50 latency | p99 latency | peak RSS | threads | server CPU | requests per CPU-second | errors |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        match &row.outcome {
            Ok(o) => println!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                row.server.label(),
                held(o.connected, row.connections),
                thousands(rate(o)),
                latency(percentile(&o.latencies_us, 0.50)),
                latency(percentile(&o.latencies_us, 0.99)),
                o.server.peak_rss_kib.map_or("n/a".into(), |kib| format!("{:.1} MiB", kib as f64 / 1024.0)),
                o.server.threads.map_or("n/a".into(), |t| t.to_string()),
                o.server_cpu.map_or("n/a".into(), |c| format!("{:.0}%", c * 100.0)),
                o.server_cpu.filter(|&c| c > 0.0).map_or("n/a".into(), |c| thousands(rate(o) / c)),
                o.errors,
            ),
            Err(e) => {
                println!(
                    "| {} | {} | failed: {e} | | | | | | | |",
                    row.server.label(),
                    thousands(row.connections as f64)
                )
            }
        }
    }
    println!();
    println!(
        "All connections each do {}-byte round trips for {:.1} s (median of {} run(s)); server CPU: CPU time of the server over that window (100% = one core); requests per CPU-second: requests/s divided by it, a server's CPU cost per request, which other work on the machine disturbs less than requests/s.",
        echo.payload,
        echo.duration.as_secs_f64(),
        echo.repeat
    );
    match &echo.pin {
        Some((server, clients)) => println!(
            "Each server was pinned to CPU {server:?} (the same one-core budget for all), the load generator ({} thread(s)) to CPUs {clients:?}.",
            echo.client_threads
        ),
        None => println!("Server and load generator ({} thread(s)) shared all CPUs.", echo.client_threads),
    }
}

/// The reactor against tokio, threads and Twisted, per connection count: the workshop's claim.
fn print_comparison(rows: &[Row]) {
    let rate = |server: Server, n: usize| {
        rows.iter()
            .find(|r| r.server == server && r.connections == n)
            .and_then(|r| r.outcome.as_ref().ok())
            .map(|o| (o.requests as f64 / o.window.as_secs_f64(), o.connected == n && o.errors == 0))
    };
    let mut counts: Vec<usize> = rows.iter().map(|r| r.connections).collect();
    counts.dedup();
    for n in counts {
        let Some((reactor, held_all)) = rate(Server::Reactor, n) else { continue };
        let mut parts =
            vec![format!("{}: reactor held {}", thousands(n as f64), if held_all { "all" } else { "NOT all" })];
        if let Some((tokio, _)) = rate(Server::Tokio, n) {
            parts.push(format!("tokio/reactor = {:.2}x", tokio / reactor.max(1.0)));
        }
        if let Some((threads, _)) = rate(Server::Threads, n) {
            parts.push(format!("reactor/threads = {:.2}x", reactor / threads.max(1.0)));
        }
        if let Some((twisted, _)) = rate(Server::Twisted, n) {
            parts.push(format!("reactor/Twisted = {:.2}x", reactor / twisted.max(1.0)));
        }
        println!("{}", parts.join(", "));
    }
}

/// Round trips per second within the measured window.
fn rate(o: &load::Outcome) -> f64 {
    o.requests as f64 / o.window.as_secs_f64()
}

fn held(connected: usize, asked: usize) -> String {
    if connected == asked {
        thousands(asked as f64)
    } else {
        format!("{} of {}", thousands(connected as f64), thousands(asked as f64))
    }
}

fn percentile(sorted: &[u32], p: f64) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

fn latency(us: Option<u32>) -> String {
    match us {
        None => "n/a".into(),
        Some(us) if us < 1_000 => format!("{us} µs"),
        Some(us) => format!("{:.2} ms", us as f64 / 1_000.0),
    }
}

/// 12345.6 -> "12,346".
fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
