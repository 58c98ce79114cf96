//! The demo of exercise 08: the JSON inventory API on a resource tree, for the room
//! to talk to with curl.
//!
//! `cargo xtask demo 08-web` runs `cargo run -p sol08-web -- [--listen ADDR] [--script]`
//! (`--help` lists the limits you can change).
//! Without `--script` it serves until Ctrl-C and prints curl commands to try; with
//! `--script` it sends scripted requests to itself, prints what went each way and
//! exits.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use sol08_web::{
    HEADER_READ_TIMEOUT, Inventory, MAX_CONNECTIONS, Site, WebServer, inventory_tree,
};
use test_kit::{Count, DemoArgs, Seconds};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The inventory API on a Twisted-style resource tree, served with hyper.
#[derive(Parser)]
#[command(long_about = None)]
struct Cli {
    #[command(flatten)]
    demo: DemoArgs,
    /// Serve at most N connections at once; the next one is answered 503.
    #[arg(long, value_name = "N", default_value_t = MAX_CONNECTIONS.into())]
    max_connections: Count,
    /// Close a connection that takes SECS seconds to send a request's headers, or
    /// keeps the connection idle that long between requests.
    #[arg(long, value_name = "SECS", default_value_t = HEADER_READ_TIMEOUT.into())]
    header_timeout: Seconds,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let listen = cli.demo.listen;
    let site = Site::new(inventory_tree(Arc::new(Inventory::demo())))
        .with_header_read_timeout(cli.header_timeout.get());
    let server = match WebServer::bind(listen, site).await {
        Ok(server) => server.with_max_connections(cli.max_connections.get()),
        Err(err) => return cli.demo.cannot_listen("sol08-web", err),
    };
    let addr = server.local_addr();
    println!("inventory API listening on {addr} (http://{addr}/inventory)");
    if cli.demo.script {
        tokio::spawn(server.run());
        script(addr).await;
        return ExitCode::SUCCESS;
    }
    println!(
        "try:\n  \
         curl -i http://{addr}/inventory\n  \
         curl -i http://{addr}/inventory/WIDGET-1\n  \
         curl -I http://{addr}/inventory/WIDGET-1          (HEAD: GET's headers, no body)\n  \
         curl -i -H 'Content-Type: application/json' -d '{{\"delta\": -2}}' http://{addr}/inventory/WIDGET-1\n  \
         curl -i -X POST http://{addr}/inventory           (405, with Allow)\n  \
         curl -i -X BREW http://{addr}/inventory           (501)\n  \
         python3 book/src/web/twisted/inventory_site.py --listen 127.0.0.1:8008   (the same API on Twisted)\n\
         At most {max} connections at once; {secs} s to send a request's headers.\n\
         Ctrl-C stops the server.",
        max = cli.max_connections,
        secs = cli.header_timeout,
    );
    server.run().await;
    ExitCode::SUCCESS
}

/// Requests that show each rule once, one connection each, printed as sent and
/// as answered (minus the Date header, which changes every second).
async fn script(addr: SocketAddr) {
    let json = "Content-Type: application/json\r\n";
    let requests: [(&str, &str, &str); 10] = [
        ("GET /inventory", "", ""),
        ("GET /inventory/WIDGET-1", "", ""),
        ("HEAD /inventory/WIDGET-1", "", ""),
        ("POST /inventory/WIDGET-1", json, r#"{"delta": -2}"#),
        ("POST /inventory/WIDGET-1", json, r#"{"delta": "two"}"#),
        ("POST /inventory/WIDGET-1", "Content-Type: text/plain\r\n", "-2"),
        ("GET /inventory/NOPE", "", ""),
        ("GET /inventory/", "", ""),
        ("POST /inventory", json, r#"{"delta": 1}"#),
        ("BREW /inventory", "", ""),
    ];
    for (line, headers, body) in requests {
        let request = format!(
            "{line} HTTP/1.1\r\nHost: {addr}\r\n{headers}Content-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        );
        println!("clerk > {line}");
        for header in headers.lines() {
            println!("clerk > {header}");
        }
        if !body.is_empty() {
            println!("clerk > {body}");
        }
        match exchange(addr, &request).await {
            Ok(answer) => {
                for line in answer.lines().filter(|l| !l.starts_with("date:")) {
                    println!("clerk < {line}");
                }
            }
            Err(err) => println!("clerk -- {err}"),
        }
        println!();
    }
}

/// Sends one request on a new connection and reads the answer to the end.
async fn exchange(addr: SocketAddr, request: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}
