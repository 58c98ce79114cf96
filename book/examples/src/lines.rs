//! Worked examples for the lines chapter (book/src/lines/index.md).
