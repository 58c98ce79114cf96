// `untwisted-inventory`: the service as systemd runs it. Given: it wires your
// library together.
//
// Settings from flags and the environment ([`Config::load`]), logs on stderr
// ([`subscriber`]), a graceful drain on SIGTERM or Ctrl-C ([`stop_requested`],
// [`Server::run`]). Exit codes: 0 after a drain, 1 when it cannot listen, 2 for
// bad settings (the unit's `RestartPreventExitStatus=2`: restarting will not fix
// them).

use std::io::IsTerminal;
use std::process::ExitCode;

use deploy::{Config, ConfigError, Server, stop_requested, subscriber};

fn main() -> ExitCode {
    let config = match Config::load() {
        Ok(config) => config,
        // `--help` and `--version` exit 0, a bad flag or value 2, with clap's message.
        Err(ConfigError::Clap(e)) => e.exit(),
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if config.print_config {
        println!("listen = {}", config.listen);
        println!("health = {}", config.health);
        println!("drain_deadline = {:?}", config.drain());
        println!("log_format = {:?}", config.log_format);
        println!("log_level = {}", config.log_level);
        return ExitCode::SUCCESS;
    }
    let ansi = std::io::stderr().is_terminal();
    let logs = subscriber(config.log_format, config.log_level, ansi, std::io::stderr);
    tracing::subscriber::set_global_default(logs).expect("the only subscriber");
    // One thread is plenty for a line service, and keeps the signal handling simple.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> ExitCode {
    let server = match Server::bind(config.listen, config.health).await {
        Ok(server) => server.with_drain_deadline(config.drain()),
        Err(e) => {
            tracing::error!(listen = %config.listen, health = %config.health, error = %e,
                "cannot listen");
            return ExitCode::FAILURE;
        }
    };
    let (Ok(addr), Ok(health)) = (server.local_addr(), server.health_addr()) else {
        return ExitCode::FAILURE;
    };
    // On stdout, for people and for tests: where to connect.
    println!("untwisted-inventory listening on {addr}; health on http://{health}/ready");
    let drained = server.run(stop_requested()).await;
    println!(
        "untwisted-inventory stopped: {} finished, {} cut",
        drained.finished, drained.cut
    );
    ExitCode::SUCCESS
}
