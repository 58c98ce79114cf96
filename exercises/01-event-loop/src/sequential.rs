//! [`download_all`]: the batch, one download after another. Given whole: it is the
//! version you make concurrent in `lib.rs`.

use std::net::SocketAddr;

use crate::download::{Download, download};

// ANCHOR: sequential
/// Downloads every path, one after another: the next request starts only when
/// the previous reply is in. Correct, and as slow as the sum of all the waits.
///
/// Returns one [`Download`] per path, in the order of `paths`.
pub async fn download_all(addr: SocketAddr, paths: &[&str]) -> Vec<Download> {
    let mut downloads = Vec::with_capacity(paths.len());
    for path in paths {
        downloads.push(download(addr, path.to_string()).await);
    }
    downloads
}
// ANCHOR_END: sequential
