//! Performs effects as tokio tasks; each sends its results back as actions over a channel.
//! A new discovery aborts the previous one, and results carry their request id so the update
//! drops any that arrive late.
//!
//! Discovery is one tokio task (registry I/O never runs on the loop that draws); verification,
//! CPU work, runs on the blocking pool.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use futures_util::StreamExt as _;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::inventory::discover::{DiscoverOptions, Discovery, add_digests, image_tags};
use crate::inventory::model::ImageReport;
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
                self.discovery = Some(tokio::spawn(discover(
                    Arc::clone(&self.source),
                    self.results.clone(),
                    request,
                    self.max_workers,
                )));
            }
            Effect::Verify {
                request,
                tag,
                image,
                spec,
            } => {
                let trust = Arc::clone(&self.trust);
                let results = self.results.clone();
                let scope = self.source.name();
                // Verification is CPU work: keep it off the event loop's threads.
                tokio::task::spawn_blocking(move || {
                    let result = verify(&trust, &spec, &scope, &tag, &image);
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

    /// Stops the running discovery (on exit).
    pub fn shutdown(&mut self) {
        if let Some(running) = self.discovery.take() {
            running.abort();
        }
    }
}

/// Lists the tags, then inspects them `max_workers` at a time, sending each as it completes.
async fn discover(
    source: Arc<AnySource>,
    results: UnboundedSender<Action>,
    request: RequestId,
    max_workers: usize,
) {
    let options = DiscoverOptions { max_workers };
    let (discovery, listed) = Discovery::new(source.as_ref(), options).await;
    let (tags, _) = image_tags(listed.clone());
    let listed = listed.map_err(|e| e.to_string());
    if results
        .send(Action::TagsListed {
            request,
            result: listed,
        })
        .is_err()
    {
        return;
    }
    // At most `max_workers` tags in flight; each result is sent as soon as it is ready.
    let mut reports = std::pin::pin!(discovery.stream_tags(tags));
    let mut known = BTreeSet::new();
    while let Some(report) = reports.next().await {
        add_digests(&report, &mut known);
        let action = Action::TagInspected {
            request,
            report: Box::new(report),
        };
        if results.send(action).is_err() {
            return;
        }
    }
    // Then the untagged digests that have artifacts.
    for image in discovery.untagged_images(&known).await {
        let action = Action::OrphanFound {
            request,
            image: Box::new(image),
        };
        if results.send(action).is_err() {
            return;
        }
    }
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
