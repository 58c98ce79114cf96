// The exercise's own steps and snapshots, run against this solution.
use sol14_processes as processes;
include!("../../../exercises/14-processes/tests/steps.rs");
