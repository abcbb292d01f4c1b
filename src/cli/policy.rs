//! `sigscope policy eval|generate`: what an admission policy admits among a repository's tags,
//! and the policy (or cosign command) that admits one signer.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde::Serialize;

use std::sync::Arc;

use sigscope::engine::{self, Collected, Plan, Work};
use sigscope::inventory::discover::DiscoverOptions;
use sigscope::inventory::layer::LayerContent;
use sigscope::inventory::model::{ArtifactKind, Route, TagOutcome, TagReport};
use sigscope::policy::authority::{Environment, NoMatchPolicy};
use sigscope::policy::document::FieldNote;
use sigscope::policy::evaluate::{Decision, TagDecision, decide};
use sigscope::policy::generate::{self, Request, SignerSpec};
use sigscope::policy::glob::ImageName;
use sigscope::policy::{PolicySet, read_policies};
use sigscope::registry::any::AnySource;
use sigscope::target::{Repository, Selector, Target};
use sigscope::trust::TrustedRoot;
use sigscope::verify::identity::Matcher;
use sigscope::verify::policy::SystemClock;

use super::output::{Format, print_json};
use super::policy_text;
use super::registry_args::RegistryArgs;
use super::trust_args::TrustArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Which tags of TARGET the policy admits, and why the others are denied.
    Eval(Box<EvalArgs>),
    /// Write the policy (or cosign command) that admits one signer.
    Generate(Box<GenerateArgs>),
}

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// The policy file: ClusterImagePolicy / Kyverno YAML (several documents allowed), a
    /// containers policy.json, or a Connaisseur configuration (config.yaml or Helm values).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,

    /// A repository (every tag) or one image.
    pub target: String,

    /// The trusted root (`--trusted-root` also stands for the policy's trustRootRef).
    #[command(flatten)]
    pub trust: TrustArgs,

    /// policy-controller's no-match-policy: what happens to a tag no ClusterImagePolicy
    /// matches.
    #[arg(long, value_enum, default_value_t = NoMatch::Deny)]
    pub no_match_policy: NoMatch,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    pub output: Format,

    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// `--no-match-policy`
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NoMatch {
    Deny,
    Warn,
    Allow,
}

/// `--format`
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PolicyFormat {
    Cosign,
    ClusterImagePolicy,
    Kyverno,
    PolicyJson,
    Connaisseur,
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The image whose signer the policy admits (its repository is what the policy covers).
    #[arg(long, value_name = "IMAGE")]
    pub from: String,

    /// Take the signer from the image's Nth cosign signature (1 = the first).
    #[arg(long, value_name = "N", conflicts_with_all = ["identity", "key"])]
    pub signature: Option<usize>,

    /// The certificate identity (SAN) to require; a value anchored with ^…$ is a regular
    /// expression.
    #[arg(long, requires = "issuer", conflicts_with = "key")]
    pub identity: Option<String>,

    /// The OIDC issuer to require.
    #[arg(long, requires = "identity")]
    pub issuer: Option<String>,

    /// A PEM public key to require.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,

    /// What to write.
    #[arg(long, value_enum)]
    pub format: PolicyFormat,

    /// The signer's signatures have no transparency-log entry (cosign's flag).
    #[arg(long)]
    pub insecure_ignore_tlog: bool,

    /// The trusted root whose Fulcio roots and Rekor key a policy.json names.
    #[command(flatten)]
    pub trust: TrustArgs,

    #[command(flatten)]
    pub registry: RegistryArgs,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        PolicyCommand::Eval(a) => eval(*a).await,
        PolicyCommand::Generate(a) => generate_policy(*a).await,
    }
}

#[derive(Serialize)]
struct EvalDocument<'a> {
    target: String,
    policy: String,
    admitted: usize,
    denied: usize,
    could_not_check: usize,
    tags: &'a [TagDecision],
    fields: &'a [FieldNote],
}

async fn eval(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.policy)
        .with_context(|| format!("reading --policy {}", args.policy.display()))?;
    let set = read_policies(&text).with_context(|| format!("policy {}", args.policy.display()))?;
    let trust = args.trust.resolve(args.registry.cache_folder()).await?.root;
    let target =
        Target::parse(&args.target).with_context(|| format!("target {:?}", args.target))?;
    let Some(repository) = target.repository().cloned() else {
        bail!("policy eval needs a registry repository or image, not an OCI layout");
    };
    let source = AnySource::open(&target, args.registry.remote_options(&target)?)?;
    let work = Evaluation {
        set,
        trust,
        no_match: match args.no_match_policy {
            NoMatch::Deny => NoMatchPolicy::Deny,
            NoMatch::Warn => NoMatchPolicy::Warn,
            NoMatch::Allow => NoMatchPolicy::Allow,
        },
        repository,
        by_digest: matches!(
            target,
            Target::Image {
                selector: Selector::Digest(_),
                ..
            }
        ),
    };
    let work = Arc::new(work);
    // Each tag decided as the engine yields it; only the decisions are kept.
    let Collected {
        outputs: decisions,
        problems,
    } = engine::collect(&source, &target, Plan::default(), Arc::clone(&work)).await;
    if !problems.is_empty() {
        bail!("{}", problems.join("; "));
    }
    let set = &work.set;
    if decisions.is_empty() {
        bail!("no tags found in {target}");
    }
    let count = |d: Decision| decisions.iter().filter(|t| t.decision == d).count();
    match args.output {
        Format::Json => print_json(
            "policy eval",
            &EvalDocument {
                target: target.to_string(),
                policy: args.policy.display().to_string(),
                admitted: count(Decision::Admitted),
                denied: count(Decision::Denied),
                could_not_check: count(Decision::CouldNotCheck),
                tags: &decisions,
                fields: &set.notes,
            },
        )?,
        Format::Text => policy_text::print(&decisions, &set.notes)?,
    }
    Ok(ExitCode::from(if count(Decision::CouldNotCheck) > 0 {
        super::exit::COULD_NOT_CHECK
    } else if count(Decision::Denied) > 0 {
        super::exit::FAILED
    } else {
        super::exit::OK
    }))
}

