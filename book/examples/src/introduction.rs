//! Worked examples for the introduction chapter (book/src/introduction/index.md).
