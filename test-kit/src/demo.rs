//! The command line every demo server shares, so `--help`, defaults and errors read
//! the same in all of them (`cargo xtask demo EX [--listen ADDR] [--script]`).
//!
//! A demo flattens [`DemoArgs`] into its own `clap` parser and adds what is its own:
//!
//! ```ignore
//! #[derive(clap::Parser)]
//! #[command(about = "The echo server of 02-reactor")]
//! struct Cli {
//!     #[command(flatten)]
//!     demo: test_kit::DemoArgs,
//! }
//! let cli = Cli::parse(); // --help exits 0, a bad flag exits 2 with the usage
//! ```

use std::net::SocketAddr;

/// The options of every demo: where to listen, and whether to run the scripted
/// client instead of serving until Ctrl-C.
#[derive(clap::Args, Debug, Clone)]
pub struct DemoArgs {
    /// Address to listen on: loopback by default, port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Run a scripted client against the server, print the transcript, and exit.
    #[arg(long)]
    pub script: bool,
}
