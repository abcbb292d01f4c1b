//! `sigscope verify IMAGE`: cosign's verification, explained check by check; a repository
//! target verifies every tag.

use std::process::ExitCode;

use anyhow::Context as _;
use serde::Serialize;

use sigscope::inventory::discover::DiscoverOptions;
use sigscope::inventory::model::{ImageReport, TagOutcome};
use sigscope::registry::any::AnySource;
use sigscope::target::Target;
use sigscope::verify::policy::{Context, SystemClock};
use sigscope::verify::report::{ImageOutcome, ImageVerdict};

use super::output::{Format, print_json};
use super::verify_args::VerifyArgs;
use super::verify_text;

#[derive(Serialize)]
struct VerifyDocument<'a> {
    target: String,
    verified: bool,
    images: &'a [ImageVerdict],
}

/// Discovers the target and verifies every image in it with `verify_one`.
pub async fn run_with(
    args: &VerifyArgs,
    command: &str,
    verify_one: impl Fn(&Context, &str, &ImageReport) -> ImageVerdict,
) -> anyhow::Result<ExitCode> {
    let policy = args.policy()?;
    let trust = args.trust()?;
    let clock = SystemClock;
    let ctx = Context {
        policy: &policy,
        trust: &trust,
        clock: &clock,
    };
    let target = Target::parse(&args.image).with_context(|| format!("image {:?}", args.image))?;
    let source = AnySource::open(&target, args.registry.remote_options(&target)?)?;
    let options = DiscoverOptions {
        max_workers: usize::from(args.max_workers),
    };
    let inventory = super::inspect::discover(&source, &target, options).await;
    let mut verdicts: Vec<ImageVerdict> = inventory
        .errors
        .iter()
        .map(|e| ImageVerdict::could_not_check(target.to_string(), e.clone(), ctx.summary()))
        .collect();
    for tag in &inventory.tags {
        verdicts.push(match &tag.outcome {
            TagOutcome::Image(image) => verify_one(&ctx, &tag.tag, image),
            TagOutcome::Error(e) => {
                ImageVerdict::could_not_check(tag.tag.clone(), e.clone(), ctx.summary())
            }
        });
    }
    if verdicts.is_empty() {
        verdicts.push(ImageVerdict::could_not_check(
            target.to_string(),
            "no tags found".into(),
            ctx.summary(),
        ));
    }
    let all_verified = verdicts.iter().all(|v| v.verified().is_some());
    match args.output {
        Format::Json => print_json(
            command,
            &VerifyDocument {
                target: target.to_string(),
                verified: all_verified,
                images: &verdicts,
            },
        )?,
        Format::Text => verify_text::print(&verdicts, matches!(target, Target::Repository { .. }))?,
    }
    let could_not_check = verdicts
        .iter()
        .any(|v| matches!(v.outcome, ImageOutcome::CouldNotCheck { .. }));
    Ok(ExitCode::from(if could_not_check {
        super::exit::COULD_NOT_CHECK
    } else if all_verified {
        super::exit::OK
    } else {
        super::exit::FAILED
    }))
}

pub async fn run(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    run_with(&args, "verify", sigscope::verify::cosign::verify_image).await
}
