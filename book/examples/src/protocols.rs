//! Worked examples for the protocols chapter (book/src/protocols/index.md).
