// The exercise's own steps and snapshots, run against this solution.
use sol11_finger as finger;
include!("../../../exercises/11-finger/tests/steps.rs");
