//! Performs effects as tokio tasks; each sends its results back as actions over a channel.
//! A new discovery aborts the previous one, and results carry their request id so the update
//! drops any that arrive late.
//!
//! Both go through the core's engine: discovery is one tokio task running
//! [`engine::run_repository`] (registry I/O never runs on the loop that draws), and every
//! verification, CPU work, runs on the engine's [`Pool`], at most one per core, however many
//! tags a verify-all asks for; a new discovery or verify-all aborts the verifications still
//! waiting for a core.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::{JoinHandle, JoinSet};

use crate::engine::{self, Event, Executor, Order, Plan, Pool, Reports, Untagged, Work};
use crate::inventory::discover::DiscoverOptions;
use crate::inventory::model::{ImageReport, TagOutcome, TagReport};
use crate::key::PublicKey;
use crate::registry::any::AnySource;
use crate::trust::TrustedRoot;
use crate::verify::attestation::verify_attestations_of;
use crate::verify::cosign::verify_image;
use crate::verify::identity::{IdentityPolicy, Matcher};
use crate::verify::policy::{Context, Policy, Signer, SystemClock};
use crate::verify::report::ImageVerdict;

use super::action::{Action, RequestId};
use super::clipboard::Clipboard;
use super::effect::{Effect, Evidence, SignerSpec, VerifySpec};
use crate::registry::Source as _;

/// Opens a repository (or layout) by name with the command line's registry options: the
/// source and its printable name.
pub type Opener = Arc<dyn Fn(&str) -> Result<(AnySource, String), String> + Send + Sync>;

pub struct Runtime {
    /// The trusted root verifications use, or why there is none.
    trust: Arc<Result<TrustedRoot, String>>,
    results: UnboundedSender<Action>,
    source: Arc<AnySource>,
    max_workers: usize,
    /// The running discovery, aborted when a new one starts or the TUI exits.
    discovery: Option<JoinHandle<()>>,
    /// The cores verifications share.
    pool: Pool,
    /// Verifications not yet sent back, aborted when a new discovery or verify-all starts.
    verifications: JoinSet<()>,
    clipboard: Clipboard,
    /// How `:` opens another repository.
    opener: Option<Opener>,
}

impl Runtime {
    pub fn new(
        source: AnySource,
        trust: Result<TrustedRoot, String>,
        results: UnboundedSender<Action>,
        max_workers: usize,
        opener: Option<Opener>,
    ) -> Runtime {
        Runtime {
            trust: Arc::new(trust),
            results,
            source: Arc::new(source),
            max_workers: max_workers.max(1),
            discovery: None,
            pool: Pool::per_core(),
            verifications: JoinSet::new(),
            clipboard: Clipboard::default(),
            opener,
        }
    }

    pub fn perform(&mut self, effect: Effect) {
        match effect {
            Effect::Discover { request } => {
                if let Some(previous) = self.discovery.take() {
                    previous.abort();
                }
                self.verifications.abort_all();
                self.discovery = Some(tokio::spawn(discover(
                    Arc::clone(&self.source),
                    self.results.clone(),
                    request,
                    self.max_workers,
                )));
            }
            Effect::StopVerifying => self.verifications.abort_all(),
            Effect::Verify {
                request,
                tag,
                image,
                spec,
            } => {
                // Finished verifications leave the set as new ones join it.
                while self.verifications.try_join_next().is_some() {}
                let work = Verification {
                    trust: Arc::clone(&self.trust),
                    spec,
                    scope: self.source.name(),
                };
                let executor = Executor::on(&self.pool, Arc::new(work));
                let results = self.results.clone();
                self.verifications.spawn(async move {
                    let report = TagReport {
                        tag,
                        outcome: TagOutcome::Image(image),
                    };
                    let (tag, result) = executor.run(report).await;
                    let _ = results.send(Action::Verified {
                        request,
                        tag,
                        result,
                    });
                });
            }
            Effect::Copy(copy) => {
                // Quick, and OSC 52 writes to the terminal between two frames: done in place.
                let result = self
                    .clipboard
                    .copy(&copy.text)
                    .map(|route| route.describe(&copy.what));
                let _ = self.results.send(Action::Copied { result });
            }
            Effect::CheckKey { request, path } => {
                let results = self.results.clone();
                tokio::task::spawn_blocking(move || {
                    let home = std::env::var_os("HOME").map(PathBuf::from);
                    let result = super::key_file::check_key(&path, home.as_deref());
                    let _ = results.send(Action::KeyChecked { request, result });
                });
            }
            Effect::Open { request, target } => self.open(request, target),
        }
    }

    /// Opens `target` with the command line's registry options; on success its discovery
    /// starts at once (the `Opened` action is sent first, so the update is ready for it).
    fn open(&mut self, request: RequestId, target: String) {
        let result = match &self.opener {
            Some(open) => open(&target),
            None => Err("opening another repository is not available here".to_owned()),
        };
        let opened = result.map(|(source, name)| {
            self.source = Arc::new(source);
            name
        });
        let ok = opened.is_ok();
        let _ = self.results.send(Action::Opened {
            request,
            target,
            result: opened,
        });
        if ok {
            self.perform(Effect::Discover { request });
        }
    }

    /// The rate limit the registry last stated, if it states one.
    pub fn rate_limit(&self) -> Option<crate::registry::remote::traffic::RateLimit> {
        self.source.traffic().and_then(|t| t.rate_limit)
    }

