// The steps of exercise 03. The runner reports the first one that fails.
//
// Every step writes what its callbacks saw into a `Log`; the snapshots are those
// logs, one line per callback, in the order the callbacks ran.

use std::cell::RefCell;
use std::rc::Rc;

use deferreds::{AlreadyCalled, Deferred, Outcome, deferred_list, gather_results};

// What the callbacks of one step saw, in order. Shared by cloning (an `Rc`).
#[derive(Clone, Default)]
struct Log(Rc<RefCell<Vec<String>>>);

impl Log {
    fn say(&self, line: impl Into<String>) {
        self.0.borrow_mut().push(line.into());
    }

    fn len(&self) -> usize {
        self.0.borrow().len()
    }

    fn last(&self) -> String {
        self.0.borrow().last().cloned().unwrap_or_default()
    }

    fn text(&self) -> String {
        self.0.borrow().join("\n")
    }
}

// A stock level, or why there is none: the deferreds of these steps carry these.
type Stock = Deferred<i32, String>;

#[test]
fn step_1_runs_callbacks_in_order() {
    test_kit::run(|| async {
        let log = Log::default();
        let d = Stock::new();
        let l = log.clone();
        d.add_callback(move |n| {
            l.say(format!("callback 1: got {n}"));
            Outcome::Value(n * 2)
        });
        let l = log.clone();
        d.add_callback(move |n| {
            l.say(format!("callback 2: got {n}"));
            Outcome::Value(n + 1)
        });
        assert_eq!(log.len(), 0, "no callback may run before the deferred fires");
        assert!(!d.is_called());

        d.callback(2).expect("the first callback() fires the deferred");
        assert!(d.is_called());
        assert_eq!(log.len(), 2, "callback() runs the chain before it returns");

        // Already fired: a new callback runs at once, on the current result.
        let l = log.clone();
        d.add_callback(move |n| {
            l.say(format!("callback 3 (added after firing): got {n}"));
            Outcome::Value(n)
        });
        assert_eq!(
            log.len(),
            3,
            "a callback added to a fired deferred runs before add_callback returns"
        );

        // A callback may add a callback to its own deferred (no RefCell borrow may be
        // held while it runs). The new one runs after it returns, on its result.
        let (l, same) = (log.clone(), d.clone());
        d.add_callback(move |n| {
            l.say(format!("callback 4: got {n}, adds callback 5"));
            let l5 = l.clone();
            same.add_callback(move |n| {
                l5.say(format!("callback 5 (added by 4): got {n}"));
                Outcome::Value(n)
            });
            l.say("callback 4: returns 50");
            Outcome::Value(n * 10)
        });
        assert_eq!(log.last(), "callback 5 (added by 4): got 50");

        // defer.succeed: born fired.
        let l = log.clone();
        Deferred::<&str, String>::succeed("in stock").add_callback(move |s| {
            l.say(format!("succeed: got {s:?}"));
            Outcome::Value(s)
        });
        insta::assert_snapshot!(log.text());
    });
}

#[test]
fn step_2_fires_only_once() {
    test_kit::run(|| async {
        let log = Log::default();
        let d = Stock::new();
        assert_eq!(d.callback(1), Ok(()));
        assert_eq!(
            d.callback(2),
            Err(AlreadyCalled),
            "a second callback() is an error, not a new result"
        );
        assert_eq!(
            d.errback("too late".into()),
            Err(AlreadyCalled),
            "so is an errback() after callback()"
        );
        let l = log.clone();
        d.add_both(move |result| {
            l.say(format!("the first result stands: {result:?}"));
            result.into()
        });
        assert_eq!(log.last(), "the first result stands: Ok(1)");

        let failed = Stock::fail("no such item".into());
        assert_eq!(
            failed.callback(3),
            Err(AlreadyCalled),
            "a failed deferred has fired too"
        );

        // Firing a deferred from inside its own callback: AlreadyCalled, not a panic
        // (the callback runs while the deferred is busy; nothing may be borrowed).
        let again = Stock::new();
        let (l, same) = (log.clone(), again.clone());
        again.add_callback(move |n| {
            l.say(format!(
                "callback fires its own deferred again: {:?}",
                same.callback(n + 1)
            ));
            Outcome::Value(n)
        });
        assert_eq!(again.callback(10), Ok(()));
        assert_eq!(
            log.last(),
            "callback fires its own deferred again: Err(AlreadyCalled)"
        );
        assert!(!AlreadyCalled.to_string().is_empty(), "AlreadyCalled explains itself");
    });
}

