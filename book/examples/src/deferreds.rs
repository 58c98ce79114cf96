//! Worked examples for the deferreds chapter (book/src/deferreds/index.md).
