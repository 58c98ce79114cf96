//! The demo: an echo server on the hand-built reactor.
//!
//! `cargo run -p sol02-reactor -- [--listen ADDR] [--script]` (`--help` says more)
//! - without `--script`: serve until Ctrl-C, printing how to connect and, every ten
//!   seconds (a timer on the same loop as the sockets), how many are connected;
//! - with `--script`: start the server, talk to it with two scripted clients, print
//!   the transcript and exit 0.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use sol02_reactor::{EchoServer, Reactor, echo};
use test_kit::DemoArgs;

/// The echo server of 02-reactor: one thread, a hand-built reactor on mio.
#[derive(Parser)]
#[command(long_about = None)]
struct Cli {
    #[command(flatten)]
    demo: DemoArgs,
}

/// How often the demo reports the number of open connections.
const REPORT_EVERY: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    let DemoArgs { listen, script } = Cli::parse().demo;
    let result = if script { run_script(listen) } else { serve(listen) };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Serves on this thread until the process is interrupted.
fn serve(listen: SocketAddr) -> std::io::Result<()> {
    let reactor = Reactor::new()?;
    let addr = echo::listen(&reactor, listen)?;
    println!("echo server (the 02-reactor, one thread) listening on {addr}");
    println!("talk to it from another terminal:");
    println!("    nc {} {}", addr.ip(), addr.port());
    println!("    telnet {} {}", addr.ip(), addr.port());
    println!("type a line, get it back; Ctrl-C stops the server");
    report(&reactor);
    reactor.run()
}

/// Prints the connection count, then schedules itself again: a repeating timer
/// built from `call_later` (what `LoopingCall` does for you).
fn report(reactor: &Reactor) {
    let again = reactor.clone();
    reactor.call_later(REPORT_EVERY, move || {
        // One handler is the listener; the rest are connections.
        println!(
            "[{:>5.0} s] {} connection(s) open",
            again.seconds(),
            again.handlers().saturating_sub(1)
        );
        report(&again);
    });
}

/// Two clients, interleaved, against one single-threaded server.
fn run_script(listen: SocketAddr) -> std::io::Result<()> {
    let server = EchoServer::start(listen)?;
    let addr = server.addr();
    println!("echo server (the 02-reactor) listening on {addr}; two scripted clients:");
    let mut alice = Client::connect(addr, "alice")?;
    let mut bob = Client::connect(addr, "bob")?;
    alice.say("hello from the warehouse")?;
    bob.say("SCAN WIDGET-42")?;
    alice.say("one thread serves us both")?;
    bob.say("and timers on the same loop")?;
    drop(alice);
    println!("alice -- disconnected");
    bob.say("still here")?;
    server.stop()?;
    println!("server stopped");
    Ok(())
}

/// A blocking line client that prints what it sends and gets back.
struct Client {
    name: &'static str,
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(addr: SocketAddr, name: &'static str) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr)?;
        // Never hang the room: a silent server is an error after a few seconds.
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        println!("{name} -- connected");
        Ok(Self { name, reader: BufReader::new(stream) })
    }

    fn say(&mut self, line: &str) -> std::io::Result<()> {
        println!("{} > {line}", self.name);
        self.reader.get_mut().write_all(format!("{line}\r\n").as_bytes())?;
        let mut echoed = String::new();
        self.reader.read_line(&mut echoed)?;
        println!("{} < {}", self.name, echoed.trim_end());
        Ok(())
    }
}
