//! Solution 02: a single-threaded reactor built on mio.
//!
//! - [`time`]: where the reactor reads the time from (real, or a hand-moved clock).
//! - [`timers`]: `call_later` on a timer heap, and the [`DelayedCall`] handle; the two
//!   types and their given methods are in `schedule`.
//! - `queue`: the heap under [`Timers`].
//! - [`clock`]: [`Clock`], Twisted's `task.Clock`: time that moves only when told;
//!   the type and its given methods are in `manual_clock`.
//! - [`reactor`]: [`Reactor`]: readiness dispatch for sockets, timers, `run` / `stop`;
//!   the type, its state and registering handlers are in `registry`.
//! - `handler`: the [`Handler`] trait a socket's owner implements.
//! - `handle`: [`ReactorHandle`], calls from other threads.
//! - [`echo`]: an echo server on the reactor, the protocol the tests talk to; its
//!   limits, `listen` and the connection's state are in `connection`.
//! - `port`: the listening socket, which keeps accepting after running out of
//!   file descriptors.
//! - `echo_server`: [`EchoServer`], echo on its own reactor thread.
//! - `socket_buffers`: small kernel socket buffers, so step 7 sees partial writes.

pub mod clock;
pub mod echo;
pub mod reactor;
pub mod timers;

// Given whole in the exercise; included, not copied.
#[path = "../../../exercises/02-reactor/src/connection.rs"]
mod connection;
#[path = "../../../exercises/02-reactor/src/echo_server.rs"]
mod echo_server;
#[path = "../../../exercises/02-reactor/src/handle.rs"]
mod handle;
#[path = "../../../exercises/02-reactor/src/handler.rs"]
mod handler;
#[path = "../../../exercises/02-reactor/src/manual_clock.rs"]
mod manual_clock;
#[path = "../../../exercises/02-reactor/src/port.rs"]
mod port;
#[path = "../../../exercises/02-reactor/src/queue.rs"]
mod queue;
#[path = "../../../exercises/02-reactor/src/registry.rs"]
mod registry;
#[path = "../../../exercises/02-reactor/src/schedule.rs"]
mod schedule;
#[path = "../../../exercises/02-reactor/src/socket_buffers.rs"]
mod socket_buffers;
#[path = "../../../exercises/02-reactor/src/time.rs"]
pub mod time;

pub use clock::Clock;
pub use echo::EchoServer;
pub use reactor::{Handler, Next, Reactor, ReactorHandle, Readiness};
pub use time::{ManualTime, RealTime, TimeSource};
pub use timers::{CallError, DelayedCall, Timers};
