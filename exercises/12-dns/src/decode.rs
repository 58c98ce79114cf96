//! Decoding by hand: the header's six numbers, and a name's labels and
//! compression pointers. Everything a client sends is hostile until proven
//! otherwise: every read is bounds-checked, and every loop must end.

use hickory_proto::rr::Name;

use crate::error::WireError;
#[allow(unused_imports)] // what `parse` and `read_name` will need
use crate::message::{HEADER_LENGTH, Header, MAX_LABEL_LENGTH, MAX_NAME_LENGTH};

impl Header {
    /// Reads the 12-byte header at the start of `packet`: six big-endian `u16`s,
    /// in the order of [`Header`]'s fields. Bytes after the header are not read.
    ///
    /// A packet shorter than [`HEADER_LENGTH`] gives [`WireError::Truncated`].
    /// `u16::from_be_bytes([hi, lo])` turns two bytes into one number; slicing
    /// with `packet.get(..12)` gives `None` instead of a panic when they are missing.
    pub fn parse(packet: &[u8]) -> Result<Header, WireError> {
        todo!("Header::parse({} bytes)", packet.len())
    }
}

/// Reads the name that starts at byte `start` of `packet`, following compression
/// pointers, and returns it with the offset of the first byte after it where it
/// started (after its zero byte, or after its first pointer).
///
/// On the wire a name is a sequence of labels, each a length byte and that many
/// bytes, ended by a zero byte (the root). A length byte whose two top bits are
/// `11` is instead the first of a two-byte pointer: the low 14 bits are an offset
/// in the packet where the rest of the name is. `01` and `10` are reserved.
///
/// | bytes at `start`                       | name        | returned offset |
/// |----------------------------------------|-------------|-----------------|
/// | `3 f e e 4 t e s t 0`                  | `fee.test.` | `start + 10`    |
/// | `3 f e e 0xC0 0x14` (`test.` at 20)    | `fee.test.` | `start + 6`     |
/// | `0`                                    | `.` (root)  | `start + 1`     |
///
/// Refuse, with the matching [`WireError`]:
/// - any read past the end of `packet` (`Truncated`), including half a pointer;
/// - a reserved label type (`ReservedLabelType`);
/// - a pointer that does not point strictly before the first byte of the labels
///   it ends (`PointerLoop`): each jump then goes further back, so there is no
///   loop, and at most `packet.len()` jumps;
/// - a name longer than [`MAX_NAME_LENGTH`] bytes counting every label's length
///   byte and the final zero byte (`NameTooLong`), checked as it grows, not at
///   the end: pointers can make a short packet spell a long name.
///
/// Build the result with `Name::from_labels(labels)`, `labels` a `Vec<&[u8]>`
/// (the root is `Name::root()`); label bytes are kept as they are, any case.
pub fn read_name(packet: &[u8], start: usize) -> Result<(Name, usize), WireError> {
    todo!("read_name({} bytes, start {start})", packet.len())
}
