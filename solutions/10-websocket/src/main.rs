//! The demo of exercise 10: the dashboard server, for the room to watch.
//!
//! `cargo xtask demo 10-websocket` runs `cargo run -p sol10-websocket -- [--listen
//! ADDR] [--script]` (`--help` lists the limits you can change). Without
//! `--script` it serves the page, the WebSockets and the stock feed until Ctrl-C;
//! with `--script` it runs scripted clients against itself, prints the transcript
//! and exits.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use sol10_websocket::Server;
use sol10_websocket::client::WsClient;
use sol10_websocket::policy::{PING_INTERVAL, PONG_DEADLINE};
use sol10_websocket::server::{HANDSHAKE_TIMEOUT, MAX_CONNECTIONS};
use test_kit::{Count, DemoArgs, LineClient, Seconds, Transcript};

/// The live dashboard server of 10-websocket: a page, WebSockets that push stock
/// totals, and a feed of stock moves (the feed takes a free port next to ADDR).
#[derive(Parser)]
#[command(long_about = None)]
struct Cli {
    #[command(flatten)]
    demo: DemoArgs,
    /// Serve at most N clients at once on each port; the next one is told the
    /// server is busy (503 on the web port).
    #[arg(long, value_name = "N", default_value_t = MAX_CONNECTIONS.into())]
    max_connections: Count,
    /// Drop a web client that has not finished its request (the WebSocket
    /// handshake) after SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = HANDSHAKE_TIMEOUT.into())]
    handshake_timeout: Seconds,
    /// Ping each dashboard every SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = PING_INTERVAL.into())]
    ping_interval: Seconds,
    /// Drop a dashboard that answers no ping, or takes no push, for SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = PONG_DEADLINE.into())]
    pong_deadline: Seconds,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let listen = cli.demo.listen;
    let mut server = match Server::bind(listen).await {
        Ok(server) => server
            .with_max_connections(cli.max_connections.get())
            .with_handshake_timeout(cli.handshake_timeout.get()),
        Err(err) => return cli.demo.cannot_listen("sol10-websocket", err),
    };
    let policy = server.policy_mut();
    policy.ping_interval = cli.ping_interval.get();
    policy.pong_deadline = cli.pong_deadline.get();
    let (addr, feed) = (server.local_addr(), server.feed_addr());
    println!("dashboard listening on {addr}; stock feed on {feed}");
    if cli.demo.script {
        tokio::spawn(server.run());
        script(addr, feed).await;
        return ExitCode::SUCCESS;
    }
    println!(
        "open http://{addr}/ in a browser, then send stock moves:\n  \
         nc -C {ip} {port}      and type lines like `WIDGET-1 5`\n  \
         python3 -m websockets ws://{addr}/live     then type `subscribe *`\n  \
         python3 -m websockets ws://{addr}/echo     (the Autobahn-tested echo)\n\
         At most {max} clients at once on each port; a web client has {secs} s to \
         finish its handshake.\n\
         Ctrl-C stops the server.",
        ip = feed.ip(),
        port = feed.port(),
        max = cli.max_connections,
        secs = cli.handshake_timeout,
    );
    server.run().await;
    ExitCode::SUCCESS
}

/// A dashboard, a stock feed and a refused page, one after the other.
async fn script(addr: SocketAddr, feed_addr: SocketAddr) {
    let transcript = Transcript::new();
    let origin = format!("http://{addr}");
    let mut ana =
        WsClient::connect(addr, "/live", Some(&origin), "ana", &transcript).await;
    ana.send_text("subscribe WIDGET-1 GADGET").await;
    ana.expect().await;
    let mut feed = LineClient::connect(feed_addr, "feed", &transcript).await;
    for line in ["WIDGET-1 5", "SPROCKET 2", "GADGET 3"] {
        feed.send_line(line).await;
        feed.recv_line().await;
    }
    ana.expect().await;
    ana.expect().await;
    ana.close(1000, "done").await;
    ana.expect_closed(1).await;
    let evil = Some("http://evil.example");
    let mut mallory =
        WsClient::connect(addr, "/live", evil, "mallory", &transcript).await;
    mallory.expect_closed(1).await;
    print!("{transcript}");
}
