//! Worked examples for the SSH chapter (book/src/ssh/index.md).
//!
//! The exercise puts the inventory shell behind SSH: passwords and keys, `exec`
//! and `shell`. Here, the same russh API on a neighbouring server: the loading
//! dock's departure board, which trusted kiosks read over SSH. Keys only, one
//! command per channel (`ssh board@dock next`), no shell.

use std::collections::HashSet;
use std::time::Duration;

use russh::keys::{PrivateKey, PublicKey};
use russh::server::VerifiedPublicKey;
use russh::server::{Auth, ChannelOpenHandle, Config, Handler, Msg, Session};
use russh::{Channel, ChannelId, MethodKind, MethodSet};

/// Today's departures, as the board shows them.
const DEPARTURES: &str = "08:10 TRUCK-7 Lyon\n09:45 TRUCK-2 Ghent\n";

// ANCHOR: board_config
/// The board's server configuration: keys only, two tries, slow refusals.
pub fn board_config(host_key: PrivateKey) -> Config {
    // The methods the server offers; a client cannot use one that is not listed.
    let mut methods = MethodSet::empty();
    methods.push(MethodKind::PublicKey);
    Config {
        keys: vec![host_key], // the host key: how clients recognise this server
        methods,
        max_auth_attempts: 2, // then russh answers the next try with a disconnect
        auth_rejection_time: Duration::from_millis(500), // every refusal takes this long
        inactivity_timeout: Some(Duration::from_secs(30)),
        ..Config::default()
    }
}
// ANCHOR_END: board_config

/// What a command prints, and its exit status.
fn board(command: &str) -> (String, u32) {
    match command.trim() {
        "departures" => (DEPARTURES.to_owned(), 0),
        "next" => (DEPARTURES.lines().next().unwrap_or("").to_owned() + "\n", 0),
        other => {
            (format!("the board only knows departures and next, not {other}\n"), 127)
        }
    }
}

// ANCHOR: kiosk_struct
/// One kiosk's connection: the keys the dock trusts, and the channels it opened.
pub struct Kiosk {
    trusted: Vec<PublicKey>,
    channels: HashSet<ChannelId>,
}

impl Kiosk {
    /// A handler for a new connection (russh wants one per connection).
    pub fn new(trusted: Vec<PublicKey>) -> Kiosk {
        Kiosk { trusted, channels: HashSet::new() }
    }
}
// ANCHOR_END: kiosk_struct

// ANCHOR: kiosk_handler
impl Handler for Kiosk {
    type Error = russh::Error;

    // ANCHOR: kiosk_auth
    /// russh calls this after checking the signature: the client holds the
    /// private half of `key`. Whether that key may come in is ours to say.
    async fn auth_publickey(
        &mut self,
        _user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        let known =
            self.trusted.iter().any(|k| k.key_data() == key.public_key.key_data());
        Ok(if known { Auth::Accept } else { Auth::reject() })
    }
    // ANCHOR_END: kiosk_auth

    // ANCHOR: kiosk_open
    /// A client asks for a session channel; dropping `reply` would refuse it.
    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.channels.insert(channel.id());
        reply.accept().await;
        Ok(())
    }
    // ANCHOR_END: kiosk_open

    // ANCHOR: kiosk_exec
    /// `ssh board@dock next`: answer the request, print, then say how it ended.
    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)?; // the reply to "exec", before any output
        let (text, status) = board(&String::from_utf8_lossy(data));
        session.data(channel, text.into_bytes())?;
        session.exit_status_request(channel, status)?; // `echo $?` shows it
        session.eof(channel)?; // no more output
        session.close(channel)?; // and the channel is done
        self.channels.remove(&channel);
        Ok(())
    }
    // ANCHOR_END: kiosk_exec

    // ANCHOR: kiosk_shell
    /// `ssh board@dock` without a command: the board has no shell to offer.
    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)?; // OpenSSH: "shell request failed"
        session.close(channel)?;
        Ok(())
    }
    // ANCHOR_END: kiosk_shell
}
// ANCHOR_END: kiosk_handler

// ANCHOR: serve_board
/// Serves the board on `listener`: one [`Kiosk`] per connection, run by russh.
pub async fn serve_board(
    listener: tokio::net::TcpListener,
    config: Config,
    trusted: Vec<PublicKey>,
) {
    let config = std::sync::Arc::new(config);
    while let Ok((stream, _)) = listener.accept().await {
        let kiosk = Kiosk::new(trusted.clone());
        let config = config.clone();
        tokio::spawn(async move {
            // run_stream does the version exchange; the session runs the rest.
            if let Ok(session) = russh::server::run_stream(config, stream, kiosk).await {
                let _ = session.await;
            }
        });
    }
}
// ANCHOR_END: serve_board

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use russh::ChannelMsg;
    use russh::client::{self, AuthResult};
    use russh::keys::{Algorithm, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
    use tokio::net::TcpListener;

    use super::*;

    fn new_key() -> PrivateKey {
        PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519).unwrap()
    }

    // ANCHOR: client
    /// The client's handler: it must say whether it trusts the server's key.
    struct Pinned(PublicKey);

    impl client::Handler for Pinned {
        type Error = russh::Error;

        async fn check_server_key(
            &mut self,
            key: &PublicKeyOrCertificate,
        ) -> Result<bool, Self::Error> {
            Ok(matches!(key, PublicKeyOrCertificate::PublicKey { key, .. }
                if key.key_data() == self.0.key_data()))
        }
    }

    /// Runs `command` with `key`; returns what it printed and its exit status.
    async fn run(
        addr: std::net::SocketAddr,
        host: &PublicKey,
        key: &PrivateKey,
        command: &str,
    ) -> Result<(String, Option<u32>), russh::Error> {
        let config = Arc::new(client::Config::default());
        let mut ssh = client::connect(config, addr, Pinned(host.clone())).await?;
        let key = PrivateKeyWithHashAlg::new(Arc::new(key.clone()), None);
        if ssh.authenticate_publickey("kiosk", key).await? != AuthResult::Success {
            return Err(russh::Error::NotAuthenticated);
        }
        let mut channel = ssh.channel_open_session().await?;
        channel.exec(true, command).await?;
        let (mut output, mut status) = (String::new(), None);
        while let Some(message) = channel.wait().await {
            match message {
                ChannelMsg::Data { data } => output += &String::from_utf8_lossy(&data),
                ChannelMsg::ExitStatus { exit_status } => status = Some(exit_status),
                ChannelMsg::Close => break,
                _ => {}
            }
        }
        Ok((output, status))
    }
    // ANCHOR_END: client

    #[tokio::test]
    async fn a_trusted_kiosk_reads_the_board_and_a_stranger_does_not() {
        let (host, kiosk, stranger) = (new_key(), new_key(), new_key());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let trusted = vec![kiosk.public_key().clone()];
        tokio::spawn(serve_board(listener, board_config(host.clone()), trusted));
        let host = host.public_key();

        let next = run(addr, host, &kiosk, "next").await.unwrap();
        assert_eq!(next, ("08:10 TRUCK-7 Lyon\n".to_owned(), Some(0)));
        let (_, status) = run(addr, host, &kiosk, "weather").await.unwrap();
        assert_eq!(status, Some(127));
        assert!(run(addr, host, &stranger, "next").await.is_err());
        // A client that expects another host key refuses to talk at all.
        assert!(run(addr, stranger.public_key(), &kiosk, "next").await.is_err());
    }
}
