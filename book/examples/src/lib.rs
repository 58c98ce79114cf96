//! The book's worked examples, one module per chapter.
//!
//! A chapter never shows the body of a function the learner writes; it teaches the same
//! idea and API on a neighbouring problem, here, where the compiler and the tests keep
//! every shown line honest. Chapters include regions of these files with
//! `{{#include ../../examples/src/<chapter>.rs:<anchor>}}`.

pub mod capstone;
pub mod deferreds;
pub mod deployment;
pub mod dns;
pub mod drawbacks;
pub mod finger;
pub mod introduction;
pub mod lines;
pub mod processes;
pub mod protocols;
pub mod reactor;
pub mod scheduling;
pub mod setup;
pub mod ssh;
pub mod testing;
pub mod tls;
pub mod web;
pub mod websocket;
