//! `sigscope verify IMAGE`: cosign's verification, explained check by check; a repository
//! target verifies every tag.

use std::process::ExitCode;

use anyhow::Context as _;
use serde::Serialize;

use sigscope::inventory::discover::{DiscoverOptions, Reading};
use sigscope::inventory::model::{ImageReport, TagOutcome, TagReport};
use sigscope::registry::any::AnySource;
use sigscope::target::Target;
use sigscope::trust::TrustedRoot;
use sigscope::verify::policy::{Context, Policy, SystemClock};
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
    reading: Reading,
    verify_one: impl Fn(&Context, &str, &ImageReport) -> ImageVerdict + Sync,
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
    let inventory = super::inspect::discover_with(&source, &target, options, reading).await;
    let mut verdicts: Vec<ImageVerdict> = inventory
        .errors
        .iter()
        .map(|e| ImageVerdict::could_not_check(target.to_string(), e.clone(), ctx.summary()))
        .collect();
    verdicts.extend(verify_all(&inventory.tags, &policy, &trust, &verify_one));
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

/// Verifies every tag, across the machine's cores: each worker takes an even share of the tags
/// (verification is pure computation over what discovery read; the verdicts keep tag order).
fn verify_all(
    tags: &[TagReport],
    policy: &Policy,
    trust: &TrustedRoot,
    verify_one: &(impl Fn(&Context, &str, &ImageReport) -> ImageVerdict + Sync),
) -> Vec<ImageVerdict> {
    let verify_chunk = |chunk: &[TagReport]| -> Vec<ImageVerdict> {
        let clock = SystemClock;
        let ctx = Context {
            policy,
            trust,
            clock: &clock,
        };
        chunk
            .iter()
            .map(|tag| match &tag.outcome {
                TagOutcome::Image(image) => verify_one(&ctx, &tag.tag, image),
                TagOutcome::Error(e) => {
                    ImageVerdict::could_not_check(tag.tag.clone(), e.clone(), ctx.summary())
                }
            })
            .collect()
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    if workers < 2 || tags.len() < 2 {
        return verify_chunk(tags);
    }
    let chunks: Vec<&[TagReport]> = tags.chunks(tags.len().div_ceil(workers)).collect();
    std::thread::scope(|scope| {
        let running: Vec<_> = chunks
            .iter()
            .map(|chunk| scope.spawn(|| verify_chunk(chunk)))
            .collect();
        running
            .into_iter()
            .zip(&chunks)
            .flat_map(|(worker, chunk)| {
                worker.join().unwrap_or_else(|_| {
                    // A worker that died reports its tags as unchecked, never as verified.
                    let summary = Context {
                        policy,
                        trust,
                        clock: &SystemClock,
                    }
                    .summary();
                    chunk
                        .iter()
                        .map(|t| {
                            ImageVerdict::could_not_check(
                                t.tag.clone(),
                                "verification stopped unexpectedly".into(),
                                summary.clone(),
                            )
                        })
                        .collect()
                })
            })
            .collect()
    })
}

pub async fn run(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let verify_one = sigscope::verify::cosign::verify_image;
    run_with(&args, "verify", Reading::Signatures, verify_one).await
}
