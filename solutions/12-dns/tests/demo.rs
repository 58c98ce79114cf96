//! The demo server against a hostile room: what `cargo xtask demo 12-dns` must
//! survive. Not a step of the exercise: the learner's crate has no demo.

use std::io::{self, Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RecordType};
use test_kit::DemoProcess;
use test_kit::process::{PATIENCE, is_timeout};

const DEMO: &str = env!("CARGO_BIN_EXE_sol12-dns");

/// A query for `warehouse-1.erp.test. A` with this id, as dig sends it.
fn query(id: u16) -> Vec<u8> {
    let mut message = Message::new(id, MessageType::Query, OpCode::Query);
    let name = Name::from_ascii("warehouse-1.erp.test.").expect("a valid name");
    message.add_query(Query::query(name, RecordType::A));
    message.to_vec().expect("a query encodes")
}

/// Panics unless `reply` answers [`query`]`(id)` with one record.
fn assert_answers(reply: &[u8], id: u16, who: &str) {
    let message = Message::from_vec(reply)
        .unwrap_or_else(|e| panic!("{who}: the reply does not parse: {e}"));
    assert_eq!(message.metadata.id, id, "{who}: the reply's id");
    assert_eq!(message.metadata.response_code, ResponseCode::NoError, "{who}");
    assert_eq!(message.answers.len(), 1, "{who}: one A record");
}

/// Asks over UDP until answered: a datagram may be dropped when the server's
/// receive buffer is full, as it is right after a flood. Each try waits up to
/// 200 ms, all of them at most [`PATIENCE`].
fn udp_ask(demo: &DemoProcess, id: u16) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a client socket");
    socket.connect(demo.addr()).expect("connect the client socket");
    socket.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let deadline = Instant::now() + PATIENCE;
    let mut buffer = [0; 4096];
    while Instant::now() < deadline {
        socket.send(&query(id)).expect("send a query");
        match socket.recv(&mut buffer) {
            Ok(len)
                if Message::from_vec(&buffer[..len])
                    .is_ok_and(|m| m.metadata.id == id) =>
            {
                return assert_answers(&buffer[..len], id, "the UDP client");
            }
            Ok(_) => {} // a late reply to an earlier try
            Err(e) if is_timeout(&e) => {}
            Err(e) => panic!("the UDP client: {e}"),
        }
    }
    panic!("no UDP answer within {PATIENCE:?}");
}

/// A TCP client that gives up on a silent server after `patience`.
fn tcp_client(demo: &DemoProcess, patience: Duration) -> TcpStream {
    let stream = TcpStream::connect(demo.addr()).expect("connect over TCP");
    stream.set_read_timeout(Some(patience)).expect("a read timeout");
    stream
}

/// Sends [`query`]`(id)` with its length prefix and reads the reply.
fn tcp_ask(stream: &mut TcpStream, id: u16) -> io::Result<Vec<u8>> {
    let message = query(id);
    stream.write_all(&[&(message.len() as u16).to_be_bytes()[..], &message].concat())?;
    tcp_reply(stream)
}

/// Reads one length-prefixed reply.
fn tcp_reply(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut prefix = [0; 2];
    stream.read_exact(&mut prefix)?;
    let mut reply = vec![0; usize::from(u16::from_be_bytes(prefix))];
    stream.read_exact(&mut reply)?;
    Ok(reply)
}

/// True once the server has closed `stream` (end of stream or a reset).
fn closed(stream: &mut TcpStream) -> io::Result<bool> {
    match stream.read(&mut [0; 1]) {
        Ok(0) => Ok(true),
        Ok(_) => Ok(false),
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => Ok(true),
        Err(e) => Err(e),
    }
}

/// Thousands of datagrams that are not queries (empty, short, a header with
/// absurd counts, random bytes, oversized) are dropped or refused; the queries
/// that follow are answered.
#[test]
fn a_udp_flood_of_garbage_is_survived_and_real_queries_still_answered() {
    let mut demo = DemoProcess::command(DEMO).spawn();
    let flood = UdpSocket::bind("127.0.0.1:0").expect("a flooding socket");
    let mut seed = 0x2545_f491_u32;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    for n in 0..5000_u32 {
        let len = match n % 5 {
            0 => 0,
            1 => (next() % 12) as usize,
            2 => 12,
            3 => (next() % 600) as usize,
            _ => 5000,
        };
        let mut datagram: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if n % 5 == 2 {
            datagram[4..12].fill(0xff); // 65,535 of every section
        }
        // A full receive buffer drops datagrams; the sender never blocks on UDP.
        let _ = flood.send_to(&datagram, demo.addr());
    }
    udp_ask(&demo, 7);
    let mut tcp = tcp_client(&demo, PATIENCE);
    assert_answers(&tcp_ask(&mut tcp, 8).expect("a TCP answer"), 8, "the TCP client");
    assert!(demo.exited().is_none(), "the demo exited:\n{}", demo.output());
}

