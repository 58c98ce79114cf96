//! One service, several protocols (the tutorial's `FingerService` with its
//! finger, setter and web factories): three ports share one directory. Given whole.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::directory::{Directory, MemoryDirectory};
use crate::port::{BUSY, Limits, accept_forever};
use crate::server::FingerFactory;
use crate::setter::SetterFactory;
use crate::web::serve_web;

/// What a web client beyond the connection limit reads.
const WEB_BUSY: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// Where each protocol of a [`FingerService`] listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// Finger (RFC 1288): one query, one answer.
    pub finger: SocketAddr,
    /// The setter line protocol: `user status` lines.
    pub setter: SocketAddr,
    /// The HTTP view: `GET /users`, `GET /users/<name>`.
    pub web: SocketAddr,
}

// ANCHOR: service
/// The users in memory and the three protocols that serve them.
#[derive(Debug, Clone, Default)]
pub struct FingerService {
    directory: MemoryDirectory,
    finger_limits: Limits,
}

impl FingerService {
    /// A service around `directory`.
    pub fn new(directory: MemoryDirectory) -> Self {
        Self { directory, finger_limits: Limits::default() }
    }

    /// Bounds the finger port, the one open to everybody, with `limits`; the
    /// setter and the web view keep [`Limits::default`].
    pub fn with_finger_limits(mut self, limits: Limits) -> Self {
        self.finger_limits = limits;
        self
    }

    /// Binds the three ports (use port 0 for free ones), spawns their accept loops
    /// on the current runtime, and returns where they really listen.
    pub async fn listen(&self, ports: Ports) -> io::Result<Ports> {
        let finger = TcpListener::bind(ports.finger).await?;
        let setter = TcpListener::bind(ports.setter).await?;
        let web = TcpListener::bind(ports.web).await?;
        let bound = Ports {
            finger: finger.local_addr()?,
            setter: setter.local_addr()?,
            web: web.local_addr()?,
        };
        // One directory, three views of it: each factory holds a handle.
        let shared: Arc<dyn Directory> = Arc::new(self.directory.clone());
        let fingers = FingerFactory::shared(shared.clone());
        let setters = SetterFactory::new(self.directory.clone());
        tokio::spawn(accept_forever(finger, self.finger_limits, BUSY, move |stream| {
            let fingers = fingers.clone();
            async move { fingers.serve(stream).await }
        }));
        tokio::spawn(accept_forever(setter, Limits::default(), BUSY, move |stream| {
            let setters = setters.clone();
            async move { setters.serve(stream).await }
        }));
        let unavailable = WEB_BUSY;
        tokio::spawn(accept_forever(
            web,
            Limits::default(),
            unavailable,
            move |stream| serve_web(shared.clone(), stream),
        ));
        Ok(bound)
    }
}
// ANCHOR_END: service
