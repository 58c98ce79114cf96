//! Given: who may log in, and how. The legacy system had clerks with passwords; the
//! new one lets them bring keys too.

use std::collections::HashMap;

use russh::keys::PublicKey;

/// The clerks' accounts: a password, a list of authorized public keys, or both.
#[derive(Clone, Default)]
pub struct Accounts {
    passwords: HashMap<String, String>,
    keys: HashMap<String, Vec<PublicKey>>,
}

impl Accounts {
    /// No accounts: nobody gets in.
    pub fn new() -> Accounts {
        Accounts::default()
    }

    /// Lets `user` in with `password`.
    pub fn with_password(mut self, user: &str, password: &str) -> Accounts {
        self.passwords.insert(user.to_owned(), password.to_owned());
        self
    }

    /// Lets `user` in with the private half of `key` (one line of `authorized_keys`).
    pub fn with_key(mut self, user: &str, key: PublicKey) -> Accounts {
        self.keys.entry(user.to_owned()).or_default().push(key);
        self
    }

    /// Whether `user` exists and `password` is theirs. The comparison looks at every
    /// byte whatever it finds, so its time does not tell how much of a guess was right.
    pub fn password_matches(&self, user: &str, password: &str) -> bool {
        let Some(expected) = self.passwords.get(user) else { return false };
        let (a, b) = (expected.as_bytes(), password.as_bytes());
        let differences = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
        a.len() == b.len() && differences == 0
    }

    /// Whether `key` is one of `user`'s authorized keys (compared without comments).
    pub fn key_authorized(&self, user: &str, key: &PublicKey) -> bool {
        self.keys
            .get(user)
            .is_some_and(|keys| keys.iter().any(|k| k.key_data() == key.key_data()))
    }
}
