//! Exercise 13: SSH access to the legacy inventory shell, on russh.
//!
//! You write `server.rs`: the server's [`config`] and the [`Clerk`], russh's
//! `Handler`. The shell, the accounts, the listening socket, a test client and the
//! `Clerk` type with the server's limits (`clerk.rs`) are given: read `shell.rs`,
//! `accounts.rs` and `clerk.rs` first.

pub mod accounts;
mod clerk;
pub mod client;
pub mod serve;
pub mod server;
pub mod shell;

pub use accounts::Accounts;
pub use client::{Client, Outcome};
pub use serve::SshServer;
pub use server::{Clerk, config, offered_methods};
pub use shell::Inventory;

/// A fresh Ed25519 key: the server's host key, or a clerk's key in the tests.
pub fn new_key() -> russh::keys::PrivateKey {
    russh::keys::PrivateKey::random(&mut rand::rng(), russh::keys::Algorithm::Ed25519)
        .expect("Ed25519 key generation does not fail")
}
