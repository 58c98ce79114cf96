//! [`LogFormat`]: how log events are written, human lines or JSON. Given whole.

/// How log events are written.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// `2026-12-02T01:02:03Z  INFO untwisted: draining open=2`: for people.
    Human,
    /// `{"timestamp":…,"level":"INFO","fields":{"message":"draining","open":2},…}`:
    /// for a log pipeline (Loki, Elasticsearch, CloudWatch).
    Json,
}
