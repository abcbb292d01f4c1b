//! The command line: clap definitions, one module per subcommand, and the output printer.

pub mod compare;
pub mod exit;
pub mod inspect;
pub mod inspect_document;
pub mod inspect_lines;
pub mod inspect_summary;
pub mod inspect_text;
pub mod output;
pub mod policy;
pub mod policy_text;
pub mod registry_args;
pub mod trust;
pub mod trust_args;
pub mod trust_text;
pub mod tui;
pub mod verify;
pub mod verify_args;
pub mod verify_attestation;
pub mod verify_bundle;
mod verify_github;
pub mod verify_notation;
pub mod verify_text;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Terminal supply-chain inspector for container images.
///
/// Shows, for every tag of a registry repository, its digest, platforms and everything attached
/// to it (cosign signatures and attestations, SBOMs, OCI 1.1 referrers), decodes it and verifies
/// it against the identities you pick.
#[derive(Debug, Parser)]
#[command(name = "sigscope", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Registry repository or image to inspect, e.g. ghcr.io/org/app or ghcr.io/org/app:v1.
    pub target: Option<String>,

    #[command(flatten)]
    pub trust: trust_args::TrustArgs,

    #[command(flatten)]
    pub registry: registry_args::RegistryArgs,

    #[command(flatten)]
    pub signer: tui::SignerArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show every tag's digest, platforms and attached signatures, attestations and SBOMs,
    /// decoded.
    Inspect(inspect::Args),
    /// Verify cosign signatures (and, with a notation trust policy, Notary Project signatures)
    /// on an image or every tag of a repository, check by check.
    Verify(Box<verify::Args>),
    /// Verify cosign attestations of a predicate type on an image, check by check.
    VerifyAttestation(Box<verify_attestation::Args>),
    /// Verify a Sigstore bundle over a file or a `sha256:` digest (sigstore-conformance
    /// protocol flags).
    VerifyBundle(Box<verify_bundle::Args>),
    /// Compare signers across the builds of a repository; flag the ones that stand out.
    Compare(compare::Args),
    /// Admission policies: evaluate one against a repository's tags, or generate one for a
    /// signer.
    Policy(policy::Args),
    /// The trusted root in force and where it came from (`show`); a refresh from its TUF
    /// repository (`update`).
    Trust(trust::Args),
    /// Open the terminal UI on the embedded demo repository (also what `sigscope` alone does).
    Demo,
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = run_command(cli, &runtime);
    if let Some(line) = registry_args::stats_line() {
        eprintln!("{line}");
    }
    result
}

fn run_command(cli: Cli, runtime: &tokio::runtime::Runtime) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Inspect(args)) => runtime.block_on(inspect::run(args)),
        Some(Command::Verify(args)) => runtime.block_on(verify::run(*args)),
        Some(Command::VerifyAttestation(args)) => runtime.block_on(verify_attestation::run(*args)),
        Some(Command::Compare(args)) => runtime.block_on(compare::run(args)),
        Some(Command::Policy(args)) => runtime.block_on(policy::run(args)),
        Some(Command::VerifyBundle(args)) => runtime.block_on(verify_bundle::run(*args)),
        Some(Command::Trust(args)) => runtime.block_on(trust::run(args)),
        Some(Command::Demo) => runtime.block_on(tui::open_demo(&cli.registry)),
        None => match cli.target {
            // At a terminal, a bare target opens the TUI; piped or redirected, it is inspected
            // as text.
            Some(target) if tui::interactive() => runtime.block_on(tui::open_target(
                &target,
                &cli.registry,
                &cli.trust,
                &cli.signer,
            )),
            Some(target) => runtime.block_on(inspect::run(inspect::Args {
                target,
                output: inspect::InspectFormat::Text,
                max_workers: 16,
                registry: cli.registry,
            })),
            None => runtime.block_on(tui::open_demo(&cli.registry)),
        },
    }
}
