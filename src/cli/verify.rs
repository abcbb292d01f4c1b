//! `sigscope verify IMAGE`: cosign's verification, explained check by check, and Notary Project
//! signatures under the user's notation trust policy beside it; a repository target verifies
//! every tag.

use std::process::ExitCode;
use std::sync::Arc;

use serde::Serialize;

use futures_util::StreamExt as _;
use sigscope::inventory::discover::{DiscoverOptions, Discovery, Reading};
use sigscope::inventory::model::{ImageReport, TagOutcome, TagReport};
use sigscope::registry::any::AnySource;
use sigscope::target::Target;
use sigscope::trust::TrustedRoot;
use sigscope::verify::policy::{Clock, Context, Policy, PolicySummary, SystemClock};
use sigscope::verify::report::{ImageOutcome, ImageVerdict};

use super::output::{Format, print_json};
use super::verify_args::VerifyArgs;
use super::verify_notation::NotationArgs;
use super::verify_text;

/// `sigscope verify`: cosign's flags, and the notation trust flags.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub verify: VerifyArgs,
    #[command(flatten)]
    pub notation: NotationArgs,
}

#[derive(Serialize)]
struct VerifyDocument<'a> {
    target: String,
    verified: bool,
    images: &'a [ImageVerdict],
}

/// Discovers the target and verifies every image in it with `verify_one` (given the clock, the
/// tag and the image), whose policy `summary` describes.
pub async fn run_with<F>(
    args: &VerifyArgs,
    command: &str,
    reading: Reading,
    summary: PolicySummary,
    verify_one: F,
) -> anyhow::Result<ExitCode>
where
    F: Fn(&dyn Clock, &str, &ImageReport) -> ImageVerdict + Send + Sync + 'static,
{
    let checks = Checks {
        summary,
        verify_one: Arc::new(verify_one),
    };
    let target = args.target()?;
    let source = AnySource::open(&target, args.registry.remote_options(&target)?)?;
    let options = DiscoverOptions {
        max_workers: usize::from(args.max_workers),
    };
    let summary = checks.summary.clone();
    let mut verdicts = match &target {
        Target::Repository { .. } | Target::Layout { tag: None, .. } => {
            verify_repository(&source, &target, options, reading, &checks).await
        }
        _ => {
            let inventory = super::inspect::discover_with(&source, &target, options, reading).await;
            inventory
                .errors
                .iter()
                .map(|e| {
                    ImageVerdict::could_not_check(target.to_string(), e.clone(), summary.clone())
                })
                .chain(inventory.tags.iter().map(|tag| checks.verify(tag)))
                .collect()
        }
    };
    if verdicts.is_empty() {
        verdicts.push(ImageVerdict::could_not_check(
            target.to_string(),
            "no tags found".into(),
            summary,
        ));
    }
    finish(
        args,
        command,
        &target.to_string(),
        &verdicts,
        matches!(target, Target::Repository { .. }),
    )
}

