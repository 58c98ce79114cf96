//! Part II's side-by-side benchmarks: each solution's server against the chapter's
//! Twisted snippet, the request each client repeats, and the table's labels.

use std::path::Path;
use std::sync::Arc;

use sol09_tls::rustls::{self, pki_types::CertificateDer, pki_types::pem::PemObject};

use crate::args::Spec;
use crate::compare::{Bench, Shape};
use crate::workload::Workload;

/// The servers of every side-by-side benchmark.
const SERVERS: &[&str] = &["rust", "twisted"];

/// The book's Twisted snippet at `path` under book/src.
macro_rules! snippet {
    ($path:literal) => {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../book/src/", $path)
    };
}

/// `web`: GET /inventory on keep-alive HTTP/1.1 connections.
pub const WEB: Bench = Bench {
    spec: Spec { name: "web", connections: &[100, 1_000], servers: SERVERS, payload: false },
    request: "sends `GET /inventory` on one keep-alive HTTP/1.1 connection and reads the whole 200 answer, again and again,",
    unit: "requests/s",
    rust: ("08-web (hyper, 1 thread)", "web"),
    twisted: (
        "Twisted Web (inventory_site.py)",
        snippet!("web/twisted/inventory_site.py"),
        &["--listen", "127.0.0.1:0"],
    ),
    shape: Shape::ClosedLoop(|_| {
        Ok(Workload::Http { request: Arc::from(&b"GET /inventory HTTP/1.1\r\nHost: bench\r\n\r\n"[..]) })
    }),
};

/// `tls`: a full handshake per connection (no resumption), then one feed line.
pub const TLS: Bench = Bench {
    spec: Spec { name: "tls", connections: &[100], servers: SERVERS, payload: false },
    request: "connects, makes a full TLS handshake (a P-256 server certificate on both servers; no session resumption), sends `WIDGET-1 1`, reads the answer line, and closes,",
    unit: "handshakes/s",
    rust: ("09-tls (rustls, 1 thread)", "tls"),
    twisted: ("Twisted (feed_server.py, pyOpenSSL)", snippet!("tls/twisted/feed_server.py"), &["--listen", "0"]),
    shape: Shape::ClosedLoop(|server| {
        let ca = server.ca_file().ok_or("the server named no CA")?;
        Ok(Workload::Tls { config: tls_client(ca)?, line: Arc::from(&b"WIDGET-1 1\r\n"[..]) })
    }),
};

/// `tls-bulk`: the feed's bytes through TLS, 1 MiB of moves per request.
pub const TLS_BULK: Bench = Bench {
    spec: Spec { name: "tls-bulk", connections: &[10], servers: SERVERS, payload: false },
    request: "keeps one TLS connection (one handshake) and sends a batch of 65,536 moves \
              `WIDGET-12345 1` (16 bytes each: 1 MiB) while reading the 65,536 answer lines, \
              so the rate is MiB of moves per second, encrypted one way and answered the other,",
    unit: "MiB/s sent",
    rust: ("09-tls (rustls, 1 thread)", "tls"),
    twisted: ("Twisted (feed_server.py, pyOpenSSL)", snippet!("tls/twisted/feed_server.py"), &["--listen", "0"]),
    shape: Shape::ClosedLoop(|server| {
        let ca = server.ca_file().ok_or("the server named no CA")?;
        const LINE: &[u8] = b"WIDGET-12345 1\r\n";
        const LINES: usize = (1 << 20) / LINE.len();
        Ok(Workload::TlsBulk { config: tls_client(ca)?, batch: Arc::from(LINE.repeat(LINES)), lines: LINES })
    }),
};

/// A client configuration trusting the CA in the PEM file `ca`, without resumption.
fn tls_client(ca: &Path) -> Result<Arc<rustls::ClientConfig>, String> {
    let ca = CertificateDer::from_pem_file(ca).map_err(|e| format!("cannot read the CA {}: {e}", ca.display()))?;
    let mut config = sol09_tls::client_config(&ca, None).map_err(|e| e.to_string())?;
    // Every connection a full handshake: what a server pays for a new client.
    config.resumption = rustls::client::Resumption::disabled();
    Ok(Arc::new(config))
}

/// `ws`: one publisher, N dashboards subscribed to the SKU it moves.
pub const WS: Bench = Bench {
    spec: Spec { name: "ws", connections: &[1_000], servers: SERVERS, payload: false },
    request: "is a dashboard on `/live` subscribed to WIDGET-1; one publisher sends `WIDGET-1 1` on the stock feed, waits for every dashboard to get the new total (or 1 s: the missing count as errors), and sends the next, and each delivery's latency is from the move's send to the `total` message,",
    unit: "deliveries/s",
    rust: ("10-websocket (tungstenite, 1 thread)", "ws"),
    twisted: ("Twisted (dashboard.py, autobahn)", snippet!("websocket/twisted/dashboard.py"), &[]),
    shape: Shape::FanOut,
};

/// `dns`: an A query for warehouse-1.erp.test over UDP.
pub const DNS: Bench = Bench {
    spec: Spec { name: "dns", connections: &[100], servers: SERVERS, payload: false },
    request: "sends `warehouse-1.erp.test A` from its own UDP socket (a new id each time) and waits for the answer (lost after 1 s: an error),",
    unit: "queries/s",
    rust: ("12-dns (hickory-proto, 1 thread)", "dns"),
    twisted: ("Twisted names (zone_server.py)", snippet!("dns/twisted/zone_server.py"), &["--listen", "127.0.0.1:0"]),
    shape: Shape::ClosedLoop(|_| Ok(Workload::Dns { query: Arc::from(a_query("warehouse-1.erp.test")) })),
};

/// `finger`: `alice`, one query per connection, as finger does.
pub const FINGER: Bench = Bench {
    spec: Spec { name: "finger", connections: &[100], servers: SERVERS, payload: false },
    request: "connects, sends `alice`, reads the answer until the server closes, and connects again (one query per connection, as finger does),",
    unit: "lookups/s",
    rust: ("11-finger (tokio, 1 thread)", "finger"),
    twisted: ("Twisted (finger_server.py)", snippet!("finger/twisted/finger_server.py"), &[]),
    shape: Shape::ClosedLoop(|_| {
        Ok(Workload::Finger { query: Arc::from(&b"alice\r\n"[..]), expect: Arc::from(&b"alice: "[..]) })
    }),
};

/// A DNS query for `name`'s A record, recursion desired, as dig sends it (id 0).
fn a_query(name: &str) -> Vec<u8> {
    // Header: id, flags (RD), one question, no answer, authority or additional records.
    let mut packet = vec![0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in name.split('.') {
        packet.push(label.len() as u8);
        packet.extend_from_slice(label.as_bytes());
    }
    // The root label, then QTYPE A and QCLASS IN.
    packet.extend_from_slice(&[0, 0, 1, 0, 1]);
    packet
}
