// The exercise's own steps and snapshots, run against this solution.
use sol04_protocols as protocols;
include!("../../../exercises/04-protocols/tests/steps.rs");
