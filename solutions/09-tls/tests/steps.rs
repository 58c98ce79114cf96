// The exercise's own steps and snapshots, run against this solution.
use sol09_tls as tls;
include!("../../../exercises/09-tls/tests/steps.rs");
