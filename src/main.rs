//! The `sigscope` command: parses arguments, runs the chosen mode, maps errors to exit codes.

mod cli;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!(
                "sigscope: {}",
                sigscope::untrusted::printable(&format!("{e:#}"))
            );
            ExitCode::from(cli::exit::COULD_NOT_CHECK)
        }
    }
}
