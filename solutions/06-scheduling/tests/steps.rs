// The exercise's own steps and snapshots, run against this solution.
use sol06_scheduling as scheduling;
include!("../../../exercises/06-scheduling/tests/steps.rs");
