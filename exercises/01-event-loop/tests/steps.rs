// The steps of exercise 01. The runner reports the first one that fails.
//
// Every step starts a real stock server on 127.0.0.1:0, in the step's own event loop,
// and runs in paused time (test_kit::run_paused): the server's delays are tokio
// sleeps, so seconds of waiting pass instantly and are measured exactly.

use std::thread;
use std::time::Duration;

use event_loop::server::{self, Resource};
use event_loop::{download_all, download_all_concurrently, report};
use tokio::time::Instant;

const SECOND: Duration = Duration::from_secs(1);

// The stock the server holds: three resources that take 1, 2 and 3 seconds, and one
// whose backend is broken.
fn stock() -> Vec<Resource> {
    vec![
        Resource::new("/stock/widget", "12 widgets on hand", SECOND),
        Resource::new("/stock/gadget", "3 gadgets on hand, reorder at 5", 2 * SECOND),
        Resource::new("/stock/sprocket", "40 sprockets on hand", 3 * SECOND),
        Resource::hang_up("/stock/flange", SECOND),
    ]
}

#[test]
fn step_1_fetches_one_resource() {
    test_kit::run_paused(|| async {
        let addr = server::start(stock()).await.expect("start the stock server");
        let downloads = download_all_concurrently(addr, &["/stock/widget"]).await;
        assert_eq!(downloads.len(), 1, "one path asked for, one download expected");
        assert_eq!(downloads[0].path, "/stock/widget");
        assert_eq!(
            downloads[0].body(),
            Some("12 widgets on hand"),
            "got {}",
            downloads[0]
        );
    });
}

#[test]
fn step_2_results_come_back_in_request_order() {
    test_kit::run_paused(|| async {
        let addr = server::start(stock()).await.expect("start the stock server");
        // Asked for slowest first: they FINISH widget, gadget, sprocket, but the
        // caller wants them back in the order it asked.
        let downloads = download_all_concurrently(
            addr,
            &["/stock/sprocket", "/stock/widget", "/stock/gadget"],
        )
        .await;
        let got: Vec<(&str, Option<&str>)> =
            downloads.iter().map(|d| (d.path.as_str(), d.body())).collect();
        assert_eq!(
            got,
            [
                ("/stock/sprocket", Some("40 sprockets on hand")),
                ("/stock/widget", Some("12 widgets on hand")),
                ("/stock/gadget", Some("3 gadgets on hand, reorder at 5")),
            ],
            "one download per path, in the order asked (not the order they finished)"
        );
    });
}

#[test]
fn step_3_reports_each_failure_with_its_resource() {
    test_kit::run_paused(|| async {
        let addr = server::start(stock()).await.expect("start the stock server");
        let paths =
            ["/stock/widget", "/stock/unobtainium", "/stock/gadget", "/stock/flange"];
        let downloads = download_all_concurrently(addr, &paths).await;
        // An unknown resource and a broken backend fail on their own lines; the
        // resources around them still arrive.
        insta::assert_snapshot!(report(&downloads));
        let fetched = downloads.iter().filter(|d| d.body().is_some()).count();
        assert_eq!(
            fetched,
            2,
            "two of the four resources exist and answer:\n{}",
            report(&downloads)
        );
    });
}

#[test]
fn step_4_downloads_overlap_in_virtual_time() {
    test_kit::run_paused(|| async {
        let addr = server::start(stock()).await.expect("start the stock server");
        let paths = ["/stock/widget", "/stock/gadget", "/stock/sprocket"];
        let slowest = 3 * SECOND;
        let sum = 6 * SECOND;

        // Why virtual time measures this correctly: the clock is paused, and tokio
        // moves it forward only when every task on this runtime is waiting, and then
        // only to the next timer due. The only timers are the server's sleeps, and
        // the server runs on this same runtime. So one after another can never take
        // less than 1 + 2 + 3 s, and at once it takes about 3 s. (Had the server slept
        // on another thread, or with std::thread::sleep, this clock would see no
        // timers, and both versions would take "0 s".) A reply still on its way
        // through the kernel can let the clock jump to the next timer early, which
        // makes a run slower, never faster: hence `< sum`, not `== slowest`.
        // ANCHOR: overlap
        let start = Instant::now();
        let one_after_another = download_all(addr, &paths).await;
        let sequential = start.elapsed();
        assert!(
            one_after_another.iter().all(|d| d.body().is_some()),
            "{}",
            report(&one_after_another)
        );
        assert!(
            sequential >= sum,
            "the provided download_all should take the sum of the delays, \
             took {sequential:?}"
        );

        let start = Instant::now();
        let at_once = download_all_concurrently(addr, &paths).await;
        let concurrent = start.elapsed();
        assert!(at_once.iter().all(|d| d.body().is_some()), "{}", report(&at_once));
        assert!(
            concurrent >= slowest && concurrent < sum,
            "took {concurrent:?} of virtual time for delays of 1 s, 2 s and 3 s: \
             one after another takes {sum:?}, all at once about {slowest:?}"
        );
        // ANCHOR_END: overlap
    });
}

#[test]
fn step_5_every_download_runs_on_the_loop_thread() {
    test_kit::run_paused(|| async {
        let addr = server::start(stock()).await.expect("start the stock server");
        let the_loop = thread::current().id();
        let paths =
            ["/stock/widget", "/stock/gadget", "/stock/sprocket", "/stock/flange"];
        let downloads = download_all_concurrently(addr, &paths).await;
        assert_eq!(downloads.len(), paths.len(), "one download per path");
        for d in &downloads {
            assert_eq!(
                d.thread, the_loop,
                "{} finished on another thread: one event loop, one thread (no std::thread::spawn, \
                 no spawn_blocking, no second runtime)",
                d.path
            );
        }
    });
}