/// An admission policy decided on each image, by the engine.
struct Evaluation {
    set: PolicySet,
    trust: TrustedRoot,
    no_match: NoMatchPolicy,
    repository: Repository,
    /// The target names one image by digest: its name carries the digest, not a tag.
    by_digest: bool,
}

impl Evaluation {
    fn name(&self, tag: &str) -> ImageName {
        match tag.parse() {
            Ok(digest) if self.by_digest => {
                ImageName::new(self.repository.clone(), None, Some(digest))
            }
            _ => ImageName::new(self.repository.clone(), Some(tag.to_owned()), None),
        }
    }
}

impl Work for Evaluation {
    type Output = TagDecision;

    fn image(&self, tag: TagReport) -> TagDecision {
        let name = self.name(&tag.tag);
        match &tag.outcome {
            TagOutcome::Image(image) => {
                let env = Environment {
                    trust: &self.trust,
                    clock: &SystemClock,
                    no_match: self.no_match,
                };
                decide(&env, &self.set, &name, &tag.tag, image)
            }
            TagOutcome::Error(e) => TagDecision::unreadable(tag.tag.clone(), &name, e.clone()),
        }
    }

    /// An evaluation that died leaves its tag "could not check", never admitted.
    fn stopped(&self, tag: String) -> TagDecision {
        let name = self.name(&tag);
        TagDecision::unreadable(tag, &name, "evaluation stopped unexpectedly".into())
    }
}

async fn generate_policy(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let target = Target::parse(&args.from).with_context(|| format!("--from {:?}", args.from))?;
    let Some(repository) = target.repository().cloned() else {
        bail!("--from needs a registry image");
    };
    let (signer, from_signature_tlog) =
        match (&args.signature, &args.identity, &args.issuer, &args.key) {
            (Some(n), None, None, None) => signature_signer(&target, &args.registry, *n).await?,
            (None, Some(identity), Some(issuer), None) => (
                SignerSpec::Keyless {
                    subject: if identity.starts_with('^') && identity.ends_with('$') {
                        Matcher::regex(identity).map_err(|e| anyhow::anyhow!("--identity: {e}"))?;
                        generate::Subject::Regexp(identity.clone())
                    } else {
                        generate::Subject::Exact(identity.clone())
                    },
                    issuer: issuer.clone(),
                },
                false,
            ),
            (None, None, None, Some(path)) => (
                SignerSpec::Key {
                    pem: std::fs::read_to_string(path)
                        .with_context(|| format!("reading --key {}", path.display()))?,
                    path: Some(path.display().to_string()),
                },
                false,
            ),
            _ => bail!("give one of --signature N, --identity X --issuer Y, or --key FILE"),
        };
    let request = Request {
        repository: repository.to_string(),
        image: args.from.clone(),
        signer,
        ignore_tlog: args.insecure_ignore_tlog || from_signature_tlog,
    };
    let format = match args.format {
        PolicyFormat::Cosign => generate::Format::Cosign,
        PolicyFormat::ClusterImagePolicy => generate::Format::ClusterImagePolicy,
        PolicyFormat::Kyverno => generate::Format::Kyverno,
        PolicyFormat::PolicyJson => generate::Format::PolicyJson,
        PolicyFormat::Connaisseur => generate::Format::Connaisseur,
    };
    let trust = args.trust.resolve(args.registry.cache_folder()).await?.root;
    let text = generate::generate(&request, format, &trust)?;
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::from(super::exit::OK))
}

/// The signer of the image's Nth cosign signature.
async fn signature_signer(
    target: &Target,
    registry: &RegistryArgs,
    n: usize,
) -> anyhow::Result<(SignerSpec, bool)> {
    let source = AnySource::open(target, registry.remote_options(target)?)?;
    let inventory = super::inspect::discover(&source, target, DiscoverOptions::default()).await;
    let image = inventory
        .tags
        .first()
        .and_then(|t| t.image())
        .with_context(|| format!("could not read {target}: {}", inventory.errors.join("; ")))?;
    let signatures: Vec<_> = image
        .artifacts
        .iter()
        .filter(|a| {
            a.kind == ArtifactKind::Signature && matches!(a.found_via, Route::LegacyTag { .. })
        })
        .flat_map(|a| a.layers.iter())
        .filter_map(|l| match &l.content {
            LayerContent::Signature(s) => Some(s),
            _ => None,
        })
        .collect();
    let sig = n
        .checked_sub(1)
        .and_then(|i| signatures.get(i))
        .with_context(|| {
            format!(
                "--signature {n}: {target} has {} cosign signatures",
                signatures.len()
            )
        })?;
    Ok(generate::signer_of(&sig.material)?)
}
