//! The parts of a DNS message this server reads by hand: the header and the
//! question (RFC 1035 section 4.1), and the sizes that bound them.

use hickory_proto::op::OpCode;
use hickory_proto::rr::{DNSClass, Name, RecordType};

use crate::error::WireError;

/// The header's length: six big-endian `u16`s.
pub const HEADER_LENGTH: usize = 12;
/// The longest name on the wire, length bytes and root included (RFC 1035 2.3.4).
pub const MAX_NAME_LENGTH: usize = 255;
/// The longest label (its length byte has two bits left for the label type).
pub const MAX_LABEL_LENGTH: usize = 63;
/// The largest UDP answer for a client that sent no EDNS record (RFC 1035 4.2.1).
pub const CLASSIC_UDP_LIMIT: usize = 512;
/// The largest UDP answer this server sends to an EDNS client, whatever it offers:
/// 1232 bytes fit in one packet on any IPv6 path (DNS Flag Day 2020).
pub const EDNS_UDP_LIMIT: usize = 1232;

/// How a query arrived, which decides how big its answer may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// A datagram: the answer must fit the client's limit, or go out truncated.
    Udp,
    /// A TCP connection: the two-byte length prefix allows up to 65,535 bytes.
    Tcp,
}

// ANCHOR: header
/// The 12-byte header of a DNS message, decoded.
///
/// ```text
///   0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
/// +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
/// |                      ID                       |
/// |QR|   Opcode  |AA|TC|RD|RA|   Z    |   RCODE   |   <- flags
/// |                    QDCOUNT                    |
/// |                    ANCOUNT                    |
/// |                    NSCOUNT                    |
/// |                    ARCOUNT                    |
/// +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Chosen by the client; the answer carries it back.
    pub id: u16,
    /// The second 16 bits: QR, opcode, AA, TC, RD, RA, Z and RCODE.
    pub flags: u16,
    /// How many questions follow.
    pub questions: u16,
    /// How many answer records follow.
    pub answers: u16,
    /// How many authority records follow.
    pub authorities: u16,
    /// How many additional records follow (an EDNS OPT record is one).
    pub additionals: u16,
}
// ANCHOR_END: header

impl Header {
    /// QR: set in answers. A server never answers an answer (two servers would
    /// bounce one packet between them forever).
    pub fn is_response(&self) -> bool {
        self.flags & 0x8000 != 0
    }

    /// The opcode (bits 11 to 14): 0 is a standard query.
    pub fn op_code(&self) -> OpCode {
        OpCode::from_u8(((self.flags >> 11) & 0x0f) as u8)
    }

    /// RD: the client would like recursion. An authoritative server copies it back.
    pub fn recursion_desired(&self) -> bool {
        self.flags & 0x0100 != 0
    }

    /// TC: the answer was cut to fit a datagram; ask again over TCP.
    pub fn truncated(&self) -> bool {
        self.flags & 0x0200 != 0
    }
}

/// The question of a query: which name, which type, which class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The name asked about, as the client spelled it (case preserved).
    pub name: Name,
    /// The record type asked for (A, AAAA, TXT, SRV, ...).
    pub query_type: RecordType,
    /// The class, IN for the Internet.
    pub query_class: DNSClass,
    /// Where the question ends in the packet.
    pub end: usize,
}

impl Question {
    /// Reads the one question that follows the header. Its name is decoded by
    /// [`read_name`](crate::read_name); its type and class are two `u16`s after it.
    pub fn parse(packet: &[u8], header: &Header) -> Result<Question, WireError> {
        if header.questions != 1 {
            return Err(WireError::QuestionCount(header.questions));
        }
        let (name, at) = crate::read_name(packet, HEADER_LENGTH)?;
        let fixed = packet.get(at..at + 4).ok_or(WireError::Truncated)?;
        Ok(Question {
            name,
            query_type: RecordType::from(u16::from_be_bytes([fixed[0], fixed[1]])),
            query_class: DNSClass::from(u16::from_be_bytes([fixed[2], fixed[3]])),
            end: at + 4,
        })
    }
}
