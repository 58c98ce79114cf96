// The tally of the appendix's ticker, shared the one-thread way, handed to a thread.
// This does not compile: book/examples/src/drawbacks.rs runs it as a `compile_fail`
// doc test that expects E0277.
use std::cell::RefCell;
use std::rc::Rc;

fn main() {
    let tally = Rc::new(RefCell::new(0_u32));
    let scanner_side = Rc::clone(&tally);
    std::thread::spawn(move || {
        *scanner_side.borrow_mut() += 1; // `Rc` cannot be sent between threads safely
    });
    println!("{}", tally.borrow());
}
