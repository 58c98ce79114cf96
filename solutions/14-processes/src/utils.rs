//! Twisted's `twisted.internet.utils`: run a program and get its output, or its
//! exit code, in one call, with Twisted's defaults.

use tokio::process::Command;

use crate::exit::Exit;
pub use crate::process_error::ProcessError;
use crate::protocol::{ProcessProtocol, spawn_process};

// ANCHOR: twisted_defaults
/// A command as Twisted's `getProcessOutput(executable, args)` runs it: an empty
/// environment (Twisted's `env={}` on POSIX), where tokio would inherit ours.
fn twisted_command(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args).env_clear();
    command
}
// ANCHOR_END: twisted_defaults

// ANCHOR: back_relay
/// Twisted's `_BackRelay`: gathers stdout, and stderr into the same buffer when
/// `errortoo`, or aside to become the error.
struct BackRelay {
    errortoo: bool,
    output: Vec<u8>,
    stderr: Vec<u8>,
}

impl ProcessProtocol for BackRelay {
    fn out_received(&mut self, data: &[u8]) {
        self.output.extend_from_slice(data);
    }

    fn err_received(&mut self, data: &[u8]) {
        let into = if self.errortoo { &mut self.output } else { &mut self.stderr };
        into.extend_from_slice(data);
    }

    fn process_ended(&mut self, _exit: Exit) {}
}
// ANCHOR_END: back_relay

// ANCHOR: get_process_output
/// Runs `program` with `args` and returns everything it wrote to stdout (Twisted's
/// `getProcessOutput(executable, args)`), with Twisted's defaults: an empty
/// environment, an empty stdin, the exit code ignored, and stderr output an error
/// unless `errortoo` is true.
pub async fn get_process_output(
    program: &str,
    args: &[&str],
    errortoo: bool,
) -> Result<Vec<u8>, ProcessError> {
    let relay = BackRelay { errortoo, output: Vec::new(), stderr: Vec::new() };
    let relay = spawn_process(twisted_command(program, args), Vec::new(), relay)
        .await
        .map_err(ProcessError::Spawn)?;
    if relay.stderr.is_empty() {
        Ok(relay.output)
    } else {
        Err(ProcessError::UnexpectedErrorOutput { stderr: relay.stderr })
    }
}
// ANCHOR_END: get_process_output

/// Twisted's `_ValueGetter`: keeps only how the child ended.
struct ValueGetter(Option<Exit>);

impl ProcessProtocol for ValueGetter {
    fn out_received(&mut self, _data: &[u8]) {}

    fn process_ended(&mut self, exit: Exit) {
        self.0 = Some(exit);
    }
}

// ANCHOR: get_process_value
/// Runs `program` with `args` and returns its exit code, or `None` if a signal
/// ended it (Twisted's `getProcessValue`), with the same defaults as
/// [`get_process_output`]; output is ignored.
pub async fn get_process_value(
    program: &str,
    args: &[&str],
) -> Result<Option<i32>, ProcessError> {
    let getter =
        spawn_process(twisted_command(program, args), Vec::new(), ValueGetter(None))
            .await
            .map_err(ProcessError::Spawn)?;
    Ok(getter.0.and_then(Exit::code))
}
// ANCHOR_END: get_process_value
