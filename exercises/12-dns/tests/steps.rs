// The steps of exercise 12: a header and names decoded by hand, then the zone's
// answers, then a real server over UDP and TCP, then a fuzzer. The runner reports
// the first step that fails.

use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use dns::{
    CLASSIC_UDP_LIMIT, DnsServer, EDNS_UDP_LIMIT, Header, Lookup, Transport, WireError,
    Zone, read_name, respond,
};
use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RecordType};
use test_kit::Transcript;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

// Starts the ERP's DNS server on a free loopback port and returns its address.
async fn start() -> SocketAddr {
    let addr = "127.0.0.1:0".parse().expect("a valid address");
    let server = DnsServer::bind(addr, Zone::erp())
        .await
        .expect("the DNS server could not listen on 127.0.0.1:0");
    let addr = server.local_addr();
    tokio::spawn(server.run());
    addr
}

fn name(text: &str) -> Name {
    Name::from_ascii(text).expect("a valid name")
}

// A query as dig sends it (recursion desired), optionally with EDNS.
fn query(id: u16, qname: &str, qtype: RecordType, edns: Option<u16>) -> Vec<u8> {
    let mut message = Message::new(id, MessageType::Query, OpCode::Query);
    message.metadata.recursion_desired = true;
    message.add_query(Query::query(name(qname), qtype));
    if let Some(payload) = edns {
        let mut edns = Edns::new();
        edns.set_max_payload(payload);
        message.set_edns(edns);
    }
    message.to_vec().expect("a query encodes")
}

// The header alone: id, flags, then the four counts.
fn header(id: u16, flags: u16, counts: [u16; 4]) -> Vec<u8> {
    let mut bytes = [id, flags]
        .iter()
        .chain(&counts)
        .flat_map(|w| w.to_be_bytes())
        .collect::<Vec<u8>>();
    bytes.reserve(64);
    bytes
}

// A reply as one line: code, flags, then each record.
fn describe(reply: &[u8]) -> String {
    let message = Message::from_vec(reply).unwrap_or_else(|err| {
        panic!("the reply is not a DNS message ({err}): {reply:02x?}")
    });
    let meta = &message.metadata;
    let code = match meta.response_code {
        ResponseCode::NoError => "NOERROR",
        ResponseCode::FormErr => "FORMERR",
        ResponseCode::ServFail => "SERVFAIL",
        ResponseCode::NXDomain => "NXDOMAIN",
        ResponseCode::NotImp => "NOTIMP",
        ResponseCode::Refused => "REFUSED",
        _ => "other",
    };
    let flags = [
        (meta.authoritative, "aa"),
        (meta.truncation, "tc"),
        (meta.recursion_desired, "rd"),
    ];
    let flags: Vec<&str> = flags.iter().filter(|(on, _)| *on).map(|(_, f)| *f).collect();
    let mut line = format!("{code} [{}] q={}", flags.join(" "), message.queries.len());
    for record in &message.answers {
        line.push_str(&format!(" | {record}"));
    }
    for record in &message.authorities {
        line.push_str(&format!(" | authority {} {}", record.name, record.record_type()));
    }
    if let Some(edns) = &message.edns {
        line.push_str(&format!(" | edns {}", edns.max_payload()));
    }
    line
}

// Sends one datagram and returns the next datagram that comes back.
async fn ask_udp(socket: &UdpSocket, packet: &[u8]) -> Vec<u8> {
    socket.send(packet).await.expect("send a datagram");
    let mut buffer = vec![0; 65536];
    let len = socket.recv(&mut buffer).await.expect("receive a datagram");
    buffer.truncate(len);
    buffer
}

async fn udp_client(server: SocketAddr) -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").await.expect("a client socket");
    socket.connect(server).await.expect("connect the client socket");
    socket
}

fn id_of(reply: &[u8]) -> u16 {
    u16::from_be_bytes([reply[0], reply[1]])
}