    /// Stops the running discovery and the verifications still waiting (on exit).
    pub fn shutdown(&mut self) {
        if let Some(running) = self.discovery.take() {
            running.abort();
        }
        self.verifications.abort_all();
    }
}

/// One verification the update asked for: the tag and its verdict, or why there is none.
struct Verification {
    trust: Arc<Result<TrustedRoot, String>>,
    spec: VerifySpec,
    scope: String,
}

impl Work for Verification {
    type Output = (String, Result<Box<ImageVerdict>, String>);

    fn image(&self, report: TagReport) -> Self::Output {
        let result = match &report.outcome {
            TagOutcome::Image(image) => {
                verify(&self.trust, &self.spec, &self.scope, &report.tag, image)
            }
            TagOutcome::Error(e) => Err(e.clone()),
        };
        (report.tag, result)
    }

    fn stopped(&self, tag: String) -> Self::Output {
        (tag, Err("the verification stopped unexpectedly".into()))
    }
}

/// Lists the tags, then inspects them `max_workers` at a time, sending each as it completes,
/// then the untagged digests that have artifacts.
async fn discover(
    source: Arc<AnySource>,
    results: UnboundedSender<Action>,
    request: RequestId,
    max_workers: usize,
) {
    let plan = Plan {
        options: DiscoverOptions { max_workers },
        order: Order::Completion,
        untagged: Untagged::Images,
        ..Plan::default()
    };
    let mut sink = |event: Event<TagReport>| {
        let action = match event {
            Event::Listed(result) => Action::TagsListed { request, result },
            Event::Problem(problem) => Action::DiscoveryProblem { request, problem },
            Event::Tag(report) => Action::TagInspected {
                request,
                report: Box::new(report),
            },
            Event::Untagged(image) => Action::OrphanFound { request, image },
            // Not asked for: the TUI lists untagged digests as images.
            Event::Orphan(_) => return ControlFlow::Continue(()),
        };
        // The TUI has gone: nothing more to read.
        match results.send(action) {
            Ok(()) => ControlFlow::Continue(()),
            Err(_) => ControlFlow::Break(()),
        }
    };
    engine::run_repository(source.as_ref(), plan, Arc::new(Reports), &mut sink).await;
    let _ = results.send(Action::DiscoveryFinished { request });
}

/// The cosign policy a [`VerifySpec`] describes (a key file is read here).
pub fn policy(spec: &VerifySpec) -> Result<Policy, String> {
    let signer = match &spec.signer {
        SignerSpec::Identity {
            identity,
            identity_is_regexp,
            issuer,
        } => Signer::Keyless(IdentityPolicy {
            subject: if *identity_is_regexp {
                Matcher::regex(identity)?
            } else {
                Matcher::Exact(identity.clone())
            },
            issuer: Matcher::Exact(issuer.clone()),
            claims: Vec::new(),
        }),
        SignerSpec::NotationPolicy { .. } => {
            return Err("a notation trust policy is not a cosign policy".into());
        }
        SignerSpec::KeyFile(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("reading the key {}: {e}", path.display()))?;
            Signer::Key(
                PublicKey::from_pem(&text)
                    .map_err(|e| format!("the key {}: {e}", path.display()))?,
            )
        }
    };
    Ok(Policy {
        signer,
        annotations: Vec::new(),
        ignore_tlog: false,
        ignore_sct: false,
        storage: crate::verify::storage::Storage::COSIGN_V3,
    })
}

/// Runs the verification `spec` asks for on one image.
pub fn verify_with(
    ctx: &Context,
    spec: &VerifySpec,
    tag: &str,
    image: &ImageReport,
) -> ImageVerdict {
    match &spec.evidence {
        Evidence::Signatures => verify_image(ctx, tag, image),
        Evidence::Attestations { predicate } => {
            verify_attestations_of(ctx, tag, image, predicate.as_deref())
        }
    }
}

fn verify(
    trust: &Result<TrustedRoot, String>,
    spec: &VerifySpec,
    scope: &str,
    tag: &str,
    image: &ImageReport,
) -> Result<Box<ImageVerdict>, String> {
    if let SignerSpec::NotationPolicy { config } = &spec.signer {
        return verify_notation(config.as_deref(), scope, tag, image).map(Box::new);
    }
    let trust = trust.as_ref().map_err(Clone::clone)?;
    let policy = policy(spec)?;
    let ctx = Context {
        policy: &policy,
        trust,
        clock: &SystemClock,
    };
    Ok(Box::new(verify_with(&ctx, spec, tag, image)))
}

/// Notary Project signatures under the notation configuration in `config` (or notation's own
/// folder), for the repository `scope`.
fn verify_notation(
    config: Option<&std::path::Path>,
    scope: &str,
    tag: &str,
    image: &ImageReport,
) -> Result<ImageVerdict, String> {
    use crate::trust::notation::{NotationConfig, NotationTrust};
    use crate::verify::notation::{NotationContext, Subject, verify_image};
    let config_dir = config
        .map(std::path::Path::to_path_buf)
        .or_else(crate::trust::notation::default_config_dir);
    let trust = NotationTrust::load(&NotationConfig {
        config_dir,
        ..NotationConfig::default()
    })
    .map_err(|e| e.to_string())?;
    let ctx = NotationContext {
        trust: &trust,
        clock: &SystemClock,
    };
    Ok(verify_image(&ctx, tag, &Subject { scope, image }))
}
