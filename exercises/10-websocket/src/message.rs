//! What travels over the dashboard's WebSocket, as text frames. Given whole.
//!
//! ```text
//! dashboard > subscribe WIDGET-1 GADGET      (or `subscribe *` for every SKU)
//! dashboard < snapshot GADGET=0 WIDGET-1=3   (the whole picture: first, and to resync)
//! dashboard < total WIDGET-1=5               (one SKU's new total after a move)
//! dashboard < error expected `subscribe SKU…`
//! ```
//! A push carries the new *total*, never the delta: receiving one twice, or after a
//! snapshot that already counted it, leaves the dashboard right.

use std::collections::BTreeSet;
use std::fmt;

use crate::inventory::{Inventory, is_valid_sku};

/// How many SKUs one `subscribe` may name.
pub const MAX_SUBSCRIBED_SKUS: usize = 64;

/// Which SKUs a dashboard watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interest {
    /// Every SKU (`subscribe *`).
    All,
    /// Only these.
    Only(BTreeSet<String>),
}

impl Interest {
    /// Interest in the given SKUs.
    pub fn only<'a>(skus: impl IntoIterator<Item = &'a str>) -> Interest {
        Interest::Only(skus.into_iter().map(str::to_owned).collect())
    }

    /// Whether a move of `sku` concerns this dashboard.
    pub fn wants(&self, sku: &str) -> bool {
        match self {
            Interest::All => true,
            Interest::Only(skus) => skus.contains(sku),
        }
    }

    /// Parses a dashboard's request: `subscribe *` or `subscribe SKU…` (1 to
    /// [`MAX_SUBSCRIBED_SKUS`] valid SKUs).
    pub fn parse(text: &str) -> Option<Interest> {
        let mut words = text.split_ascii_whitespace();
        if words.next() != Some("subscribe") {
            return None;
        }
        let skus: Vec<&str> = words.collect();
        match skus.as_slice() {
            ["*"] => Some(Interest::All),
            [] => None,
            skus if skus.len() > MAX_SUBSCRIBED_SKUS => None,
            skus if skus.iter().all(|sku| is_valid_sku(sku)) => {
                Some(Interest::only(skus.iter().copied()))
            }
            _ => None,
        }
    }
}

/// One message the hub pushes to a dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Push {
    /// Every wanted SKU's total, in SKU order: the first message, and the resync
    /// after the dashboard fell behind.
    Snapshot(Vec<(String, i64)>),
    /// One SKU's new total.
    Total(String, i64),
}

impl Push {
    /// The snapshot of `inventory` that a dashboard with `interest` should see: the
    /// SKUs it named (0 for one that never moved), or every SKU that moved.
    pub fn snapshot(inventory: &Inventory, interest: &Interest) -> Push {
        Push::Snapshot(match interest {
            Interest::All => inventory.totals().map(|(s, t)| (s.to_owned(), t)).collect(),
            Interest::Only(skus) => {
                skus.iter().map(|sku| (sku.clone(), inventory.total(sku))).collect()
            }
        })
    }
}

impl fmt::Display for Push {
    /// The text frame: `snapshot A=1 B=2` or `total A=1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Push::Snapshot(totals) => {
                f.write_str("snapshot")?;
                for (sku, total) in totals {
                    write!(f, " {sku}={total}")?;
                }
                Ok(())
            }
            Push::Total(sku, total) => write!(f, "total {sku}={total}"),
        }
    }
}