// Reads one length-prefixed message from a TCP stream.
async fn read_framed(stream: &mut TcpStream) -> Vec<u8> {
    let len = stream.read_u16().await.expect("a two-byte length prefix");
    let mut message = vec![0; usize::from(len)];
    stream.read_exact(&mut message).await.expect("as many bytes as the prefix says");
    message
}

fn framed(message: &[u8]) -> Vec<u8> {
    [&(message.len() as u16).to_be_bytes()[..], message].concat()
}

#[test]
fn step_1_header_fields_are_big_endian_and_a_short_packet_is_refused() {
    test_kit::run(|| async {
        let mut packet = header(0xBEEF, 0x0120, [1, 0, 0, 1]);
        packet.extend_from_slice(b"anything after the header is not read");
        let parsed = Header::parse(&packet).expect("a 12-byte header");
        assert_eq!(
            parsed,
            Header {
                id: 0xBEEF,
                flags: 0x0120,
                questions: 1,
                answers: 0,
                authorities: 0,
                additionals: 1
            },
            "six big-endian u16s: id, flags, then the four counts"
        );
        assert!(!parsed.is_response() && parsed.recursion_desired());
        assert_eq!(parsed.op_code(), OpCode::Query);

        let answer = Header::parse(&header(7, 0x8400, [1, 2, 3, 4])).unwrap();
        assert!(answer.is_response(), "0x8400 has QR set");
        assert_eq!((answer.answers, answer.authorities), (2, 3));

        for len in [0, 1, 11] {
            assert_eq!(
                Header::parse(&packet[..len]),
                Err(WireError::Truncated),
                "{len} bytes are not a header: an error, not a panic"
            );
        }
    });
}

#[test]
fn step_2_names_follow_labels_and_compression_pointers() {
    test_kit::run(|| async {
        let mut packet = header(1, 0, [1, 0, 0, 0]);
        // 12: warehouse-1.erp.test. in full; erp starts at 24.
        packet.extend_from_slice(b"\x0bwarehouse-1\x03erp\x04test\x00");
        // 34: feed, then a pointer to erp.test. at 24.
        packet.extend_from_slice(b"\x04FeEd\xc0\x18");
        // 41: a pointer to a name that ends with a pointer.
        packet.extend_from_slice(b"\xc0\x22");
        // 43: the root alone; 44: one label with a dot in it.
        packet.extend_from_slice(b"\x00\x03a.b\x00");

        let read = |at| {
            let (name, end) = read_name(&packet, at)
                .unwrap_or_else(|err| panic!("the name at {at} failed to decode: {err}"));
            (name.to_string(), end)
        };
        assert_eq!(
            read(12),
            ("warehouse-1.erp.test.".to_owned(), 34),
            "labels up to the zero byte"
        );
        assert_eq!(
            read(34),
            ("FeEd.erp.test.".to_owned(), 41),
            "a pointer ends the name: it continues at 24, and the name ends after \
             the pointer's two bytes; case is kept"
        );
        assert_eq!(read(24), ("erp.test.".to_owned(), 34), "a name can start anywhere");
        assert_eq!(read(41), ("FeEd.erp.test.".to_owned(), 43), "a pointer to a pointer");
        assert_eq!(read(43), (".".to_owned(), 44), "a zero byte alone is the root");
        let (one_label, end) = read_name(&packet, 44).unwrap();
        assert_eq!(
            (one_label.num_labels(), end),
            (1, 49),
            "a.b in one label is one label, not two: never split on dots"
        );
    });
}

// A packet: a header, then `name` at 12.
fn with_name(name: &[u8]) -> Vec<u8> {
    let mut packet = header(1, 0, [1, 0, 0, 0]);
    packet.extend_from_slice(name);
    packet
}

