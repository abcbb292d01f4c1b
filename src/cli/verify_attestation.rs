//! `sigscope verify-attestation IMAGE --type T`: cosign's attestation verification, explained.

use std::process::ExitCode;

use sigscope::inventory::discover::Reading;

use super::verify_args::VerifyArgs;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The predicate type: a cosign short name (slsaprovenance, slsaprovenance02,
    /// slsaprovenance1, spdx, spdxjson, cyclonedx, vuln, custom, …) or a URI.
    #[arg(long = "type", default_value = "custom")]
    pub predicate_type: String,

    #[command(flatten)]
    pub verify: VerifyArgs,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let wanted = args.predicate_type.clone();
    let cosign = super::verify::CosignChecks::from_args(&args.verify).await?;
    super::verify::run_with(
        &args.verify,
        "verify-attestation",
        Reading::Attestations,
        cosign.summary(),
        move |clock, reference, image| {
            cosign.with_context(clock, |ctx| {
                sigscope::verify::attestation::verify_attestations(ctx, reference, image, &wanted)
            })
        },
    )
    .await
}
