//! One module per runner command.

pub mod bench;
pub mod book;
pub mod check;
pub mod demo;
pub mod hint;
pub mod join;
pub mod leave;
pub mod list;
pub mod reset;
pub mod room;
pub mod seal;
pub mod setup;
pub mod solution;
pub mod status;
pub mod verify;
pub mod watch;
