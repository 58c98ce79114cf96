// The exercise's own steps and snapshots, run against this solution.
use sol07_testing as testing;
include!("../../../exercises/07-testing/tests/steps.rs");
