//! Worked examples for the scheduling chapter (book/src/scheduling/index.md).
