// The exercise's given binary (sealed: the solution has no main.rs of its own),
// built against this solution: what the steps start
// and send SIGTERM to, and what `cargo run -p sol15-deploy` runs.
use sol15_deploy as deploy;
include!("../../../../exercises/15-deploy/src/main.rs");
