//! The service's three doors, bound and ready to run: scanners (TLS, client
//! certificates required), the API, the dashboards; and what each new connection
//! is given. Given whole: `Server::run`, in `run.rs`, is yours.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use parts::accept::Acceptor;
use parts::dashboard::{DashboardLimits, serve_dashboard};
use parts::drain::{Drained, Stop};
use parts::hub::Hub;
use parts::tls::handshake;
use rustls::ServerConfig;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::flow::serve_scanner;
use crate::service::{DASHBOARD_QUEUE, Service};
use crate::settings::Settings;

/// Scanners (or dashboards) over the limit that are told the service is busy at
/// once, at most; beyond that a newcomer's socket is simply closed.
pub const MAX_REFUSING: usize = 16;

/// The answer to a dashboard's handshake beyond the cap.
const BUSY_DASHBOARD: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// How long dashboards get to take their final pushes and Close 1001.
pub const DASHBOARD_FAREWELL: Duration = Duration::from_secs(3);

/// Where each door listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addrs {
    /// Scanners: TLS, client certificate required.
    pub scanners: SocketAddr,
    /// The JSON API and the dashboard page.
    pub api: SocketAddr,
    /// Dashboards: WebSocket.
    pub dashboards: SocketAddr,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Every move applied since the start.
    pub moves: u64,
    /// The scanner connections the drain waited for, and those it cut.
    pub scanners: Drained,
}

/// The service, bound: its doors, its state, its settings.
#[allow(dead_code)] // `Server::run`, yours, reads the doors
pub struct Server {
    pub(crate) scanners: Acceptor,
    /// The API's door, until `run` takes it to serve.
    pub(crate) api: Option<Acceptor>,
    pub(crate) dashboards: Acceptor,
    pub(crate) addrs: Addrs,
    pub(crate) tls: TlsAcceptor,
    pub(crate) service: Arc<Service>,
    pub(crate) settings: Settings,
}

impl Server {
    /// Binds the API on `settings.listen`, and the scanners and dashboards on its
    /// host, port 0. `tls` must require client certificates
    /// ([`parts::tls::server_config`]).
    pub async fn bind(settings: Settings, tls: Arc<ServerConfig>) -> io::Result<Server> {
        let api = TcpListener::bind(settings.listen).await?;
        let host = settings.listen.ip();
        let scanners = TcpListener::bind((host, 0)).await?;
        let dashboards = TcpListener::bind((host, 0)).await?;
        let addrs = Addrs {
            scanners: scanners.local_addr()?,
            api: api.local_addr()?,
            dashboards: dashboards.local_addr()?,
        };
        Ok(Server {
            scanners: Acceptor::new(scanners, "scanners"),
            api: Some(Acceptor::new(api, "api")),
            dashboards: Acceptor::new(dashboards, "dashboards"),
            addrs,
            tls: TlsAcceptor::from(tls),
            service: Service::new(Hub::new(DASHBOARD_QUEUE)),
            settings,
        })
    }

    /// Where each door listens.
    pub fn addrs(&self) -> Addrs {
        self.addrs
    }

    /// The shared state, for a look from outside (tests, the demo).
    pub fn service(&self) -> Arc<Service> {
        self.service.clone()
    }
}

impl Server {
    /// What a new scanner connection gets, spawned into `feeds`: the handshake then
    /// [`serve_scanner`] (which stops at `stop`); beyond `max_scanners`, the
    /// handshake then `ERR server busy`; beyond that, nothing (the socket closes).
    pub fn admit_scanner(&self, feeds: &mut JoinSet<()>, tcp: TcpStream, stop: &Stop) {
        let (tls, service, stop) = (self.tls.clone(), self.service.clone(), stop.clone());
        let (patience, idle) =
            (self.settings.handshake_timeout, self.settings.idle_timeout);
        let max = self.settings.max_scanners;
        if feeds.len() < max {
            feeds.spawn(async move {
                if let Some(stream) = handshake(&tls, tcp, patience).await {
                    serve_scanner(stream, service, stop, idle).await;
                }
            });
        } else if feeds.len() < max + MAX_REFUSING {
            feeds.spawn(async move {
                if let Some(mut stream) = handshake(&tls, tcp, patience).await {
                    let _ = stream.write_all(b"ERR server busy\r\n").await;
                    let _ = stream.shutdown().await;
                }
            });
        }
    }

    /// What a new dashboard connection gets, spawned into `screens`: its WebSocket
    /// on the hub (Close 1001 when the hub closes); beyond `max_dashboards`, a 503
    /// answer to its handshake (what a browser can show); beyond that, nothing.
    pub fn admit_dashboard(&self, screens: &mut JoinSet<()>, tcp: TcpStream) {
        let max = self.settings.max_dashboards;
        if screens.len() < max {
            let hub = self.service.hub().clone();
            screens.spawn(serve_dashboard(tcp, hub, DashboardLimits::default()));
        } else if screens.len() < max + MAX_REFUSING {
            let patience = self.settings.handshake_timeout;
            screens.spawn(async move {
                let mut tcp = tcp;
                let busy = tcp.write_all(BUSY_DASHBOARD);
                let _ = tokio::time::timeout(patience, busy).await;
            });
        }
    }
}
