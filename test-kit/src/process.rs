//! A demo server run as a child process, for tests of how it behaves under a room
//! of real clients: its address, its output, its file-descriptor limit.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStderr, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// How long a test waits for the demo to start, or for a line it expects.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// How to start a demo: [`DemoProcess::command`], options, then [`spawn`](Self::spawn).
pub struct DemoCommand {
    command: Command,
    stall_stdout: bool,
    stall_stderr: bool,
}

impl DemoCommand {
    /// Adds a command-line argument.
    pub fn arg(mut self, arg: &str) -> Self {
        self.command.arg(arg);
        self
    }

    /// Sets an environment variable of the demo (a deployment's `Environment=`).
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.command.env(key, value);
        self
    }

    /// Starts the demo with at most `limit` open file descriptors (`RLIMIT_NOFILE`),
    /// so a test can run it out of them with a handful of clients.
    #[cfg(unix)]
    pub fn max_open_files(mut self, limit: u64) -> Self {
        use std::os::unix::process::CommandExt;
        let limit = limit as libc::rlim_t;
        // SAFETY: between fork and exec only async-signal-safe calls are allowed;
        // setrlimit is one, and nothing here allocates.
        unsafe {
            self.command.pre_exec(move || {
                let rlimit = libc::rlimit { rlim_cur: limit, rlim_max: limit };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &rlimit) == 0 {
                    Ok(())
                } else {
                    Err(io::Error::last_os_error())
                }
            });
        }
        self
    }

    /// Stops reading the demo's stdout once it said where it listens, but keeps the
    /// pipe open: a terminal paused with Ctrl-S, or a pipe into a stuck program.
    /// Its writes to stdout block once the pipe's buffer is full.
    pub fn stall_stdout(mut self) -> Self {
        self.stall_stdout = true;
        self
    }

    /// Never reads the demo's stderr, but keeps the pipe open, as
    /// [`stall_stdout`](Self::stall_stdout) does for stdout (a paused terminal stalls
    /// both). Its lines on stderr are then not seen by
    /// [`DemoProcess::wait_for_output`].
    pub fn stall_stderr(mut self) -> Self {
        self.stall_stderr = true;
        self
    }

    /// Starts the demo and waits until it prints `… listening on ADDR …`.
    pub fn spawn(mut self) -> DemoProcess {
        let mut child = self
            .command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the demo: {e}"));
        let (lines, output) = mpsc::channel();
        let stderr = child.stderr.take().expect("piped stderr");
        let stalled_stderr = if self.stall_stderr {
            Some(stderr)
        } else {
            forward_lines(stderr, lines.clone());
            None
        };
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let addr = loop {
            let mut line = String::new();
            match stdout.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let said: Vec<String> = output.try_iter().collect();
                    panic!("the demo exited before listening:\n{}", said.join("\n"));
                }
                Ok(_) => {}
            }
            if let Some(addr) = listening_address(&line) {
                let _ = lines.send(line.trim_end().to_owned());
                break addr;
            }
            let _ = lines.send(line.trim_end().to_owned());
        };
        let stalled = if self.stall_stdout {
            Some(stdout.into_inner())
        } else {
            forward_lines(stdout, lines);
            None
        };
        DemoProcess { child, addr, output, seen: Vec::new(), _stalled: stalled, _stalled_stderr: stalled_stderr }
    }
}

/// A running demo; killed when dropped.
pub struct DemoProcess {
    child: Child,
    addr: SocketAddr,
    output: Receiver<String>,
    /// Every line of output read so far, for failure messages.
    seen: Vec<String>,
    /// The stdout nobody reads, held open (see [`DemoCommand::stall_stdout`]).
    _stalled: Option<ChildStdout>,
    /// The stderr nobody reads, held open (see [`DemoCommand::stall_stderr`]).
    _stalled_stderr: Option<ChildStderr>,
}

impl DemoProcess {
    /// How to run the demo binary `exe` (in a test: `env!("CARGO_BIN_EXE_<name>")`),
    /// listening on a free loopback port.
    pub fn command(exe: &str) -> DemoCommand {
        let mut command = Command::new(exe);
        command.args(["--listen", "127.0.0.1:0"]);
        DemoCommand { command, stall_stdout: false, stall_stderr: false }
    }

    /// Where the demo listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connects a blocking client that gives up on a silent server after
    /// [`PATIENCE`].
    pub fn connect(&self) -> BufReader<TcpStream> {
        let stream = TcpStream::connect(self.addr)
            .unwrap_or_else(|e| panic!("cannot connect to the demo at {}: {e}", self.addr));
        stream.set_read_timeout(Some(PATIENCE)).expect("a read timeout");
        BufReader::new(stream)
    }

