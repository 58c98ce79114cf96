//! What the benchmark reads about a server process, and the file-descriptor limit.
//!
//! Linux only (`/proc`); elsewhere every reading is `None` and the table says "n/a".

use std::time::Duration;

/// Peak resident memory (VmHWM) and thread count of process `pid`.
pub struct Status {
    /// Peak resident set size, in KiB.
    pub peak_rss_kib: Option<u64>,
    /// Threads right now.
    pub threads: Option<u64>,
}

/// Reads `/proc/PID/status`.
pub fn status(pid: u32) -> Status {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
    };
    Status { peak_rss_kib: field("VmHWM:"), threads: field("Threads:") }
}

/// Resident memory of process `pid` right now (VmRSS), in KiB.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines().find_map(|line| line.strip_prefix("VmRSS:"))?.split_whitespace().next()?.parse().ok()
}

/// CPU time (user + system) process `pid` has used so far.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may contain spaces: count fields after its ')'.
    let after = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the name and state.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_secs_f64(ticks as f64 / clock_ticks_per_second()))
}

#[cfg(unix)]
fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}

#[cfg(not(unix))]
fn clock_ticks_per_second() -> f64 {
    100.0
}

/// Raises the soft limit on open files to at least `wanted` if the hard limit
/// allows it; returns the limit now in force (children inherit it).
#[cfg(unix)]
#[allow(clippy::unnecessary_cast)] // rlim_t is u64 on Linux, not on every Unix
pub fn raise_nofile(wanted: u64) -> Option<u64> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit read and write the plain struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return None;
        }
        if (limit.rlim_cur as u64) < wanted {
            let target = (wanted as libc::rlim_t).min(limit.rlim_max);
            let raised = libc::rlimit { rlim_cur: target, rlim_max: limit.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit.rlim_cur = target;
            }
        }
    }
    Some(limit.rlim_cur as u64)
}

/// Without POSIX limits, assume the benchmark may try.
#[cfg(not(unix))]
pub fn raise_nofile(_wanted: u64) -> Option<u64> {
    None
}

/// Restricts process or thread `pid` (0: the calling thread) to the given CPUs;
/// threads it starts later inherit the set. False where that is not supported.
#[cfg(target_os = "linux")]
pub fn pin(pid: u32, cpus: &[usize]) -> bool {
    // SAFETY: cpu_set_t is plain data; CPU_ZERO/CPU_SET only write inside it, and
    // sched_setaffinity reads it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_ZERO(&mut set);
        for &cpu in cpus {
            libc::CPU_SET(cpu, &mut set);
        }
        libc::sched_setaffinity(pid as libc::pid_t, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

/// CPU affinity is Linux-only here; elsewhere the benchmark runs unpinned.
#[cfg(not(target_os = "linux"))]
pub fn pin(_pid: u32, _cpus: &[usize]) -> bool {
    false
}
