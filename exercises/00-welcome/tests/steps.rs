// The steps of exercise 00. The runner reports the first one that fails.

use tokio::time::Instant;
use welcome::{countdown, greeting};

#[test]
fn step_1_greets_an_attendee() {
    test_kit::run(|| async {
        insta::assert_snapshot!(greeting("Ada"));
        assert_eq!(
            greeting("Grace"),
            "Welcome to untwisted, Grace! The reactor is running."
        );
    });
}

#[test]
fn step_2_counts_down_on_the_event_loop() {
    // Paused time: the three seconds of sleeping pass instantly, and exactly.
    test_kit::run_paused(|| async {
        let start = Instant::now();
        let said = countdown(3).await;
        insta::assert_snapshot!(said.join("\n"));
        assert_eq!(
            start.elapsed(),
            3 * welcome::TICK,
            "one tick between numbers, none after the last"
        );
    });
}
