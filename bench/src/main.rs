//! `untwisted-bench`: the workshop's measurements, never asserted in tests.
//!
//! `untwisted-bench echo` loads the event-loop chapter's echo servers side by side;
//! `web`, `tls`, `ws`, `dns` and `finger` load a Part II solution's server beside the chapter's
//! Twisted one; `capstone` loads the whole inventory service, Rust's and Twisted's;
//! `room` loads the workshop room with a class of simulated attendees. Each prints a
//! markdown table. `cargo xtask bench NAME` runs them with the book's Twisted virtual
//! environment.

mod args;
mod benches;
mod capstone;
mod compare;
mod echo;
mod fanout;
mod load;
mod process;
mod procstat;
mod report;
mod room;
mod servers;
mod solutions;
mod workload;

use std::net::SocketAddr;
use std::process::ExitCode;

use servers::Server;

const USAGE: &str = "\
untwisted-bench: measurements for the untwisted workshop

USAGE:
    cargo run --release -p untwisted-bench -- BENCHMARK [OPTIONS]
    (or: cargo xtask bench BENCHMARK [OPTIONS], which passes --python)

BENCHMARKS:
    echo     the event-loop echo servers: the 02 reactor, tokio current-thread,
             a thread per connection, Twisted (bench/twisted_echo.py);
             64-byte round trips [--connections 100,1000,10000]
    web      08-web's server vs the chapter's Twisted Web site
             (book/src/web/twisted/inventory_site.py): GET /inventory on
             keep-alive HTTP/1.1 connections [--connections 100,1000]
    tls      09-tls's server vs the chapter's Twisted feed server
             (book/src/tls/twisted/feed_server.py): a new connection and a
             full TLS handshake per request [--connections 100]
    tls-bulk the same two servers: 1 MiB of feed lines per request over one
             TLS connection per client, read back at once; MiB/s sent
             [--connections 10]
    ws       10-websocket's server vs the chapter's Twisted dashboard
             (book/src/websocket/twisted/dashboard.py): one publisher on the
             stock feed, every client a dashboard subscribed to its SKU;
             deliveries/s and latency [--connections 1000]
    dns      12-dns's server vs the chapter's Twisted names server
             (book/src/dns/twisted/zone_server.py): A queries over UDP, one
             socket per client [--connections 100]
    finger   11-finger's server vs its Twisted server
             (book/src/finger/twisted/finger_server.py): one lookup per
             connection [--connections 100]
    capstone the 16-capstone service, the Rust demo (sol16-capstone, built
             beside this program, or --binary PATH) then the chapter's
             Twisted one (book/src/capstone/twisted/inventory.py): N scanners
             over TLS with client certificates, each moving its own SKU by +1
             in a closed loop, M dashboards over WebSocket following 10 SKUs
             each; moves/s, latency from a scanner's send to the dashboards'
             `total` frames, peak RSS, and the totals reconciled at the end
             (API = acknowledged moves = dashboards = the drain's count).
             Its own options: --scanners N [1000] --dashboards M [1000]
             --secs D [30], --pace SECS (one move per scanner per SECS:
             the same offered load for both servers, instead of a closed
             loop), and --servers, --python, --client-threads, --no-pin
    room     the workshop room (room/, untwisted-room): simulated attendees
             each POST a verdict every 2 s on a new connection while live
             pages watch /ws; verdicts posted vs seen, update latency (POST
             start to the viewer's frame with it), server RSS over the run
             [--attendees 200 --secs 60 --every 2 --viewers 1 --no-pin]

Each prints a markdown table: requests/s, p50/p99 latency, peak RSS and CPU of
each server. Each server runs in its own child process (so memory and threads
are its own; Twisted's runs with --python); the load generator runs in this
process on tokio current-thread runtimes, each client with one request in
flight (a closed loop).

OPTIONS:
    --connections LIST   concurrent clients, comma-separated [default: above]
    --duration SECS      measured window per run, after all clients connected [default: 3]
    --servers LIST       echo: any of reactor,tokio,threads,twisted;
                         the others: any of rust,twisted
                         [default: all with --python, else the ones in Rust]
    --python PATH        a Python with Twisted installed, for the twisted server;
                         `cargo xtask bench ...` passes the book's virtual
                         environment, creating it if missing
    --payload BYTES      echo only: size of each request, echoed back whole [default: 64]
    --repeat N           run each measurement N times, report the median by
                         requests/s (steadier on a busy machine) [default: 1]
    --client-threads N   load-generator threads, one runtime each
                         [default: CPUs - 1 when pinned, else CPUs]
    --no-pin             let the OS place server and load generator anywhere
                         [default on Linux with 2+ CPUs: the server gets CPU 0,
                         the load generator the others, so every server has the
                         same one-core budget and none can starve the clients]
    -h, --help           this text

10,000 connections need about 10,000 file descriptors in each process: the
benchmark raises its soft RLIMIT_NOFILE up to the hard limit; if that is not
enough it says so (raise it with `ulimit -n 20000`). Build with --release:
debug builds measure the compiler, not the design.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    let bench = match args.first().map(String::as_str) {
        Some("echo") => None,
        Some("web") => Some(&benches::WEB),
        Some("tls") => Some(&benches::TLS),
        Some("tls-bulk") => Some(&benches::TLS_BULK),
        Some("ws") => Some(&benches::WS),
        Some("dns") => Some(&benches::DNS),
        Some("finger") => Some(&benches::FINGER),
        Some("capstone") => {
            return match capstone::parse(rest) {
                Ok(Some(options)) => capstone::run(&options),
                Ok(None) => {
                    println!("{USAGE}");
                    ExitCode::SUCCESS
                }
                Err(message) => usage_error(&message),
            };
        }
        Some("room") => {
            return match room::parse(rest) {
                Ok(Some(options)) => room::run(&options),
                Ok(None) => {
                    println!("{USAGE}");
                    ExitCode::SUCCESS
                }
                Err(message) => usage_error(&message),
            };
        }
        // Internal: how the benchmark starts each Rust server in its own process.
        Some("serve") => return serve(rest),
        Some("-h" | "--help") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            return usage_error(&format!(
                "unknown benchmark {other:?} (try echo, web, tls, ws, dns, finger, capstone, room)"
            ));
        }
    };
    let spec = bench.map_or(&echo::SPEC, |bench| &bench.spec);
    match args::parse(rest, spec) {
        Ok(Some(options)) => match bench {
            Some(bench) => compare::run(bench, &options),
            None => echo::run(&options),
        },
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(message) => usage_error(&message),
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

/// The child-process side: `serve KIND [--listen ADDR]`.
fn serve(args: &[String]) -> ExitCode {
    let Some(kind) = args.first() else {
        return usage_error("serve needs a server: reactor, tokio, threads, web, tls, ws, dns, finger or room");
    };
    let addr: SocketAddr = match args.get(1..) {
        Some([flag, addr]) if flag == "--listen" => match addr.parse() {
            Ok(addr) => addr,
            Err(_) => return usage_error(&format!("bad address {addr:?}")),
        },
        _ => ([127, 0, 0, 1], 0).into(),
    };
    let served = match Server::parse(kind).filter(|s| Server::RUST.contains(s)) {
        Some(server) => servers::serve(server, addr),
        None if kind == "room" => room::serve(addr),
        None if solutions::KINDS.contains(&kind.as_str()) => solutions::serve(kind, addr),
        None => return usage_error(&format!("no server {kind:?} to serve")),
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{kind} server: {e}");
            ExitCode::FAILURE
        }
    }
}
