//! One query in, one answer out: the whole server without its sockets, so the
//! tests (and the fuzzer) can call it directly.

use crate::message::Transport;
use crate::zone::Zone;

// What `respond` will need.
#[allow(unused_imports)]
use {
    crate::message::{CLASSIC_UDP_LIMIT, EDNS_UDP_LIMIT, Header, Question},
    crate::zone::Lookup,
    hickory_proto::op::{Edns, Message, OpCode, Query, ResponseCode},
    hickory_proto::rr::DNSClass,
};

/// The answer to `query` (the bytes of one datagram, or of one TCP message without
/// its length prefix), or `None` when there is nobody to answer.
///
/// 1. [`Header::parse`] the query. No header, or a header with QR set (an answer,
///    not a question): `None`. Never answer an answer.
/// 2. Every reply is a `Message::response(id, op_code)` with the query's id and
///    opcode; set `metadata.recursion_desired` as the query had it.
/// 3. Opcode other than `OpCode::Query`: NOTIMP. A query whose question does not
///    [`Question::parse`], or that hickory's `Message::from_vec` cannot parse whole
///    (records after the question, an EDNS record): FORMERR. Error replies carry
///    no question: it may be what was wrong.
/// 4. A class other than IN: REFUSED. Otherwise [`Zone::lookup`]: `Answer` gives
///    NOERROR with the records in `answers`; `NoData` NOERROR and `NxDomain`
///    NXDOMAIN, both with the zone's SOA in `authorities`; `Refused` REFUSED.
///    Echo the question (`Query::query(name, type)`, with its class) in `queries`.
///    Set `metadata.authoritative` on every answer from the zone (not on REFUSED).
/// 5. If the query had EDNS (`message.edns`), answer with EDNS too: an `Edns`
///    whose max payload is [`EDNS_UDP_LIMIT`].
/// 6. Over [`Transport::Udp`], the reply may be at most [`CLASSIC_UDP_LIMIT`]
///    bytes, or, with EDNS, the client's max payload clamped to
///    `CLASSIC_UDP_LIMIT..=EDNS_UDP_LIMIT`. Bigger: send `message.truncate()`
///    instead (TC set, records dropped, question and EDNS kept), and the client
///    asks again over TCP. TCP has no limit but the length prefix's 65,535.
///
/// `to_vec()` encodes a `Message`; it fails only for messages no caller should
/// build, so a failure here may be answered with SERVFAIL, never a panic.
pub fn respond(zone: &Zone, query: &[u8], transport: Transport) -> Option<Vec<u8>> {
    todo!("respond({} bytes, {transport:?}, zone {})", query.len(), zone.origin())
}
