//! The zone `erp.test.`: the ERP's hosts, built in code (the Twisted snippet builds
//! the same records), and what a lookup in it can find.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use hickory_proto::rr::rdata::{A, AAAA, NS, SOA, SRV, TXT};
use hickory_proto::rr::{Name, RData, Record};

/// Every record's time to live, in seconds.
pub const TTL: u32 = 300;

// ANCHOR: lookup
/// What the zone holds for one question; [`Zone::lookup`] decides which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// NOERROR with these records in the answer section.
    Answer(Vec<Record>),
    /// NOERROR, no answer: the name exists, but has no record of that type
    /// ("NODATA"). The SOA goes in the authority section.
    NoData,
    /// NXDOMAIN: the name is in the zone but does not exist. The SOA goes in the
    /// authority section.
    NxDomain,
    /// REFUSED: the name is outside the zone. This server is authoritative only:
    /// it does not ask other servers on a client's behalf.
    Refused,
}
// ANCHOR_END: lookup

/// An authoritative zone: its origin, its SOA, and the records of every name in it.
#[derive(Debug, Clone)]
pub struct Zone {
    origin: Name,
    soa: Record,
    // Keyed by the lowercased name: DNS names compare without regard to case.
    names: BTreeMap<Name, Vec<Record>>,
}

impl Zone {
    /// An empty zone: only its SOA and NS records at `origin`.
    pub fn new(origin: Name, soa: SOA, ns: Name) -> Zone {
        let soa = Record::from_rdata(origin.clone(), TTL, RData::SOA(soa));
        let mut zone =
            Zone { origin: origin.clone(), soa: soa.clone(), names: BTreeMap::new() };
        zone.insert(soa);
        zone.insert(Record::from_rdata(origin, TTL, RData::NS(NS(ns))));
        zone
    }

    /// The ERP's zone, `erp.test.`: warehouses, the feed service and its SRV
    /// records, and a catalog whose TXT records are too big for 512 bytes.
    pub fn erp() -> Zone {
        let name = |text: &str| Name::from_ascii(text).expect("a valid name");
        let soa = SOA::new(
            name("ns1.erp.test."),
            name("hostmaster.erp.test."),
            2026120201,
            3600,
            600,
            86400,
            TTL,
        );
        let mut zone = Zone::new(name("erp.test."), soa, name("ns1.erp.test."));
        let mut add = |owner: &str, data: RData| {
            zone.insert(Record::from_rdata(name(owner), TTL, data));
        };
        let v4 = |text: &str| RData::A(A(text.parse::<Ipv4Addr>().expect("IPv4")));
        let v6 = |text: &str| RData::AAAA(AAAA(text.parse::<Ipv6Addr>().expect("IPv6")));
        let txt = |lines: &[&str]| {
            RData::TXT(TXT::new(lines.iter().map(|l| l.to_string()).collect()))
        };
        add("ns1.erp.test.", v4("127.0.0.1"));
        add("warehouse-1.erp.test.", v4("192.0.2.10"));
        add("warehouse-1.erp.test.", v6("2001:db8::10"));
        add("warehouse-2.erp.test.", v4("192.0.2.11"));
        add("warehouse-2.erp.test.", v6("2001:db8::11"));
        add("feed.erp.test.", v4("192.0.2.20"));
        add("feed.erp.test.", txt(&["service=inventory-feed", "proto=lines"]));
        for (priority, weight, target) in
            [(10, 60, "warehouse-1"), (20, 40, "warehouse-2")]
        {
            let target = name(&format!("{target}.erp.test."));
            add(
                "_feed._tcp.erp.test.",
                RData::SRV(SRV::new(priority, weight, 8005, target)),
            );
        }
        for n in 1..=12 {
            add(
                "catalog.erp.test.",
                txt(&[&format!("sku=WIDGET-{n} bin=A-{n:02} reorder=40")]),
            );
        }
        zone
    }

    /// Adds a record (a name may have several, of several types).
    pub fn insert(&mut self, record: Record) {
        self.names.entry(record.name.to_lowercase()).or_default().push(record);
    }

    /// The zone's origin, e.g. `erp.test.`.
    pub fn origin(&self) -> &Name {
        &self.origin
    }

    /// The SOA record, for the authority section of NXDOMAIN and NODATA answers
    /// (RFC 2308: it tells resolvers how long to remember that nothing is there).
    pub fn soa(&self) -> &Record {
        &self.soa
    }

    /// Every record of `name` (any type, any case), or `None` if the zone has no
    /// such name.
    pub fn records(&self, name: &Name) -> Option<&[Record]> {
        self.names.get(&name.to_lowercase()).map(Vec::as_slice)
    }
}
