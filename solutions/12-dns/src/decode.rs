//! Decoding by hand: the header's six numbers, and a name's labels and
//! compression pointers. Every read is bounds-checked, and every loop must end.

use hickory_proto::rr::Name;

use crate::error::WireError;
use crate::message::{HEADER_LENGTH, Header, MAX_LABEL_LENGTH, MAX_NAME_LENGTH};

// ANCHOR: header
impl Header {
    /// Reads the 12-byte header at the start of `packet`.
    pub fn parse(packet: &[u8]) -> Result<Header, WireError> {
        let bytes = packet.get(..HEADER_LENGTH).ok_or(WireError::Truncated)?;
        let word = |i: usize| u16::from_be_bytes([bytes[2 * i], bytes[2 * i + 1]]);
        Ok(Header {
            id: word(0),
            flags: word(1),
            questions: word(2),
            answers: word(3),
            authorities: word(4),
            additionals: word(5),
        })
    }
}
// ANCHOR_END: header

// ANCHOR: read_name
/// Reads the name that starts at byte `start` of `packet`, following compression
/// pointers; returns it and the offset just after it where it started.
pub fn read_name(packet: &[u8], start: usize) -> Result<(Name, usize), WireError> {
    let mut labels: Vec<&[u8]> = Vec::new();
    // The root's zero byte counts too.
    let mut length = 1;
    // Where the labels being read began: a pointer must point before it.
    let mut segment = start;
    let mut at = start;
    // Where the name ends in the packet, known at the first pointer or the zero.
    let mut end = None;
    loop {
        let byte = *packet.get(at).ok_or(WireError::Truncated)?;
        match byte >> 6 {
            0b00 if byte == 0 => break,
            0b00 => {
                let len = usize::from(byte);
                debug_assert!(len <= MAX_LABEL_LENGTH, "six bits hold at most 63");
                length += 1 + len;
                if length > MAX_NAME_LENGTH {
                    return Err(WireError::NameTooLong);
                }
                let label =
                    packet.get(at + 1..at + 1 + len).ok_or(WireError::Truncated)?;
                labels.push(label);
                at += 1 + len;
            }
            0b11 => {
                let low = *packet.get(at + 1).ok_or(WireError::Truncated)?;
                let target = usize::from(u16::from_be_bytes([byte & 0x3f, low]));
                if target >= segment {
                    return Err(WireError::PointerLoop { at, target });
                }
                end.get_or_insert(at + 2);
                segment = target;
                at = target;
            }
            _ => return Err(WireError::ReservedLabelType { at, byte }),
        }
    }
    let end = end.unwrap_or(at + 1);
    // Every label is 1..=63 bytes and the whole fits 255: hickory agrees.
    let name = Name::from_labels(labels).map_err(|_| WireError::NameTooLong)?;
    Ok((name, end))
}
// ANCHOR_END: read_name
