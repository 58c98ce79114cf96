//! What every exercise's tests share, written once.
//!
//! - [`step`]: run one test step with a wall-clock limit, so a hang becomes
//!   "timed out after N s" instead of a frozen terminal.
//! - [`transcript`]: direction-tagged protocol transcripts, with ports normalised, as
//!   the snapshots store them.
//! - [`client`]: a real TCP line client that records what it sends and receives.

pub mod client;
pub mod step;
pub mod transcript;

pub use client::LineClient;
pub use step::{run, run_paused};
pub use transcript::Transcript;
