//! The demo of exercise 14: a telnet-style bridge, for the room to talk to.
//!
//! `cargo xtask demo 14-processes` runs `cargo run -p sol14-processes -- [--listen ADDR]
//! [--script]` (`--help` lists the limits you can change). Without `--script` it
//! serves until Ctrl-C and prints how to connect with nc or telnet, logging each
//! child's start and end; with `--script` it runs scripted clients against itself,
//! prints the transcript and exits.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use sol14_processes::{
    AllowList, BridgeServer, ChildEvent, MAX_CONNECTIONS, RUN_TIMEOUT, TelnetBridge,
};
use test_kit::{Count, DemoArgs, Seconds, Transcript};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// The telnet-style bridge of 14-processes: name an allowed command, then talk to it.
#[derive(Parser)]
#[command(long_about = None)]
struct Cli {
    #[command(flatten)]
    demo: DemoArgs,
    /// Serve at most N connections (so, N child processes) at once.
    #[arg(long, value_name = "N", default_value_t = MAX_CONNECTIONS.into())]
    max_connections: Count,
    /// Kill a connection's command after SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = RUN_TIMEOUT.into())]
    run_timeout: Seconds,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let listen = cli.demo.listen;
    let (events, mut log) = mpsc::unbounded_channel();
    let bridge = TelnetBridge::new(AllowList::standard())
        .with_run_timeout(cli.run_timeout.get())
        .with_events(events);
    let server = match BridgeServer::bind(listen, bridge.clone()).await {
        Ok(server) => server.with_max_connections(cli.max_connections.get()),
        Err(err) => return cli.demo.cannot_listen("sol14-processes", err),
    };
    let addr = server.local_addr();
    let names: Vec<&str> = bridge.allowed().names().collect();
    println!("process bridge listening on {addr} (commands: {})", names.join(", "));
    if cli.demo.script {
        tokio::spawn(server.run());
        script(addr).await;
        return ExitCode::SUCCESS;
    }
    println!(
        "talk to it: the first line names a command, the rest is its input:\n  \
         nc {ip} {port}        (then type `upper`, some lines, Ctrl-D: nc -N closes its side)\n  \
         telnet {ip} {port}    (`flood`, then Ctrl-] and `quit`: the child is killed)\n\
         At most {max} connections at once; a command is killed after {secs} s.\n\
         Ctrl-C stops the server.",
        ip = addr.ip(),
        port = addr.port(),
        max = cli.max_connections,
        secs = cli.run_timeout,
    );
    tokio::spawn(server.run());
    // The log of children. A slow or stalled terminal must not stall serving: a
    // thread of its own prints, and lines it cannot take are dropped.
    let (printer, lines) = std::sync::mpsc::sync_channel::<String>(256);
    std::thread::spawn(move || lines.into_iter().for_each(|line| println!("{line}")));
    while let Some(event) = log.recv().await {
        let _ = printer.try_send(match event {
            ChildEvent::Spawned { command, pid } => {
                format!("pid {pid}: started {command}")
            }
            ChildEvent::Ended { pid, exit } => format!("pid {pid}: {exit}, reaped"),
        });
    }
    ExitCode::SUCCESS
}

/// Three clients one after the other, so the room can follow.
async fn script(addr: SocketAddr) {
    let transcript = Transcript::new();
    // A filter: input, end of input, then its output and its end.
    run(addr, "alice", b"upper\r\nstock low: widget-1\r\n", &transcript).await;
    run(addr, "bob", b"sort\r\nwidget-9\r\nbolt-2\r\ngadget-5\r\n", &transcript).await;
    // Anything but an allowed name is refused; nothing is run, least of all a shell.
    run(addr, "mallory", b"sh -c 'rm -rf /'\r\n", &transcript).await;
    println!("\n{transcript}");
}

/// One connection: sends `input`, closes its side, records every line until the
/// bridge hangs up.
async fn run(addr: SocketAddr, who: &str, input: &[u8], transcript: &Transcript) {
    let Ok(mut stream) = TcpStream::connect(addr).await else { return };
    for line in String::from_utf8_lossy(input).split_inclusive('\n') {
        transcript.sent(who, line.trim_end_matches(['\r', '\n']));
    }
    let _ = stream.write_all(input).await;
    let _ = stream.shutdown().await;
    transcript.event(who, "end of input");
    let mut heard = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut heard))
        .await;
    for line in String::from_utf8_lossy(&heard).lines() {
        transcript.received(who, line);
    }
    transcript.event(who, "connection closed by server");
}
