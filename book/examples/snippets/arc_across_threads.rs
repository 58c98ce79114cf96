// The same tally shared the thread-safe way: this one compiles and runs (a doc test in
// book/examples/src/drawbacks.rs), so the `Rc` version fails for `Rc` alone.
use std::sync::{Arc, Mutex};

fn main() {
    let tally = Arc::new(Mutex::new(0_u32));
    let scanner_side = Arc::clone(&tally);
    std::thread::spawn(move || {
        *scanner_side.lock().unwrap() += 1;
    })
    .join()
    .unwrap();
    assert_eq!(*tally.lock().unwrap(), 1);
}
