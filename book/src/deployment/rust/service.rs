//! The Deployment chapter's service: a line service run the way systemd expects.
//!
//! Configuration from the environment, logs on stderr (one line per event; journald
//! adds the time), Ctrl-C or SIGTERM for a graceful drain, exit codes an operator can
//! read. `--selftest` proves the drain against a real client on 127.0.0.1.
//!
//! The book's tests build it (tokio with the `signal` feature) and run `--selftest`.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// The longest request line; a longer one is answered with an error and closed.
const MAX_LINE: u64 = 1024;

// ANCHOR: config
/// What an operator may change without a rebuild.
struct Config {
    listen: SocketAddr,
    /// How long open connections get to finish once a stop is requested.
    drain: Duration,
}

impl Config {
    /// From the environment (systemd's `Environment=` lines); loopback by default.
    fn from_env() -> Result<Self, String> {
        let listen =
            std::env::var("INVENTORY_LISTEN").unwrap_or_else(|_| "127.0.0.1:7070".into());
        let drain = std::env::var("INVENTORY_DRAIN_SECS").unwrap_or_else(|_| "10".into());
        Ok(Config {
            listen: listen
                .parse()
                .map_err(|e| format!("INVENTORY_LISTEN={listen}: {e}"))?,
            drain: Duration::from_secs(
                drain
                    .parse()
                    .map_err(|e| format!("INVENTORY_DRAIN_SECS={drain}: {e}"))?,
            ),
        })
    }
}
// ANCHOR_END: config

// ANCHOR: main
#[tokio::main]
async fn main() -> ExitCode {
    if std::env::args().any(|arg| arg == "--selftest") {
        return selftest().await;
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            log(&format!("bad configuration: {e}"));
            // 2, not 1: the unit's RestartPreventExitStatus=2 keeps systemd from
            // restarting a configuration error in a loop.
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(config.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            log(&format!("cannot listen on {}: {e}", config.listen));
            return ExitCode::FAILURE;
        }
    };
    log(&format!("listening on {}", config.listen));
    let (stop, stopping) = watch::channel(false);
    let server = tokio::spawn(serve(listener, stopping, config.drain));
    stop_requested().await;
    log("stop requested: draining");
    let _ = stop.send(true);
    let _ = server.await;
    log("stopped");
    ExitCode::SUCCESS
}
// ANCHOR_END: main

// ANCHOR: signals
/// Resolves on Ctrl-C (SIGINT), or on SIGTERM: what `systemctl stop`, `docker stop`
/// and a plain `kill` send.
async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term =
            signal(SignalKind::terminate()).expect("installing a SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
// ANCHOR_END: signals

// ANCHOR: serve
/// Accepts until `stopping` turns true, then gives the open connections `drain` to
/// finish, then cuts the rest.
async fn serve(
    listener: TcpListener,
    mut stopping: watch::Receiver<bool>,
    drain: Duration,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    log(&format!("connection from {peer}"));
                    connections.spawn(handle(stream, stopping.clone()));
                }
                Err(e) => {
                    // Out of file descriptors, say: wait a little instead of spinning.
                    log(&format!("accept failed: {e}"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = stopping.changed() => break,
        }
    }
    drop(listener); // new clients are refused from here on
    log(&format!("draining {} connection(s)", connections.len()));
    let all_done = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(drain, all_done).await.is_err() {
        log(&format!("cutting {} connection(s) after {drain:?}", connections.len()));
        connections.abort_all();
    }
}

/// One client: answers each line until the client leaves or a stop is requested; then
/// the request in progress is finished and the client is told goodbye.
async fn handle(stream: TcpStream, mut stopping: watch::Receiver<bool>) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    loop {
        let mut line = String::new();
        let mut limited = (&mut read).take(MAX_LINE);
        tokio::select! {
            got = limited.read_line(&mut line) => {
                let reply = match got {
                    Ok(0) | Err(_) => return, // the client left, or sent invalid UTF-8
                    Ok(_) if !line.ends_with('\n') => "error: line too long\n".to_owned(),
                    Ok(_) => format!("ok {}\n", line.trim_end()),
                };
                let sent = write.write_all(reply.as_bytes()).await;
                if sent.is_err() || reply.starts_with("error") {
                    return;
                }
            }
            _ = stopping.changed() => {
                let _ = write.write_all(b"bye: shutting down\n").await;
                return;
            }
        }
    }
}
// ANCHOR_END: serve

/// One line per event on stderr: journald (or docker logs) adds the time and the unit.
fn log(message: &str) {
    eprintln!("inventory: {message}");
}

/// A client sends a request, a stop is requested, the client gets its answer and a
/// goodbye, the server returns, and nobody listens any more.
async fn selftest() -> ExitCode {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local address");
    let (stop, stopping) = watch::channel(false);
    let server = tokio::spawn(serve(listener, stopping, Duration::from_secs(5)));

    let mut client = BufReader::new(TcpStream::connect(addr).await.expect("connect"));
    client.get_mut().write_all(b"BOLT-M8 +40\n").await.expect("send");
    let mut first = String::new();
    client.read_line(&mut first).await.expect("answer");
    assert_eq!(first, "ok BOLT-M8 +40\n");

    stop.send(true).expect("the server is listening");
    let mut rest = String::new();
    client.read_to_string(&mut rest).await.expect("goodbye, then end of stream");
    assert_eq!(rest, "bye: shutting down\n");
    server.await.expect("the server task ends after the drain");
    assert!(TcpStream::connect(addr).await.is_err(), "still accepting after the drain");
    println!("selftest ok");
    ExitCode::SUCCESS
}
