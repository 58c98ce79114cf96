//! Solution 13: SSH access to the legacy inventory shell, on russh.

#[path = "../../../exercises/13-ssh/src/accounts.rs"]
pub mod accounts;
#[path = "../../../exercises/13-ssh/src/clerk.rs"]
mod clerk;
#[path = "../../../exercises/13-ssh/src/client.rs"]
pub mod client;
#[path = "../../../exercises/13-ssh/src/serve.rs"]
pub mod serve;
pub mod server;
#[path = "../../../exercises/13-ssh/src/shell.rs"]
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
