//! Small kernel socket buffers, so a test on loopback sees what a slow network shows.
//! Given whole.
//!
//! On loopback the kernel grows a socket's buffers to megabytes, so a server can get
//! away with never coping with a partial write and never stopping to read: the kernel
//! swallows everything. With buffers of a few kilobytes, a `write` of more than fits
//! takes only part of it, and a server that ignores its own limit shows it.

use std::io;

use mio::net::TcpListener;

/// Asks for kernel send and receive buffers of about `bytes` on `listener`; the
/// connections it accepts inherit them. Linux doubles the number (for its own
/// bookkeeping) and keeps it fixed instead of growing it.
#[cfg(unix)]
pub(crate) fn shrink(listener: &TcpListener, bytes: usize) -> io::Result<()> {
    use std::os::fd::AsRawFd;

    let bytes = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
    for option in [libc::SO_SNDBUF, libc::SO_RCVBUF] {
        // SAFETY: a valid socket descriptor, and a pointer to a c_int with its size.
        let result = unsafe {
            libc::setsockopt(
                listener.as_raw_fd(),
                libc::SOL_SOCKET,
                option,
                (&bytes as *const libc::c_int).cast(),
                size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if result != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Elsewhere the default buffers are kept: the tests still pass, and show less.
#[cfg(not(unix))]
pub(crate) fn shrink(_listener: &TcpListener, _bytes: usize) -> io::Result<()> {
    Ok(())
}
