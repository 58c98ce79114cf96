//! The room's token: 32 random letters and digits, made once and kept in
//! `.untwisted/room/token`, so a restarted room keeps its attendees.
//!
//! The token is the room's only lock (anyone on the LAN who has it can post
//! verdicts), so it must not be guessable: the bytes come from the operating
//! system's generator (`/dev/urandom` on Unix). Elsewhere (Windows) they come from
//! std's `RandomState`: each one is SipHash keyed with 128 bits the OS generator
//! gave the process (`ProcessPrng`), so its outputs are unpredictable to anyone
//! without that key, which never leaves the process. 32 characters of 62 carry
//! about 190 bits, more than the 128 of the key: the key is the bound, and enough.

use std::path::Path;

use crate::error::{Error, Result};
use crate::files;

/// Characters in a token.
const LENGTH: usize = 32;
const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The token in `file`, made (and saved, readable only by its owner on Unix) if
/// there is none or it is not a token.
pub fn load_or_create(file: &Path) -> Result<String> {
    if let Ok(text) = std::fs::read_to_string(file) {
        let token = text.trim();
        if token.len() == LENGTH && token.bytes().all(|b| ALPHABET.contains(&b)) {
            return Ok(token.to_owned());
        }
    }
    let token = generate()?;
    files::write_atomically(file, format!("{token}\n").as_bytes())?;
    owner_only(file);
    Ok(token)
}

/// A fresh token: bytes drawn until `LENGTH` of them fall below 248 (= 4 × 62), so
/// each character is equally likely.
fn generate() -> Result<String> {
    let mut token = String::with_capacity(LENGTH);
    while token.len() < LENGTH {
        for byte in random_bytes(64)? {
            if byte < 248 && token.len() < LENGTH {
                token.push(ALPHABET[usize::from(byte) % 62] as char);
            }
        }
    }
    Ok(token)
}

#[cfg(unix)]
fn random_bytes(n: usize) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = vec![0; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut file| file.read_exact(&mut bytes))
        .map_err(|e| Error::setup(format!("cannot read /dev/urandom for the room's token: {e}")))?;
    Ok(bytes)
}

#[cfg(not(unix))]
fn random_bytes(n: usize) -> Result<Vec<u8>> {
    use std::hash::{BuildHasher, Hasher};
    let mut bytes = Vec::with_capacity(n);
    while bytes.len() < n {
        // A new RandomState per round: std keys each from the thread's random keys,
        // the first one incremented, so no two rounds hash alike.
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_usize(bytes.len());
        bytes.extend_from_slice(&hasher.finish().to_le_bytes());
    }
    bytes.truncate(n);
    Ok(bytes)
}

#[cfg(unix)]
fn owner_only(file: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
fn owner_only(_file: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("room/token");
        let first = load_or_create(&file).unwrap();
        assert_eq!(first.len(), LENGTH);
        assert!(first.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(load_or_create(&file).unwrap(), first);
        assert_ne!(generate().unwrap(), first);
    }
}
