//! `sigscope verify-attestation` with `gh attestation verify`'s options: GitHub Artifact
//! Attestations of a local file (`--bundle`) or of an image (bundle referrers, as GitHub's
//! `push-to-registry` stores them), with gh's policy printed before the verdicts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use sigscope::reference::Digest;
use sigscope::verify::github::{
    GithubOptions, GithubPolicy, bundle_documents, verify_attestation_bundle,
};
use sigscope::verify::policy::{Policy, PolicySummary, Signer};
use sigscope::verify::report::ImageVerdict;
use sigscope::verify::storage::Storage;

use super::verify_args::{CosignChecks, VerifyArgs};

/// gh's options, where their meaning is gh's (`gh attestation verify --help`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct GhArgs {
    /// GitHub organization or user that owns the attestation's source repository (gh).
    #[arg(long, help_heading = "GitHub attestations (gh attestation verify)")]
    pub owner: Option<String>,
    /// OWNER/REPO the attestation's source repository must be (gh).
    #[arg(long, help_heading = "GitHub attestations (gh attestation verify)")]
    pub repo: Option<String>,
    /// OWNER/REPO of the repository whose workflow signed (a reusable workflow's) (gh).
    #[arg(long, help_heading = "GitHub attestations (gh attestation verify)")]
    pub signer_repo: Option<String>,
    /// [HOST/]OWNER/REPO/path/to/workflow.yml of the signing workflow (gh).
    #[arg(long, help_heading = "GitHub attestations (gh attestation verify)")]
    pub signer_workflow: Option<String>,
    /// The exact signing certificate identity (gh's --cert-identity).
    #[arg(long, help_heading = "GitHub attestations (gh attestation verify)")]
    pub cert_identity: Option<String>,
    /// A regular expression the signing certificate identity must match (gh).
    #[arg(long, help_heading = "GitHub attestations (gh attestation verify)")]
    pub cert_identity_regex: Option<String>,
    /// The OIDC issuer (gh; default https://token.actions.githubusercontent.com).
    #[arg(long, help_heading = "GitHub attestations (gh attestation verify)")]
    pub cert_oidc_issuer: Option<String>,
    /// The Git ref the build ran on (gh, e.g. refs/heads/main).
    #[arg(long, help_heading = "GitHub attestations (gh attestation verify)")]
    pub source_ref: Option<String>,
    /// The commit the build ran on (gh).
    #[arg(long, help_heading = "GitHub attestations (gh attestation verify)")]
    pub source_digest: Option<String>,
    /// The digest of the signing workflow file (gh).
    #[arg(long, help_heading = "GitHub attestations (gh attestation verify)")]
    pub signer_digest: Option<String>,
    /// Refuse attestations built on self-hosted runners (gh).
    #[arg(long, help_heading = "GitHub attestations (gh attestation verify)")]
    pub deny_self_hosted_runners: bool,
    /// The GitHub host of a --signer-workflow given without one (gh).
    #[arg(
        long,
        default_value = "github.com",
        help_heading = "GitHub attestations (gh attestation verify)"
    )]
    pub hostname: String,
    /// Attestation bundles of a local file (JSON or JSON Lines, as `gh attestation download`
    /// writes); the IMAGE argument is then the file (gh).
    #[arg(
        long,
        value_name = "FILE",
        help_heading = "GitHub attestations (gh attestation verify)"
    )]
    pub bundle: Option<PathBuf>,
    /// Accepted for gh compatibility: the file's sha256, sha384 and sha512 are all compared
    /// with the statement's subjects.
    #[arg(
        long,
        value_name = "ALG",
        help_heading = "GitHub attestations (gh attestation verify)"
    )]
    pub digest_alg: Option<String>,
    /// Accepted for gh compatibility: attestations of images are always read from the
    /// registry's referrers.
    #[arg(long, help_heading = "GitHub attestations (gh attestation verify)")]
    pub bundle_from_oci: bool,
}

impl GhArgs {
    /// Whether gh's mode is asked for (gh requires --owner or --repo).
    pub fn requested(&self) -> bool {
        self.owner.is_some() || self.repo.is_some()
    }

