//! The demo of exercise 05: a live inventory feed, for the room to talk to.
//!
//! `cargo xtask demo 05-lines` runs `cargo run -p sol05-lines -- [--listen ADDR] [--script]`
//! (`--help` lists the limits you can change).
//! Without `--script` it serves until Ctrl-C and prints how to connect with nc,
//! telnet or the book's Twisted client; with `--script` it runs scripted clients
//! against itself, prints the transcript and exits.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use sol05_lines::server::IDLE_TIMEOUT;
use sol05_lines::{FeedFactory, FeedServer, MAX_CONNECTIONS, MAX_LENGTH};
use test_kit::{Count, DemoArgs, LineClient, Seconds, Transcript};

/// The live inventory feed of 05-lines: `SKU qty` lines in, running totals out.
#[derive(Parser)]
#[command(long_about = None)]
struct Cli {
    #[command(flatten)]
    demo: DemoArgs,
    /// Serve at most N clients at once; the next one is told `ERR server busy`.
    #[arg(long, value_name = "N", default_value_t = MAX_CONNECTIONS.into())]
    max_connections: Count,
    /// Close a connection that sends nothing for SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = IDLE_TIMEOUT.into())]
    idle_timeout: Seconds,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let listen = cli.demo.listen;
    let server = match FeedServer::bind(listen, FeedFactory::new()).await {
        Ok(server) => server
            .with_max_connections(cli.max_connections.get())
            .with_idle_timeout(cli.idle_timeout.get()),
        Err(err) => return cli.demo.cannot_listen("sol05-lines", err),
    };
    let addr = server.local_addr();
    println!(
        "inventory feed listening on {addr} (lines end in \\r\\n, max {MAX_LENGTH} bytes)"
    );
    if cli.demo.script {
        tokio::spawn(server.run());
        script(addr).await;
        return ExitCode::SUCCESS;
    }
    println!(
        "talk to it, then type lines like `WIDGET-1 5` or `WIDGET-1 -2`:\n  \
         nc -C {ip} {port}        (-C sends \\r\\n line ends)\n  \
         telnet {ip} {port}\n  \
         python3 book/src/lines/twisted/feed_client.py --connect {addr} 'WIDGET-1 5'   (needs Twisted)\n\
         At most {max} clients at once; a client silent for {idle} s is disconnected.\n\
         Ctrl-C stops the server.",
        ip = addr.ip(),
        port = addr.port(),
        max = cli.max_connections,
        idle = cli.idle_timeout,
    );
    server.run().await;
    ExitCode::SUCCESS
}

/// Two clerks and an attacker, one after the other, so the room can follow.
async fn script(addr: SocketAddr) {
    let transcript = Transcript::new();
    let mut alice = LineClient::connect(addr, "alice", &transcript).await;
    let mut bob = LineClient::connect(addr, "bob", &transcript).await;

    // Running totals, shared by every connection.
    ask(&mut alice, "WIDGET-1 5").await;
    ask(&mut bob, "WIDGET-1 -2").await;
    ask(&mut alice, "GADGET 3").await;
    // Two lines and half of a third in one write, the rest in another: TCP is a stream.
    bob.send_raw(b"GADGET 1\r\nWIDGET-1 4\r\nGAD").await;
    bob.send_raw(b"GET -2\r\n").await;
    for _ in 0..3 {
        bob.recv_line().await;
    }
    // A malformed line gets an error, and the connection stays open.
    for line in ["WIDGET-1 five", "WIDGET-1", "WIDGET-1 1"] {
        ask(&mut alice, line).await;
    }

    // An over-long line closes the connection. Its 2,000 bytes are summarised
    // instead of recorded, so the transcript stays readable.
    let mut mallory = LineClient::connect(addr, "mallory", &Transcript::new()).await;
    let flood = vec![b'x'; 2000];
    transcript.event(
        "mallory",
        &format!(
            "sends {} bytes without \\r\\n (MAX_LENGTH is {MAX_LENGTH})",
            flood.len()
        ),
    );
    mallory.send_raw(&flood).await;
    transcript.received("mallory", &mallory.recv_line().await);
    mallory.expect_closed().await;
    transcript.event("mallory", "connection closed by server");

    println!("\n{transcript}");
}

/// Sends one line and waits for its answer; both land in the client's transcript.
async fn ask(client: &mut LineClient, line: &str) {
    client.send_line(line).await;
    client.recv_line().await;
}
