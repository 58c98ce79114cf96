//! The SSH side of the inventory shell: the server's configuration and one
//! [`Clerk`] (russh's [`Handler`]) per connection.
//!
//! Yours to write: `offered_methods`, `config`, `Clerk::send` and the `Handler`
//! methods that say `todo!()`. The limits ([`MAX_AUTH_ATTEMPTS`], …) and the
//! [`Clerk`] type (its fields `accounts`, `inventory`, `shells`, and `new`) are given
//! in `clerk.rs`; so is `use_terminal`, the body of the given `pty_request`.

#[allow(unused_imports)] // for you: `Config`'s timeouts
use std::time::Duration;

use russh::keys::PrivateKey;
use russh::server::{
    Auth, ChannelOpenHandle, Config, Handler, Msg, Session, VerifiedPublicKey,
};
#[allow(unused_imports)] // for you: the method list
use russh::{Channel, ChannelId, MethodKind, MethodSet};

pub use crate::clerk::{
    AUTH_REJECTION_TIME, Clerk, INACTIVITY_TIMEOUT, MAX_AUTH_ATTEMPTS, MAX_CHANNELS,
};
#[allow(unused_imports)] // for you: a shell per session channel
use crate::shell::{Reply, Shell};

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

#[allow(unused_variables)] // remove when you write it
impl Clerk {
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
        self.use_terminal(channel, session)
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
