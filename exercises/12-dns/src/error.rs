//! Why a packet was refused while decoding it by hand.

use std::fmt;

/// What is wrong with a packet's header or question. The server answers a packet
/// with one of these with FORMERR (or not at all, if even the header is missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// The packet ends before the header, a name or the question is complete.
    Truncated,
    /// A length byte starts with the bits `01` or `10`: reserved label types
    /// (RFC 6891 retired the only one ever used).
    ReservedLabelType {
        /// Where the length byte is in the packet.
        at: usize,
        /// The byte itself.
        byte: u8,
    },
    /// A compression pointer does not point before the labels it ends. Following it
    /// could loop forever: the rule that forbids it is what makes decoding finish.
    PointerLoop {
        /// Where the pointer is in the packet.
        at: usize,
        /// Where it points.
        target: usize,
    },
    /// The name is longer than [`MAX_NAME_LENGTH`](crate::MAX_NAME_LENGTH) bytes on
    /// the wire (its labels, their length bytes and the root's zero byte).
    NameTooLong,
    /// The header says the packet holds this many questions; a query holds one.
    QuestionCount(u16),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated => write!(f, "the packet ends too early"),
            Self::ReservedLabelType { at, byte } => {
                write!(f, "byte {at}: {byte:#04x} is a reserved label type")
            }
            Self::PointerLoop { at, target } => write!(
                f,
                "byte {at}: a pointer to {target} does not point backwards (a loop)"
            ),
            Self::NameTooLong => {
                write!(f, "a name longer than {} bytes", crate::MAX_NAME_LENGTH)
            }
            Self::QuestionCount(n) => write!(f, "{n} questions, a query has 1"),
        }
    }
}

impl std::error::Error for WireError {}
