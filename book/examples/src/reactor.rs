//! Worked examples for the reactor chapter (book/src/reactor/index.md).
