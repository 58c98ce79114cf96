//! Worked examples for the deferreds chapter (book/src/deferreds/index.md).
//!
//! A `Delivery`: a one-shot cell. A value arrives once (`arrive`), and whoever waits
//! for it gets it: a callback registered with `on_arrival`, or a task that `.await`s
//! it. It is a deferred with no chain (one waiter, no errbacks, no pausing), and it
//! uses the same three tools: `Rc<RefCell<…>>` to share it, "take it out, let go of
//! the borrow, then call" to run user code, and a stored `Waker` to be a `Future`.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

// ANCHOR: types
/// A parcel expected at the warehouse: it arrives once, and one waiter collects it.
/// Cloning gives another handle to the same delivery.
pub struct Delivery<T> {
    shared: Rc<RefCell<Dock<T>>>,
}

/// Everything behind the `Rc`.
struct Dock<T> {
    parcel: Parcel<T>,
    /// The callback waiting for the parcel, if one was registered before it arrived.
    on_arrival: Option<Box<dyn FnOnce(T)>>,
    /// The task awaiting the delivery, woken when the parcel arrives.
    waker: Option<Waker>,
}

/// Where the parcel is.
enum Parcel<T> {
    /// Not here yet.
    Expected,
    /// Here, waiting to be collected.
    Arrived(T),
    /// Handed to its waiter. It cannot arrive a second time.
    Collected,
}

/// `arrive` on a delivery that already arrived: a parcel arrives once.
#[derive(Debug, PartialEq, Eq)]
pub struct AlreadyArrived;

impl fmt::Display for AlreadyArrived {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("this delivery has already arrived")
    }
}

impl std::error::Error for AlreadyArrived {}
// ANCHOR_END: types

impl<T: 'static> Delivery<T> {
    /// A delivery that has not arrived yet.
    pub fn expected() -> Self {
        let dock = Dock { parcel: Parcel::Expected, on_arrival: None, waker: None };
        Delivery { shared: Rc::new(RefCell::new(dock)) }
    }

    /// Whether the parcel arrived (collected or not).
    pub fn has_arrived(&self) -> bool {
        !matches!(self.shared.borrow().parcel, Parcel::Expected)
    }

    // ANCHOR: arrive
    /// The parcel arrives: a waiting callback gets it now, before this returns; an
    /// awaiting task is woken. A second arrival is refused and changes nothing.
    pub fn arrive(&self, parcel: T) -> Result<(), AlreadyArrived> {
        let (callback, waker) = {
            let mut dock = self.shared.borrow_mut();
            if !matches!(dock.parcel, Parcel::Expected) {
                return Err(AlreadyArrived);
            }
            dock.parcel = Parcel::Arrived(parcel);
            (dock.on_arrival.take(), dock.waker.take())
        }; // the borrow ends here, before any user code runs
        if let Some(callback) = callback {
            self.hand_to(callback);
        }
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }
    // ANCHOR_END: arrive

    // ANCHOR: on_arrival
    /// Registers the callback that collects the parcel. If it is already here, the
    /// callback runs at once, before this returns; otherwise it waits in the dock
    /// (one waiter: a second registration replaces the first).
    pub fn on_arrival(&self, callback: impl FnOnce(T) + 'static) {
        let arrived = matches!(self.shared.borrow().parcel, Parcel::Arrived(_));
        if arrived {
            self.hand_to(Box::new(callback));
        } else {
            self.shared.borrow_mut().on_arrival = Some(Box::new(callback));
        }
    }

    /// Takes the parcel out of the cell, lets go of the borrow, then calls the
    /// callback: it may use this delivery again (even `arrive` on it) without a
    /// "RefCell already borrowed" panic.
    fn hand_to(&self, callback: Box<dyn FnOnce(T)>) {
        let parcel =
            mem::replace(&mut self.shared.borrow_mut().parcel, Parcel::Collected);
        if let Parcel::Arrived(parcel) = parcel {
            callback(parcel);
        }
    }
    // ANCHOR_END: on_arrival
}