#[test]
fn step_3_pointer_loops_and_overlong_names_are_rejected() {
    test_kit::run(|| async {
        let cases: [(&str, Vec<u8>, WireError); 8] = [
            (
                "a pointer to itself",
                with_name(b"\xc0\x0c"),
                WireError::PointerLoop { at: 12, target: 12 },
            ),
            (
                "a pointer forwards",
                with_name(b"\xc0\x0e\x00"),
                WireError::PointerLoop { at: 12, target: 14 },
            ),
            (
                "a pointer back to the start of its own labels: behind itself, yet a loop",
                with_name(b"\x01a\xc0\x0c"),
                WireError::PointerLoop { at: 14, target: 12 },
            ),
            ("a label past the end", with_name(b"\x05erp"), WireError::Truncated),
            ("half a pointer", with_name(b"\x03erp\xc0"), WireError::Truncated),
            ("no zero byte", with_name(b"\x03erp\x04test"), WireError::Truncated),
            (
                "label type 01",
                with_name(b"\x41"),
                WireError::ReservedLabelType { at: 12, byte: 0x41 },
            ),
            (
                "label type 10",
                with_name(b"\x03erp\x80"),
                WireError::ReservedLabelType { at: 16, byte: 0x80 },
            ),
        ];
        for (what, packet, error) in cases {
            assert_eq!(
                read_name(&packet, 12).map(|(n, end)| (n.to_string(), end)),
                Err(error),
                "{what}"
            );
        }

        // 255 bytes is the limit: three 63-byte labels, one of 61, and the root.
        let label = |len: usize| [&[len as u8][..], &vec![b'x'; len]].concat();
        let longest = [label(63), label(63), label(63), label(61), vec![0]].concat();
        assert_eq!(longest.len(), 255);
        let (name, end) =
            read_name(&with_name(&longest), 12).expect("255 bytes is allowed");
        assert_eq!((name.num_labels(), end), (4, 12 + 255));
        let too_long = [label(63), label(63), label(63), label(62), vec![0]].concat();
        assert_eq!(
            read_name(&with_name(&too_long), 12),
            Err(WireError::NameTooLong),
            "256 bytes"
        );

        // Pointers make a short packet spell a long name: 130 labels `a` in 520
        // bytes, each a label and a pointer back to the previous one.
        let mut packet = with_name(b"\x01a\x00");
        let mut previous = 12;
        for _ in 0..130 {
            let at = packet.len();
            packet.extend_from_slice(&[
                1,
                b'a',
                0xc0 | (previous >> 8) as u8,
                previous as u8,
            ]);
            previous = at;
        }
        assert_eq!(packet.len(), 12 + 3 + 130 * 4);
        assert_eq!(
            read_name(&packet, previous),
            Err(WireError::NameTooLong),
            "the 255-byte limit counts the name as it is followed, not the packet's bytes"
        );
    });
}

#[test]
fn step_4_the_zone_answers_nxdomain_nodata_and_refused() {
    test_kit::run(|| async {
        let zone = Zone::erp();
        let answer = |qname: &str, qtype| match zone.lookup(&name(qname), qtype) {
            Lookup::Answer(records) => {
                records.iter().map(|r| r.to_string()).collect::<Vec<_>>()
            }
            other => panic!("{qname} {qtype}: expected records, got {other:?}"),
        };
        assert_eq!(
            answer("warehouse-1.erp.test.", RecordType::A),
            ["warehouse-1.erp.test. 300 IN A 192.0.2.10"]
        );
        assert_eq!(
            answer("Warehouse-1.ERP.test.", RecordType::AAAA),
            ["warehouse-1.erp.test. 300 IN AAAA 2001:db8::10"],
            "names compare without regard to case"
        );
        assert_eq!(
            answer("_feed._tcp.erp.test.", RecordType::SRV).len(),
            2,
            "both SRV records"
        );
        assert_eq!(
            answer("warehouse-2.erp.test.", RecordType::ANY).len(),
            2,
            "ANY: every type"
        );
        assert_eq!(
            answer("erp.test.", RecordType::SOA).len(),
            1,
            "the origin is in the zone"
        );

        for (qname, qtype, expected, why) in [
            (
                "nowhere.erp.test.",
                RecordType::A,
                Lookup::NxDomain,
                "in the zone, not there",
            ),
            ("feed.erp.test.", RecordType::AAAA, Lookup::NoData, "there, but no AAAA"),
            (
                "x.warehouse-1.erp.test.",
                RecordType::A,
                Lookup::NxDomain,
                "under a name is not the name",
            ),
            ("example.com.", RecordType::A, Lookup::Refused, "outside the zone"),
            ("test.", RecordType::A, Lookup::Refused, "the parent is outside"),
            ("xerp.test.", RecordType::A, Lookup::Refused, "compare labels, not strings"),
        ] {
            assert_eq!(
                zone.lookup(&name(qname), qtype),
                expected,
                "{qname} {qtype}: {why}"
            );
        }
    });
}

