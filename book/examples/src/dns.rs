//! Worked examples for the DNS chapter (book/src/dns/index.md).
//!
//! The exercise decodes a DNS header and names by hand and answers queries over UDP
//! and TCP. Here, neighbouring problems: an SRV record's fixed fields read by hand;
//! a warehouse's bin paths, whose parts refer back to earlier parts the way DNS names
//! do, decoded with the rule that makes such loops impossible; a health check
//! answered with hickory-proto; a UDP service and a length-prefixed TCP service.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::timeout;

// ANCHOR: srv_fields
/// The three numbers at the start of an SRV record's data (RFC 2782).
#[derive(Debug, PartialEq, Eq)]
pub struct SrvFields {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
}

impl SrvFields {
    /// Reads them from `rdata`; `None` if it is shorter than six bytes.
    pub fn parse(rdata: &[u8]) -> Option<SrvFields> {
        // get() returns None instead of panicking when the bytes are not there.
        let fixed = rdata.get(..6)?;
        let word = |at: usize| u16::from_be_bytes([fixed[at], fixed[at + 1]]);
        Some(SrvFields { priority: word(0), weight: word(2), port: word(4) })
    }
}
// ANCHOR_END: srv_fields

// ANCHOR: bin_path
/// The longest bin path, in bytes of parts.
pub const MAX_PATH: usize = 32;

/// Why a bin path could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum PathError {
    /// The bytes end inside a part or a reference.
    Cut,
    /// A reference that does not point before the parts it ends.
    Loop { at: usize, target: usize },
    /// Longer than [`MAX_PATH`].
    TooLong,
}

/// Reads a bin path at `start` in a label printer's buffer: parts (a length byte,
/// then the part), ended by a zero byte, or by `0xFF n`: "the rest is the path at
/// byte n". `A-01/shelf-3/bin-7` can then reuse `A-01/shelf-3` from a label
/// printed just before. Returns the path and where it ended.
pub fn read_bin_path(buf: &[u8], start: usize) -> Result<(String, usize), PathError> {
    let mut parts = Vec::new();
    let mut total = 0;
    // Where the parts being read began. A reference must point before it: each
    // jump then goes further back, so the walk ends after at most `start` jumps.
    let mut segment = start;
    let mut at = start;
    let mut end = None;
    loop {
        match *buf.get(at).ok_or(PathError::Cut)? {
            0 => break,
            0xFF => {
                let target = usize::from(*buf.get(at + 1).ok_or(PathError::Cut)?);
                if target >= segment {
                    return Err(PathError::Loop { at, target });
                }
                // The path ends after the first reference, whatever follows it.
                end.get_or_insert(at + 2);
                (segment, at) = (target, target);
            }
            len => {
                let len = usize::from(len);
                // Count as we go: references could make a short buffer spell a
                // long path.
                total += len;
                if total > MAX_PATH {
                    return Err(PathError::TooLong);
                }
                let part = buf.get(at + 1..at + 1 + len).ok_or(PathError::Cut)?;
                parts.push(String::from_utf8_lossy(part).into_owned());
                at += 1 + len;
            }
        }
    }
    Ok((parts.join("/"), end.unwrap_or(at + 1)))
}
// ANCHOR_END: bin_path

// ANCHOR: health
/// Answers a health probe: any query for TXT `health.` gets `status=ok`; anything
/// else gets NXDOMAIN; bytes that are not a query get nothing.
pub fn answer_health_probe(query: &[u8]) -> Option<Vec<u8>> {
    // hickory parses a whole message, or says why not.
    let query = Message::from_vec(query).ok()?;
    if query.metadata.message_type != MessageType::Query {
        return None;
    }
    // A response starts from the query's id and opcode...
    let mut reply = Message::response(query.metadata.id, query.metadata.op_code);
    reply.metadata.authoritative = true;
    // ...and echoes its question.
    reply.add_queries(query.queries.iter().cloned());
    let health = Name::from_ascii("health.").ok()?;
    match query.queries.first() {
        Some(q) if q.name() == &health && q.query_type() == RecordType::TXT => {
            let data = RData::TXT(TXT::new(vec!["status=ok".to_owned()]));
            reply.add_answer(Record::from_rdata(health, 5, data));
        }
        _ => reply.metadata.response_code = ResponseCode::NXDomain,
    }
    reply.to_vec().ok()
}
// ANCHOR_END: health

/// A query for `name` and `record_type`, as a client would send it.
pub fn probe(id: u16, name: &str, record_type: RecordType) -> Vec<u8> {
    let mut query = Message::new(id, MessageType::Query, OpCode::Query);
    let name = Name::from_ascii(name).expect("a valid name");
    query.add_query(hickory_proto::op::Query::query(name, record_type));
    query.to_vec().expect("a query encodes")
}

