// The steps of exercise 07. Here the tests are yours (src/my_tests.rs) and these steps
// grade them, mutation-style: first your tests must pass on the correct service, then
// for each planted bug at least one of them must fail. The runner reports the first
// step that fails.
//
// Every run of one of your tests gets its own test_kit::run_paused: a fresh runtime
// (so a leak check sees only that test's tasks), a paused clock and a time limit.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Mutex, Once};

use test_kit::Transcript;
use testing::my_tests;
use testing::service::{Connection, Factory, HOLD, Variant};

// One of your tests, by name.
struct LearnerTest {
    name: &'static str,
    run: fn(Factory) -> Pin<Box<dyn Future<Output = ()>>>,
}

fn suite() -> Vec<LearnerTest> {
    vec![
        LearnerTest {
            name: "replies_end_with_crlf",
            run: |f| Box::pin(my_tests::replies_end_with_crlf(f)),
        },
        LearnerTest {
            name: "reservations_never_exceed_stock",
            run: |f| Box::pin(my_tests::reservations_never_exceed_stock(f)),
        },
        LearnerTest {
            name: "reservations_expire_after_the_hold",
            run: |f| Box::pin(my_tests::reservations_expire_after_the_hold(f)),
        },
        LearnerTest {
            name: "released_units_come_back_once",
            run: |f| Box::pin(my_tests::released_units_come_back_once(f)),
        },
        LearnerTest {
            name: "shutdown_leaves_nothing_running",
            run: |f| Box::pin(my_tests::shutdown_leaves_nothing_running(f)),
        },
    ]
}

// What happened when one of your tests ran against one service.
enum Outcome {
    Passed,
    Failed(String),
    // It panicked with todo!(): not a failure, and it catches nothing.
    NotWritten,
}

fn run_test(test: &LearnerTest, variant: Variant) -> Outcome {
    let run = test.run;
    let sink = PanicSink::default();
    let inner = sink.clone();
    let result = sink.quietly(|| {
        panic::catch_unwind(AssertUnwindSafe(|| {
            // `make` runs on the thread that runs your test: silence it there too.
            test_kit::run_paused(move || {
                inner.install_here();
                run(Factory::new(variant))
            })
        }))
    });
    match result {
        Ok(()) => Outcome::Passed,
        Err(payload) => {
            let message = panic_message(payload.as_ref());
            if message.starts_with("not yet implemented") {
                Outcome::NotWritten
            } else {
                match sink.first_location() {
                    Some(at) => Outcome::Failed(format!("{message}\n  at {at}")),
                    None => Outcome::Failed(message),
                }
            }
        }
    }
}

// Your tests are expected to panic (that is how they catch a mutant), so their panics
// are recorded here instead of printed: the first panic a failing step prints is
// then the step's own verdict, with your test's message and location inside it.
#[derive(Clone, Default)]
struct PanicSink(Arc<Mutex<Vec<String>>>);

thread_local! {
    static SINK: RefCell<Option<PanicSink>> = const { RefCell::new(None) };
}

impl PanicSink {
    fn install_here(&self) {
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let print = panic::take_hook();
            panic::set_hook(Box::new(move |info| {
                let recorded = SINK.with(|sink| match sink.borrow().as_ref() {
                    Some(sink) => {
                        let at =
                            info.location().map(|l| l.to_string()).unwrap_or_default();
                        sink.0.lock().unwrap_or_else(|e| e.into_inner()).push(at);
                        true
                    }
                    None => false,
                });
                if !recorded {
                    print(info);
                }
            }));
        });
        SINK.with(|sink| *sink.borrow_mut() = Some(self.clone()));
    }

    fn quietly<T>(&self, f: impl FnOnce() -> T) -> T {
        self.install_here();
        let out = f();
        SINK.with(|sink| *sink.borrow_mut() = None);
        out
    }

    fn first_location(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).first().cloned()
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

fn not_written(results: &[(&LearnerTest, Outcome)]) -> Vec<&'static str> {
    results
        .iter()
        .filter(|(_, outcome)| matches!(outcome, Outcome::NotWritten))
        .map(|(test, _)| test.name)
        .collect()
}

