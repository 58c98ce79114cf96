//! Structured logs with `tracing`: readable lines on a terminal, one JSON object per
//! line when a log pipeline asks for it. Either way they go to stderr, where journald
//! (or `docker logs`) collects them.

use tracing::{Level, Subscriber};
use tracing_subscriber::fmt::MakeWriter;

pub use crate::log_format::LogFormat;

// ANCHOR: subscriber
/// A subscriber that writes every event at `level` or more important to `writer`,
/// in `format`. `ansi` colours the human format (only on a terminal: escape codes
/// in a log file are noise). The JSON format puts an event's fields under
/// `"fields"` and never colours.
pub fn subscriber<W>(
    format: LogFormat,
    level: Level,
    ansi: bool,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt().with_max_level(level).with_writer(writer);
    match format {
        LogFormat::Human => Box::new(builder.with_ansi(ansi).finish()),
        LogFormat::Json => Box::new(builder.json().finish()),
    }
}
// ANCHOR_END: subscriber
