//! [`EchoServer`]: the echo protocol on its own reactor thread, started and stopped
//! from ordinary code (the tests, the demo, the benchmark). Given whole.

use std::io;
use std::net::SocketAddr;
use std::panic;
use std::sync::mpsc;
use std::thread::{self, JoinHandle};

use crate::echo::listen_with_socket_buffers;
use crate::reactor::{Reactor, ReactorHandle};

/// An echo server running its own reactor on its own thread: what the tests, the
/// demo's script and the benchmark start.
pub struct EchoServer {
    addr: SocketAddr,
    handle: ReactorHandle,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl EchoServer {
    /// Starts a reactor thread serving echo on `addr` and returns once it listens.
    pub fn start(addr: SocketAddr) -> io::Result<Self> {
        Self::start_with_socket_buffers(addr, None)
    }

    /// Like [`EchoServer::start`]; with `Some(bytes)`, every connection gets kernel
    /// socket buffers of about that size, so a test on loopback sees partial writes
    /// and backpressure instead of the kernel buffering megabytes.
    pub fn start_with_socket_buffers(
        addr: SocketAddr,
        socket_buffers: Option<usize>,
    ) -> io::Result<Self> {
        let (bound_tx, bound_rx) = mpsc::channel();
        let thread =
            thread::Builder::new().name("echo-reactor".into()).spawn(move || {
                // The reactor is not `Send`, so it is built on the thread that runs it.
                let setup = Reactor::new().and_then(|reactor| {
                    let addr =
                        listen_with_socket_buffers(&reactor, addr, socket_buffers)?;
                    Ok((reactor, addr))
                });
                match setup {
                    Ok((reactor, addr)) => {
                        let _ = bound_tx.send(Ok((addr, reactor.handle())));
                        reactor.run()
                    }
                    Err(e) => {
                        let _ = bound_tx.send(Err(e));
                        Ok(())
                    }
                }
            })?;
        match bound_rx.recv() {
            Ok(Ok((addr, handle))) => Ok(Self { addr, handle, thread: Some(thread) }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(io::Error::other("the reactor thread died before listening")),
        }
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle to the server's reactor, to run calls on its thread.
    pub fn handle(&self) -> &ReactorHandle {
        &self.handle
    }

    /// Stops the reactor and waits for its thread; returns what `run` returned. A
    /// panic on the reactor thread is re-raised here, with its own message.
    pub fn stop(mut self) -> io::Result<()> {
        self.handle.stop();
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(panic)) => panic::resume_unwind(panic),
            None => Ok(()),
        }
    }

    /// Waits for the reactor thread without stopping it (the demo runs until Ctrl-C).
    pub fn wait(mut self) -> io::Result<()> {
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(panic)) => panic::resume_unwind(panic),
            None => Ok(()),
        }
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.handle.stop();
            let _ = thread.join();
        }
    }
}
