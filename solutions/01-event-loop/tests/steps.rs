// The exercise's own steps and snapshots, run against this solution.
use sol01_event_loop as event_loop;
include!("../../../exercises/01-event-loop/tests/steps.rs");
