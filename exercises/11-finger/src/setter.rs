//! The setter protocol, on a port of its own (the tutorial's
//! `FingerSetterProtocol`): each line `user status` sets a status in memory.
//!
//! Yours to write: `SetterFactory::line_received`, below. The limits
//! ([`MAX_SETTER_LINE`], [`SETTER_IDLE_TIMEOUT`]), [`SetError`] and the
//! [`SetterFactory`] type (its field `directory`, and `serve`, the loop that calls
//! your `line_received` for each line) are given in `setter_port.rs`.

// What `line_received` will need.
#[allow(unused_imports)]
use crate::directory::{MemoryDirectory, is_valid_status, is_valid_user};

pub use crate::setter_port::{
    MAX_SETTER_LINE, SETTER_IDLE_TIMEOUT, SetError, SetterFactory,
};

impl SetterFactory {
    /// Answers one line, without its line end (the tutorial's
    /// `FingerSetterProtocol`, one line at a time): `alice Out to lunch` sets
    /// alice's status to `Out to lunch` and answers `OK`. A line that cannot be
    /// applied answers `ERR <SetError>` (e.g. `ERR expected: user status`) and
    /// changes nothing.
    ///
    /// In this order: not UTF-8 is [`SetError::NotUtf8`]; trim the line and split
    /// it at the first space or tab (`split_once([' ', '\t'])`), no separator
    /// being [`SetError::Usage`]; trim the status; the name must pass
    /// [`is_valid_user`] ([`SetError::BadUser`]) and the status
    /// [`is_valid_status`] ([`SetError::BadStatus`]); then
    /// [`MemoryDirectory::set_user`], whose refusal is [`SetError::Full`].
    pub fn line_received(&self, line: &[u8]) -> String {
        todo!("SetterFactory::line_received({:?})", String::from_utf8_lossy(line))
    }
}
