//! What a verification requires, and the clock it reads when no log gives a time.

pub use crate::clock::{Clock, FixedClock, SystemClock};

pub use super::report::PolicySummary;

use super::identity::IdentityPolicy;
use super::storage::Storage;
use crate::key::PublicKey;
use crate::trust::TrustedRoot;

/// Who must have signed.
#[derive(Debug, Clone)]
pub enum Signer {
    /// `--key`: a public key.
    Key(PublicKey),
    /// `--certificate-identity[-regexp]` and `--certificate-oidc-issuer[-regexp]`.
    Keyless(IdentityPolicy),
}

/// A verification policy, as cosign's flags express it.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Who must have signed: a key, or a certificate identity.
    pub signer: Signer,
    /// `-a k=v`: claims the signed payload's `optional` map must carry.
    pub annotations: Vec<(String, String)>,
    /// `--insecure-ignore-tlog`
    pub ignore_tlog: bool,
    /// `--insecure-ignore-sct`
    pub ignore_sct: bool,
    /// Which stored signatures count (cosign v3's choice unless a consumer or flag narrows it).
    pub storage: Storage,
}

impl Policy {
    /// `cosign verify --key`'s policy: signatures by `key`, each with its transparency-log entry
    /// (a Rekor SET or inclusion proof), counted as cosign v3 counts them.
    pub fn for_key(key: PublicKey) -> Policy {
        Policy {
            signer: Signer::Key(key),
            annotations: Vec::new(),
            ignore_tlog: false,
            ignore_sct: false,
            storage: Storage::default(),
        }
    }

    /// Warnings to show with any verdict under this policy.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = match &self.signer {
            Signer::Keyless(identity) => identity.warnings(),
            Signer::Key(_) => Vec::new(),
        };
        if self.ignore_tlog {
            w.push("--insecure-ignore-tlog: transparency-log checks are skipped".into());
        }
        if self.ignore_sct {
            w.push("--insecure-ignore-sct: certificate-transparency checks are skipped".into());
        }
        w
    }
}

/// Everything a verification reads besides the artifact.
pub struct Context<'a> {
    /// The verification policy.
    pub policy: &'a Policy,
    /// The trusted root.
    pub trust: &'a TrustedRoot,
    /// The clock read when no log or timestamp gives the signing time.
    pub clock: &'a dyn Clock,
}

impl Context<'_> {
    /// The policy and trust in brief, for reports.
    pub fn summary(&self) -> PolicySummary {
        PolicySummary {
            signer: match &self.policy.signer {
                Signer::Key(k) => format!("key {} ({})", k.fingerprint(), k.kind()),
                Signer::Keyless(i) => format!(
                    "identity {} from issuer {}",
                    i.subject.describe(),
                    i.issuer.describe()
                ),
            },
            annotations: self
                .policy
                .annotations
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect(),
            trusted_root: self.trust.source.clone(),
        }
    }
}