// ANCHOR: udp_counter
/// A stock-count service over UDP: every datagram is a SKU, every answer
/// `SKU count`. No connection, no accept: one socket, and each datagram comes with
/// the address to answer (Twisted's `datagramReceived(data, addr)`).
pub async fn serve_stock_counts(socket: Arc<UdpSocket>) -> io::Result<()> {
    let mut buffer = [0; 512];
    loop {
        let (len, client) = socket.recv_from(&mut buffer).await?;
        let sku = String::from_utf8_lossy(&buffer[..len]);
        let count = if sku == "WIDGET-1" { 7 } else { 0 };
        // A send can fail (the client is gone); the other clients still count.
        let _ = socket.send_to(format!("{sku} {count}").as_bytes(), client).await;
    }
}
// ANCHOR_END: udp_counter

// ANCHOR: tcp_reverse
/// Reverses every length-prefixed message on one connection: a `u16` length, then
/// the bytes. Ends when the client closes, or is silent for `idle`.
pub async fn serve_reversed(mut stream: TcpStream, idle: Duration) -> io::Result<()> {
    loop {
        // timeout() gives Err(Elapsed) when the time runs out first.
        let Ok(len) = timeout(idle, stream.read_u16()).await else { return Ok(()) };
        let len = match len {
            Ok(len) => len,
            Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(err) => return Err(err),
        };
        let mut message = vec![0; usize::from(len)];
        timeout(idle, stream.read_exact(&mut message)).await??;
        message.reverse();
        // Prefix and message in one buffer, one write.
        let framed = [&len.to_be_bytes()[..], &message].concat();
        stream.write_all(&framed).await?;
    }
}
// ANCHOR_END: tcp_reverse

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    #[test]
    fn srv_fields_are_big_endian() {
        let rdata = [0, 10, 0, 60, 0x1f, 0x45, 7];
        assert_eq!(
            SrvFields::parse(&rdata),
            Some(SrvFields { priority: 10, weight: 60, port: 8005 })
        );
        assert_eq!(SrvFields::parse(&rdata[..5]), None);
    }

    // ANCHOR: bin_path_test
    #[test]
    fn bin_paths_reuse_earlier_parts_and_never_loop() {
        // 0: A-01/shelf-3 in full; 14: bin-7, then "the rest is at 0";
        // 22: top, then "the rest is at 14".
        let buf = b"\x04A-01\x07shelf-3\x00\x05bin-7\xff\x00\x03top\xff\x0e";
        assert_eq!(read_bin_path(buf, 0), Ok(("A-01/shelf-3".into(), 14)));
        assert_eq!(read_bin_path(buf, 14), Ok(("bin-7/A-01/shelf-3".into(), 22)));
        assert_eq!(read_bin_path(buf, 22), Ok(("top/bin-7/A-01/shelf-3".into(), 28)));
        // Back to the start of its own parts: behind the reference, still a loop.
        let looped = b"\x01x\xff\x00";
        assert_eq!(read_bin_path(looped, 0), Err(PathError::Loop { at: 2, target: 0 }));
        assert_eq!(read_bin_path(b"\x05A-0", 0), Err(PathError::Cut));
    }
    // ANCHOR_END: bin_path_test

    #[test]
    fn a_long_path_through_references_is_refused() {
        let mut buf = b"\x01a\x00".to_vec();
        let mut previous = 0;
        for _ in 0..40 {
            let at = buf.len();
            buf.extend_from_slice(&[1, b'a', 0xFF, previous as u8]);
            previous = at;
        }
        assert_eq!(read_bin_path(&buf, previous), Err(PathError::TooLong));
    }

    #[test]
    fn the_health_probe_answers_txt_and_nxdomain() {
        let reply = answer_health_probe(&probe(7, "health.", RecordType::TXT)).unwrap();
        let reply = Message::from_vec(&reply).unwrap();
        assert_eq!(reply.metadata.id, 7);
        assert_eq!(reply.answers[0].to_string(), "health. 5 IN TXT status=ok");
        let reply = answer_health_probe(&probe(8, "sick.", RecordType::A)).unwrap();
        let reply = Message::from_vec(&reply).unwrap();
        assert_eq!(reply.metadata.response_code, ResponseCode::NXDomain);
        assert_eq!(answer_health_probe(b"\x00\x01junk"), None);
    }

    #[tokio::test]
    async fn the_stock_counter_answers_each_datagram() {
        let server = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        let addr = server.local_addr().unwrap();
        tokio::spawn(serve_stock_counts(server));
        let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        client.send_to(b"WIDGET-1", addr).await.unwrap();
        let mut buffer = [0; 64];
        let (len, from) = client.recv_from(&mut buffer).await.unwrap();
        assert_eq!((&buffer[..len], from), (&b"WIDGET-1 7"[..], addr));
    }

    #[tokio::test]
    async fn the_reverser_frames_each_message() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            serve_reversed(stream, Duration::from_secs(5)).await
        });
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(b"\x00\x03abc\x00\x02").await.unwrap();
        client.write_all(b"xy").await.unwrap();
        let mut reply = [0; 9];
        client.read_exact(&mut reply).await.unwrap();
        assert_eq!(&reply, b"\x00\x03cba\x00\x02yx");
    }
}
