//! `sigscope verify-attestation IMAGE --type T`: cosign's attestation verification, explained.

use std::process::ExitCode;

use super::verify_args::VerifyArgs;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The predicate type: a cosign short name (slsaprovenance, slsaprovenance02,
    /// slsaprovenance1, spdx, spdxjson, cyclonedx, vuln, custom, …) or a URI. Default: custom
    /// (cosign's), or SLSA provenance v1 with gh's options (gh's `--predicate-type`).
    #[arg(long = "type", visible_alias = "predicate-type")]
    pub predicate_type: Option<String>,

    #[command(flatten)]
    pub gh: super::verify_github::GhArgs,

    #[command(flatten)]
    pub verify: VerifyArgs,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.gh.requested() || args.gh.bundle.is_some() {
        let predicate = args
            .predicate_type
            .as_deref()
            .map(sigscope::artifact::predicate::predicate_type_for)
            .map(str::to_owned);
        return super::verify_github::run(&args.gh, predicate, &args.verify).await;
    }
    let wanted = args
        .predicate_type
        .clone()
        .unwrap_or_else(|| "custom".into());
    let cosign = super::verify_args::CosignChecks::from_args(&args.verify).await?;
    super::verify::run_attestations(&args.verify, cosign, wanted).await
}
