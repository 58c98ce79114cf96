//! Child processes that end with the runner.
//!
//! Every long-running program the runner starts (cargo, an exercise's test binary, a
//! demo server, mdBook's server) is started here, so stopping the runner stops them
//! too and no orphan keeps a port or a CPU busy:
//!
//! - Linux: the child asks the kernel for SIGKILL when the runner dies, however it
//!   dies (`prctl(PR_SET_PDEATHSIG)`, kept across `exec`, so `cargo run`'s program
//!   gets it too).
//! - Unix (Linux and macOS): SIGINT, SIGTERM or SIGHUP sent to the runner alone
//!   (`kill -INT <pid>`, not only Ctrl-C to the whole process group) kills the
//!   children first, then ends the runner as the signal would have. A runner killed
//!   with SIGKILL on macOS leaves its children running: nothing can catch that there.
//! - Windows: Ctrl-C reaches every process attached to the console, children
//!   included; nothing more is done (a runner ended from the Task Manager leaves its
//!   children; a job object would fix that, at the cost of a dependency).

use std::io;
use std::process::{Child, Command, ExitStatus, Output};
use std::sync::atomic::{AtomicU32, Ordering};

/// Pids of the children running now (0 = a free slot). The runner runs one or two
/// programs at a time; a child that finds no free slot still runs, unregistered.
static CHILDREN: [AtomicU32; 8] = [const { AtomicU32::new(0) }; 8];

/// A started child, registered until this is dropped.
pub struct Running {
    /// The child itself.
    pub child: Child,
    /// Unregisters the child when dropped.
    pub registration: Registration,
}

/// A child's place in the list the signal handler kills; freed on drop.
pub struct Registration(Option<usize>);

impl Drop for Registration {
    fn drop(&mut self) {
        if let Some(slot) = self.0 {
            CHILDREN[slot].store(0, Ordering::SeqCst);
        }
    }
}

fn register(pid: u32) -> Registration {
    let slot =
        CHILDREN.iter().position(|slot| slot.compare_exchange(0, pid, Ordering::SeqCst, Ordering::SeqCst).is_ok());
    Registration(slot)
}

/// Starts `command` as a child that ends with the runner.
///
/// On Linux the kernel's signal follows the *thread* that started the child: start
/// children from a thread that outlives them (the main thread does).
pub fn spawn(command: &mut Command) -> io::Result<Running> {
    die_with_parent(command);
    let child = command.spawn()?;
    let registration = register(child.id());
    Ok(Running { child, registration })
}

/// Runs `command` to its end (stdio as the command says; inherited by default).
pub fn status(command: &mut Command) -> io::Result<ExitStatus> {
    let mut running = spawn(command)?;
    running.child.wait()
}

/// Runs `command` to its end and collects what it wrote to the streams set to
/// `Stdio::piped()` (set them: unlike `Command::output`, nothing is piped by default).
pub fn output(command: &mut Command) -> io::Result<Output> {
    let Running { child, registration } = spawn(command)?;
    let output = child.wait_with_output();
    drop(registration);
    output
}

#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id();
    // SAFETY: between fork and exec only async-signal-safe calls: prctl, getppid, _exit.
    unsafe {
        command.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            // The runner may have died between fork and prctl: then nobody would tell us.
            if libc::getppid() as u32 != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command) {}

/// Makes SIGINT, SIGTERM and SIGHUP kill the registered children before the runner
/// ends (Unix); call once, first thing in `main`.
#[cfg(unix)]
pub fn kill_children_on_signals() {
    extern "C" fn on_signal(signal: libc::c_int) {
        for slot in &CHILDREN {
            let pid = slot.load(Ordering::SeqCst);
            if pid != 0 {
                // SAFETY: kill is async-signal-safe.
                unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            }
        }
        // End the runner the way the signal would have (a shell then sees 128 + N).
        // SAFETY: signal and raise are async-signal-safe.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: installing a handler that only makes async-signal-safe calls, before
        // any other thread starts.
        unsafe {
            libc::signal(signal, on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t);
        }
    }
}

/// Nothing to do: Ctrl-C reaches the whole console (see the module's notes).
#[cfg(not(unix))]
pub fn kill_children_on_signals() {}
