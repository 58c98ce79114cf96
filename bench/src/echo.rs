//! `echo`: the event-loop chapter's echo servers side by side (the reactor built in
//! exercise 02, tokio's current-thread runtime, a thread per connection, Twisted's
//! own echo server).

use std::collections::BTreeSet;
use std::process::ExitCode;

use crate::args::{Options, Spec};
use crate::load;
use crate::process::{self, ServerProcess};
use crate::procstat;
use crate::report::{self, held, latency, median, percentile, rate, thousands};
use crate::servers::{self, Server};
use crate::workload::Workload;

/// The echo benchmark's options.
pub const SPEC: Spec = Spec {
    name: "echo",
    connections: &[100, 1_000, 10_000],
    servers: &["reactor", "tokio", "threads", "twisted"],
    payload: true,
};

/// One row of the table.
struct Row {
    server: Server,
    connections: usize,
    outcome: Result<load::Outcome, String>,
}

/// Runs the echo benchmark and prints its table.
pub fn run(echo: &Options) -> ExitCode {
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
        for server in echo.servers.iter().filter_map(|name| Server::parse(name)) {
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
    echo: &Options,
    server: Server,
    connections: usize,
    notes: &mut BTreeSet<String>,
) -> Result<load::Outcome, String> {
    let command = match (server, &echo.python) {
        (Server::Twisted, Some(python)) => process::python(python, servers::TWISTED_SCRIPT, &[]),
        (Server::Twisted, None) => return Err("the twisted server needs --python".into()),
        _ => process::this_program(server.name())?,
    };
    let process = ServerProcess::start(command, server.name(), echo.server_cpus())?;
    if !process.about.is_empty() {
        notes.insert(format!("{} is {}", server.label(), process.about));
    }
    let load = load::Load {
        addr: process.addr,
        connections,
        duration: echo.duration,
        workload: Workload::Echo { payload: echo.payload },
        client_threads: echo.client_threads,
        client_cpus: echo.client_cpus(),
    };
    Ok(load::run(&load, process.id()))
}

fn print_table(rows: &[Row], echo: &Options) {
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
                report::rss(o),
                o.server.threads.map_or("n/a".into(), |t| t.to_string()),
                report::cpu(o),
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
    println!("{}", echo.placement());
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