    fn policy(&self, predicate_type: Option<String>) -> anyhow::Result<GithubPolicy> {
        Ok(GithubPolicy::new(&GithubOptions {
            owner: self.owner.clone(),
            repo: self.repo.clone(),
            signer_repo: self.signer_repo.clone(),
            signer_workflow: self.signer_workflow.clone(),
            cert_identity: self.cert_identity.clone(),
            cert_identity_regex: self.cert_identity_regex.clone(),
            cert_oidc_issuer: self.cert_oidc_issuer.clone(),
            source_ref: self.source_ref.clone(),
            source_digest: self.source_digest.clone(),
            signer_digest: self.signer_digest.clone(),
            deny_self_hosted_runners: self.deny_self_hosted_runners,
            predicate_type,
            hostname: Some(self.hostname.clone()),
        })?)
    }
}

/// The largest bundle file read (a budget on untrusted input).
const MAX_BUNDLE_BYTES: u64 = 16 * 1024 * 1024;

/// `verify-attestation` in gh's mode.
pub async fn run(
    gh: &GhArgs,
    predicate_type: Option<String>,
    verify: &VerifyArgs,
) -> anyhow::Result<ExitCode> {
    let policy = gh.policy(predicate_type)?;
    // gh prints what it enforces before it verifies; so does sigscope (on stderr, so JSON
    // output stays one document).
    eprintln!("The following policy criteria will be enforced:");
    for line in policy.describe() {
        eprintln!("{line}");
    }
    let trust = verify.trust().await?;
    match &gh.bundle {
        Some(bundle) => local(&policy, &trust, bundle, verify),
        None => image(&policy, trust, verify).await,
    }
}

/// A local file and its attestation bundles.
fn local(
    policy: &GithubPolicy,
    trust: &sigscope::trust::TrustedRoot,
    bundle_path: &Path,
    verify: &VerifyArgs,
) -> anyhow::Result<ExitCode> {
    let artifact = super::verify_bundle::artifact(&verify.image)?;
    let bytes = read_limited(bundle_path)?;
    let signatures = bundle_documents(&bytes)
        .into_iter()
        .enumerate()
        .map(|(i, doc)| {
            let place = format!("bundle {} #{}", bundle_path.display(), i + 1);
            verify_attestation_bundle(doc, &artifact, policy, trust, place)
        })
        .collect();
    let summary = PolicySummary {
        signer: format!(
            "identity {} from issuer {}",
            policy.identity.subject.describe(),
            policy.identity.issuer.describe()
        ),
        annotations: Vec::new(),
        trusted_root: trust.source.clone(),
    };
    let digest = match artifact.sha256 {
        Some(d) => format!("sha256:{}", hex::encode(d)).parse::<Digest>()?,
        None => Digest::sha256_of(artifact.describe().as_bytes()),
    };
    let verdict = ImageVerdict::conclude(
        verify.image.clone(),
        digest,
        signatures,
        "no attestations in the bundle file",
        Vec::new(),
        summary,
    );
    finish(verify, std::slice::from_ref(&verdict))
}

/// An image: its bundle referrers, as gh's `--bundle-from-oci` reads them.
async fn image(
    policy: &GithubPolicy,
    trust: sigscope::trust::TrustedRoot,
    verify: &VerifyArgs,
) -> anyhow::Result<ExitCode> {
    let cosign = CosignChecks::new(
        Policy {
            signer: Signer::Keyless(policy.identity.clone()),
            annotations: Vec::new(),
            ignore_tlog: verify.insecure_ignore_tlog,
            ignore_sct: verify.insecure_ignore_sct,
            storage: Storage::BUNDLES_ONLY.read_by("gh attestation verify"),
        },
        trust,
    );
    let wanted = policy.predicate_type.clone();
    super::verify::run_attestations(verify, cosign, wanted).await
}

fn finish(verify: &VerifyArgs, verdicts: &[ImageVerdict]) -> anyhow::Result<ExitCode> {
    super::verify::finish(verify, "verify-attestation", &verify.image, verdicts, false)
}

fn read_limited(path: &Path) -> anyhow::Result<Vec<u8>> {
    let len = std::fs::metadata(path)
        .with_context(|| format!("--bundle {}", path.display()))?
        .len();
    if len > MAX_BUNDLE_BYTES {
        anyhow::bail!(
            "--bundle {}: limit reached: {len} bytes exceed the limit of {MAX_BUNDLE_BYTES}",
            path.display()
        );
    }
    std::fs::read(path).with_context(|| format!("--bundle {}", path.display()))
}
