//! GitHub Artifact Attestations as `gh attestation verify` checks them (cli/cli
//! `pkg/cmd/attestation/verify/policy.go` and `verification/extensions.go`): the signer's
//! workflow identity from `--owner`, `--repo`, `--signer-repo` or `--signer-workflow`, the
//! certificate's source-repository, issuer, runner and ref claims, and the predicate type.

use super::bundle::{Artifact, BundleOptions, ExpectedSigner, verify_bundle_with};
use super::check::Checks;
use super::identity::{Claim, IdentityPolicy, Matcher};
use super::report::SignatureVerdict;
use crate::artifact::bundle::{BundleVersion, ContentView, decode_bundle};
use crate::artifact::dsse::IN_TOTO_PAYLOAD_TYPE;
use crate::trust::TrustedRoot;

/// GitHub Actions' OIDC issuer, gh's default `--cert-oidc-issuer`.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// gh's default `--predicate-type`: SLSA build provenance v1.
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
/// The runner environment of GitHub-hosted runners (`--deny-self-hosted-runners`).
pub const GITHUB_HOSTED: &str = "github-hosted";

/// Fulcio extension arcs (1.3.6.1.4.1.57264.1.N) gh's options compare.
const RUNNER_ENVIRONMENT: u32 = 11;
const SOURCE_REPOSITORY_URI: u32 = 12;
const SOURCE_REPOSITORY_DIGEST: u32 = 13;
const SOURCE_REPOSITORY_REF: u32 = 14;
const BUILD_SIGNER_DIGEST: u32 = 10;
const SOURCE_REPOSITORY_OWNER_URI: u32 = 16;

/// gh's options, as given.
#[derive(Debug, Clone, Default)]
pub struct GithubOptions {
    pub owner: Option<String>,
    pub repo: Option<String>,
    pub signer_repo: Option<String>,
    pub signer_workflow: Option<String>,
    pub cert_identity: Option<String>,
    pub cert_identity_regex: Option<String>,
    pub cert_oidc_issuer: Option<String>,
    pub source_ref: Option<String>,
    pub source_digest: Option<String>,
    pub signer_digest: Option<String>,
    pub deny_self_hosted_runners: bool,
    pub predicate_type: Option<String>,
    /// `--hostname`: the GitHub host a workflow path without one is on (github.com).
    pub hostname: Option<String>,
}

/// What gh enforces, built from its options.
#[derive(Debug, Clone)]
pub struct GithubPolicy {
    pub identity: IdentityPolicy,
    pub predicate_type: String,
    /// The criteria as gh prints them before verifying ("The following policy criteria will
    /// be enforced").
    pub criteria: Vec<(String, String)>,
}

/// Why gh's options do not make a policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GithubPolicyError {
    #[error("give --owner or --repo (gh attestation verify needs one of them)")]
    NoOwner,
    #[error("--repo {0:?}: expected OWNER/REPO")]
    BadRepo(String),
    #[error("--signer-workflow {0:?}: a workflow without a host needs --hostname")]
    WorkflowHost(String),
    #[error("{flag}: {reason}")]
    BadRegex { flag: &'static str, reason: String },
}

fn github_url(owner_or_repo: &str) -> String {
    format!("https://github.com/{owner_or_repo}")
}

/// gh `expandToGitHubURLRegex` (`(?i)^` and the quoted URL with a slash): a case-insensitive
/// prefix.
fn github_url_prefix(owner_or_repo: &str) -> Matcher {
    Matcher::Prefix {
        prefix: github_url(owner_or_repo) + "/",
        ignore_case: true,
    }
}

