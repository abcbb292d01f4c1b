//! The identity flags `verify` and `verify-attestation` share, named as cosign names
//! them, and the policy and trust they make.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, bail};

use sigscope::key::PublicKey;
use sigscope::trust::TrustedRoot;
use sigscope::verify::identity::{GITHUB_FLAGS, IdentityPolicy, Matcher};
use sigscope::verify::policy::{Clock, Context, Policy, PolicySummary, Signer, SystemClock};
use sigscope::verify::storage::{Bundles, Storage};

use super::output::Format;
use super::registry_args::RegistryArgs;
use super::trust_args::TrustArgs;

#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// An image (`repo:tag`, `repo@sha256:…`) or a whole repository (every tag is verified).
    pub image: String,

    /// Verify with this PEM public key instead of a certificate identity.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,

    /// The identity expected in the certificate's SAN (email, URI, or username).
    #[arg(long)]
    pub certificate_identity: Option<String>,

    /// A regular expression the SAN must match (unanchored, as cosign).
    #[arg(long)]
    pub certificate_identity_regexp: Option<String>,

    /// The OIDC issuer expected in the certificate.
    #[arg(long)]
    pub certificate_oidc_issuer: Option<String>,

    /// A regular expression the OIDC issuer must match (unanchored, as cosign).
    #[arg(long)]
    pub certificate_oidc_issuer_regexp: Option<String>,

    /// Expected GitHub workflow trigger (certificate extension 1.3.6.1.4.1.57264.1.2).
    #[arg(long)]
    pub certificate_github_workflow_trigger: Option<String>,
    /// Expected GitHub workflow SHA (…1.3).
    #[arg(long)]
    pub certificate_github_workflow_sha: Option<String>,
    /// Expected GitHub workflow name (…1.4).
    #[arg(long)]
    pub certificate_github_workflow_name: Option<String>,
    /// Expected GitHub workflow repository (…1.5).
    #[arg(long)]
    pub certificate_github_workflow_repository: Option<String>,
    /// Expected GitHub workflow ref (…1.6).
    #[arg(long)]
    pub certificate_github_workflow_ref: Option<String>,

    /// Claims the signed payload must carry, `key=value` (repeatable).
    #[arg(short = 'a', long = "annotations", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,

    /// Skip the transparency-log checks (insecure).
    #[arg(long)]
    pub insecure_ignore_tlog: bool,

    /// Skip the certificate-transparency (SCT) check (insecure).
    #[arg(long)]
    pub insecure_ignore_sct: bool,

    /// cosign v3's meaning: sigstore bundle referrers are verified when any is attached, the
    /// legacy `.sig`/`.att` tags otherwise (the default, `true`); `=false` verifies only the legacy
    /// tags (and cosign's OCI 1.1 signature referrers). Every signature found is shown either way.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub new_bundle_format: Option<bool>,

    /// Accepted for cosign compatibility: sigscope always reads cosign's OCI 1.1 signature
    /// referrers (`--registry-referrers-mode=oci-1-1`) beside the `.sig` tags.
    #[arg(long)]
    pub experimental_oci11: bool,

    /// cosign's `--local-image`: IMAGE is the folder of an OCI layout (`cosign save` output).
    #[arg(long)]
    pub local_image: bool,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    pub output: Format,

    /// How many tags and artifacts are fetched at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub max_workers: u16,

    #[command(flatten)]
    pub trust: TrustArgs,

    #[command(flatten)]
    pub registry: RegistryArgs,
}

impl VerifyArgs {
    /// The target the image argument names (`--local-image`: a layout folder).
    pub fn target(&self) -> anyhow::Result<sigscope::target::Target> {
        if self.local_image {
            return Ok(sigscope::target::Target::Layout {
                path: PathBuf::from(&self.image),
                tag: None,
            });
        }
        sigscope::target::Target::parse(&self.image)
            .with_context(|| format!("image {:?}", self.image))
    }

    /// Whether any cosign signer flag is given (`--key`, `--certificate-*`).
    pub fn wants_cosign(&self) -> bool {
        self.key.is_some()
            || self.certificate_identity.is_some()
            || self.certificate_identity_regexp.is_some()
            || self.certificate_oidc_issuer.is_some()
            || self.certificate_oidc_issuer_regexp.is_some()
    }

    /// The policy the flags describe.
    pub fn policy(&self) -> anyhow::Result<Policy> {
        let keyless = self.certificate_identity.is_some()
            || self.certificate_identity_regexp.is_some()
            || self.certificate_oidc_issuer.is_some()
            || self.certificate_oidc_issuer_regexp.is_some();
        let signer = match (&self.key, keyless) {
            (Some(_), true) => bail!(
                "give either --key or --certificate-identity/--certificate-oidc-issuer, not both"
            ),
            (Some(path), false) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading --key {}", path.display()))?;
                Signer::Key(
                    PublicKey::from_pem(&text)
                        .with_context(|| format!("--key {}", path.display()))?,
                )
            }
            (None, _) => {
                let subject = matcher(
                    &self.certificate_identity,
                    &self.certificate_identity_regexp,
                    "--certificate-identity",
                )?;
                let issuer = matcher(
                    &self.certificate_oidc_issuer,
                    &self.certificate_oidc_issuer_regexp,
                    "--certificate-oidc-issuer",
                )?;
                let values = [
                    &self.certificate_github_workflow_trigger,
                    &self.certificate_github_workflow_sha,
                    &self.certificate_github_workflow_name,
                    &self.certificate_github_workflow_repository,
                    &self.certificate_github_workflow_ref,
                ];
                let github = GITHUB_FLAGS
                    .iter()
                    .zip(values)
                    .filter_map(|((arc, flag), v)| v.as_ref().map(|v| (*arc, *flag, v.clone())))
                    .collect();
                Signer::Keyless(IdentityPolicy {
                    subject,
                    issuer,
                    claims: IdentityPolicy::github_claims(github),
                })
            }
        };
        let annotations = self
            .annotations
            .iter()
            .map(|a| {
                a.split_once('=')
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .with_context(|| format!("-a {a:?}: expected key=value"))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Policy {
            signer,
            annotations,
            ignore_tlog: self.insecure_ignore_tlog,
            ignore_sct: self.insecure_ignore_sct,
            storage: match self.new_bundle_format {
                Some(false) => Storage {
                    bundles: Bundles::Never,
                    oci11_signatures: true,
                    reader: "cosign with --new-bundle-format=false",
                },
                None | Some(true) => Storage::COSIGN_V3,
            },
        })
    }

    /// The trust: `--trusted-root`, `--tuf-mirror` or the public-good TUF repository, then
    /// cosign's variables.
    pub async fn trust(&self) -> anyhow::Result<TrustedRoot> {
        Ok(self.trust.resolve(self.registry.cache_folder()).await?.root)
    }
}

fn matcher(exact: &Option<String>, regexp: &Option<String>, flag: &str) -> anyhow::Result<Matcher> {
    match (exact, regexp) {
        (Some(e), None) => Ok(Matcher::Exact(e.clone())),
        (None, Some(r)) => Matcher::regex(r).map_err(|e| anyhow::anyhow!("{flag}-regexp: {e}")),
        (Some(_), Some(_)) => bail!("give {flag} or {flag}-regexp, not both"),
        (None, None) => bail!("keyless verification needs {flag} or {flag}-regexp (or use --key)"),
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