#[test]
fn step_5_udp_answers_records_and_error_codes() {
    test_kit::run(|| async {
        let server = start().await;
        let client = udp_client(server).await;
        let transcript = Transcript::new();
        let mut id = 100;
        for (qname, qtype) in [
            ("warehouse-1.erp.test.", RecordType::A),
            ("warehouse-1.erp.test.", RecordType::AAAA),
            ("feed.erp.test.", RecordType::TXT),
            ("_feed._tcp.erp.test.", RecordType::SRV),
            ("nowhere.erp.test.", RecordType::A),
            ("feed.erp.test.", RecordType::AAAA),
            ("example.com.", RecordType::A),
        ] {
            id += 1;
            transcript.sent("dig", &format!("{qtype} {qname}"));
            let reply = ask_udp(&client, &query(id, qname, qtype, None)).await;
            assert_eq!(id_of(&reply), id, "a reply carries its query's id");
            transcript.received("dig", &describe(&reply));
        }

        // Malformed queries get FORMERR, other opcodes NOTIMP, other classes REFUSED.
        let mut looped = header(201, 0x0100, [1, 0, 0, 0]);
        looped.extend_from_slice(b"\x01a\xc0\x0c\x00\x01\x00\x01");
        let no_question = header(202, 0x0100, [0, 0, 0, 0]);
        let mut cut = query(203, "feed.erp.test.", RecordType::A, None);
        cut.truncate(cut.len() - 3);
        let mut status = query(204, "feed.erp.test.", RecordType::A, None);
        status[2] |= 2 << 3;
        let mut chaos = Message::new(205, MessageType::Query, OpCode::Query);
        let mut question = Query::query(name("feed.erp.test."), RecordType::TXT);
        question.set_query_class(DNSClass::CH);
        chaos.add_query(question);
        let chaos = chaos.to_vec().unwrap();
        for (what, packet) in [
            ("a pointer loop", looped),
            ("no question", no_question),
            ("a question cut short", cut),
            ("opcode STATUS", status),
            ("class CH", chaos),
        ] {
            transcript.sent("mallory", what);
            let reply = ask_udp(&client, &packet).await;
            assert_eq!(id_of(&reply), id_of(&packet), "a reply carries its query's id");
            transcript.received("mallory", &describe(&reply));
        }

        // No header, or an answer instead of a query: no reply at all. The next
        // datagram back is the answer to the query sent after them.
        transcript.sent("mallory", "5 bytes, then a response (QR set), then a query");
        client.send(b"\x00\x01\x02\x03\x04").await.unwrap();
        let mut response = query(206, "feed.erp.test.", RecordType::A, None);
        response[2] |= 0x80;
        client.send(&response).await.unwrap();
        let reply =
            ask_udp(&client, &query(207, "feed.erp.test.", RecordType::A, None)).await;
        assert_eq!(id_of(&reply), 207, "the garbage and the response got no reply");
        transcript.received("mallory", &describe(&reply));

        insta::assert_snapshot!(transcript.to_string());
    });
}

