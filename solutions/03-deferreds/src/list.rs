//! Waiting for many deferreds at once.

use std::cell::RefCell;
use std::convert::Infallible;
use std::rc::Rc;

use crate::Deferred;

// ANCHOR: gather
/// One deferred for many: fires with every value, in the order of `deferreds` (not
/// the order they fired in), once all succeeded; or with the first error, at once,
/// without waiting for the rest (Twisted's `gatherResults`).
///
/// The list takes the results: Rust values have one owner, so callbacks added to the
/// given deferreds afterwards never run. Errors after the first are dropped, as with
/// Twisted's `consumeErrors=True` (Twisted also wraps the error in `FirstError`).
pub fn gather_results<T: 'static, E: 'static>(
    deferreds: Vec<Deferred<T, E>>,
) -> Deferred<Vec<T>, E> {
    let gathered = Deferred::new();
    let slots = Rc::new(RefCell::new(Slots::new(deferreds.len())));
    if deferreds.is_empty() {
        let _ = gathered.callback(Vec::new());
    }
    for (index, deferred) in deferreds.into_iter().enumerate() {
        let (gathered, slots) = (gathered.clone(), Rc::clone(&slots));
        deferred.hand_off(move |result| match result {
            // First error wins; once `gathered` fired, later ones get AlreadyCalled.
            Err(error) => {
                let _ = gathered.errback(error);
            }
            Ok(value) => {
                // The borrow ends with this statement, before any callback runs.
                let all = slots.borrow_mut().fill(index, value);
                if let (Some(all), false) = (all, gathered.is_called()) {
                    let _ = gathered.callback(all);
                }
            }
        });
    }
    gathered
}
// ANCHOR_END: gather

// ANCHOR: list
/// One deferred for many that never fails: fires, once every deferred fired, with
/// each one's `Result` in the order of `deferreds` (Twisted's `DeferredList`, whose
/// result is a list of `(success, result)` pairs).
pub fn deferred_list<T: 'static, E: 'static>(
    deferreds: Vec<Deferred<T, E>>,
) -> Deferred<Vec<Result<T, E>>, Infallible> {
    let listed = Deferred::new();
    let slots = Rc::new(RefCell::new(Slots::new(deferreds.len())));
    if deferreds.is_empty() {
        let _ = listed.callback(Vec::new());
    }
    for (index, deferred) in deferreds.into_iter().enumerate() {
        let (listed, slots) = (listed.clone(), Rc::clone(&slots));
        deferred.hand_off(move |result| {
            let all = slots.borrow_mut().fill(index, result);
            if let Some(all) = all {
                let _ = listed.callback(all);
            }
        });
    }
    listed
}

/// One slot per deferred of a list, filled in as they fire, in any order.
struct Slots<V> {
    slots: Vec<Option<V>>,
    missing: usize,
}

impl<V> Slots<V> {
    fn new(len: usize) -> Self {
        Slots { slots: (0..len).map(|_| None).collect(), missing: len }
    }

    /// Fills slot `index`; returns every value, in list order, once none is missing.
    fn fill(&mut self, index: usize, value: V) -> Option<Vec<V>> {
        if self.slots[index].replace(value).is_none() {
            self.missing -= 1;
        }
        if self.missing > 0 {
            return None;
        }
        Some(self.slots.drain(..).flatten().collect())
    }
}
// ANCHOR_END: list
