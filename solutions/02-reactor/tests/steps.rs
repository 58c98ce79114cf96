// The exercise's own steps and snapshots, run against this solution.
use sol02_reactor as reactor;
include!("../../../exercises/02-reactor/tests/steps.rs");
