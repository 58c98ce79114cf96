//! Where the answers come from: the [`Directory`] trait every backend implements
//! (the tutorial's `IFingerService.getUser` / `getUsers`), and the in-memory one.
//! Given whole.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

/// How many users a [`MemoryDirectory`] holds at most: every user costs memory, and
/// the setter port must not let a client grow the server without bound.
pub const MAX_USERS: usize = 1000;

/// The longest user name, in bytes.
pub const MAX_USER_LENGTH: usize = 32;

/// The longest status, in bytes.
pub const MAX_STATUS_LENGTH: usize = 200;

// ANCHOR: directory
/// A lookup that will finish later, or fail: Twisted's Deferred, as a boxed future.
/// Boxed so that [`Directory`] can be used as `dyn Directory`: each backend's
/// future is a different type, and a trait object needs one.
pub type Lookup<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, LookupError>> + Send + 'a>>;

/// A backend that knows the users (the tutorial's `IFingerService`). The finger
/// server holds an `Arc<dyn Directory>` and never knows which one it has.
pub trait Directory: Send + Sync + 'static {
    /// The status of `user`, or `None` if there is no such user.
    fn get_user<'a>(&'a self, user: &'a str) -> Lookup<'a, Option<String>>;

    /// Every user name, sorted.
    fn get_users(&self) -> Lookup<'_, Vec<String>>;
}
// ANCHOR_END: directory

/// Why a lookup failed. The finger server does not tell the client which: it
/// answers `Internal error in server`, as the tutorial's `catchError` does.
#[derive(Debug)]
pub enum LookupError {
    /// The backend could not be reached or read (a file, a socket).
    Io(std::io::Error),
    /// The users file has a line that is not `user: status` (1-based line number).
    BadLine(usize),
    /// The HTTP backend answered something this client does not accept.
    BadResponse(String),
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::Io(err) => write!(f, "{err}"),
            LookupError::BadLine(n) => write!(f, "line {n} is not `user: status`"),
            LookupError::BadResponse(why) => write!(f, "bad HTTP response: {why}"),
        }
    }
}

impl std::error::Error for LookupError {}

impl From<std::io::Error> for LookupError {
    fn from(err: std::io::Error) -> Self {
        LookupError::Io(err)
    }
}

/// Whether `user` is a well-formed user name: 1 to [`MAX_USER_LENGTH`] ASCII
/// letters, digits, `.`, `_` or `-`.
pub fn is_valid_user(user: &str) -> bool {
    (1..=MAX_USER_LENGTH).contains(&user.len())
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Whether `status` can be sent as one line of an answer: 1 to
/// [`MAX_STATUS_LENGTH`] bytes of text without control characters (a `\n` in a
/// status would end the line early and let a user forge the next one).
pub fn is_valid_status(status: &str) -> bool {
    (1..=MAX_STATUS_LENGTH).contains(&status.len())
        && !status.chars().any(char::is_control)
}

/// Users kept in memory (the tutorial's dict), shared by every clone: the finger
/// port reads it, the setter port changes it.
#[derive(Debug, Clone, Default)]
pub struct MemoryDirectory {
    users: Arc<Mutex<BTreeMap<String, String>>>,
}

/// Why [`MemoryDirectory::set_user`] refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryFull;

impl MemoryDirectory {
    /// An empty directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// A directory holding `users`, given as `(name, status)` pairs.
    pub fn with_users<'a>(users: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let directory = Self::new();
        for (user, status) in users {
            // Seeding a fresh directory: more than MAX_USERS is a caller's bug.
            directory.set_user(user, status).expect("too many users to seed");
        }
        directory
    }

    /// Sets `user`'s status (adding the user if new), unless the directory already
    /// holds [`MAX_USERS`] other users. The caller checks the name and the status.
    pub fn set_user(&self, user: &str, status: &str) -> Result<(), DirectoryFull> {
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        if !users.contains_key(user) && users.len() >= MAX_USERS {
            return Err(DirectoryFull);
        }
        users.insert(user.to_owned(), status.to_owned());
        Ok(())
    }

    fn status(&self, user: &str) -> Option<String> {
        self.users.lock().unwrap_or_else(PoisonError::into_inner).get(user).cloned()
    }

    fn names(&self) -> Vec<String> {
        // A BTreeMap's keys come out sorted.
        self.users
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .cloned()
            .collect()
    }
}

impl Directory for MemoryDirectory {
    fn get_user<'a>(&'a self, user: &'a str) -> Lookup<'a, Option<String>> {
        // Already known: a future that is ready at once (Twisted's defer.succeed).
        let status = self.status(user);
        Box::pin(async move { Ok(status) })
    }

    fn get_users(&self) -> Lookup<'_, Vec<String>> {
        let names = self.names();
        Box::pin(async move { Ok(names) })
    }
}
