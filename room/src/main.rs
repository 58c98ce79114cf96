//! `untwisted-room --token T --exercises A,B,C [...]`: serves the room until Ctrl-C
//! (or SIGTERM), then writes its state one last time.

use std::process::ExitCode;

use clap::Parser;
use untwisted_room::Args;

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match untwisted_room::runtime() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(args))
}

async fn serve(args: Args) -> ExitCode {
    let started = match untwisted_room::start(&args).await {
        Ok(started) => started,
        Err(e) => {
            eprintln!("error: cannot start the room on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    // The contract's first line: the runner reads the address from it.
    println!("room listening on http://{}/?token={}", started.addr, args.token);
    for warning in &started.warnings {
        println!("{warning}");
    }
    let app = started.app.clone();
    tokio::spawn(started.server.run());
    shutdown_signal().await;
    if let Some(path) = &args.state {
        untwisted_room::save_now(&app, path).await;
    }
    ExitCode::SUCCESS
}

/// Ctrl-C, or SIGTERM where there is one.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
