//! `huskyvoice-sandbox`: a local stand-in for the HuskyVoice API (create, read, cancel and
//! delete calls; the inbound webhook's call.create, call.cancel and call.delete) with test
//! controls under `/__sandbox/`.
//! See the crate README and API-CONTRACT.md sections 1, 3, 4, 5 and 6 for the behaviour.

mod admin;
mod app;
mod auth;
mod cli;
mod events;
mod faults;
mod http;
mod limits;
mod log;
mod routes;
mod seed;
mod server;
mod state;
mod sync;

use std::process::ExitCode;

fn main() -> ExitCode {
    let options = match cli::parse(std::env::args().skip(1)) {
        Ok(cli::Command::Run(options)) => *options,
        Ok(cli::Command::Help) => {
            print!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(cli::Command::Version) => {
            println!("huskyvoice-sandbox {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("huskyvoice-sandbox: error: {message}\n(run with --help for usage)");
            return ExitCode::from(2);
        }
    };

    // Load the seed before binding, so a bad file fails fast with nothing listening.
    let seed = match options.seed.as_deref().map(seed::load_file).transpose() {
        Ok(seed) => seed.unwrap_or_default(),
        Err(message) => {
            eprintln!("huskyvoice-sandbox: error: {message}");
            return ExitCode::from(1);
        }
    };

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("huskyvoice-sandbox: error: cannot start the async runtime: {err}");
            return ExitCode::from(1);
        }
    };

    match runtime.block_on(server::run(options, seed)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("huskyvoice-sandbox: error: {message}");
            ExitCode::from(1)
        }
    }
}
