//! The demo of exercise 11: a finger service, for the room to talk to.
//!
//! `cargo xtask demo 11-finger` runs `cargo run -p sol11-finger -- [--listen ADDR]
//! [--script]` (`--help` lists the limits you can change). Finger listens on ADDR; the setter and the web view on free
//! loopback ports next to it. Without `--script` it serves until Ctrl-C and prints
//! how to talk to each port; with `--script` it plays a scripted session and exits.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use sol11_finger::{
    Directory, FileDirectory, FingerFactory, FingerServer, FingerService, HttpDirectory,
    IDLE_TIMEOUT, Limits, MAX_CONNECTIONS, MemoryDirectory, Ports, finger,
};
use test_kit::{Count, DemoArgs, LineClient, Seconds, Transcript};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A finger service (RFC 1288) with a setter port and a web view.
#[derive(Parser)]
#[command(long_about = None)]
struct Cli {
    // `--listen` is where finger listens (127.0.0.1:79 is the port real `finger`
    // clients use); the setter and the web view take free loopback ports.
    #[command(flatten)]
    demo: DemoArgs,
    /// Serve at most N finger clients at once; the next one is told `Server busy`.
    #[arg(long, value_name = "N", default_value_t = MAX_CONNECTIONS.into())]
    max_connections: Count,
    /// Close a finger connection SECS seconds after it opened, answered or not
    /// [default: none; a client still has IDLE_TIMEOUT (10 s) to send its line]
    #[arg(long, value_name = "SECS")]
    timeout: Option<Seconds>,
    /// Answer from this `user: status` file instead (no setter or web port).
    #[arg(long, value_name = "PATH", conflicts_with = "http")]
    users_file: Option<PathBuf>,
    /// Answer from the HTTP service at ADDR (GET /users/<name>), e.g. another
    /// demo's web view (no setter or web port).
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,
}

/// The users the demo starts with; the book's Twisted server has the same.
fn seed() -> MemoryDirectory {
    MemoryDirectory::with_users([
        ("alice", "Counting widgets in aisle 7"),
        ("bob", "Out to lunch"),
        ("moshez", "Happy and well"),
    ])
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Cli::parse();
    let listen = args.demo.listen;
    let limits = Limits {
        max_connections: args.max_connections.get(),
        deadline: args.timeout.map(Seconds::get),
    };
    let other: Option<Box<dyn Directory>> = match (&args.users_file, args.http) {
        (Some(path), _) => Some(Box::new(FileDirectory::new(path))),
        (None, Some(addr)) => Some(Box::new(HttpDirectory::new(addr))),
        (None, None) => None,
    };
    if let Some(directory) = other {
        return serve_only_finger(&args.demo, limits, Arc::from(directory)).await;
    }
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    let service = FingerService::new(seed()).with_finger_limits(limits);
    let ports =
        match service.listen(Ports { finger: listen, setter: any, web: any }).await {
            Ok(ports) => ports,
            Err(err) => return args.demo.cannot_listen("sol11-finger", err),
        };
    println!("finger listening on {}", ports.finger);
    println!("setter listening on {}", ports.setter);
    println!("web view listening on {}", ports.web);
    if args.demo.script {
        script(ports).await;
        return ExitCode::SUCCESS;
    }
    let (f, s, w) = (ports.finger, ports.setter, ports.web);
    println!(
        "talk to it:\n  \
         printf 'alice\\r\\n' | nc {fi} {fp}          (one query; /W alice, an empty line, alice@host)\n  \
         finger alice@{fi}                   (Debian's finger: only if finger listens on port 79)\n  \
         python3 book/src/finger/twisted/finger_server.py --connect {f} alice   (needs Twisted)\n  \
         nc -C {si} {sp}, then `alice Back from lunch`   (the setter)\n  \
         curl http://{w}/users/alice\n\
         At most {max} finger clients at once; one gets {idle} s to send its query.\n\
         Ctrl-C stops the server.",
        max = limits.max_connections,
        idle =
            args.timeout.map_or(IDLE_TIMEOUT, Seconds::get).min(IDLE_TIMEOUT).as_secs(),
        fi = f.ip(),
        fp = f.port(),
        si = s.ip(),
        sp = s.port(),
    );
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}

/// Finger alone, answered from a file or an HTTP backend.
async fn serve_only_finger(
    demo: &DemoArgs,
    limits: Limits,
    directory: Arc<dyn Directory>,
) -> ExitCode {
    let server =
        match FingerServer::bind(demo.listen, FingerFactory::shared(directory)).await {
            Ok(server) => server.with_limits(limits),
            Err(err) => return demo.cannot_listen("sol11-finger", err),
        };
    match server.local_addr() {
        Ok(addr) => println!("finger listening on {addr}"),
        Err(err) => eprintln!("sol11-finger: {err}"),
    }
    server.run().await;
    ExitCode::SUCCESS
}

/// Queries of every kind, a status set on the setter port, the web view, and the
/// client function: one session for the room.
async fn script(ports: Ports) {
    let transcript = Transcript::new();
    // (query, lines in its answer): one query per connection, then the server closes.
    let queries = [
        ("alice", 1),
        ("/W moshez", 2),
        ("", 3),
        ("/W", 3),
        ("carol", 1),
        ("bob@example.com", 1),
    ];
    for (query, lines) in queries {
        ask(ports.finger, query, lines, &transcript).await;
    }
    let mut setter = LineClient::connect(ports.setter, "setter", &transcript).await;
    setter.send_line("carol Unpacking pallets").await;
    setter.recv_line().await;
    drop(setter);
    ask(ports.finger, "carol", 1, &transcript).await;

    let mut web = TcpStream::connect(ports.web).await.expect("the web view");
    let request = "GET /users HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n";
    web.write_all(request.as_bytes()).await.expect("the web view");
    let mut response = String::new();
    web.read_to_string(&mut response).await.expect("the web view");
    transcript.sent("web", "GET /users");
    for line in response.lines() {
        transcript.received("web", line);
    }
    println!("\n{transcript}");

    match finger(ports.finger, "/W carol").await {
        Ok(answer) => print!("finger(\"/W carol\") returned:\n{answer}"),
        Err(err) => println!("finger(\"/W carol\") failed: {err}"),
    }
}

/// Sends one finger query and reads its `lines` answer lines and the close.
async fn ask(addr: SocketAddr, query: &str, lines: usize, transcript: &Transcript) {
    let mut client = LineClient::connect(addr, "finger", transcript).await;
    client.send_line(query).await;
    for _ in 0..lines {
        client.recv_line().await;
    }
    client.expect_closed().await;
}
