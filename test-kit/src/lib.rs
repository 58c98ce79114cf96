//! What every exercise's tests and demos share, written once.
//!
//! - [`step`]: run one test step with a wall-clock limit, so a hang becomes
//!   "timed out after N s" instead of a frozen terminal.
//! - [`transcript`]: direction-tagged protocol transcripts, with ports normalised, as
//!   the snapshots store them.
//! - [`client`]: a real TCP line client that records what it sends and receives.
//! - [`demo`]: the command line every demo server shares ([`DemoArgs`]).
//! - [`process`]: a demo server run as a child process, for tests of how it
//!   survives a room of clients ([`DemoProcess`]).

pub mod client;
pub mod demo;
pub mod process;
pub mod step;
pub mod transcript;

pub use client::LineClient;
pub use demo::{Count, DemoArgs, Seconds};
pub use process::DemoProcess;
pub use step::{run, run_paused};
pub use transcript::Transcript;
