//! Worked examples for the testing chapter (book/src/testing/index.md).
