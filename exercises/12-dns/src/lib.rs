//! Exercise 12: DNS. An authoritative name server for the ERP's hosts
//! (`warehouse-1.erp.test`, the feed's SRV records, ...) over UDP and TCP:
//! Twisted names' `DNSServerFactory`, the tokio way.
//!
//! Six functions are yours to write, in this order (each `todo!()` names one):
//! 1. `Header::parse` in [`decode`]: the 12-byte header, by hand (step 1).
//! 2. [`read_name`] in [`decode`]: labels and compression pointers, by hand, and
//!    the loops and overlong names an attacker sends (steps 2 and 3).
//! 3. `Zone::lookup` in [`lookup`]: NOERROR, NODATA, NXDOMAIN or REFUSED (step 4).
//! 4. [`respond`] in [`respond`](mod@respond): a query in, an answer out, built with
//!    hickory-proto; FORMERR, NOTIMP, and TC for big UDP answers (steps 5 to 7).
//! 5. [`serve_udp`] and 6. [`serve_tcp`] in [`serve`]: datagrams, and messages with
//!    a two-byte length prefix (steps 5 to 7).
//!
//! Everything else (the errors, the header and question types, the zone, the
//! listening server) is given. Run `cargo xtask check 12-dns` after each one.

pub mod decode;
mod error;
pub mod lookup;
mod message;
mod port;
pub mod respond;
pub mod serve;
mod zone;

pub use decode::read_name;
pub use error::WireError;
pub use message::{
    CLASSIC_UDP_LIMIT, EDNS_UDP_LIMIT, HEADER_LENGTH, Header, MAX_LABEL_LENGTH,
    MAX_NAME_LENGTH, Question, Transport,
};
pub use port::{DnsServer, IDLE_TIMEOUT, MAX_TCP_CONNECTIONS};
pub use respond::respond;
pub use serve::{MAX_QUERY_DATAGRAM, serve_tcp, serve_udp};
pub use zone::{Lookup, TTL, Zone};
