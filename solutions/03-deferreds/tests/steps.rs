// The exercise's own steps and snapshots, run against this solution.
use sol03_deferreds as deferreds;
include!("../../../exercises/03-deferreds/tests/steps.rs");
