//! An in-memory transport that records what a protocol writes, for tests.

use crate::Transport;

/// Twisted's `proto_helpers.StringTransport`: a transport with no network behind it.
///
/// It records every write; [`value`](Self::value) returns them all. `lose_connection`
/// only sets [`disconnecting`](Self::disconnecting): nothing is closed, and the
/// protocol's `connection_lost` is *not* called (a test calls it when it wants to).
///
/// Clones share one record: a test gives one clone to the protocol and keeps one to
/// look at.
#[derive(Clone, Default)]
pub struct StringTransport {
    // Your fields here. Clones must share one record, and a `Transport` must be
    // `Send` (protocols move between tasks), so an `Rc<RefCell<…>>` will not do:
    // use an `Arc<Mutex<…>>` around the bytes written and a `disconnecting` flag.
}

impl StringTransport {
    /// An empty transport, not disconnecting.
    pub fn new() -> Self {
        todo!("StringTransport::new")
    }

    /// Everything written so far, in order.
    pub fn value(&self) -> Vec<u8> {
        todo!("StringTransport::value")
    }

    /// Forgets what was written, to look only at what comes next.
    pub fn clear(&self) {
        todo!("StringTransport::clear")
    }

    /// Whether the protocol asked to close the connection.
    pub fn disconnecting(&self) -> bool {
        todo!("StringTransport::disconnecting")
    }
}

impl Transport for StringTransport {
    /// Appends `data` to the record.
    fn write(&mut self, data: &[u8]) {
        todo!("StringTransport::write({} bytes)", data.len())
    }

    /// Marks the transport as disconnecting, and nothing else.
    fn lose_connection(&mut self) {
        todo!("StringTransport::lose_connection")
    }
}