impl<T> Clone for Delivery<T> {
    fn clone(&self) -> Self {
        Delivery { shared: Rc::clone(&self.shared) }
    }
}

// ANCHOR: future
/// Awaiting a delivery collects the parcel: `poll` takes it if it is here, and
/// otherwise leaves the task's waker in the dock for `arrive` to wake.
impl<T> Future for Delivery<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut dock = self.shared.borrow_mut();
        match mem::replace(&mut dock.parcel, Parcel::Collected) {
            Parcel::Arrived(parcel) => Poll::Ready(parcel),
            Parcel::Collected => panic!("the parcel was already collected"),
            Parcel::Expected => {
                dock.parcel = Parcel::Expected; // put back what we looked at
                dock.waker = Some(cx.waker().clone()); // the latest poller's waker
                Poll::Pending
            }
        }
    }
}
// ANCHOR_END: future

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;

    use super::{AlreadyArrived, Delivery};

    /// What the callbacks saw, in order.
    type Log = Rc<RefCell<Vec<String>>>;

    // ANCHOR: eager
    #[test]
    fn a_waiting_callback_runs_inside_arrive() {
        let log = Log::default();
        let pallet = Delivery::expected();
        let l = Rc::clone(&log);
        pallet.on_arrival(move |boxes: u32| l.borrow_mut().push(format!("got {boxes}")));
        assert!(log.borrow().is_empty(), "nothing runs before the parcel arrives");

        pallet.arrive(12).unwrap();
        assert_eq!(*log.borrow(), ["got 12"], "arrive() ran the callback");
        assert_eq!(pallet.arrive(13), Err(AlreadyArrived), "a parcel arrives once");
    }
    // ANCHOR_END: eager

    #[test]
    fn a_callback_registered_after_arrival_runs_at_once() {
        let log = Log::default();
        let pallet = Delivery::expected();
        pallet.arrive("bolts").unwrap();
        let l = Rc::clone(&log);
        pallet.on_arrival(move |what| l.borrow_mut().push(format!("collected {what}")));
        assert_eq!(*log.borrow(), ["collected bolts"]);
    }

    // ANCHOR: reentrant
    // The callback touches its own delivery while it runs. That works only because
    // `arrive` let go of the RefCell before calling it.
    #[test]
    fn a_callback_may_use_its_own_delivery() {
        let log = Log::default();
        let pallet = Delivery::expected();
        let (l, same) = (Rc::clone(&log), pallet.clone());
        pallet.on_arrival(move |boxes: u32| {
            let again = same.arrive(boxes + 1);
            l.borrow_mut().push(format!("got {boxes}; arriving again: {again:?}"));
        });
        pallet.arrive(12).unwrap();
        assert_eq!(*log.borrow(), ["got 12; arriving again: Err(AlreadyArrived)"]);
    }
    // ANCHOR_END: reentrant

    // ANCHOR: borrow_panic
    // The mistake the delivery avoids: calling user code while holding `borrow_mut()`.
    // The callback borrows the same cell, and RefCell refuses at run time.
    #[test]
    #[should_panic(expected = "already borrowed")]
    fn holding_a_borrow_across_a_callback_panics() {
        let stock = Rc::new(RefCell::new(10));
        let s = Rc::clone(&stock);
        let callback = move || *s.borrow_mut() -= 1;
        let _held = stock.borrow_mut(); // still borrowed...
        callback(); // ...when user code borrows it again: panic
    }
    // ANCHOR_END: borrow_panic

    // ANCHOR: await
    // A task awaits the delivery; a timer makes it arrive later. `poll` stored the
    // task's waker, `arrive` wakes it, and tokio polls the task again.
    #[tokio::test(start_paused = true)]
    async fn awaiting_a_delivery_wakes_when_it_arrives() {
        let pallet = Delivery::expected();
        let truck = pallet.clone();
        let (boxes, ()) = tokio::join!(biased; pallet, async move {
            tokio::time::sleep(Duration::from_secs(5)).await;
            truck.arrive(12).unwrap();
        });
        assert_eq!(boxes, 12);
    }
    // ANCHOR_END: await
}