#[test]
fn step_6_big_answers_set_tc_over_udp_and_come_whole_over_tcp() {
    test_kit::run(|| async {
        let server = start().await;
        let client = udp_client(server).await;
        let transcript = Transcript::new();
        let catalog = |id, edns| query(id, "catalog.erp.test.", RecordType::TXT, edns);

        for (id, edns, limit) in [
            (1, None, CLASSIC_UDP_LIMIT),
            (2, Some(512), CLASSIC_UDP_LIMIT),
            (3, Some(4096), EDNS_UDP_LIMIT),
        ] {
            let offer = edns.map_or("no EDNS".to_owned(), |n| format!("EDNS {n}"));
            transcript.sent("dig", &format!("TXT catalog.erp.test. over UDP, {offer}"));
            let reply = ask_udp(&client, &catalog(id, edns)).await;
            assert!(
                reply.len() <= limit,
                "{} bytes over UDP with {offer}: the limit is {limit}",
                reply.len()
            );
            transcript
                .received("dig", &format!("{} bytes: {}", reply.len(), describe(&reply)));
        }

        // TCP: two queries in two writes cut in odd places, answered in order.
        let mut stream = TcpStream::connect(server).await.expect("TCP on the same port");
        let both = [
            framed(&catalog(4, None)),
            framed(&query(5, "feed.erp.test.", RecordType::A, None)),
        ]
        .concat();
        transcript.sent(
            "dig+tcp",
            "TXT catalog.erp.test. and A feed.erp.test. in two writes, cut at 7 bytes",
        );
        stream.write_all(&both[..7]).await.unwrap();
        stream.write_all(&both[7..]).await.unwrap();
        for id in [4, 5] {
            let reply = read_framed(&mut stream).await;
            assert_eq!(id_of(&reply), id, "TCP answers come in the order of the queries");
            transcript.received(
                "dig+tcp",
                &format!("{} bytes: {}", reply.len(), describe(&reply)),
            );
        }
        // A message without a header ends the connection.
        transcript.sent("mallory+tcp", "a 2-byte message");
        stream.write_all(&framed(b"\x00\x01")).await.unwrap();
        let mut rest = Vec::new();
        let read = stream.read_to_end(&mut rest).await;
        assert!(
            matches!(read, Ok(0)),
            "the server closes the connection without a reply, got {read:?} {rest:?}"
        );
        transcript.event("mallory+tcp", "connection closed by server");

        insta::assert_snapshot!(transcript.to_string());
    });
}

// A small deterministic random generator (xorshift64*): the same packets every run.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

// One fuzz packet: random bytes, or a real query mutated (bytes flipped, pointers
// planted, cut short, counts changed).
fn fuzz_packet(rng: &mut Xorshift, seeds: &[Vec<u8>]) -> Vec<u8> {
    if rng.below(4) == 0 {
        let len = rng.below(80);
        return (0..len).map(|_| rng.byte()).collect();
    }
    let mut packet = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(packet.len());
        match rng.below(5) {
            0 => packet[at] = rng.byte(),
            1 => packet[at] ^= 1 << rng.below(8),
            2 => {
                packet[at] = 0xc0 | (rng.byte() & 0x3f);
                if at + 1 < packet.len() {
                    packet[at + 1] = rng.byte() % packet.len() as u8;
                }
            }
            3 => packet.truncate(at),
            _ if packet.len() >= 12 => packet[4 + rng.below(8)] = rng.byte() % 3,
            _ => packet.push(rng.byte()),
        }
        if packet.is_empty() {
            break;
        }
    }
    packet
}

