//! Given: a small SSH client on russh, for the tests and the demo's script. It
//! trusts exactly one host key, the one it is told the server has.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use russh::client::{self, AuthResult, Handle};
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKey, PublicKeyOrCertificate};
use russh::{ChannelMsg, Disconnect};

/// What a client may wait for one answer before it gives up.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// The client side's handler: it only checks the server's host key.
pub struct KnownHost(PublicKey);

impl client::Handler for KnownHost {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        // What known_hosts does: a server with another key is not the one we know.
        Ok(matches!(key, PublicKeyOrCertificate::PublicKey { key, .. }
            if key.key_data() == self.0.key_data()))
    }
}

/// A connection to the inventory shell's SSH server.
pub struct Client {
    handle: Handle<KnownHost>,
}

/// What one command (or one shell session) printed, and how it ended.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    /// Everything the server sent on the channel, as text.
    pub output: String,
    /// The exit status, if the server sent one.
    pub exit_status: Option<u32>,
    /// Whether the server closed the channel (a clean end).
    pub closed: bool,
}

impl Client {
    /// Connects and exchanges keys; fails if the server's key is not `host_key`.
    pub async fn connect(
        addr: SocketAddr,
        host_key: &PublicKey,
    ) -> Result<Client, russh::Error> {
        let config = Arc::new(client::Config::default());
        let handle = client::connect(config, addr, KnownHost(host_key.clone())).await?;
        Ok(Client { handle })
    }

    /// Tries a password; `Ok(true)` when the server accepts it. An `Err` means the
    /// connection is gone (the server disconnected after too many attempts).
    pub async fn password(
        &mut self,
        user: &str,
        password: &str,
    ) -> Result<bool, russh::Error> {
        let result = self.handle.authenticate_password(user, password).await?;
        Ok(matches!(result, AuthResult::Success))
    }

    /// Tries a password and returns the server's answer as it is: on a refusal,
    /// the methods it says are still worth trying.
    pub async fn password_answer(
        &mut self,
        user: &str,
        password: &str,
    ) -> Result<AuthResult, russh::Error> {
        self.handle.authenticate_password(user, password).await
    }

    /// Tries a private key (the client signs with it); `Ok(true)` when accepted.
    pub async fn key(
        &mut self,
        user: &str,
        key: &PrivateKey,
    ) -> Result<bool, russh::Error> {
        let key = PrivateKeyWithHashAlg::new(Arc::new(key.clone()), None);
        let result = self.handle.authenticate_publickey(user, key).await?;
        Ok(matches!(result, AuthResult::Success))
    }

    /// Whether the server has closed the connection.
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }

    /// Runs `command` on a new session channel (`ssh host command`), and reads to
    /// the channel's end.
    pub async fn exec(&self, command: &str) -> Result<Outcome, russh::Error> {
        let mut channel = self.handle.channel_open_session().await?;
        channel.exec(true, command).await?;
        Ok(read_to_end(&mut channel).await)
    }

    /// Opens a shell (`ssh host` without a command, no terminal), types `input`,
    /// optionally sends EOF, and reads to the channel's end.
    pub async fn shell(
        &self,
        input: &[&str],
        eof: bool,
    ) -> Result<Outcome, russh::Error> {
        let channel = self.handle.channel_open_session().await?;
        channel.request_shell(true).await?;
        let mut channel = channel;
        for chunk in input {
            channel.data_bytes(chunk.as_bytes().to_vec()).await?;
        }
        if eof {
            channel.eof().await?;
        }
        Ok(read_to_end(&mut channel).await)
    }

    /// Opens a session channel and returns it, for tests that drive it by hand.
    pub async fn session(&self) -> Result<russh::Channel<client::Msg>, russh::Error> {
        self.handle.channel_open_session().await
    }

    /// Says goodbye with SSH's DISCONNECT message.
    pub async fn disconnect(&self) -> Result<(), russh::Error> {
        self.handle.disconnect(Disconnect::ByApplication, "bye", "en").await
    }
}

/// Reads a channel until it closes or goes quiet for [`PATIENCE`].
pub async fn read_to_end(channel: &mut russh::Channel<client::Msg>) -> Outcome {
    let mut outcome = Outcome::default();
    while let Ok(Some(message)) = tokio::time::timeout(PATIENCE, channel.wait()).await {
        match message {
            ChannelMsg::Data { data } => {
                outcome.output.push_str(&String::from_utf8_lossy(&data))
            }
            ChannelMsg::ExitStatus { exit_status } => {
                outcome.exit_status = Some(exit_status)
            }
            ChannelMsg::Close => {
                outcome.closed = true;
                break;
            }
            _ => {}
        }
    }
    outcome
}
