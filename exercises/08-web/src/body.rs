//! Reading a POST's body: its type, its size and its JSON, each checked before the
//! next, and the body itself read only as far as the limit. Yours to write.

use std::time::Duration;

use crate::api::{ApiError, Move};
use crate::resource::Request;

/// The largest body a move may have, in bytes (`{"delta": -5}` is 13).
pub const MAX_BODY_BYTES: usize = 4096;

/// How long a body may take to arrive once its headers have.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The move a POST carries: 415 unless it says `Content-Type: application/json`,
/// 413 if its body is over [`MAX_BODY_BYTES`] (without reading a declared
/// oversized body at all), 408 if the body is too slow, 400 unless it is a JSON
/// object with an integer `delta` ([`Move::from_json`]).
pub async fn read_move(request: Request) -> Result<Move, ApiError> {
    let _ = request;
    todo!("read_move")
}
