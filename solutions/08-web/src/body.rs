//! Reading a POST's body: its type, its size and its JSON, each checked before the
//! next, and the body itself read only as far as the limit.

use std::time::Duration;

use http_body_util::{BodyExt, Limited};
use hyper::StatusCode;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE};

use crate::api::{ApiError, Move};
use crate::resource::Request;

/// The largest body a move may have, in bytes (`{"delta": -5}` is 13).
pub const MAX_BODY_BYTES: usize = 4096;

/// How long a body may take to arrive once its headers have.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

// ANCHOR: read_move
/// The move a POST carries: 415 unless it says `Content-Type: application/json`,
/// 413 if its body is over [`MAX_BODY_BYTES`] (without reading a declared
/// oversized body at all), 408 if the body is too slow, 400 unless it is a JSON
/// object with an integer `delta`.
pub async fn read_move(request: Request) -> Result<Move, ApiError> {
    let Request { head, body, .. } = request;
    // `application/json`, `application/json; charset=utf-8`, any letter case.
    let media_type = (head.headers.get(CONTENT_TYPE))
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::trim);
    if !media_type.is_some_and(|t| t.eq_ignore_ascii_case("application/json")) {
        let message = "expected Content-Type: application/json";
        return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, message));
    }
    let too_large = || {
        let message = format!("body over {MAX_BODY_BYTES} bytes");
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, message)
    };
    // A declared length over the limit is refused before one byte of body is read.
    let declared = (head.headers.get(CONTENT_LENGTH))
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    // A chunked body has no declared length: read it, but never past the limit.
    let reading = Limited::new(body, MAX_BODY_BYTES).collect();
    let bytes = match tokio::time::timeout(BODY_READ_TIMEOUT, reading).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(err)) if err.is::<http_body_util::LengthLimitError>() => {
            return Err(too_large());
        }
        // The client went away mid-body: nobody will read this answer.
        Ok(Err(_)) => {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "body cut short"));
        }
        Err(_) => {
            let message = "body too slow";
            return Err(ApiError::new(StatusCode::REQUEST_TIMEOUT, message));
        }
    };
    Move::from_json(&bytes).ok_or_else(|| {
        let message = r#"expected a JSON body like {"delta": 5}"#;
        ApiError::new(StatusCode::BAD_REQUEST, message)
    })
}
// ANCHOR_END: read_move
