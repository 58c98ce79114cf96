//! The untwisted workshop runner, as a library: the binary (`main.rs`) is its command
//! line, and the tests of the whole use the same modules (the manifest, the exercise
//! boxes, mdBook) to judge the book with exactly the runner's code.

pub mod cargo;
pub mod commands;
pub mod error;
pub mod files;
pub mod http;
pub mod joined;
pub mod manifest;
pub mod process;
pub mod progress;
pub mod report;
pub mod seal;
pub mod steps;
pub mod testrun;
pub mod ui;
pub mod vendor_source;
pub mod verdict;
pub mod workspace;
