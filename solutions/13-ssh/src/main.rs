//! The demo of exercise 13: the inventory shell over SSH, for the room to log in to.
//!
//! `cargo xtask demo 13-ssh` runs `cargo run -p sol13-ssh -- [--listen ADDR] [--script]`
//! (`--help` lists the rest). Without `--script` it serves until Ctrl-C and prints
//! how to log in with OpenSSH or the book's Twisted client; with `--script` it runs
//! scripted clients against itself, prints the transcript and exits.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use russh::keys::{HashAlg, PublicKey};
use sol13_ssh::serve::{HANDSHAKE_TIMEOUT, MAX_CONNECTIONS};
use sol13_ssh::server::{INACTIVITY_TIMEOUT, MAX_AUTH_ATTEMPTS};
use sol13_ssh::{Accounts, Client, Inventory, Outcome, SshServer, config, new_key};
use test_kit::{Count, DemoArgs, Seconds, Transcript};

/// The legacy inventory shell of 13-ssh, served over SSH (a russh server).
#[derive(Parser)]
#[command(long_about = None)]
struct Cli {
    #[command(flatten)]
    demo: DemoArgs,
    /// The user who may log in.
    #[arg(long, value_name = "NAME", default_value = "clerk")]
    user: String,
    /// The user's password (the demo's only secret: it listens on loopback).
    #[arg(long, value_name = "WORD", default_value = "widgets")]
    password: String,
    /// An OpenSSH public key file (`id_ed25519.pub`) whose key may log in as the user.
    #[arg(long, value_name = "FILE")]
    authorized_key: Option<PathBuf>,
    /// Serve at most N connections at once; the next one is told `server busy`.
    #[arg(long, value_name = "N", default_value_t = MAX_CONNECTIONS.into())]
    max_connections: Count,
    /// Close a connection that does not start SSH within SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = HANDSHAKE_TIMEOUT.into())]
    handshake_timeout: Seconds,
    /// Close a connection that sends nothing for SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = INACTIVITY_TIMEOUT.into())]
    idle_timeout: Seconds,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut accounts = Accounts::new().with_password(&cli.user, &cli.password);
    if let Some(file) = &cli.authorized_key {
        let key =
            std::fs::read_to_string(file).map_err(|e| e.to_string()).and_then(|text| {
                PublicKey::from_openssh(text.trim()).map_err(|e| e.to_string())
            });
        match key {
            Ok(key) => accounts = accounts.with_key(&cli.user, key),
            Err(e) => {
                eprintln!(
                    "sol13-ssh: {} is not an OpenSSH public key: {e}",
                    file.display()
                );
                return ExitCode::from(2);
            }
        }
    }
    // A new host key at every start: clients cannot recognise the server across
    // restarts, hence the known_hosts options printed below.
    let host_key = new_key();
    let fingerprint = host_key.public_key().fingerprint(HashAlg::Sha256);
    let mut config = config(host_key.clone());
    config.inactivity_timeout = Some(cli.idle_timeout.get());
    let listen = cli.demo.listen;
    let server =
        match SshServer::bind(listen, config, accounts, Inventory::sample()).await {
            Ok(server) => server
                .with_max_connections(cli.max_connections.get())
                .with_handshake_timeout(cli.handshake_timeout.get()),
            Err(err) => return cli.demo.cannot_listen("sol13-ssh", err),
        };
    let addr = server.local_addr();
    println!("inventory shell (SSH) listening on {addr}; host key {fingerprint}");
    if cli.demo.script {
        tokio::spawn(server.run());
        script(addr, host_key.public_key(), &cli.user, &cli.password).await;
        return ExitCode::SUCCESS;
    }
    let (ip, port, user) = (addr.ip(), addr.port(), &cli.user);
    let options = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null";
    println!(
        "log in as {user} with the password {password:?} (or --authorized-key):\n  \
         ssh -p {port} {options} {user}@{ip}\n  \
         ssh -p {port} {options} {user}@{ip} 'stock WIDGET-1'; echo \"exit status $?\"\n  \
         python3 book/src/ssh/twisted/conch_shell.py --connect {addr} 'list'   (needs Twisted)\n\
         {MAX_AUTH_ATTEMPTS} wrong attempts end a connection; at most {max} connections.\n\
         Ctrl-C stops the server.",
        password = cli.password,
        max = cli.max_connections,
    );
    server.run().await;
    ExitCode::SUCCESS
}

/// A clerk with the password, one with a wrong guess too many, one command and one
/// shell session, so the room sees every part of the protocol.
async fn script(addr: SocketAddr, host_key: &PublicKey, user: &str, password: &str) {
    let transcript = Transcript::new();
    let Ok(mut mallory) = Client::connect(addr, host_key).await else {
        println!("cannot connect to {addr}");
        return;
    };
    // MAX_AUTH_ATTEMPTS wrong guesses are refused; the next try, whatever it
    // carries, is answered with DISCONNECT (russh's client reports a failure).
    for attempt in 1..=MAX_AUTH_ATTEMPTS + 1 {
        let guess = format!("guess-{attempt}");
        transcript.sent("mallory", &format!("password {user}/{guess}"));
        let answer = mallory.password(user, &guess).await;
        if attempt > MAX_AUTH_ATTEMPTS {
            break;
        }
        match answer {
            Ok(true) => transcript.received("mallory", "accepted"),
            Ok(false) => transcript.received("mallory", "refused"),
            Err(e) => transcript.event("mallory", &format!("cannot try: {e}")),
        }
    }
    // Give the close a moment to land.
    for _ in 0..100 {
        if mallory.is_closed() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let state = if mallory.is_closed() {
        "disconnected by the server: too many attempts"
    } else {
        "still connected"
    };
    transcript.event("mallory", state);

    let Ok(mut clerk) = Client::connect(addr, host_key).await else { return };
    transcript.sent("clerk", &format!("password {user}/{password}"));
    let accepted = clerk.password(user, password).await.unwrap_or(false);
    transcript.received("clerk", if accepted { "accepted" } else { "rejected" });
    for command in ["stock WIDGET-1", "move WIDGET-1 -5", "stock NOPE"] {
        transcript.sent("clerk", &format!("exec {command}"));
        record(&transcript, clerk.exec(command).await);
    }
    let typed = ["list\n", "move GADGET 2\n", "quit\n"];
    transcript.sent("clerk", "shell");
    for line in typed {
        transcript.sent("clerk", line);
    }
    record(&transcript, clerk.shell(&typed, false).await);
    let _ = clerk.disconnect().await;
    transcript.event("clerk", "disconnected");
    println!("\n{transcript}");
}

fn record(transcript: &Transcript, outcome: Result<Outcome, russh::Error>) {
    let Ok(outcome) = outcome else {
        transcript.event("clerk", "the channel failed");
        return;
    };
    for line in outcome.output.split_inclusive('\n') {
        transcript.received("clerk", line);
    }
    let status = outcome.exit_status.map_or("none".into(), |s| s.to_string());
    transcript.event(
        "clerk",
        &format!("exit status {status}, channel closed: {}", outcome.closed),
    );
}