/// gh `validateSignerWorkflow` (`^` and the quoted URL): `[HOST/]OWNER/REPO/path/to/workflow.yml`,
/// a case-sensitive prefix.
fn workflow_prefix(hostname: Option<&str>, workflow: &str) -> Result<Matcher, GithubPolicyError> {
    let has_host = workflow
        .split('/')
        .next()
        .is_some_and(|first| first.contains('.'));
    let url = if has_host {
        format!("https://{workflow}")
    } else {
        let host = hostname.ok_or_else(|| GithubPolicyError::WorkflowHost(workflow.to_owned()))?;
        format!("https://{host}/{workflow}")
    };
    Ok(Matcher::Prefix {
        prefix: url,
        ignore_case: false,
    })
}

fn regex_matcher(flag: &'static str, pattern: &str) -> Result<Matcher, GithubPolicyError> {
    // gh's regexps are Go's, as cosign's are.
    Matcher::regex(pattern).map_err(|reason| GithubPolicyError::BadRegex { flag, reason })
}

impl GithubPolicy {
    /// gh `newEnforcementCriteria` and `buildCertificateIdentityOption`.
    pub fn new(options: &GithubOptions) -> Result<GithubPolicy, GithubPolicyError> {
        let owner = match (&options.repo, &options.owner) {
            (Some(repo), _) => match repo.split_once('/') {
                Some((owner, name)) if !owner.is_empty() && !name.is_empty() => owner.to_owned(),
                _ => return Err(GithubPolicyError::BadRepo(repo.clone())),
            },
            (None, Some(owner)) => owner.clone(),
            (None, None) => return Err(GithubPolicyError::NoOwner),
        };
        // The SAN: an explicit identity, else the signer repository or workflow, else the
        // repository, else the owner: a prefix of the workflow URI.
        let (subject, san_criterion) = if let Some(san) = &options.cert_identity {
            (
                Matcher::Exact(san.clone()),
                ("Subject Alternative Name must match", san.clone()),
            )
        } else if let Some(pattern) = &options.cert_identity_regex {
            (
                regex_matcher("--cert-identity-regex", pattern)?,
                ("Subject Alternative Name must match regex", pattern.clone()),
            )
        } else {
            let matcher = if let Some(repo) = &options.signer_repo {
                github_url_prefix(repo)
            } else if let Some(workflow) = &options.signer_workflow {
                workflow_prefix(options.hostname.as_deref(), workflow)?
            } else if let Some(repo) = &options.repo {
                github_url_prefix(repo)
            } else {
                github_url_prefix(&owner)
            };
            let described = matcher.describe();
            (
                matcher,
                ("Subject Alternative Name must start with", described),
            )
        };
        let issuer = options
            .cert_oidc_issuer
            .clone()
            .unwrap_or_else(|| GITHUB_ACTIONS_ISSUER.to_owned());
        let predicate_type = options
            .predicate_type
            .clone()
            .unwrap_or_else(|| SLSA_PROVENANCE_V1.to_owned());
        let claim = |arc, flag: &str, expected: String| Claim {
            arc,
            flag: flag.to_owned(),
            expected: Matcher::Caseless(expected),
        };
        let mut claims = vec![claim(
            SOURCE_REPOSITORY_OWNER_URI,
            "--owner (Source Repository Owner URI)",
            github_url(&owner),
        )];
        let mut criteria = vec![
            (
                "Predicate type must match".to_owned(),
                predicate_type.clone(),
            ),
            (
                "Source Repository Owner URI must match".to_owned(),
                github_url(&owner),
            ),
        ];
        if let Some(repo) = &options.repo {
            claims.push(claim(
                SOURCE_REPOSITORY_URI,
                "--repo (Source Repository URI)",
                github_url(repo),
            ));
            criteria.push(("Source Repository URI must match".into(), github_url(repo)));
        }
        for (value, arc, flag, what) in [
            (
                &options.signer_digest,
                BUILD_SIGNER_DIGEST,
                "--signer-digest (Build Signer Digest)",
                "Build signer digest must match",
            ),
            (
                &options.source_digest,
                SOURCE_REPOSITORY_DIGEST,
                "--source-digest (Source Repository Digest)",
                "Source repo digest must match",
            ),
            (
                &options.source_ref,
                SOURCE_REPOSITORY_REF,
                "--source-ref (Source Repository Ref)",
                "Source repo ref must match",
            ),
        ] {
            if let Some(v) = value {
                claims.push(claim(arc, flag, v.clone()));
                criteria.push((what.into(), v.clone()));
            }
        }
        criteria.push((san_criterion.0.into(), san_criterion.1));
        criteria.push(("OIDC Issuer must match".into(), issuer.clone()));
        if options.deny_self_hosted_runners {
            // sigstore-go's extension matching: exact.
            claims.push(Claim {
                arc: RUNNER_ENVIRONMENT,
                flag: "--deny-self-hosted-runners (Runner Environment)".into(),
                expected: Matcher::Exact(GITHUB_HOSTED.into()),
            });
            criteria.push((
                "Action workflow Runner Environment must match".into(),
                GITHUB_HOSTED.into(),
            ));
        }
        Ok(GithubPolicy {
            identity: IdentityPolicy {
                subject,
                issuer: Matcher::Caseless(issuer),
                claims,
            },
            predicate_type,
            criteria,
        })
    }

