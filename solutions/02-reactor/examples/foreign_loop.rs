//! Running the reactor beside a foreign loop (a GUI's), both ways round.
//!
//! `cargo run -p sol02-reactor --example foreign_loop`

use std::cell::Cell;
use std::rc::Rc;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use sol02_reactor::{EchoServer, Reactor};

/// One frame of a 60 Hz user interface.
const FRAME: Duration = Duration::from_millis(16);

fn main() -> std::io::Result<()> {
    gui_drives()?;
    reactor_drives()
}

// ANCHOR: gui_drives
/// Way 1, like Twisted's gireactor: the GUI's loop owns the thread and does the
/// waiting; once per frame it lets the reactor do one pass that never blocks.
fn gui_drives() -> std::io::Result<()> {
    let reactor = Reactor::new()?;
    let fired_in = Rc::new(Cell::new(None));
    let note = Rc::clone(&fired_in);
    let frame = Rc::new(Cell::new(0));
    let now = Rc::clone(&frame);
    reactor.call_later(Duration::from_millis(50), move || note.set(Some(now.get())));

    while fired_in.get().is_none() {
        // ... the GUI handles its own events and draws here ...
        reactor.iterate(Some(Duration::ZERO))?; // sockets and timers, without blocking
        frame.set(frame.get() + 1);
        thread::sleep(FRAME); // the GUI waits for its next frame, not the reactor
    }
    println!(
        "gui drives: the reactor's 50 ms timer fired during frame {:?}",
        fired_in.get().unwrap_or(0)
    );
    Ok(())
}
// ANCHOR_END: gui_drives

// ANCHOR: reactor_drives
/// Way 2, like Twisted's threadedselect reactor (Kivy, wxPython): the reactor waits
/// in `poll` on its own thread; the GUI thread hands it work with
/// `call_from_thread`, whose `mio::Waker` makes that `poll` return at once. Results
/// go back through the GUI's own queue (here a channel; in GTK, `idle_add`).
fn reactor_drives() -> std::io::Result<()> {
    let server = EchoServer::start(([127, 0, 0, 1], 0).into())?;
    let (to_gui, gui_queue) = mpsc::channel();
    server.handle().call_from_thread(move |reactor| {
        // On the reactor thread: safe to touch reactor state here.
        let _ = to_gui.send(format!("{} socket(s) registered", reactor.handlers()));
    });
    let answer =
        gui_queue.recv_timeout(Duration::from_secs(5)).map_err(std::io::Error::other)?;
    println!("reactor drives: the GUI thread was told: {answer}");
    server.stop()
}
// ANCHOR_END: reactor_drives
