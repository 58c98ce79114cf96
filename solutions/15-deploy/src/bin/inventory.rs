// The exercise's given binary, built against this solution: what the steps start
// and send SIGTERM to (`cargo run -p sol15-deploy --bin sol15-inventory`).
use sol15_deploy as deploy;
include!("../../../../exercises/15-deploy/src/bin/untwisted-inventory.rs");
