//! The SSH side of the inventory shell: the server's configuration and one
//! [`Clerk`] (russh's [`Handler`]) per connection.

use std::time::Duration;

use russh::keys::PrivateKey;
use russh::server::{
    Auth, ChannelOpenHandle, Config, Handler, Msg, Session, VerifiedPublicKey,
};
use russh::{Channel, ChannelId, MethodKind, MethodSet};

pub use crate::clerk::{
    AUTH_REJECTION_TIME, Clerk, INACTIVITY_TIMEOUT, MAX_AUTH_ATTEMPTS, MAX_CHANNELS,
};
use crate::shell::{Reply, Shell};

// ANCHOR: config
/// The methods the server offers: in its first answer, and again after every
/// refusal, so a client may try again (password, then public key, nothing else).
pub fn offered_methods() -> MethodSet {
    let mut methods = MethodSet::empty();
    methods.push(MethodKind::Password);
    methods.push(MethodKind::PublicKey);
    methods
}

/// The server's configuration: its host key, the methods it offers (password and
/// public key, nothing else), the attempt limit, the rejection delay and the
/// inactivity timeout.
pub fn config(host_key: PrivateKey) -> Config {
    Config {
        keys: vec![host_key],
        methods: offered_methods(),
        max_auth_attempts: MAX_AUTH_ATTEMPTS,
        auth_rejection_time: AUTH_REJECTION_TIME,
        // OpenSSH opens with a `none` request to learn the methods: answer it at
        // once (it still counts as an attempt).
        auth_rejection_time_initial: Some(Duration::ZERO),
        inactivity_timeout: Some(INACTIVITY_TIMEOUT),
        ..Config::default()
    }
}

/// A refusal that offers every method again. (`Auth::reject()` would drop the
/// method just refused from the list, and OpenSSH would not ask for the password
/// a second time.)
fn refuse() -> Auth {
    Auth::Reject { proceed_with_methods: Some(offered_methods()), partial_success: false }
}
// ANCHOR_END: config

impl Clerk {
    // ANCHOR: send
    /// Sends a shell's reply on `channel`; when the shell is done, the exit status,
    /// EOF and close, in that order (a client reads the status before the close).
    fn send(&mut self, channel: ChannelId, reply: Reply, session: &mut Session) {
        if !reply.output.is_empty() {
            let _ = session.data(channel, reply.output);
        }
        if let Some(status) = reply.exit {
            self.shells.remove(&channel);
            let _ = session.exit_status_request(channel, status);
            let _ = session.eof(channel);
            let _ = session.close(channel);
        }
    }
    // ANCHOR_END: send
}

// ANCHOR: handler
impl Handler for Clerk {
    type Error = russh::Error;

    // ANCHOR: auth
    async fn auth_password(
        &mut self,
        user: &str,
        password: &str,
    ) -> Result<Auth, Self::Error> {
        if self.accounts.password_matches(user, password) {
            Ok(Auth::Accept)
        } else {
            Ok(refuse())
        }
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        // russh has checked the signature: the client holds the private key.
        // Whether that key may log in as `user` is ours to say.
        if self.accounts.key_authorized(user, key.public_key) {
            Ok(Auth::Accept)
        } else {
            Ok(refuse())
        }
    }
    // ANCHOR_END: auth

    // ANCHOR: channels
    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.shells.len() >= MAX_CHANNELS {
            reply.reject(russh::ChannelOpenFailure::ResourceShortage).await;
        } else {
            self.shells.insert(channel.id(), Shell::new(self.inventory.clone()));
            reply.accept().await;
        }
        Ok(())
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
        if !self.shells.contains_key(&channel) {
            return session.channel_failure(channel);
        }
        session.channel_success(channel)?;
        let command = String::from_utf8_lossy(data);
        let (output, status) = self.inventory.run(&command);
        let reply = Reply { output: output.into_bytes(), exit: Some(status) };
        self.send(channel, reply, session);
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some(shell) = self.shells.get(&channel) else {
            return session.channel_failure(channel);
        };
        let greeting = shell.greeting();
        session.channel_success(channel)?;
        session.data(channel, greeting)?;
        Ok(())
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(shell) = self.shells.get_mut(&channel) {
            let reply = shell.feed(data);
            self.send(channel, reply, session);
        }
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(shell) = self.shells.get_mut(&channel) {
            let reply = shell.end_of_input();
            self.send(channel, reply, session);
        }
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.shells.remove(&channel);
        Ok(())
    }
    // ANCHOR_END: channels
}
// ANCHOR_END: handler