#[test]
fn step_3_errors_take_the_errback_path() {
    test_kit::run(|| async {
        let log = Log::default();
        let d = Stock::new();
        let l = log.clone();
        d.add_callback(move |n| {
            l.say(format!("callback 1: got {n}, fails"));
            Outcome::Failure(format!("only {n} left"))
        });
        let l = log.clone();
        d.add_callback(move |n| {
            l.say(format!("callback 2: MUST NOT RUN (got {n})"));
            Outcome::Value(n)
        });
        let l = log.clone();
        d.add_errback(move |e| {
            l.say(format!("errback 1: got {e:?}, passes it on"));
            Outcome::Failure(format!("{e}, reorder"))
        });
        // A pair: exactly one of the two runs.
        let (l, l2) = (log.clone(), log.clone());
        d.add_callbacks(
            move |n| {
                l.say(format!("pair callback: MUST NOT RUN (got {n})"));
                Outcome::Value(n)
            },
            move |e| {
                l2.say(format!("pair errback: got {e:?}, recovers with 0"));
                Outcome::Value(0)
            },
        );
        let l = log.clone();
        d.add_errback(move |e| {
            l.say(format!("errback 3: MUST NOT RUN (got {e:?})"));
            Outcome::Failure(e)
        });
        let l = log.clone();
        d.add_callback(move |n| {
            l.say(format!("callback 3: back on the callback path, got {n}"));
            Outcome::Value(n + 100)
        });
        let l = log.clone();
        d.add_both(move |result| {
            l.say(format!("both: got {result:?}"));
            result.into()
        });
        d.callback(7).unwrap();

        // errback() starts on the errback path; an errback that fails again keeps
        // the chain there.
        let e = Stock::new();
        let (l, l2) = (log.clone(), log.clone());
        e.add_callbacks(Outcome::Value, move |err| {
            l.say(format!("errback(): pair errback got {err:?}, fails again"));
            Outcome::Failure("still broken".into())
        })
        .add_both(move |result| {
            l2.say(format!("errback(): both got {result:?}"));
            result.into()
        });
        e.errback("scanner offline".into()).unwrap();

        let text = log.text();
        assert!(!text.contains("MUST NOT RUN"), "a link on the other path ran:\n{text}");
        insta::assert_snapshot!(text);
    });
}

#[test]
fn step_4_pauses_on_a_returned_deferred() {
    test_kit::run(|| async {
        let log = Log::default();

        // A callback that returns an unfired deferred pauses the chain.
        let warehouse = Stock::new();
        let order = Stock::new();
        let (l, w) = (log.clone(), warehouse.clone());
        order.add_callback(move |n| {
            l.say(format!("order callback 1: got {n}, asks the warehouse"));
            Outcome::Wait(w)
        });
        let l = log.clone();
        order.add_callback(move |n| {
            l.say(format!("order callback 2: got {n} from the warehouse"));
            Outcome::Value(n + 1)
        });
        order.callback(1).unwrap();
        log.say("test: order fired; its chain is paused");
        assert_eq!(
            log.last(),
            "test: order fired; its chain is paused",
            "callback 2 ran before the warehouse answered"
        );
        assert_eq!(order.callback(2), Err(AlreadyCalled), "a paused deferred has fired");
        // Callbacks added while paused wait too.
        let l = log.clone();
        order.add_callback(move |n| {
            l.say(format!("order callback 3 (added while paused): got {n}"));
            Outcome::Value(n)
        });
        log.say("test: the warehouse answers 41");
        warehouse.callback(41).unwrap();

        // The returned deferred's failure continues on the errback path.
        let broken = Stock::new();
        let retry = Stock::new();
        let (l, b) = (log.clone(), broken.clone());
        retry.add_callback(move |n| {
            l.say(format!(
                "retry callback: got {n}, waits on a warehouse that will fail"
            ));
            Outcome::Wait(b)
        });
        let l = log.clone();
        retry.add_errback(move |e| {
            l.say(format!("retry errback: got {e:?}"));
            Outcome::Value(-1)
        });
        retry.callback(5).unwrap();
        log.say("test: the warehouse fails");
        broken.errback("warehouse closed".into()).unwrap();

        // Waiting on one that already fired (or on a chain of them) carries on at once.
        let l = log.clone();
        Stock::succeed(1)
            .add_callback(|n| Outcome::Wait(Stock::succeed(n + 1)))
            .add_callback(|n| {
                let inner = Stock::new();
                inner.add_callback(|m| Outcome::Wait(Stock::succeed(m * 10)));
                inner.callback(n + 1).unwrap();
                Outcome::Wait(inner)
            })
            .add_callback(move |n| {
                l.say(format!("already fired: got {n} at once"));
                Outcome::Value(n)
            });
        assert_eq!(log.last(), "already fired: got 30 at once");
        insta::assert_snapshot!(log.text());
    });
}

