//! Worked examples for the setup chapter (book/src/setup/index.md).