/// Prints the verdicts as `--output` asks and returns the exit code: 0 when every image is
/// verified, 2 when any could not be checked, 1 otherwise.
pub fn finish(
    args: &VerifyArgs,
    command: &str,
    target: &str,
    verdicts: &[ImageVerdict],
    repository: bool,
) -> anyhow::Result<ExitCode> {
    let all_verified = verdicts.iter().all(ImageVerdict::accepted);
    match args.output {
        Format::Json => print_json(
            command,
            &VerifyDocument {
                target: target.to_owned(),
                verified: all_verified,
                images: verdicts,
            },
        )?,
        Format::Text => verify_text::print(verdicts, repository)?,
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

/// What every image is checked against, shareable with the threads that verify.
struct Checks<F> {
    summary: PolicySummary,
    verify_one: Arc<F>,
}

impl<F> Clone for Checks<F> {
    fn clone(&self) -> Self {
        Checks {
            summary: self.summary.clone(),
            verify_one: Arc::clone(&self.verify_one),
        }
    }
}

impl<F> Checks<F>
where
    F: Fn(&dyn Clock, &str, &ImageReport) -> ImageVerdict + Send + Sync + 'static,
{
    fn verify(&self, tag: &TagReport) -> ImageVerdict {
        match &tag.outcome {
            TagOutcome::Image(image) => (self.verify_one)(&SystemClock, &tag.tag, image),
            TagOutcome::Error(e) => {
                ImageVerdict::could_not_check(tag.tag.clone(), e.clone(), self.summary.clone())
            }
        }
    }
}

/// cosign's policy and trust from the flags, for the verifying threads.
pub struct CosignChecks {
    policy: Arc<Policy>,
    trust: Arc<TrustedRoot>,
}

impl CosignChecks {
    /// Checks with this policy and trust.
    pub fn new(policy: Policy, trust: TrustedRoot) -> CosignChecks {
        CosignChecks {
            policy: Arc::new(policy),
            trust: Arc::new(trust),
        }
    }

    pub async fn from_args(args: &VerifyArgs) -> anyhow::Result<CosignChecks> {
        Ok(CosignChecks {
            policy: Arc::new(args.policy()?),
            trust: Arc::new(args.trust().await?),
        })
    }

    /// Runs `f` with the verification context at `clock`.
    pub fn with_context<T>(&self, clock: &dyn Clock, f: impl FnOnce(&Context) -> T) -> T {
        f(&Context {
            policy: &self.policy,
            trust: &self.trust,
            clock,
        })
    }

    pub fn summary(&self) -> PolicySummary {
        self.with_context(&SystemClock, |ctx| ctx.summary())
    }
}

/// Every tag of a repository, verified while the rest are still being read: each report goes
/// to the blocking pool (verification is pure computation, spread over the machine's cores) as
/// discovery yields it, so the last tag's signature is checked moments after it arrives rather
/// than after a separate pass over all of them. Verdicts keep tag order.
async fn verify_repository<F>(
    source: &AnySource,
    target: &Target,
    options: DiscoverOptions,
    reading: Reading,
    checks: &Checks<F>,
) -> Vec<ImageVerdict>
where
    F: Fn(&dyn Clock, &str, &ImageReport) -> ImageVerdict + Send + Sync + 'static,
{
    let (mut discovery, listed) = Discovery::new(source, options).await;
    discovery.read(reading);
    let (tags, errors) = discovery.image_tags(listed);
    let summary = checks.summary.clone();
    let mut verdicts: Vec<ImageVerdict> = errors
        .into_iter()
        .map(|e| ImageVerdict::could_not_check(target.to_string(), e, summary.clone()))
        .collect();
    // One verification per core at a time; the rest wait without holding discovery back.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let permits = Arc::new(tokio::sync::Semaphore::new(cores));
    let verifying = discovery
        .tags_in_order(tags)
        .map(|report| {
            let checks = checks.clone();
            let permits = Arc::clone(&permits);
            async move {
                let tag = report.tag.clone();
                // The semaphore is never closed, so a permit always comes.
                let permit = permits.acquire_owned().await.ok();
                let verdict = tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    checks.verify(&report)
                })
                .await;
                (tag, verdict)
            }
        })
        .buffered(VERIFICATIONS_AHEAD);
    let mut verifying = std::pin::pin!(verifying);
    while let Some((tag, verdict)) = verifying.next().await {
        // A verification that died reports its tag as unchecked, never as verified.
        verdicts.push(verdict.unwrap_or_else(|_| {
            ImageVerdict::could_not_check(
                tag,
                "verification stopped unexpectedly".into(),
                summary.clone(),
            )
        }));
    }
    verdicts
}

/// Reports handed to the verifying threads before the oldest verdict is collected.
const VERIFICATIONS_AHEAD: usize = 256;

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let notation = args.notation.trust()?;
    let cosign = if notation.is_none() || args.verify.wants_cosign() {
        Some(CosignChecks::from_args(&args.verify).await?)
    } else {
        None
    };
    let scope = super::verify_notation::registry_scope(&args.verify.target()?);
    let summary = super::verify_notation::summary(cosign.as_ref(), notation.as_deref());
    run_with(
        &args.verify,
        "verify",
        Reading::Signatures,
        summary,
        move |clock, reference, image| {
            let cosign_verdict = cosign.as_ref().map(|c| {
                c.with_context(clock, |ctx| {
                    sigscope::verify::cosign::verify_image(ctx, reference, image)
                })
            });
            let notation_verdict = notation.as_ref().map(|trust| {
                let ctx = sigscope::verify::notation::NotationContext { trust, clock };
                let subject = sigscope::verify::notation::Subject {
                    scope: &scope,
                    image,
                };
                sigscope::verify::notation::verify_image(&ctx, reference, &subject)
            });
            super::verify_notation::combine(reference, image, cosign_verdict, notation_verdict)
        },
    )
    .await
}