// Checks one reply: a DNS message, for that query, within the transport's limit.
fn check_reply(
    packet: &[u8],
    reply: Option<Vec<u8>>,
    transport: Transport,
) -> Result<(), String> {
    let Some(reply) = reply else {
        let answerable = packet.len() >= 12 && packet[2] & 0x80 == 0;
        return if answerable {
            Err("no reply to a query with a header".into())
        } else {
            Ok(())
        };
    };
    let message = Message::from_vec(&reply)
        .map_err(|err| format!("a reply that does not parse: {err}"))?;
    let meta = &message.metadata;
    let limit = if transport == Transport::Udp { EDNS_UDP_LIMIT } else { 65535 };
    if packet.len() < 12
        || meta.id != id_of(packet)
        || meta.message_type != MessageType::Response
    {
        return Err(format!("a reply that is not a response to this query: {meta:?}"));
    }
    if reply.len() > limit {
        return Err(format!("{} bytes over {transport:?}", reply.len()));
    }
    match meta.response_code {
        ResponseCode::NoError
        | ResponseCode::FormErr
        | ResponseCode::NXDomain
        | ResponseCode::NotImp
        | ResponseCode::Refused => Ok(()),
        other => Err(format!("response code {other}")),
    }
}

const FUZZ_PACKETS: usize = 100_000;

#[test]
fn step_7_a_fuzzer_finds_no_panic_and_only_well_formed_replies() {
    test_kit::run(|| async {
        let zone = Zone::erp();
        let seeds = vec![
            query(1, "warehouse-1.erp.test.", RecordType::A, None),
            query(2, "_feed._tcp.erp.test.", RecordType::SRV, Some(1232)),
            query(3, "catalog.erp.test.", RecordType::TXT, None),
            query(4, "nowhere.erp.test.", RecordType::AAAA, Some(4096)),
            with_name(b"\x04feed\xc0\x10\x00\x01\x00\x01"),
        ];
        let mut rng = Xorshift(0x0005_eed0_fd15_ea5e);
        let mut sample = Vec::new();
        for n in 0..FUZZ_PACKETS {
            let packet = fuzz_packet(&mut rng, &seeds);
            let transport = if n % 2 == 0 { Transport::Udp } else { Transport::Tcp };
            let reply =
                catch_unwind(AssertUnwindSafe(|| respond(&zone, &packet, transport)))
                    .unwrap_or_else(|_| {
                        panic!("respond panicked on packet #{n}: {packet:02x?}")
                    });
            if let Err(problem) = check_reply(&packet, reply, transport) {
                panic!("packet #{n} {packet:02x?} over {transport:?}: {problem}");
            }
            if n % 50 == 0 {
                sample.push(packet);
            }
        }

        // The server itself: 2,000 of them as datagrams and over one TCP
        // connection, then it still answers.
        let server = start().await;
        let client = udp_client(server).await;
        for (n, packet) in sample.iter().enumerate() {
            client.send(packet).await.unwrap();
            if n % 32 == 0 {
                // Let the server read: a full socket buffer drops datagrams.
                tokio::task::yield_now().await;
            }
        }
        let mut stream = TcpStream::connect(server).await.unwrap();
        for packet in &sample {
            if stream.write_all(&framed(packet)).await.is_err() {
                break; // it closed the connection: allowed
            }
        }
        let mut fresh = TcpStream::connect(server).await.unwrap();
        fresh
            .write_all(&framed(&query(9, "feed.erp.test.", RecordType::A, None)))
            .await
            .unwrap();
        assert_eq!(
            id_of(&read_framed(&mut fresh).await),
            9,
            "the server still answers over TCP"
        );
        // Skip the replies to the garbage until the answer to a real query comes.
        // UDP may lose a datagram when a buffer is full: ask again, as dig would.
        let mut buffer = vec![0; 65536];
        'asking: for _attempt in 0..5 {
            let real = query(0xFFFF, "feed.erp.test.", RecordType::A, None);
            client.send(&real).await.unwrap();
            loop {
                let wait = Duration::from_secs(1);
                let Ok(received) =
                    tokio::time::timeout(wait, client.recv(&mut buffer)).await
                else {
                    continue 'asking;
                };
                let len = received.expect("receive a datagram");
                let reply = &buffer[..len];
                if len >= 3 && id_of(reply) == 0xFFFF && reply[2] & 0x80 != 0 {
                    let described = describe(reply);
                    assert!(described.starts_with("NOERROR"), "over UDP: {described}");
                    return;
                }
            }
        }
        panic!("the server no longer answers over UDP");
    });
}
