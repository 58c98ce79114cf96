//! Solution 07: testing, the trial way, in tokio.
//!
//! This time you write the tests. [`service`] is a small stock-reservation service,
//! finished and working. The steps run your tests in [`my_tests`] against it, then
//! against mutants of it, each with one planted bug, and grade your tests:
//!
//! 1. on the correct service every test must pass;
//! 2. on each mutant at least one test must fail. A bug no test notices "survives",
//!    and the step tells you which: `your tests did not catch: reservations never expire`.
//!
//! A test that panics with `todo!()` is "not written yet": it neither passes nor
//! catches anything. Each test runs on its own fresh tokio runtime whose clock starts
//! paused (trial's `task.Clock`), so `tokio::time::advance` moves time for it alone.
//!
//! Only `src/my_tests.rs` differs from the exercise: a suite that catches every mutant.

pub mod my_tests;
// The service and its planted bugs are the exercise's own files, not a copy.
#[path = "../../../exercises/07-testing/src/service/mod.rs"]
pub mod service;
