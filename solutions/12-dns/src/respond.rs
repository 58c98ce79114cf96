//! One query in, one answer out: the whole server without its sockets.

use hickory_proto::op::{Edns, Message, OpCode, Query, ResponseCode};
use hickory_proto::rr::DNSClass;

use crate::message::{CLASSIC_UDP_LIMIT, EDNS_UDP_LIMIT, Header, Question, Transport};
use crate::zone::{Lookup, Zone};

// ANCHOR: respond
/// The answer to `query`, or `None` when there is nobody to answer.
pub fn respond(zone: &Zone, query: &[u8], transport: Transport) -> Option<Vec<u8>> {
    let header = Header::parse(query).ok()?;
    if header.is_response() {
        return None;
    }
    let mut reply = Message::response(header.id, header.op_code());
    reply.metadata.recursion_desired = header.recursion_desired();
    if header.op_code() != OpCode::Query {
        return Some(encode(reply, ResponseCode::NotImp, transport, None));
    }
    // By hand first (bounded, and the lesson); then hickory for the rest.
    let parsed = Question::parse(query, &header).ok().zip(Message::from_vec(query).ok());
    let Some((question, message)) = parsed else {
        return Some(encode(reply, ResponseCode::FormErr, transport, None));
    };
    let edns = message.edns.as_ref().map(|edns| usize::from(edns.max_payload()));
    let mut echo = Query::query(question.name.clone(), question.query_type);
    echo.set_query_class(question.query_class);
    reply.add_query(echo);
    let lookup = if question.query_class == DNSClass::IN {
        zone.lookup(&question.name, question.query_type)
    } else {
        Lookup::Refused
    };
    let code = match lookup {
        Lookup::Answer(records) => {
            reply.add_answers(records);
            ResponseCode::NoError
        }
        Lookup::NoData => {
            reply.add_authority(zone.soa().clone());
            ResponseCode::NoError
        }
        Lookup::NxDomain => {
            reply.add_authority(zone.soa().clone());
            ResponseCode::NXDomain
        }
        Lookup::Refused => ResponseCode::Refused,
    };
    reply.metadata.authoritative = code != ResponseCode::Refused;
    Some(encode(reply, code, transport, edns))
}
// ANCHOR_END: respond

// ANCHOR: encode
/// Sets the code, adds EDNS if the client spoke it (`edns` is its max payload),
/// and encodes; over UDP, a reply over the client's limit goes out truncated.
fn encode(
    mut reply: Message,
    code: ResponseCode,
    transport: Transport,
    edns: Option<usize>,
) -> Vec<u8> {
    reply.metadata.response_code = code;
    if edns.is_some() {
        let mut ours = Edns::new();
        ours.set_max_payload(EDNS_UDP_LIMIT as u16);
        reply.set_edns(ours);
    }
    let limit = match (transport, edns) {
        (Transport::Tcp, _) => usize::from(u16::MAX),
        (Transport::Udp, None) => CLASSIC_UDP_LIMIT,
        (Transport::Udp, Some(offer)) => offer.clamp(CLASSIC_UDP_LIMIT, EDNS_UDP_LIMIT),
    };
    match reply.to_vec() {
        Ok(bytes) if bytes.len() <= limit => bytes,
        // Over the limit: header, question and EDNS only, TC set.
        Ok(_) => reply.truncate().to_vec().unwrap_or_else(|_| server_failure(&reply)),
        Err(_) => server_failure(&reply),
    }
}

/// SERVFAIL with the reply's id and opcode: what to send when encoding fails.
fn server_failure(reply: &Message) -> Vec<u8> {
    let failure = Message::error_msg(
        reply.metadata.id,
        reply.metadata.op_code,
        ResponseCode::ServFail,
    );
    failure.to_vec().unwrap_or_default()
}
// ANCHOR_END: encode
