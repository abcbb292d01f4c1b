//! `sigscope verify IMAGE`: cosign's verification, explained check by check; a repository
//! target verifies every tag.

use std::process::ExitCode;
use std::sync::Arc;

use serde::Serialize;

use futures_util::StreamExt as _;
use sigscope::inventory::discover::{DiscoverOptions, Discovery, Reading};
use sigscope::inventory::model::{ImageReport, TagOutcome, TagReport};
use sigscope::registry::any::AnySource;
use sigscope::target::Target;
use sigscope::trust::TrustedRoot;
use sigscope::verify::policy::{Context, Policy, PolicySummary, SystemClock};
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
pub async fn run_with<F>(
    args: &VerifyArgs,
    command: &str,
    reading: Reading,
    verify_one: F,
) -> anyhow::Result<ExitCode>
where
    F: Fn(&Context, &str, &ImageReport) -> ImageVerdict + Send + Sync + 'static,
{
    let checks = Checks {
        policy: Arc::new(args.policy()?),
        trust: Arc::new(args.trust().await?),
        verify_one: Arc::new(verify_one),
    };
    let target = args.target()?;
    let source = AnySource::open(&target, args.registry.remote_options(&target)?)?;
    let options = DiscoverOptions {
        max_workers: usize::from(args.max_workers),
    };
    let summary = checks.context_summary();
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

/// What every image is checked against, shareable with the threads that verify.
struct Checks<F> {
    policy: Arc<Policy>,
    trust: Arc<TrustedRoot>,
    verify_one: Arc<F>,
}

impl<F> Clone for Checks<F> {
    fn clone(&self) -> Self {
        Checks {
            policy: Arc::clone(&self.policy),
            trust: Arc::clone(&self.trust),
            verify_one: Arc::clone(&self.verify_one),
        }
    }
}

impl<F> Checks<F>
where
    F: Fn(&Context, &str, &ImageReport) -> ImageVerdict + Send + Sync + 'static,
{
    fn context_summary(&self) -> PolicySummary {
        self.with_context(|ctx| ctx.summary())
    }

    fn with_context<T>(&self, f: impl FnOnce(&Context) -> T) -> T {
        let clock = SystemClock;
        f(&Context {
            policy: &self.policy,
            trust: &self.trust,
            clock: &clock,
        })
    }

    fn verify(&self, tag: &TagReport) -> ImageVerdict {
        self.with_context(|ctx| match &tag.outcome {
            TagOutcome::Image(image) => (self.verify_one)(ctx, &tag.tag, image),
            TagOutcome::Error(e) => {
                ImageVerdict::could_not_check(tag.tag.clone(), e.clone(), ctx.summary())
            }
        })
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
    F: Fn(&Context, &str, &ImageReport) -> ImageVerdict + Send + Sync + 'static,
{
    let (mut discovery, listed) = Discovery::new(source, options).await;
    discovery.read(reading);
    let (tags, errors) = discovery.image_tags(listed);
    let summary = checks.context_summary();
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

pub async fn run(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let verify_one = sigscope::verify::cosign::verify_image;
    run_with(&args, "verify", Reading::Signatures, verify_one).await
}
