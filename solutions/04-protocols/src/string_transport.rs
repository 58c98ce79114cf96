//! An in-memory transport that records what a protocol writes, for tests.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::Transport;

// ANCHOR: string_transport
/// Twisted's `proto_helpers.StringTransport`: a transport with no network behind it.
///
/// It records every write; [`value`](Self::value) returns them all. `lose_connection`
/// only sets [`disconnecting`](Self::disconnecting): nothing is closed, and the
/// protocol's `connection_lost` is *not* called (a test calls it when it wants to).
///
/// Clones share one record: give one clone to the protocol, keep one to look at.
#[derive(Clone, Default)]
pub struct StringTransport {
    record: Arc<Mutex<Record>>,
}

#[derive(Default)]
struct Record {
    written: Vec<u8>,
    disconnecting: bool,
}

impl StringTransport {
    /// An empty transport, not disconnecting.
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything written so far, in order.
    pub fn value(&self) -> Vec<u8> {
        self.record().written.clone()
    }

    /// Forgets what was written, to look only at what comes next.
    pub fn clear(&self) {
        self.record().written.clear();
    }

    /// Whether the protocol asked to close the connection.
    pub fn disconnecting(&self) -> bool {
        self.record().disconnecting
    }

    fn record(&self) -> MutexGuard<'_, Record> {
        // A panic while holding the lock cannot leave a Vec and a bool half-updated.
        self.record.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Transport for StringTransport {
    fn write(&mut self, data: &[u8]) {
        self.record().written.extend_from_slice(data);
    }

    fn lose_connection(&mut self) {
        self.record().disconnecting = true;
    }
}
// ANCHOR_END: string_transport