/// A TCP connection that never sends a query is closed after `--idle-timeout`
/// (10 s by default), so silent clients cannot keep their slots.
#[test]
fn silent_tcp_connections_are_cut_after_the_idle_timeout() {
    let demo = DemoProcess::command(DEMO)
        .arg("--max-tcp-connections")
        .arg("2")
        .arg("--idle-timeout")
        .arg("1")
        .spawn();
    let started = Instant::now();
    let mut silent: Vec<_> = (0..2).map(|_| tcp_client(&demo, PATIENCE)).collect();
    // Half a query: the length, and nothing after it.
    silent[1].write_all(&[0, 40]).unwrap();
    for (n, client) in silent.iter_mut().enumerate() {
        match closed(client) {
            Ok(true) => {}
            other => panic!("silent client {n} is not closed: {other:?}"),
        }
    }
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "closed after {waited:?}, before 1 s");
    // Their slots are free again.
    let mut newcomer = tcp_client(&demo, PATIENCE);
    let reply = tcp_ask(&mut newcomer, 9).expect("the newcomer is answered");
    assert_answers(&reply, 9, "the newcomer");
}

/// With every TCP slot taken, a newcomer waits; UDP does not.
#[test]
fn beyond_the_tcp_cap_newcomers_still_get_udp_answers() {
    let demo = DemoProcess::command(DEMO).arg("--max-tcp-connections").arg("2").spawn();
    let mut held: Vec<_> = (0..2).map(|_| tcp_client(&demo, PATIENCE)).collect();
    for (n, client) in (1..).zip(held.iter_mut()) {
        assert_answers(&tcp_ask(client, n).expect("a TCP answer"), n, "a held client");
    }
    let mut waiting = tcp_client(&demo, Duration::from_millis(300));
    let early = tcp_ask(&mut waiting, 3);
    assert!(
        early.as_ref().is_err_and(is_timeout),
        "a third TCP client is served beyond the cap of 2: {early:?}"
    );
    udp_ask(&demo, 4);
    drop(held);
    waiting.set_read_timeout(Some(PATIENCE)).unwrap();
    let reply = tcp_reply(&mut waiting).expect("the waiting client, once a slot frees");
    assert_answers(&reply, 3, "the waiting client");
}

/// Out of file descriptors, TCP accepting pauses (the demo says so on stderr)
/// and resumes when clients leave; UDP is answered all along.
#[test]
#[cfg(unix)]
fn running_out_of_descriptors_pauses_tcp_and_udp_lives_on() {
    let mut demo = DemoProcess::command(DEMO).max_open_files(24).spawn();
    let mut served = Vec::new();
    let mut waiting = loop {
        assert!(served.len() < 24, "24 TCP clients served without running out");
        let mut client = tcp_client(&demo, Duration::from_millis(20));
        let message = query(100);
        client
            .write_all(&[&(message.len() as u16).to_be_bytes()[..], &message].concat())
            .expect("send a query");
        let deadline = Instant::now() + PATIENCE;
        // Either the answer (accepted) or the complaint (left in the queue).
        let accepted = loop {
            match tcp_reply(&mut client) {
                Ok(_) => break true,
                Err(e) if is_timeout(&e) => {}
                Err(e) => panic!("TCP client {}: {e}\n{}", served.len(), demo.output()),
            }
            if demo.wait_for_output("accept", Duration::ZERO).is_some() {
                break false;
            }
            if let Some(status) = demo.exited() {
                panic!("the demo exited ({status}):\n{}", demo.output());
            }
            assert!(
                Instant::now() < deadline,
                "no answer, no complaint:\n{}",
                demo.output()
            );
        };
        if !accepted {
            break client;
        }
        served.push(client);
    };
    assert!(!served.is_empty(), "out of descriptors before the first TCP client");
    udp_ask(&demo, 101);
    drop(served);
    waiting.set_read_timeout(Some(PATIENCE)).unwrap();
    let reply =
        tcp_reply(&mut waiting).expect("the waiting client, once descriptors free");
    assert_answers(&reply, 100, "the waiting client");
    assert!(demo.exited().is_none(), "the demo exited:\n{}", demo.output());
}
