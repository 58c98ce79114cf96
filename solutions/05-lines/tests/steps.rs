// The exercise's own steps and snapshots, run against this solution.
use sol05_lines as lines;
include!("../../../exercises/05-lines/tests/steps.rs");