#[test]
fn step_5_gathers_results() {
    test_kit::run(|| async {
        let log = Log::default();
        let watch = |what: &'static str, d: &Deferred<Vec<i32>, String>| {
            let (l, l2) = (log.clone(), log.clone());
            d.add_callbacks(
                move |all| {
                    l.say(format!("{what}: all in {all:?}"));
                    Outcome::Value(all)
                },
                move |e| {
                    l2.say(format!("{what}: failed with {e:?}"));
                    Outcome::Failure(e)
                },
            );
        };

        // All succeed: the values come in list order, whatever order they fired in.
        let (a, b, c) = (Stock::new(), Stock::new(), Stock::new());
        let gathered = gather_results(vec![a.clone(), b.clone(), c.clone()]);
        watch("gather", &gathered);
        c.callback(3).unwrap();
        a.callback(1).unwrap();
        log.say("test: a and c fired, b has not");
        assert!(!gathered.is_called(), "gather_results fired before b did");
        b.callback(2).unwrap();
        assert!(gathered.is_called());

        // First error wins, at once, while the others are still pending.
        let (x, y, z) = (Stock::new(), Stock::new(), Stock::new());
        let failed = gather_results(vec![x.clone(), y.clone(), z.clone()]);
        watch("gather with an error", &failed);
        y.errback("y: scanner offline".into()).unwrap();
        assert!(failed.is_called(), "the first error must fire gather_results at once");
        log.say("test: x and z fire after the error");
        x.callback(1).unwrap();
        z.errback("z: also offline".into()).unwrap();

        // Nothing to wait for: fires at once.
        watch("gather of nothing", &gather_results(Vec::new()));

        // deferred_list keeps every Result, in order, and never fails.
        let (p, q) = (Stock::new(), Stock::new());
        let listed = deferred_list(vec![p.clone(), q.clone()]);
        let l = log.clone();
        listed.add_callback(move |all| {
            l.say(format!("deferred_list: {all:?}"));
            Outcome::Value(all)
        });
        q.errback("q: no such item".into()).unwrap();
        p.callback(10).unwrap();
        insta::assert_snapshot!(log.text());
    });
}

#[test]
fn step_6_is_an_eager_future() {
    test_kit::run_paused(|| async {
        let log = Log::default();

        // ANCHOR: eager_vs_lazy
        // Eager vs lazy: the deferred's callback runs when the value arrives; the
        // async block's body runs only when something awaits (polls) it.
        let d = Stock::new();
        let l = log.clone();
        d.add_callback(move |n| {
            l.say(format!("deferred callback: got {n}"));
            Outcome::Value(n * 2)
        });
        let l = log.clone();
        let lazy = async move {
            l.say("async block: body runs");
            21
        };
        d.callback(21).unwrap();
        log.say("test: nothing awaited yet");
        let n = lazy.await;
        log.say(format!("test: the async block gave {n}"));
        let result = d.await;
        log.say(format!("test: the deferred gave {result:?}"));
        assert_eq!(result, Ok(42));
        // ANCHOR_END: eager_vs_lazy

        // Awaiting a deferred that fires later: the awaiting task must be woken.
        // (`biased`: poll in this order, so only the deferred's wake-up can finish it.)
        let later = Stock::new();
        let firer = later.clone();
        let l = log.clone();
        let (got, ()) = tokio::join!(biased; later, async move {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            l.say("test: a timer fires the deferred");
            firer.callback(7).unwrap();
        });
        log.say(format!("test: the later deferred gave {got:?}"));
        assert_eq!(got, Ok(7));

        // Failures come out as Err; a paused chain is awaited to its end.
        assert_eq!(Stock::fail("no stock".into()).await, Err("no stock".to_string()));
        let inner = Stock::new();
        let outer = Stock::succeed(1);
        let i = inner.clone();
        outer.add_callback(move |_| Outcome::Wait(i));
        let (got, ()) = tokio::join!(biased; outer, async move {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            inner.callback(99).unwrap();
        });
        assert_eq!(
            got,
            Ok(99),
            "awaiting a paused deferred gives the result at the end of its chain"
        );
        insta::assert_snapshot!(log.text());
    });
}
