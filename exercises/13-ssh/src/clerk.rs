//! The SSH server's limits and [`Clerk`], the per-connection handler's state: the
//! accounts to check and a shell per open session channel. Given whole.
//!
//! The configuration and the handler's methods (russh's `Handler` for `Clerk`) are
//! yours to write in `server.rs`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use russh::ChannelId;
use russh::server::Session;

use crate::accounts::Accounts;
use crate::shell::{Inventory, Shell};

/// Rejected authentication attempts allowed on one connection; the next attempt
/// is answered with a disconnect. russh counts every rejection, OpenSSH's opening
/// `none` probe included.
pub const MAX_AUTH_ATTEMPTS: usize = 3;

/// How long every rejection takes, right or wrong user, so a guesser learns
/// nothing from the time and cannot try thousands of passwords a second.
pub const AUTH_REJECTION_TIME: Duration = Duration::from_millis(300);

/// A connection silent for this long is closed.
pub const INACTIVITY_TIMEOUT: Duration = Duration::from_secs(120);

/// Session channels one connection may have open at once.
pub const MAX_CHANNELS: usize = 4;

/// One connection's handler: the accounts to check, and a shell per open session
/// channel.
#[allow(dead_code)] // the stub does not use every field yet
pub struct Clerk {
    pub(crate) accounts: Arc<Accounts>,
    pub(crate) inventory: Inventory,
    /// The session channels, each with its shell.
    pub(crate) shells: HashMap<ChannelId, Shell>,
}

impl Clerk {
    /// A handler for a new connection.
    pub fn new(accounts: Arc<Accounts>, inventory: Inventory) -> Clerk {
        Clerk { accounts, inventory, shells: HashMap::new() }
    }

    /// The given half of `pty_request`: a terminal for a session channel's shell
    /// (echo and line editing on its side), a failure for any other channel.
    pub(crate) fn use_terminal(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), russh::Error> {
        match self.shells.get_mut(&channel) {
            Some(shell) => {
                shell.use_terminal();
                session.channel_success(channel)?;
            }
            None => session.channel_failure(channel)?,
        }
        Ok(())
    }
}
