// The exercise's own steps and snapshots, run against this solution.
use sol13_ssh as ssh;
include!("../../../exercises/13-ssh/tests/steps.rs");
