//! A Part II server against the chapter's Twisted one under the same load: one
//! runner, one table, for `web`, `tls`, `ws`, `dns` and `finger` (see [`crate::benches`]).

use std::process::{Command, ExitCode};

use crate::args::{Options, Spec};
use crate::fanout;
use crate::load::{self, Load};
use crate::process::{self, ServerProcess};
use crate::procstat;
use crate::report::{self, held, latency, median, percentile, rate, thousands};
use crate::workload::Workload;

/// One side-by-side benchmark: the solution's server and Twisted's.
pub struct Bench {
    /// Its options; `servers` is `["rust", "twisted"]`.
    pub spec: Spec,
    /// What each client repeats, in words, for the note under the table.
    pub request: &'static str,
    /// What the rate column counts, e.g. "requests/s".
    pub unit: &'static str,
    /// The Rust server's row label, and the `serve` kind that runs it.
    pub rust: (&'static str, &'static str),
    /// The Twisted server's row label, its script and the script's arguments.
    pub twisted: (&'static str, &'static str, &'static [&'static str]),
    /// What the clients do.
    pub shape: Shape,
}

/// How a benchmark loads its server.
pub enum Shape {
    /// Every client repeats one request (see [`crate::load`]); this makes the
    /// request, given the server (09-tls: the CA it printed).
    ClosedLoop(fn(&ServerProcess) -> Result<Workload, String>),
    /// One publisher, the clients subscribers (see [`crate::fanout`]).
    FanOut,
}

/// Runs `bench` with `options` and prints a markdown table.
pub fn run(bench: &Bench, options: &Options) -> ExitCode {
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; run with --release for meaningful numbers");
    }
    let most = options.connections.iter().copied().max().unwrap_or(0);
    let limit = procstat::raise_nofile(most as u64 + 256);
    println!();
    println!(
        "| server | clients | {} | p50 latency | p99 latency | peak RSS | server CPU | per CPU-second | errors |",
        bench.unit
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &connections in &options.connections {
        if let Some(limit) = limit.filter(|&l| (l as usize) < connections + 64) {
            eprintln!("skipping {connections} clients: the open-file limit is {limit} (try `ulimit -n 20000`)");
            continue;
        }
        for &server in &options.servers {
            let label = if server == "twisted" { bench.twisted.0 } else { bench.rust.0 };
            eprintln!("  {label} with {connections} clients ...");
            let runs = (0..options.repeat).map(|_| measure(bench, server, connections, options)).collect();
            print_row(label, connections, &median(runs));
        }
    }
    println!();
    println!(
        "Each client {} for {:.1} s (median of {} run(s)){}. \
         Server CPU: its CPU time over that window (100% = one core); per CPU-second: the rate \
         divided by it, the server's cost per request, which a busy machine or a load generator \
         that cannot keep up disturbs less than the rate.",
        bench.request,
        options.duration.as_secs_f64(),
        options.repeat,
        if matches!(bench.shape, Shape::ClosedLoop(_)) { "; one request in flight per client" } else { "" },
    );
    println!("{}", options.placement());
    if let Some(python) = options.python.as_ref().filter(|_| options.servers.contains(&"twisted")) {
        let versions = "import platform, twisted; print(twisted.__version__, platform.python_version())";
        if let Ok(out) = Command::new(python).args(["-c", versions]).output() {
            let said = String::from_utf8_lossy(&out.stdout);
            if let Some((twisted, python)) = said.trim().split_once(' ') {
                println!("Twisted {twisted} on Python {python}, its default reactor.");
            }
        }
    }
    ExitCode::SUCCESS
}

/// One measurement: a fresh server process, loaded, sampled, killed.
fn measure(bench: &Bench, server: &str, connections: usize, options: &Options) -> Result<load::Outcome, String> {
    let command = match (server, &options.python) {
        ("twisted", Some(python)) => process::python(python, bench.twisted.1, bench.twisted.2),
        ("twisted", None) => return Err("the twisted server needs --python".into()),
        _ => process::this_program(bench.rust.1)?,
    };
    let process = ServerProcess::start(command, server, options.server_cpus())?;
    let workload = match bench.shape {
        Shape::ClosedLoop(workload) => workload(&process)?,
        Shape::FanOut => return fanout::run(&process, connections, options.duration, &options.client_cpus()),
    };
    let load = Load {
        addr: process.addr,
        connections,
        duration: options.duration,
        workload,
        client_threads: options.client_threads,
        client_cpus: options.client_cpus(),
    };
    Ok(load::run(&load, process.id()))
}

fn print_row(label: &str, connections: usize, outcome: &Result<load::Outcome, String>) {
    match outcome {
        Ok(o) => println!(
            "| {label} | {} | {} | {} | {} | {} | {} | {} | {} |",
            held(o.connected, connections),
            thousands(rate(o)),
            latency(percentile(&o.latencies_us, 0.50)),
            latency(percentile(&o.latencies_us, 0.99)),
            report::rss(o),
            report::cpu(o),
            o.server_cpu.filter(|&c| c > 0.0).map_or("n/a".into(), |c| thousands(rate(o) / c)),
            o.errors,
        ),
        Err(e) => println!("| {label} | {} | failed: {e} | | | | | | |", thousands(connections as f64)),
    }
}
