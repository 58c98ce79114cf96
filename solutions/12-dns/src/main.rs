//! The demo of exercise 12: the ERP's DNS server, for the room to query.
//!
//! `cargo xtask demo 12-dns` runs `cargo run -p sol12-dns -- [--listen ADDR] [--script]`
//! (`--help` lists the limits you can change).
//! Without `--script` it serves until Ctrl-C and prints how to ask it with dig,
//! dnspython or the book's Twisted names client; with `--script` it asks itself a
//! few questions over UDP and TCP, prints the transcript and exits.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RecordType};
use sol12_dns::{DnsServer, IDLE_TIMEOUT, MAX_TCP_CONNECTIONS, Zone};
use test_kit::{Count, DemoArgs, Seconds, Transcript};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// The ERP's authoritative DNS server (zone erp.test.) over UDP and TCP.
#[derive(Parser)]
#[command(long_about = None)]
struct Cli {
    // `--listen` is for UDP and TCP alike.
    #[command(flatten)]
    demo: DemoArgs,
    /// Serve at most N TCP clients at once; the next waits (UDP is still answered).
    #[arg(long, value_name = "N", default_value_t = MAX_TCP_CONNECTIONS.into())]
    max_tcp_connections: Count,
    /// Close a TCP connection that sends nothing for SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = IDLE_TIMEOUT.into())]
    idle_timeout: Seconds,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let listen = cli.demo.listen;
    let server = match DnsServer::bind(listen, Zone::erp()).await {
        Ok(server) => server
            .with_max_tcp_connections(cli.max_tcp_connections.get())
            .with_idle_timeout(cli.idle_timeout.get()),
        Err(err) => return cli.demo.cannot_listen("sol12-dns", err),
    };
    let addr = server.local_addr();
    println!("erp.test DNS listening on {addr} (UDP and TCP)");
    if cli.demo.script {
        tokio::spawn(server.run());
        return match script(addr).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("sol12-dns: the script failed: {err}");
                ExitCode::FAILURE
            }
        };
    }
    let (ip, port) = (addr.ip(), addr.port());
    println!(
        "ask it:\n  \
         dig @{ip} -p {port} warehouse-1.erp.test A\n  \
         dig @{ip} -p {port} _feed._tcp.erp.test SRV\n  \
         dig @{ip} -p {port} +noedns catalog.erp.test TXT   (TC, then dig retries over TCP)\n  \
         dig @{ip} -p {port} example.com A                  (REFUSED: not our zone)\n  \
         python3 book/src/dns/twisted/lookup.py --connect {addr} warehouse-1.erp.test A\n\
         At most {max} TCP clients at once; one silent for {idle} s is disconnected.\n\
         Ctrl-C stops the server.",
        max = cli.max_tcp_connections,
        idle = cli.idle_timeout,
    );
    server.run().await;
    ExitCode::SUCCESS
}

/// What dig would ask, one after the other, then the big answer over TCP.
async fn script(addr: SocketAddr) -> std::io::Result<()> {
    let transcript = Transcript::new();
    let udp = UdpSocket::bind("127.0.0.1:0").await?;
    udp.connect(addr).await?;
    let questions = [
        ("warehouse-1.erp.test.", RecordType::A),
        ("warehouse-1.erp.test.", RecordType::AAAA),
        ("_feed._tcp.erp.test.", RecordType::SRV),
        ("nowhere.erp.test.", RecordType::A),
        ("feed.erp.test.", RecordType::AAAA),
        ("example.com.", RecordType::A),
        ("catalog.erp.test.", RecordType::TXT),
    ];
    let mut buffer = vec![0; 65536];
    for (id, (name, record_type)) in (1..).zip(questions) {
        transcript.sent("dig", &format!("{record_type} {name} (UDP)"));
        udp.send(&query(id, name, record_type, false)).await?;
        let len = udp.recv(&mut buffer).await?;
        transcript.received("dig", &describe(&buffer[..len]));
    }
    // The catalog came back with TC set: ask again over TCP, as dig does.
    let mut tcp = TcpStream::connect(addr).await?;
    transcript.sent("dig", "TXT catalog.erp.test. (TCP, two-byte length prefix)");
    let message = query(8, "catalog.erp.test.", RecordType::TXT, false);
    tcp.write_all(&[&(message.len() as u16).to_be_bytes()[..], &message].concat())
        .await?;
    let len = tcp.read_u16().await?;
    let mut reply = vec![0; usize::from(len)];
    tcp.read_exact(&mut reply).await?;
    transcript.received("dig", &describe(&reply));
    // With EDNS, 1232 bytes fit in one datagram: no second round trip.
    transcript.sent("dig", "TXT catalog.erp.test. (UDP, EDNS 1232)");
    udp.send(&query(9, "catalog.erp.test.", RecordType::TXT, true)).await?;
    let len = udp.recv(&mut buffer).await?;
    transcript.received("dig", &describe(&buffer[..len]));
    println!("\n{transcript}");
    Ok(())
}

/// A query as dig sends it: recursion desired, EDNS with 1232 bytes if `edns`.
fn query(id: u16, name: &str, record_type: RecordType, edns: bool) -> Vec<u8> {
    let mut message = Message::new(id, MessageType::Query, OpCode::Query);
    message.metadata.recursion_desired = true;
    let name = Name::from_ascii(name).expect("the script's names are valid");
    message.add_query(Query::query(name, record_type));
    if edns {
        let mut edns = Edns::new();
        edns.set_max_payload(1232);
        message.set_edns(edns);
    }
    message.to_vec().expect("a query encodes")
}

/// A reply in one line: size, code, flags, and how many records of each section.
fn describe(reply: &[u8]) -> String {
    let Ok(message) = Message::from_vec(reply) else {
        return format!("{} bytes that are not a DNS message", reply.len());
    };
    let meta = &message.metadata;
    let mut line = format!("{} bytes, {:?}", reply.len(), meta.response_code);
    for (on, flag) in [(meta.authoritative, "aa"), (meta.truncation, "tc")] {
        if on {
            line.push_str(&format!(" {flag}"));
        }
    }
    match message.answers.as_slice() {
        [] => {}
        [one] => line.push_str(&format!(": {one}")),
        [first, rest @ ..] => {
            line.push_str(&format!(": {first} (and {} more)", rest.len()))
        }
    }
    if let Some(soa) = message.authorities.first() {
        line.push_str(&format!("; authority: {} {}", soa.name, soa.record_type()));
    }
    line
}
