// The exercise's own steps and snapshots, run against this solution.
use sol15_deploy as deploy;
include!("../../../exercises/15-deploy/tests/steps.rs");
