// The exercise's own steps and snapshots, run against this solution.
use sol12_dns as dns;
include!("../../../exercises/12-dns/tests/steps.rs");
