// The exercise's own steps and snapshots, run against this solution.
use sol08_web as web;
include!("../../../exercises/08-web/tests/steps.rs");
