//! The wiring: the doors, the reorder job, and the drain, in order.

use std::future::Future;

use parts::drain::{drain, stop_signal};
use parts::http::{HttpLimits, serve};
use tokio::task::JoinSet;

use crate::api::routes;
use crate::reorder::reorder_job;
use crate::server::{DASHBOARD_FAREWELL, Report, Server};
use crate::service::ReorderRule;

impl Server {
    // ANCHOR: run
    /// Serves until `stop` resolves, then drains: `/ready` turns 503, the scanners'
    /// and dashboards' doors close, every scanner answers what it holds (cut after
    /// the drain deadline), the reorder job stops, the dashboards get their final
    /// pushes then Close 1001, and the API goes last.
    pub async fn run(mut self, stop: impl Future<Output = ()>) -> Report {
        let service = self.service.clone();
        let settings = self.settings.clone();
        let (stopper, stopping) = stop_signal();
        let api_routes = routes(service.clone(), self.addrs.dashboards.port());
        let door = self.api.take().expect("a server runs once");
        let api = tokio::spawn(serve(door, api_routes, HttpLimits::default()));
        let rule = ReorderRule::new(settings.thresholds.clone());
        let every = settings.reorder_every;
        let job =
            tokio::spawn(reorder_job(service.clone(), rule, every, stopping.clone()));
        let (mut feeds, mut screens) = (JoinSet::new(), JoinSet::new());
        service.set_ready(true);
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => break,
                tcp = self.scanners.accept() => {
                    self.admit_scanner(&mut feeds, tcp, &stopping)
                }
                tcp = self.dashboards.accept() => self.admit_dashboard(&mut screens, tcp),
                // Reap ended connections, so the sets hold only open ones.
                Some(_) = feeds.join_next(), if !feeds.is_empty() => {}
                Some(_) = screens.join_next(), if !screens.is_empty() => {}
            }
        }
        service.set_ready(false);
        drop(self); // closes the scanners' and dashboards' doors
        stopper.stop();
        let scanners = drain(&mut feeds, settings.drain_deadline).await;
        let _ = job.await;
        // Every move is in now: the dashboards' queues end with the final totals.
        service.hub().close();
        drain(&mut screens, DASHBOARD_FAREWELL).await;
        api.abort();
        let _ = api.await;
        Report { moves: service.moves_applied(), scanners }
    }
    // ANCHOR_END: run
}
