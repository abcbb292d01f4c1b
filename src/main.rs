//! The `sigscope` command: parses arguments, runs the chosen mode, maps errors to exit codes.

use std::process::ExitCode;

use clap::Parser;

/// Terminal supply-chain inspector for container images.
///
/// Shows, for every tag of a registry repository, its digest, platforms and everything attached
/// to it (cosign signatures and attestations, SBOMs, OCI 1.1 referrers), decodes it and verifies
/// it against the identities you pick.
#[derive(Debug, Parser)]
#[command(name = "sigscope", version, about, long_about)]
struct Cli {
    /// Registry repository or image to inspect, e.g. ghcr.io/org/app or ghcr.io/org/app:v1.
    target: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.target {
        None => {
            println!(
                "sigscope {}: no target given. The interactive demo arrives with the TUI; \
                 see `sigscope --help`.",
                env!("CARGO_PKG_VERSION")
            );
            ExitCode::SUCCESS
        }
        Some(target) => {
            eprintln!("sigscope: inspecting {target} is not available in this build yet");
            ExitCode::from(2)
        }
    }
}
