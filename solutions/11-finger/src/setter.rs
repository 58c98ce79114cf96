//! The setter protocol, on a port of its own (the tutorial's
//! `FingerSetterProtocol`): each line `user status` sets a status in memory.

use crate::directory::{is_valid_status, is_valid_user};

pub use crate::setter_port::{
    MAX_SETTER_LINE, SETTER_IDLE_TIMEOUT, SetError, SetterFactory,
};

impl SetterFactory {
    // ANCHOR: line_received
    /// Answers one line, without its line end: `alice Out to lunch` sets alice's
    /// status and answers `OK`; a line that cannot be applied answers
    /// `ERR <SetError>` and changes nothing.
    pub fn line_received(&self, line: &[u8]) -> String {
        let set = || -> Result<(), SetError> {
            let line = std::str::from_utf8(line).map_err(|_| SetError::NotUtf8)?;
            let (user, status) =
                line.trim().split_once([' ', '\t']).ok_or(SetError::Usage)?;
            let status = status.trim();
            if !is_valid_user(user) {
                return Err(SetError::BadUser);
            }
            if !is_valid_status(status) {
                return Err(SetError::BadStatus);
            }
            self.directory.set_user(user, status).map_err(|_| SetError::Full)
        };
        match set() {
            Ok(()) => "OK".to_owned(),
            Err(err) => format!("ERR {err}"),
        }
    }
    // ANCHOR_END: line_received
}
