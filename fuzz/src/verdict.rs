//! Both verifiers on one bundle, under the same trusted root, artifact and signer policy:
//! sigscope's `verify_bundle` (what `sigscope verify-bundle` runs) and sigstore-verify's
//! `Verifier::verify`.

use sha2::{Digest as _, Sha256};
use sigscope_core::trust::TrustedRoot;
use sigscope_core::verify::bundle::{Artifact, ExpectedSigner, verify_bundle};
use sigscope_core::verify::check::Outcome;
use sigscope_core::verify::identity::{IdentityPolicy, Matcher};
use sigscope_core::key::PublicKey;
use sigstore_types::{ArtifactDigest, Bundle, DerPublicKey, Sha256Hash};
use sigstore_verify::{PublicKeyVerificationPolicy, VerificationPolicy, Verifier};

use crate::case::{Case, Signer};

/// One verifier's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// Refused, with each failed check (sigscope: `name: reason`; sigstore-verify: its error).
    Rejected(Vec<String>),
}

impl Verdict {
    pub fn accepted(&self) -> bool {
        matches!(self, Verdict::Accepted)
    }

    /// Every reason, one string (what the allow-list classifies and a panic prints).
    pub fn reasons(&self) -> String {
        match self {
            Verdict::Accepted => "accepted".into(),
            Verdict::Rejected(r) => r.join(" | "),
        }
    }
}

/// How the artifact is handed over: its bytes, or its SHA-256 alone (both are protocol forms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtifactForm {
    Bytes,
    Digest,
}

/// A case made ready for both verifiers once: trust and policy parsed.
pub struct Prepared {
    pub case: Case,
    root: TrustedRoot,
    expected: ExpectedSigner,
    verifier: Verifier,
    oracle_policy: OraclePolicy,
}

enum OraclePolicy {
    Identity(VerificationPolicy),
    Key(PublicKeyVerificationPolicy),
}

/// Why a case could not be prepared (its trust or key does not parse for one verifier).
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("{case}: sigscope: {reason}")]
    Sigscope { case: String, reason: String },
    #[error("{case}: sigstore-verify: {reason}")]
    Oracle { case: String, reason: String },
}

impl Prepared {
    pub fn new(case: Case) -> Result<Prepared, PrepareError> {
        let ours = |reason: String| PrepareError::Sigscope {
            case: case.name.clone(),
            reason,
        };
        let theirs = |reason: String| PrepareError::Oracle {
            case: case.name.clone(),
            reason,
        };
        let root = TrustedRoot::from_json(&case.name, case.trusted_root.as_bytes())
            .map_err(|e| ours(e.to_string()))?;
        let their_root = sigstore_trust_root::TrustedRoot::from_json(&case.trusted_root)
            .map_err(|e| theirs(e.to_string()))?;
        let verifier = Verifier::new(&their_root).map_err(|e| theirs(e.to_string()))?;
        let (expected, oracle_policy) = match &case.signer {
            Signer::Identity { san, issuer } => (
                ExpectedSigner::Identity(IdentityPolicy {
                    subject: Matcher::Exact(san.clone()),
                    issuer: Matcher::Exact(issuer.clone()),
                    claims: Vec::new(),
                }),
                OraclePolicy::Identity(VerificationPolicy::new(san.as_str(), issuer.as_str())),
            ),
            Signer::Key { pem } => (
                ExpectedSigner::Key(PublicKey::from_pem(pem).map_err(|e| ours(e.to_string()))?),
                OraclePolicy::Key(PublicKeyVerificationPolicy::new(
                    DerPublicKey::from_pem(pem).map_err(|e| theirs(e.to_string()))?,
                )),
            ),
        };
        Ok(Prepared {
            case,
            root,
            expected,
            verifier,
            oracle_policy,
        })
    }

    /// sigscope's verdict on `bundle` (JSON bytes).
    pub fn sigscope(&self, bundle: &[u8], form: ArtifactForm) -> Verdict {
        let artifact = match form {
            ArtifactForm::Bytes => Artifact::from_bytes(self.case.artifact.clone()),
            ArtifactForm::Digest => {
                Artifact::from_digest(Sha256::digest(&self.case.artifact).into())
            }
        };
        let report = verify_bundle(bundle, &artifact, &self.expected, &self.root);
        if report.verified().is_some() {
            return Verdict::Accepted;
        }
        let reasons = report
            .checks
            .failures()
            .map(|c| match &c.outcome {
                Outcome::Failed { reason, .. } => format!("{}: {reason}", c.name),
                Outcome::NotUnderstood { reason } => {
                    format!("{}: not understood: {reason}", c.name)
                }
                _ => c.name.to_owned(),
            })
            .collect::<Vec<_>>();
        Verdict::Rejected(if reasons.is_empty() {
            vec!["no check ran".into()]
        } else {
            reasons
        })
    }

    /// sigstore-verify's verdict on `bundle` (JSON bytes).
    pub fn oracle(&self, bundle: &[u8], form: ArtifactForm) -> Verdict {
        let parsed = std::str::from_utf8(bundle)
            .map_err(|e| e.to_string())
            .and_then(|text| Bundle::from_json(text).map_err(|e| e.to_string()));
        let bundle = match parsed {
            Ok(b) => b,
            Err(e) => return Verdict::Rejected(vec![format!("parse: {e}")]),
        };
        let digest =
            ArtifactDigest::sha256(Sha256Hash::new(Sha256::digest(&self.case.artifact).into()));
        let result = match (&self.oracle_policy, form) {
            (OraclePolicy::Identity(p), ArtifactForm::Bytes) => {
                self.verifier.verify(&self.case.artifact, &bundle, p)
            }
            (OraclePolicy::Identity(p), ArtifactForm::Digest) => {
                self.verifier.verify(digest, &bundle, p)
            }
            (OraclePolicy::Key(p), ArtifactForm::Bytes) => {
                self.verifier.verify(&self.case.artifact, &bundle, p)
            }
            (OraclePolicy::Key(p), ArtifactForm::Digest) => {
                self.verifier.verify(digest, &bundle, p)
            }
        };
        match result {
            Ok(_) => Verdict::Accepted,
            Err(e) => Verdict::Rejected(vec![e.to_string()]),
        }
    }
}