    /// The criteria as gh prints them: one per line, the values aligned with dots.
    pub fn describe(&self) -> Vec<String> {
        let width = self
            .criteria
            .iter()
            .map(|(k, _)| k.len())
            .max()
            .unwrap_or(0);
        self.criteria
            .iter()
            .map(|(k, v)| format!("- {k}:{} {v}", ".".repeat(width - k.len())))
            .collect()
    }
}

/// One GitHub attestation bundle (JSON) over a local artifact, as `gh attestation verify FILE
/// --bundle B` checks it: a DSSE envelope of an in-toto statement of the policy's predicate type
/// (gh `FilterAttestations`), then the bundle's signature, certificate, time and log checks for
/// the policy's identity, whose claims carry gh's repository, issuer and ref options.
pub fn verify_attestation_bundle(
    bundle_json: &[u8],
    artifact: &Artifact,
    policy: &GithubPolicy,
    root: &TrustedRoot,
    place: String,
) -> SignatureVerdict {
    let mut checks = Checks::default();
    let bundle = match decode_bundle(bundle_json) {
        Ok(b) => b,
        Err(e) => {
            checks.fail("bundle", e.to_string());
            return SignatureVerdict::new(place, None, checks);
        }
    };
    // gh `getBundleIssuer`: bundles of v0.2 and later.
    if bundle.version == BundleVersion::V0_1 {
        checks.mismatch(
            "bundle",
            "gh reads bundles of v0.2 or later",
            "v0.2 or later",
            bundle.media_type.clone(),
        );
    }
    match &bundle.content {
        ContentView::MessageSignature { .. } => checks.mismatch(
            "predicate type",
            "a message-signature bundle: gh reads DSSE in-toto attestations only",
            policy.predicate_type.clone(),
            "a message signature",
        ),
        ContentView::Dsse(dsse) if dsse.envelope.payload_type != IN_TOTO_PAYLOAD_TYPE => checks
            .mismatch(
                "predicate type",
                "the envelope is not an in-toto statement",
                IN_TOTO_PAYLOAD_TYPE,
                dsse.envelope.payload_type.clone(),
            ),
        ContentView::Dsse(dsse) => match &dsse.statement {
            Some(Ok(st)) if st.predicate_type == policy.predicate_type => {
                checks.pass("predicate type", policy.predicate_type.clone())
            }
            Some(Ok(st)) => checks.mismatch(
                "predicate type",
                format!(
                    "the attestation is a {}, not a {}",
                    st.predicate_type, policy.predicate_type
                ),
                policy.predicate_type.clone(),
                st.predicate_type.clone(),
            ),
            Some(Err(e)) => checks.fail("predicate type", format!("unreadable statement: {e}")),
            None => checks.fail("predicate type", "the envelope carries no statement"),
        },
    }
    let report = verify_bundle_with(
        bundle_json,
        artifact,
        &ExpectedSigner::Identity(policy.identity.clone()),
        root,
        BundleOptions::default(),
    );
    checks.0.extend(report.checks.0);
    let signer = bundle
        .leaf_certificate()
        .and_then(|c| c.identity())
        .map(str::to_owned);
    SignatureVerdict::new(place, signer, checks)
}

