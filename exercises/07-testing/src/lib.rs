//! Exercise 07: testing, the trial way, in tokio.
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
//! Edit only `src/my_tests.rs`. Run `cargo xtask check 07-testing`.

pub mod my_tests;
pub mod service;
