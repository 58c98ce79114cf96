//! The demo of exercise 05: a live inventory feed, for the room to talk to.
//!
//! `cargo xtask demo 05-lines` runs `cargo run -p sol05-lines -- [--listen ADDR] [--script]`.
//! Without `--script` it serves until Ctrl-C and prints how to connect with nc,
//! telnet or the book's Twisted client; with `--script` it runs scripted clients
//! against itself, prints the transcript and exits.

use std::net::SocketAddr;
use std::process::ExitCode;

use sol05_lines::{FeedFactory, FeedServer, MAX_LENGTH};
use test_kit::{LineClient, Transcript};

const USAGE: &str = "\
usage: sol05-lines [--listen ADDR] [--script]
  --listen ADDR  where to listen (default 127.0.0.1:0: loopback, a free port)
  --script       run scripted clients against the server, print the transcript, exit";

/// What the command line asked for.
struct Args {
    listen: SocketAddr,
    script: bool,
}

/// Parses the arguments after the program name; `Err` holds what to tell the user.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed =
        Args { listen: SocketAddr::from(([127, 0, 0, 1], 0)), script: false };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => {
                let value = args
                    .next()
                    .ok_or("--listen needs an address, e.g. 127.0.0.1:8005")?;
                parsed.listen = value.parse().map_err(|_| {
                    format!("--listen: {value:?} is not an address like 127.0.0.1:8005")
                })?;
            }
            "--script" => parsed.script = true,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(parsed))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("sol05-lines: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let server = match FeedServer::bind(args.listen, FeedFactory::new()).await {
        Ok(server) => server,
        Err(err) => {
            eprintln!("sol05-lines: cannot listen on {}: {err}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    let addr = server.local_addr();
    println!(
        "inventory feed listening on {addr} (lines end in \\r\\n, max {MAX_LENGTH} bytes)"
    );
    if args.script {
        tokio::spawn(server.run());
        script(addr).await;
        return ExitCode::SUCCESS;
    }
    println!(
        "talk to it, then type lines like `WIDGET-1 5` or `WIDGET-1 -2`:\n  \
         nc -C {ip} {port}        (-C sends \\r\\n line ends)\n  \
         telnet {ip} {port}\n  \
         python3 book/src/lines/twisted/feed_client.py --connect {addr} 'WIDGET-1 5'   (needs Twisted)\n\
         Ctrl-C stops the server.",
        ip = addr.ip(),
        port = addr.port(),
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