// Runs every written test on `variant` and fails unless at least one of them fails.
fn must_catch(variant: Variant) {
    let suite = suite();
    let on_correct: Vec<_> =
        suite.iter().map(|test| (test, run_test(test, Variant::Correct))).collect();
    let todo = not_written(&on_correct);
    if todo.len() == suite.len() {
        panic!(
            "write the tests first: every test in src/my_tests.rs is still todo!(), so this bug survives: {}",
            variant.bug()
        );
    }
    // A test that fails on the correct service fails everywhere: its failing on the
    // mutant would prove nothing.
    for (test, outcome) in &on_correct {
        if let Outcome::Failed(why) = outcome {
            panic!(
                "your test {} fails on the correct service too (see step 1), so it proves nothing here: {why}",
                test.name
            );
        }
    }

    let mut table = format!("your tests against the mutant where {}:\n", variant.bug());
    let mut caught = false;
    for test in &suite {
        let verdict = if todo.contains(&test.name) {
            "not written yet (todo!)".to_owned()
        } else {
            match run_test(test, variant) {
                Outcome::Passed => "passed: missed it".to_owned(),
                Outcome::NotWritten => "not written yet (todo!)".to_owned(),
                Outcome::Failed(why) => {
                    caught = true;
                    format!(
                        "FAILED: caught it ({})",
                        why.lines()
                            .take(3)
                            .map(str::trim)
                            .collect::<Vec<_>>()
                            .join(" | ")
                    )
                }
            }
        };
        table.push_str(&format!("  {:<36} {verdict}\n", test.name));
    }
    if caught {
        // Shown with `cargo test -- --nocapture`: which of your tests killed the mutant.
        println!("{table}");
    } else {
        let todo_note = if todo.is_empty() {
            String::new()
        } else {
            format!("\nstill todo!(): {}", todo.join(", "))
        };
        panic!("your tests did not catch: {}\n{table}{todo_note}", variant.bug());
    }
}

// Sends `line`, records both directions, and returns the reply.
async fn say(conn: &mut Connection, transcript: &Transcript, line: &str) -> String {
    transcript.sent("scanner", line);
    let reply = conn.request(line).await;
    transcript.received("scanner", &reply);
    reply
}

#[test]
fn step_1_your_tests_pass_on_the_correct_service() {
    // First, the protocol itself, as the snapshot records it: the reference for
    // what your assertions should expect (the \r\n are shown escaped).
    test_kit::run_paused(|| async {
        let service = Factory::new(Variant::Correct).build(&[("WIDGET", 5)]);
        let mut conn = service.connect();
        let transcript = Transcript::new();
        for line in [
            "STOCK WIDGET",
            "RESERVE WIDGET 3",
            "RESERVE WIDGET 3",
            "RELEASE 1",
            "RESERVE WIDGET 5",
        ] {
            say(&mut conn, &transcript, line).await;
        }
        tokio::time::advance(HOLD).await;
        transcript.event("clock", &format!("advance {} s (the hold)", HOLD.as_secs()));
        for line in
            ["STOCK WIDGET", "RELEASE 2", "STOCK GIZMO", "RESERVE WIDGET 0", "HELLO"]
        {
            say(&mut conn, &transcript, line).await;
        }
        service.shutdown().await;
        insta::assert_snapshot!(transcript.to_string());
    });

    let suite = suite();
    let results: Vec<_> =
        suite.iter().map(|test| (test, run_test(test, Variant::Correct))).collect();
    // Failures first: they are about the test you just wrote.
    for (test, outcome) in &results {
        if let Outcome::Failed(why) = outcome {
            panic!("your test {} fails on the correct service: {why}", test.name);
        }
    }
    let todo = not_written(&results);
    if !todo.is_empty() {
        panic!(
            "write the test first: still todo!() in src/my_tests.rs: {}",
            todo.join(", ")
        );
    }
}

#[test]
fn step_2_your_tests_catch_a_bare_newline_delimiter() {
    must_catch(Variant::BareNewline);
}

#[test]
fn step_3_your_tests_catch_an_off_by_one_over_reservation() {
    must_catch(Variant::OverReserve);
}

#[test]
fn step_4_your_tests_catch_expiry_that_never_fires() {
    must_catch(Variant::NeverExpires);
}

#[test]
fn step_5_your_tests_catch_expiry_that_fires_early() {
    must_catch(Variant::ExpiresEarly);
}

#[test]
fn step_6_your_tests_catch_a_release_that_leaves_its_timer_armed() {
    must_catch(Variant::ReleaseKeepsTimer);
}

#[test]
fn step_7_your_tests_catch_timers_left_pending_by_shutdown() {
    must_catch(Variant::LeakedTimers);
}

#[test]
fn step_8_your_tests_catch_a_listener_left_open_by_shutdown() {
    must_catch(Variant::LeakedListener);
}
