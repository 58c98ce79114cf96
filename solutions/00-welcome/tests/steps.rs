// The exercise's own steps and snapshots, run against this solution.
use sol00_welcome as welcome;
include!("../../../exercises/00-welcome/tests/steps.rs");