/// The bundles of a `--bundle` file: one JSON document, or JSON Lines of several (what
/// `gh attestation download` writes).
pub fn bundle_documents(bytes: &[u8]) -> Vec<&[u8]> {
    if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
        return vec![bytes];
    }
    bytes
        .split(|b| *b == b'\n')
        .filter(|line| line.iter().any(|b| !b.is_ascii_whitespace()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> GithubOptions {
        GithubOptions::default()
    }

    // cli/cli pkg/cmd/attestation/verify/policy_test.go: the SAN regex by option precedence.
    #[test]
    fn gh_policy_test_san_regex_follows_gh_precedence() {
        let owner = GithubPolicy::new(&GithubOptions {
            owner: Some("sigstore".into()),
            ..options()
        })
        .unwrap();
        assert_eq!(
            owner.identity.subject.describe(),
            "https://github.com/sigstore/… (any case)"
        );
        let repo = GithubPolicy::new(&GithubOptions {
            repo: Some("sigstore/sigstore-js".into()),
            ..options()
        })
        .unwrap();
        assert!(repo.identity.subject.matches(
            "https://github.com/Sigstore/Sigstore-JS/.github/workflows/release.yml@refs/heads/main"
        ));
        assert!(
            !repo
                .identity
                .subject
                .matches("https://github.com/sigstore/sigstore-js-evil/.github/workflows/x.yml")
        );
        let workflow = GithubPolicy::new(&GithubOptions {
            owner: Some("acme".into()),
            signer_workflow: Some("github.com/acme/app/.github/workflows/release.yml".into()),
            ..options()
        })
        .unwrap();
        assert!(
            workflow
                .identity
                .subject
                .matches("https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1")
        );
        assert_eq!(
            GithubPolicy::new(&GithubOptions {
                owner: Some("acme".into()),
                signer_workflow: Some("acme/app/.github/workflows/release.yml".into()),
                ..options()
            })
            .unwrap_err(),
            GithubPolicyError::WorkflowHost("acme/app/.github/workflows/release.yml".into())
        );
        assert_eq!(
            GithubPolicy::new(&options()).unwrap_err(),
            GithubPolicyError::NoOwner
        );
        assert!(matches!(
            GithubPolicy::new(&GithubOptions {
                repo: Some("no-slash".into()),
                ..options()
            }),
            Err(GithubPolicyError::BadRepo(_))
        ));
    }

    #[test]
    fn gh_policy_test_owner_repo_and_issuer_are_claims_and_printed_criteria() {
        let p = GithubPolicy::new(&GithubOptions {
            repo: Some("acme/app".into()),
            source_ref: Some("refs/heads/main".into()),
            deny_self_hosted_runners: true,
            ..options()
        })
        .unwrap();
        let arcs: Vec<u32> = p.identity.claims.iter().map(|c| c.arc).collect();
        assert_eq!(arcs, [16, 12, 14, 11]);
        assert_eq!(p.predicate_type, SLSA_PROVENANCE_V1);
        let printed = p.describe().join("\n");
        assert!(
            printed.contains("- Source Repository Owner URI must match:"),
            "{printed}"
        );
        assert!(printed.contains("https://github.com/acme"), "{printed}");
        assert!(printed.contains("- OIDC Issuer must match:"), "{printed}");
        assert!(
            p.identity
                .issuer
                .matches("https://TOKEN.actions.githubusercontent.com")
        );
    }
}
