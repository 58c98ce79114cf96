//! The demo of exercise 15: the inventory service, for the room to stop gracefully.
//!
//! `cargo xtask demo 15-deploy` runs `cargo run -p sol15-deploy -- [--listen ADDR]
//! [--script]` (`--help` lists the rest). Without `--script` it serves until SIGTERM
//! or Ctrl-C, then drains; with `--script` it runs scripted clerks and a drain
//! against itself, prints the transcript and exits. The service as systemd runs it
//! (settings from the environment too) is the other binary, `sol15-inventory`.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use sol15_deploy::{
    Drained, LogFormat, MAX_DRAIN_SECS, Server, stop_requested, subscriber,
};
use test_kit::{DemoArgs, LineClient, Transcript};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

/// The inventory service of 15-deploy: `ok` to each line, stock counts (`BEGIN` …
/// `END`), a health check, and a graceful drain on SIGTERM or Ctrl-C.
#[derive(Parser)]
#[command(long_about = None)]
struct Cli {
    #[command(flatten)]
    demo: DemoArgs,
    /// Seconds open connections get to finish once a stop is requested.
    #[arg(long, value_name = "SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=MAX_DRAIN_SECS))]
    drain_deadline: u64,
    /// `human` lines, or one `json` object per line.
    #[arg(long, value_enum, default_value_t = LogFormat::Human)]
    log_format: LogFormat,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ansi = std::io::stderr().is_terminal();
    let logs = subscriber(cli.log_format, tracing::Level::INFO, ansi, std::io::stderr);
    tracing::subscriber::set_global_default(logs).expect("the only subscriber");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(demo(cli))
}

async fn demo(cli: Cli) -> ExitCode {
    let listen = cli.demo.listen;
    // The health check on the same interface, on a port of its own.
    let health = SocketAddr::new(listen.ip(), 0);
    let server = match Server::bind(listen, health).await {
        Ok(server) => server.with_drain_deadline(Duration::from_secs(cli.drain_deadline)),
        Err(e) => return cli.demo.cannot_listen("sol15-deploy", e),
    };
    let (Ok(addr), Ok(health)) = (server.local_addr(), server.health_addr()) else {
        return ExitCode::FAILURE;
    };
    println!("inventory service listening on {addr}; health on http://{health}/ready");
    if cli.demo.script {
        script(server, addr, health).await;
        return ExitCode::SUCCESS;
    }
    println!(
        "talk to it (lines end in \\r\\n; BEGIN, lines, END is a stock count):\n  \
         nc -C {ip} {port}\n  \
         curl -i http://{health}/ready\n\
         Stop it with Ctrl-C, or from another terminal: kill -TERM {pid}\n\
         Idle clerks are told goodbye at once; a count in progress may finish within \
         {drain} s.",
        ip = addr.ip(),
        port = addr.port(),
        pid = std::process::id(),
        drain = cli.drain_deadline,
    );
    let drained = server.run(stop_requested()).await;
    println!("stopped: {} finished, {} cut", drained.finished, drained.cut);
    ExitCode::SUCCESS
}

/// Two clerks, a health check, a stop in the middle of a count, and a latecomer.
async fn script(server: Server, addr: SocketAddr, health: SocketAddr) {
    let (stop, stopped) = oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    let t = Transcript::new();
    let mut alice = LineClient::connect(addr, "alice", &t).await;
    alice.send_line("BOLT-M8 +40").await;
    alice.recv_line().await;
    let mut bob = LineClient::connect(addr, "bob", &t).await;
    bob.send_line("BEGIN").await;
    bob.recv_line().await;
    bob.send_line("BOLT-M8 40").await;
    t.event("monitor", &format!("GET /ready: {}", ready(health).await));

    t.event("operator", "stop requested (what SIGTERM does)");
    let _ = stop.send(());
    alice.recv_line().await;
    alice.expect_closed().await;
    t.event("monitor", &format!("GET /ready: {}", ready(health).await));
    match tokio::net::TcpStream::connect(addr).await {
        Ok(_) => t.event("carol", "connected (the listener is still open!)"),
        Err(e) => t.event("carol", &format!("cannot connect: {e}")),
    }
    bob.send_line("NUT-M8 12").await;
    bob.send_line("END").await;
    bob.recv_line().await;
    bob.recv_line().await;
    bob.expect_closed().await;
    let drained: Drained = running.await.expect("the server task");
    t.event("operator", &format!("drained: {drained:?}"));
    println!("\n{t}");
}

/// The status line of one `GET /ready`.
async fn ready(health: SocketAddr) -> String {
    let Ok(mut stream) = tokio::net::TcpStream::connect(health).await else {
        return "no health check".into();
    };
    let _ = stream.write_all(b"GET /ready HTTP/1.1\r\nHost: demo\r\n\r\n").await;
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer).await;
    answer.lines().next().unwrap_or_default().to_owned()
}
