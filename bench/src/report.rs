//! Shared pieces of the benchmarks' tables: rates, percentiles, and numbers as people
//! read them.

use crate::load;

/// The run with the median requests/s (the first error if every run failed).
pub fn median(mut runs: Vec<Result<load::Outcome, String>>) -> Result<load::Outcome, String> {
    if runs.iter().all(Result::is_err) {
        return runs.swap_remove(0);
    }
    let mut ok: Vec<load::Outcome> = runs.into_iter().filter_map(Result::ok).collect();
    ok.sort_by_key(|o| o.requests);
    Ok(ok.swap_remove(ok.len() / 2))
}

/// Peak RSS in MiB, or "n/a".
pub fn rss(o: &load::Outcome) -> String {
    o.server.peak_rss_kib.map_or("n/a".into(), |kib| format!("{:.1} MiB", kib as f64 / 1024.0))
}

/// Server CPU over the window, as a percentage of one core, or "n/a".
pub fn cpu(o: &load::Outcome) -> String {
    o.server_cpu.map_or("n/a".into(), |c| format!("{:.0}%", c * 100.0))
}

/// Requests per second within the measured window.
pub fn rate(o: &load::Outcome) -> f64 {
    o.requests as f64 / o.window.as_secs_f64()
}

/// "1,000", or "998 of 1,000" when some clients did not connect.
pub fn held(connected: usize, asked: usize) -> String {
    if connected == asked {
        thousands(asked as f64)
    } else {
        format!("{} of {}", thousands(connected as f64), thousands(asked as f64))
    }
}

/// The `p` quantile of sorted latencies.
pub fn percentile(sorted: &[u32], p: f64) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// Microseconds as "850 µs" or "1.25 ms".
pub fn latency(us: Option<u32>) -> String {
    match us {
        None => "n/a".into(),
        Some(us) if us < 1_000 => format!("{us} µs"),
        Some(us) => format!("{:.2} ms", us as f64 / 1_000.0),
    }
}

/// 12345.6 -> "12,346".
pub fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
