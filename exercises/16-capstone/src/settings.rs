//! What the service is told at start: thresholds, periods, limits. Given whole.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

/// How often the reorder job runs by default (`--reorder-every`).
pub const REORDER_EVERY: Duration = Duration::from_secs(5);

/// How long a drain waits for scanners by default (`--drain-secs`).
pub const DRAIN_DEADLINE: Duration = Duration::from_secs(10);

/// The service's settings. [`Settings::new`] gives the defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The API's address; scanners and dashboards bind its host on port 0.
    pub listen: SocketAddr,
    /// Reorder thresholds: SKU → the total below which it is reordered.
    pub thresholds: BTreeMap<String, i64>,
    /// The reorder job's period.
    pub reorder_every: Duration,
    /// How long open scanner connections get once a drain starts.
    pub drain_deadline: Duration,
    /// How long a scanner's TLS handshake may take.
    pub handshake_timeout: Duration,
    /// How long a scanner may stay silent before it is told so and closed.
    pub idle_timeout: Duration,
    /// Scanners served at once; the next is told `ERR server busy`.
    pub max_scanners: usize,
    /// Dashboards served at once; the next is closed.
    pub max_dashboards: usize,
}

impl Settings {
    /// The defaults, listening on `listen`.
    pub fn new(listen: SocketAddr) -> Settings {
        Settings {
            listen,
            thresholds: BTreeMap::new(),
            reorder_every: REORDER_EVERY,
            drain_deadline: DRAIN_DEADLINE,
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(120),
            max_scanners: 1024,
            // A room's worth of wall screens and laptops; the load run opens 1,000.
            max_dashboards: 2048,
        }
    }

    /// The same settings with a reorder threshold for `sku`.
    pub fn with_threshold(mut self, sku: &str, threshold: i64) -> Settings {
        self.thresholds.insert(sku.to_owned(), threshold);
        self
    }
}

/// Parses `SKU=N` (the `--reorder` flag).
pub fn parse_threshold(text: &str) -> Result<(String, i64), String> {
    let (sku, n) = text.split_once('=').ok_or("expected SKU=N")?;
    if !parts::feed::is_valid_sku(sku) {
        return Err(format!("{sku:?} is not a SKU"));
    }
    let n = n.parse().map_err(|_| format!("{n:?} is not a whole number"))?;
    Ok((sku.to_owned(), n))
}
