//! The SSH side of the inventory shell: the server's configuration and one
//! [`Clerk`] (russh's [`Handler`]) per connection.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use russh::keys::PrivateKey;
use russh::server::{
    Auth, ChannelOpenHandle, Config, Handler, Msg, Session, VerifiedPublicKey,
};
#[allow(unused_imports)] // for you: the method list
use russh::{Channel, ChannelId, MethodKind, MethodSet};

use crate::accounts::Accounts;
use crate::shell::{Inventory, Reply, Shell};

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

/// The methods the server offers: in its first answer, and again after every
/// refusal, so a client may try again (password, then public key, nothing else).
pub fn offered_methods() -> MethodSet {
    todo!("offered_methods")
}

/// The server's configuration: its host key, the methods it offers (password and
/// public key, nothing else), the attempt limit, the rejection delay and the
/// inactivity timeout.
#[allow(unused_variables)] // remove when you write it
pub fn config(host_key: PrivateKey) -> Config {
    todo!("config")
}

/// One connection's handler: the accounts to check, and a shell per open session
/// channel.
#[allow(dead_code)] // until you use every field
pub struct Clerk {
    accounts: Arc<Accounts>,
    inventory: Inventory,
    /// The session channels, each with its shell.
    shells: HashMap<ChannelId, Shell>,
}

#[allow(unused_variables)] // remove when you write them
impl Clerk {
    /// A handler for a new connection.
    pub fn new(accounts: Arc<Accounts>, inventory: Inventory) -> Clerk {
        Clerk { accounts, inventory, shells: HashMap::new() }
    }

    /// Sends a shell's reply on `channel`; when the shell is done, the exit status,
    /// EOF and close, in that order (a client reads the status before the close).
    #[allow(dead_code)] // until your handler calls it
    fn send(&mut self, channel: ChannelId, reply: Reply, session: &mut Session) {
        todo!("Clerk::send")
    }
}

#[allow(unused_variables)] // remove when you write them
impl Handler for Clerk {
    type Error = russh::Error;

    async fn auth_password(
        &mut self,
        user: &str,
        password: &str,
    ) -> Result<Auth, Self::Error> {
        todo!("Clerk::auth_password")
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        todo!("Clerk::auth_publickey")
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        todo!("Clerk::channel_open_session")
    }

    #[allow(clippy::too_many_arguments)] // russh's signature
    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        match self.shells.get_mut(&channel) {
            Some(shell) => {
                shell.use_terminal();
                session.channel_success(channel)?;
            }
            None => session.channel_failure(channel)?,
        }
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        todo!("Clerk::exec_request")
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        todo!("Clerk::shell_request")
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        todo!("Clerk::data")
    }

    async fn channel_eof(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        todo!("Clerk::channel_eof")
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.shells.remove(&channel);
        Ok(())
    }
}
