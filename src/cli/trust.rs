//! `sigscope trust show|update`: which trusted root is in force and where it came from; a refresh
//! of its TUF repository that says what changed.

use std::process::ExitCode;

use anyhow::bail;
use serde::Serialize;

use sigscope::trust::source::last_verified_trust;
use sigscope::trust::tuf::Freshness;
use sigscope::trust::{Provenance, Refresh, ResolvedTrust, TrustChoice};
use sigscope::verify::policy::SystemClock;

use super::output::{Format, print_json};
use super::registry_args::CacheArgs;
use super::trust_args::{TrustArgs, warn};
use super::trust_text::{self, RootView};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: TrustCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum TrustCommand {
    /// The trusted root in force, where it came from (file, cosign variables, TUF mirror with
    /// its roles' versions and expiries), and every CA, log, CT log and TSA with its validity.
    Show(CommonArgs),
    /// Refresh the trusted root from its TUF repository now, and say what changed.
    Update(CommonArgs),
}

#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    pub output: Format,

    #[command(flatten)]
    pub trust: TrustArgs,

    #[command(flatten)]
    pub cache: CacheArgs,
}

#[derive(Serialize)]
struct ShowDocument<'a> {
    trusted_root: &'a str,
    provenance: &'a Provenance,
    cosign_variables: &'a [&'static str],
    warnings: &'a [String],
    #[serde(flatten)]
    root: RootView,
}

#[derive(Serialize)]
struct UpdateDocument<'a> {
    changes: &'a [String],
    #[serde(flatten)]
    show: ShowDocument<'a>,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        TrustCommand::Show(a) => show(a).await,
        TrustCommand::Update(a) => update(a).await,
    }
}

fn document(resolved: &ResolvedTrust) -> ShowDocument<'_> {
    ShowDocument {
        trusted_root: &resolved.root.source,
        provenance: &resolved.provenance,
        cosign_variables: &resolved.cosign_variables,
        warnings: &resolved.warnings,
        root: RootView::of(&resolved.root),
    }
}

async fn show(args: CommonArgs) -> anyhow::Result<ExitCode> {
    let resolved = args.trust.resolve(args.cache.folder()).await?;
    match args.output {
        Format::Json => print_json("trust show", &document(&resolved))?,
        Format::Text => trust_text::print_show(&resolved)?,
    }
    Ok(ExitCode::from(super::exit::OK))
}

async fn update(args: CommonArgs) -> anyhow::Result<ExitCode> {
    let options = args.trust.options(args.cache.folder());
    if let TrustChoice::File(path) = &options.choice {
        bail!(
            "trust update refreshes a TUF repository; --trusted-root {} is a file",
            path.display()
        );
    }
    if options.offline {
        bail!("trust update needs the network; --offline (or SIGSCOPE_OFFLINE) forbids it");
    }
    let before = last_verified_trust(&options, &SystemClock).await;
    let resolved = sigscope::trust::resolve(&options, Refresh::Now, &SystemClock).await?;
    warn(&resolved);
    // A public mirror that could not be reached falls back for verification; an update that did
    // not happen is still a failure.
    if !matches!(
        resolved.provenance,
        Provenance::Tuf {
            freshness: Freshness::Refreshed,
            ..
        }
    ) {
        bail!("trust update: the TUF repository could not be refreshed (see the warning above)");
    }
    let changes = trust_text::changes(before.as_ref(), &resolved);
    match args.output {
        Format::Json => print_json(
            "trust update",
            &UpdateDocument {
                changes: &changes,
                show: document(&resolved),
            },
        )?,
        Format::Text => trust_text::print_update(&resolved, &changes)?,
    }
    Ok(ExitCode::from(super::exit::OK))
}
