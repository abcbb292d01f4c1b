//! What a verification requires, and the clock it reads when no log gives a time.

use serde::Serialize;

use super::identity::IdentityPolicy;
use super::key::PublicKey;
use super::storage::Storage;
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

/// The time source: only consulted when no transparency log or timestamp gives the signing time.
pub trait Clock: Send + Sync {
    fn now(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

/// A fixed time, for tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0
    }
}

/// Everything a verification reads besides the artifact.
pub struct Context<'a> {
    pub policy: &'a Policy,
    pub trust: &'a TrustedRoot,
    pub clock: &'a dyn Clock,
}

/// A short description of the policy, for reports.
#[derive(Debug, Clone, Serialize)]
pub struct PolicySummary {
    pub signer: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<String>,
    pub trusted_root: String,
}

impl Context<'_> {
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
