//! What the zone says about one question: the four outcomes of an authoritative
//! lookup.

use hickory_proto::rr::{Name, RecordType};

use crate::zone::{Lookup, Zone};

// ANCHOR: lookup
impl Zone {
    /// Looks `name` up for records of type `query_type`.
    pub fn lookup(&self, name: &Name, query_type: RecordType) -> Lookup {
        if !self.origin().zone_of(name) {
            return Lookup::Refused;
        }
        let Some(records) = self.records(name) else {
            return Lookup::NxDomain;
        };
        let matching: Vec<_> = records
            .iter()
            .filter(|r| query_type == RecordType::ANY || r.record_type() == query_type)
            .cloned()
            .collect();
        if matching.is_empty() { Lookup::NoData } else { Lookup::Answer(matching) }
    }
}
// ANCHOR_END: lookup
