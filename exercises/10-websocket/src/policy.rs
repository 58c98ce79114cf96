//! The limits and timings a dashboard connection lives by. Given whole.

use std::time::Duration;

use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// How many pushes wait for one dashboard at most before it counts as lagging.
pub const QUEUE_CAPACITY: usize = 32;

/// Largest message a dashboard may send: a `subscribe` line fits in far less.
pub const MAX_DASHBOARD_MESSAGE: usize = 4 * 1024;

/// Largest message the echo endpoint takes: the Autobahn cases send 16 MiB.
pub const MAX_ECHO_MESSAGE: usize = 16 << 20;

/// How often the server pings a dashboard.
pub const PING_INTERVAL: Duration = Duration::from_secs(20);

/// How long a pinged dashboard has to answer (with a pong, or anything at all)
/// before it counts as dead.
pub const PONG_DEADLINE: Duration = Duration::from_secs(10);

/// What the dashboard endpoint accepts and how it checks its peers are alive.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Origins whose pages may open a dashboard (`http://127.0.0.1:8010`); a
    /// request without an Origin header (not a browser) is accepted.
    pub allowed_origins: Vec<String>,
    /// See [`PING_INTERVAL`].
    pub ping_interval: Duration,
    /// See [`PONG_DEADLINE`].
    pub pong_deadline: Duration,
}

impl Policy {
    /// The policy for a server whose page is served from `http://{host}`.
    pub fn for_page(host: &str) -> Policy {
        Policy {
            allowed_origins: vec![format!("http://{host}")],
            ping_interval: PING_INTERVAL,
            pong_deadline: PONG_DEADLINE,
        }
    }

    /// Whether a handshake with this Origin header (or none) may open a dashboard.
    pub fn allows(&self, origin: Option<&str>) -> bool {
        origin.is_none_or(|origin| self.allowed_origins.iter().any(|ok| ok == origin))
    }
}

/// The WebSocket limits of one endpoint: `max_message` bytes per message and per
/// frame, everything else as tungstenite sets it.
pub fn config(max_message: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(max_message))
        .max_frame_size(Some(max_message))
}
