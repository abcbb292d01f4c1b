//! `sigscope verify IMAGE`: cosign's verification, explained check by check, and Notary Project
//! signatures under the user's notation trust policy beside it; a repository target verifies
//! every tag.

use std::process::ExitCode;
use std::sync::Arc;

use serde::Serialize;

use std::ops::ControlFlow;

use sigscope::engine::{self, Event, Plan, Work};
use sigscope::inventory::discover::{DiscoverOptions, Reading};
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
    let plan = Plan {
        options,
        reading,
        ..Plan::default()
    };
    // Verdicts in tag order as the engine yields them; a target-wide problem (the tag list, a
    // layout's unplaced signatures) is a verdict of its own that could not be checked.
    let mut verdicts = Vec::new();
    let mut sink = |event: Event<ImageVerdict>| {
        match event {
            Event::Tag(verdict) => verdicts.push(verdict),
            Event::Problem(problem) => verdicts.push(ImageVerdict::could_not_check(
                target.to_string(),
                problem,
                summary.clone(),
            )),
            Event::Listed(_) | Event::Untagged(_) => {}
        }
        ControlFlow::Continue(())
    };
    engine::run(&source, &target, plan, Arc::new(checks), &mut sink).await;
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

/// Each image's verdict, computed by the engine on the blocking pool.
impl<F> Work for Checks<F>
where
    F: Fn(&dyn Clock, &str, &ImageReport) -> ImageVerdict + Send + Sync + 'static,
{
    type Output = ImageVerdict;

    fn image(&self, tag: TagReport) -> ImageVerdict {
        match &tag.outcome {
            TagOutcome::Image(image) => (self.verify_one)(&SystemClock, &tag.tag, image),
            TagOutcome::Error(e) => {
                ImageVerdict::could_not_check(tag.tag.clone(), e.clone(), self.summary.clone())
            }
        }
    }

    /// A verification that died reports its tag as unchecked, never as verified.
    fn stopped(&self, tag: String) -> ImageVerdict {
        ImageVerdict::could_not_check(
            tag,
            "verification stopped unexpectedly".into(),
            self.summary.clone(),
        )
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
