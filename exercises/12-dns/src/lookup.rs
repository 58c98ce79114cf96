//! What the zone says about one question: the four outcomes of an authoritative
//! lookup.

use hickory_proto::rr::{Name, RecordType};

use crate::zone::{Lookup, Zone};

impl Zone {
    /// Looks `name` up for records of type `query_type`, in this order:
    /// - a name that is not the origin nor under it: [`Lookup::Refused`]
    ///   (`Name::zone_of` answers "is this name in that zone?", without regard to
    ///   case);
    /// - a name the zone has no records for: [`Lookup::NxDomain`];
    /// - records of that type (`RecordType::ANY` matches every type): their
    ///   clones, in zone order, in [`Lookup::Answer`];
    /// - none of that type: [`Lookup::NoData`].
    pub fn lookup(&self, name: &Name, query_type: RecordType) -> Lookup {
        todo!("Zone::lookup({name}, {query_type})")
    }
}
