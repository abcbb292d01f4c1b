//! Verdicts: per signature the ordered checks, per image the verdict. `Verified` can only be
//! made in this module, from checks that all passed.

use serde::Serialize;

use super::check::Checks;
use super::policy::PolicySummary;
use crate::reference::Digest;

/// One signature (or attestation) and its checks.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureVerdict {
    /// Where it was found (`tag sha256-….sig`, `referrers tag …`).
    pub found_via: String,
    /// Who it names (certificate identity, or the key).
    pub signer: Option<String>,
    pub verified: bool,
    /// The signature could not be read (registry or digest error): it proves nothing either way.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unreadable: bool,
    /// Why this signature does not count toward the image's verdict (the consumer being
    /// followed does not read it there); its checks are still shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_counted: Option<String>,
    pub checks: Checks,
}

impl SignatureVerdict {
    pub fn new(found_via: String, signer: Option<String>, checks: Checks) -> SignatureVerdict {
        SignatureVerdict {
            found_via,
            signer,
            verified: checks.all_passed(),
            unreadable: checks.undetermined(),
            not_counted: None,
            checks,
        }
    }

    /// A signature that could not be fetched: its one check fails with `reason`.
    pub fn unreadable(found_via: String, check: &'static str, reason: String) -> SignatureVerdict {
        let mut checks = Checks::default();
        checks.fail(check, reason);
        SignatureVerdict {
            unreadable: true,
            ..SignatureVerdict::new(found_via, None, checks)
        }
    }
}

/// Proof that an image verified: built only here, from a signature whose checks all passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// Which signature (index into `signatures`) verified first.
    pub by_signature: usize,
}

/// The verdict on one image.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum ImageOutcome {
    Verified(Verified),
    NotVerified {
        reason: String,
    },
    /// The image or its signatures could not be read: nothing was concluded.
    CouldNotCheck {
        reason: String,
    },
    /// The user's policy says not to verify this image (a Notary Project trust policy statement
    /// of level `skip`): accepted without any check, as notation accepts it.
    Skipped {
        reason: String,
    },
}

/// One image's verification.
#[derive(Debug, Clone, Serialize)]
pub struct ImageVerdict {
    /// The tag or digest asked about.
    pub reference: String,
    pub digest: Option<Digest>,
    #[serde(flatten)]
    pub outcome: ImageOutcome,
    pub signatures: Vec<SignatureVerdict>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub policy: PolicySummary,
}

impl ImageVerdict {
    /// The verdict from the signatures found: verified when any one that counts passed every
    /// check (as cosign: one matching signature is enough). Signatures that do not count are
    /// kept in the report; when one of them passed, the reason says so.
    pub fn conclude(
        reference: String,
        digest: Digest,
        signatures: Vec<SignatureVerdict>,
        none_found: &str,
        warnings: Vec<String>,
        policy: PolicySummary,
    ) -> ImageVerdict {
        let counted = || signatures.iter().filter(|s| s.not_counted.is_none());
        let total = counted().count();
        let unreadable = counted().filter(|s| s.unreadable).count();
        let outcome = match signatures
            .iter()
            .position(|s| s.verified && s.not_counted.is_none())
        {
            Some(i) => ImageOutcome::Verified(Verified { by_signature: i }),
            // An unread signature might have verified: nothing can be concluded.
            None if unreadable > 0 => ImageOutcome::CouldNotCheck {
                reason: format!(
                    "no signature verified and {unreadable} of {total} could not be read"
                ),
            },
            None if total == 0 => ImageOutcome::NotVerified {
                reason: none_found.to_owned(),
            },
            None => ImageOutcome::NotVerified {
                reason: format!("none of the {total} signatures passed every check"),
            },
        };
        let outcome = match (
            outcome,
            signatures
                .iter()
                .find(|s| s.verified && s.not_counted.is_some()),
        ) {
            (ImageOutcome::NotVerified { reason }, Some(aside)) => ImageOutcome::NotVerified {
                reason: format!(
                    "{reason}; the signature at {} passed every check but does not count: {}",
                    aside.found_via,
                    aside.not_counted.as_deref().unwrap_or_default()
                ),
            },
            (outcome, _) => outcome,
        };
        ImageVerdict {
            reference,
            digest: Some(digest),
            outcome,
            signatures,
            warnings,
            policy,
        }
    }

    pub fn could_not_check(
        reference: String,
        reason: String,
        policy: PolicySummary,
    ) -> ImageVerdict {
        ImageVerdict {
            reference,
            digest: None,
            outcome: ImageOutcome::CouldNotCheck { reason },
            signatures: Vec::new(),
            warnings: Vec::new(),
            policy,
        }
    }

    /// Verified, or accepted unverified because the policy skips this image.
    pub fn accepted(&self) -> bool {
        matches!(
            self.outcome,
            ImageOutcome::Verified(_) | ImageOutcome::Skipped { .. }
        )
    }

    pub fn verified(&self) -> Option<&Verified> {
        match &self.outcome {
            ImageOutcome::Verified(v) => Some(v),
            _ => None,
        }
    }
}