    /// Waits (at most `patience`) for a line of the demo's output (stdout or
    /// stderr) that contains `text`; returns it, or `None` on time out.
    pub fn wait_for_output(&mut self, text: &str, patience: Duration) -> Option<String> {
        let deadline = Instant::now() + patience;
        if let Some(line) = self.seen.iter().find(|line| line.contains(text)) {
            return Some(line.clone());
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(text) {
                        return Some(line);
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    return None;
                }
            }
        }
    }

    /// Connects clients one at a time, each sending `hello` and reading the line
    /// it gets back, until the demo prints a line about `accept` failing (out of
    /// file descriptors: start it with [`DemoCommand::max_open_files`]). Returns
    /// the clients it served and the one left waiting in the kernel's queue.
    ///
    /// Panics if the demo exits, or serves `limit` clients without complaint.
    pub fn run_out_of_descriptors(
        &mut self,
        hello: &[u8],
        limit: usize,
    ) -> (Vec<BufReader<TcpStream>>, BufReader<TcpStream>) {
        let mut served = Vec::new();
        loop {
            assert!(served.len() < limit, "{limit} clients served without running out");
            if let Some(status) = self.exited() {
                panic!("the demo exited ({status}):\n{}", self.output());
            }
            let mut client = self.connect();
            client.get_mut().write_all(hello).expect("send to the demo");
            // Poll for either the client's line (accepted) or the demo's complaint
            // (this client waits in the queue), in short slices, within PATIENCE.
            let slice = Some(Duration::from_millis(20));
            client.get_mut().set_read_timeout(slice).expect("a read timeout");
            let deadline = Instant::now() + PATIENCE;
            let accepted = loop {
                match read_line(&mut client) {
                    Ok(_) => break true,
                    Err(e) if is_timeout(&e) => {}
                    Err(e) => panic!("client {} lost: {e}\n{}", served.len(), self.output()),
                }
                if self.wait_for_output("accept", Duration::ZERO).is_some() {
                    break false;
                }
                if let Some(status) = self.exited() {
                    panic!("the demo exited ({status}):\n{}", self.output());
                }
                assert!(Instant::now() < deadline, "no answer, no complaint:\n{}", self.output());
            };
            client.get_mut().set_read_timeout(Some(PATIENCE)).expect("a read timeout");
            if !accepted {
                assert!(!served.is_empty(), "out of descriptors before the first client");
                return (served, client);
            }
            served.push(client);
        }
    }

    /// Everything the demo printed so far (where the demo's stdout is read).
    pub fn output(&mut self) -> String {
        self.seen.extend(self.output.try_iter());
        self.seen.join("\n")
    }

    /// The demo's process id: to send it a signal, or read its memory use from `/proc`.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits (at most `patience`) for the demo to exit; `None` if it is still running.
    pub fn wait_for_exit(&mut self, patience: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(status) = self.exited() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            // A child's exit wakes nothing here portably: poll, in short slices.
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// `Some(status)` once the demo has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Drop for DemoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `… listening on 127.0.0.1:PORT …` → the address.
fn listening_address(line: &str) -> Option<SocketAddr> {
    let rest = line.split("listening on ").nth(1)?;
    rest.split(|c: char| c.is_whitespace() || c == ';').next()?.parse().ok()
}

/// Sends every line `from` produces to `to`, on a thread of its own.
fn forward_lines(from: impl Read + Send + 'static, to: mpsc::Sender<String>) {
    thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if to.send(line).is_err() {
                return;
            }
        }
    });
}

/// Reads one line (without its `\r\n`), or says why there is none: the server closed
/// (`UnexpectedEof`), or stayed silent past the read timeout.
pub fn read_line(client: &mut BufReader<TcpStream>) -> io::Result<String> {
    let mut line = String::new();
    if client.read_line(&mut line)? == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Sends `request` on a new connection to `demo` and reads `answer` back, so the
/// connection surely holds one of the server's slots (client number `n`, for the
/// message).
pub fn served_client(demo: &DemoProcess, request: &[u8], answer: &str, n: usize) -> BufReader<TcpStream> {
    let mut client = demo.connect();
    client.get_mut().write_all(request).unwrap_or_else(|e| panic!("client {n} cannot send: {e}"));
    match read_line(&mut client) {
        Ok(line) => assert_eq!(line, answer, "client {n}"),
        Err(e) => panic!("client {n} is not served: {e}"),
    }
    client
}

/// Reads `expected`, then the end of the connection: what a client turned away
/// (`ERR server busy`, a timeout's farewell) must hear.
pub fn told_and_closed(client: &mut BufReader<TcpStream>, expected: &str, who: &str) {
    match read_line(client) {
        Ok(line) => assert_eq!(line, expected, "{who}"),
        Err(e) => panic!("{who} hears nothing ({e}), expected {expected:?}"),
    }
    assert_closed(client, &format!("{who}, after {expected:?}"));
}

/// Reads the end of the connection (a close or a reset), and nothing before it.
pub fn assert_closed(client: &mut BufReader<TcpStream>, who: &str) {
    let end = read_line(client);
    assert!(
        matches!(&end, Err(e) if matches!(e.kind(), io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset)),
        "{who}: the server closes, got {end:?}"
    );
}

/// Waits (at most `patience`) until the server resets or hangs up `stream`,
/// without reading from it: a client that never reads can still learn that it was
/// dropped. Returns whether it was.
#[cfg(unix)]
pub fn wait_for_hangup(stream: &TcpStream, patience: Duration) -> bool {
    use std::os::fd::AsRawFd;
    // No events asked for: poll reports only an error (a reset) or a hang-up.
    let mut watched = libc::pollfd { fd: stream.as_raw_fd(), events: 0, revents: 0 };
    let deadline = Instant::now() + patience;
    loop {
        let left = deadline.saturating_duration_since(Instant::now()).as_millis();
        // SAFETY: one valid pollfd, borrowed for the duration of the call.
        let ready = unsafe { libc::poll(&mut watched, 1, left as libc::c_int) };
        match ready {
            0 => return false,
            1.. => return watched.revents & (libc::POLLERR | libc::POLLHUP) != 0,
            _ if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => {}
            _ => return false,
        }
    }
}

/// True for the error a read gives when its timeout passes (the kind differs
/// between Unix and Windows).
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(error.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}
