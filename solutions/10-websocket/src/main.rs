//! The demo of exercise 10: the dashboard server, for the room to watch.
//!
//! `cargo xtask demo 10-websocket` runs `cargo run -p sol10-websocket -- [--listen
//! ADDR] [--script]`. Without `--script` it serves the page, the WebSockets and the
//! stock feed until Ctrl-C; with `--script` it runs scripted clients against
//! itself, prints the transcript and exits.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use sol10_websocket::Server;
use sol10_websocket::client::WsClient;
use test_kit::{LineClient, Transcript};

/// The dashboard server of exercise 10.
#[derive(Parser)]
struct Args {
    /// Where to serve the page and the WebSockets (the feed takes a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Run scripted clients against the server, print the transcript, exit.
    #[arg(long)]
    script: bool,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let server = match Server::bind(args.listen).await {
        Ok(server) => server,
        Err(err) => {
            eprintln!("sol10-websocket: cannot listen on {}: {err}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    let (addr, feed) = (server.local_addr(), server.feed_addr());
    println!("dashboard listening on {addr}; stock feed on {feed}");
    if args.script {
        tokio::spawn(server.run());
        script(addr, feed).await;
        return ExitCode::SUCCESS;
    }
    println!(
        "open http://{addr}/ in a browser, then send stock moves:\n  \
         nc -C {ip} {port}      and type lines like `WIDGET-1 5`\n  \
         python3 -m websockets ws://{addr}/live     then type `subscribe *`\n  \
         python3 -m websockets ws://{addr}/echo     (the Autobahn-tested echo)\n\
         Ctrl-C stops the server.",
        ip = feed.ip(),
        port = feed.port(),
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
