//! The wiring: the doors, the reorder job, and the drain, in order.

use std::future::Future;

use crate::server::{Report, Server};

impl Server {
    /// Serves until `stop` resolves, then drains, and says how it went.
    ///
    /// Serving: the API ([`parts::http::serve`] with [`crate::api::routes`]; the
    /// page needs the dashboards' port) and the [`crate::reorder::reorder_job`] in
    /// tasks of their own; `/ready` says ready; then, until `stop`, accept scanners
    /// ([`Server::admit_scanner`]) and dashboards ([`Server::admit_dashboard`])
    /// into a `JoinSet` each, reaping the ones that end. Every task that must stop
    /// at the drain waits on one [`parts::drain::Stop`], which `run` makes itself
    /// ([`parts::drain::stop_signal`]): `stop` is only the outside's request.
    ///
    /// The `admit_*` methods borrow the whole `Server`, and so does accepting on
    /// `self.scanners`: that works inside one `select!`, whose branch futures are
    /// dropped before the chosen branch's handler runs. Closing a door is dropping
    /// its [`parts::accept::Acceptor`] (a move out of `self`: after the loop).
    ///
    /// Draining, in this order (each step is there for the next):
    /// 1. `/ready` says draining (503);
    /// 2. the scanners' and dashboards' doors close: newcomers are refused;
    /// 3. the stop is raised: scanners answer what they hold, the job ends;
    /// 4. the scanners get `settings.drain_deadline` ([`parts::drain::drain`]);
    /// 5. the hub closes ([`parts::hub::Hub::close`]): each dashboard gets the
    ///    pushes already queued and a last snapshot (the final totals), then Close
    ///    1001; the dashboards' tasks get [`crate::server::DASHBOARD_FAREWELL`] to
    ///    finish (the same [`parts::drain::drain`] as the scanners');
    /// 6. the API stops.
    ///
    /// The report counts every move applied since the start.
    pub async fn run(self, stop: impl Future<Output = ()>) -> Report {
        let _ = (self, stop);
        todo!("Server::run")
    }
}
