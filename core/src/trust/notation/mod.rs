//! The user's Notary Project trust: a trust policy document and the named X.509 trust stores it
//! refers to (`trust-store-trust-policy.md`), read from a notation configuration folder
//! (`$XDG_CONFIG_HOME/notation`: `trustpolicy.json`, `truststore/x509/{ca,signingAuthority,tsa}/
//! NAME/*`) or from files named on the command line.

pub mod dn;
pub mod policy;
pub mod scope;
mod store;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use policy::{
    Action, Statement, TrustPolicyDocument, TrustedIdentity, Validation, VerificationLevel,
    VerifyTimestamp,
};
pub use store::{StoreCertificate, TrustStore};

/// The three kinds of named store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum StoreKind {
    /// `ca`: roots of CAs that issue signing certificates (`notary.x509`).
    Ca,
    /// `signingAuthority`: roots of signing authorities (`notary.x509.signingAuthority`).
    SigningAuthority,
    /// `tsa`: roots of timestamp authorities.
    Tsa,
}

impl StoreKind {
    pub fn parse(text: &str) -> Option<StoreKind> {
        Some(match text {
            "ca" => StoreKind::Ca,
            "signingAuthority" => StoreKind::SigningAuthority,
            "tsa" => StoreKind::Tsa,
            _ => return None,
        })
    }

    pub fn dir_name(self) -> &'static str {
        match self {
            StoreKind::Ca => "ca",
            StoreKind::SigningAuthority => "signingAuthority",
            StoreKind::Tsa => "tsa",
        }
    }
}

/// `TYPE:NAME` in a statement's `trustStores`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StoreRef {
    pub kind: StoreKind,
    pub name: String,
}

impl std::fmt::Display for StoreRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind.dir_name(), self.name)
    }
}

/// Why notation trust could not be read or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotationTrustError {
    #[error("trust policy {origin}: {reason}")]
    Policy { origin: String, reason: String },
    #[error("reading {path}: {reason}")]
    Read { path: String, reason: String },
    #[error(
        "no applicable trust policy for {scope}: no statement has it or \"*\" in its registryScopes (the scopes are: {})",
        if scopes.is_empty() { "none".to_owned() } else { scopes.join(", ") }
    )]
    NoApplicableStatement { scope: String, scopes: Vec<String> },
}

/// Where the trust comes from: a notation configuration folder, or explicit files.
#[derive(Debug, Clone, Default)]
pub struct NotationConfig {
    /// `--notation-config DIR`, else `$XDG_CONFIG_HOME/notation` (the caller resolves it).
    pub config_dir: Option<PathBuf>,
    /// `--trust-policy FILE`.
    pub trust_policy: Option<PathBuf>,
    /// `--trust-store DIR` (the folder holding `x509/`).
    pub trust_store: Option<PathBuf>,
}

/// notation's configuration folder: `$XDG_CONFIG_HOME/notation`, else `~/.config/notation` (as
/// notation-go's `dir` package finds it on Linux).
pub fn default_config_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .map(|d| d.join("notation"))
}

/// The trust policy and the stores its statements name, read once.
#[derive(Debug, Clone)]
pub struct NotationTrust {
    pub policy: TrustPolicyDocument,
    pub store: TrustStore,
}

impl NotationTrust {
    /// Reads the policy (`--trust-policy`, else `trustpolicy.json` in the configuration folder
    /// as notation 1.3 does, else `trustpolicy.oci.json` as the spec names it) and every named
    /// store the statements refer to (each store's problems are kept for the signatures whose
    /// statement needs it, as notation reports them).
    pub fn load(config: &NotationConfig) -> Result<NotationTrust, NotationTrustError> {
        let config_dir = config.config_dir.as_deref();
        let policy_path = match (&config.trust_policy, config_dir) {
            (Some(p), _) => p.clone(),
            (None, Some(dir)) => {
                let legacy = dir.join("trustpolicy.json");
                let oci = dir.join("trustpolicy.oci.json");
                if !legacy.exists() && oci.exists() {
                    oci
                } else {
                    legacy
                }
            }
            (None, None) => {
                return Err(NotationTrustError::Read {
                    path: "trust policy".into(),
                    reason: "no --trust-policy and no notation configuration folder".into(),
                });
            }
        };
        let bytes = read_regular(&policy_path)?;
        let policy = TrustPolicyDocument::from_json(&policy_path.display().to_string(), &bytes)?;
        let store_dir = match (&config.trust_store, config_dir) {
            (Some(dir), _) => dir.clone(),
            (None, Some(dir)) => dir.join("truststore"),
            (None, None) => PathBuf::from("truststore"),
        };
        let mut refs: Vec<StoreRef> = policy
            .statements
            .iter()
            .flat_map(|s| s.trust_stores.iter().cloned())
            .collect();
        refs.sort();
        refs.dedup();
        let store = TrustStore::load(&store_dir, &refs);
        Ok(NotationTrust { policy, store })
    }

    /// A short description for reports.
    pub fn describe(&self) -> String {
        format!(
            "notation trust policy {} with trust store {}",
            self.policy.source,
            self.store.root.display()
        )
    }
}

/// Reads a regular file (notation refuses a symlinked or missing trust policy).
fn read_regular(path: &Path) -> Result<Vec<u8>, NotationTrustError> {
    let err = |reason: String| NotationTrustError::Read {
        path: path.display().to_string(),
        reason,
    };
    let meta = std::fs::symlink_metadata(path).map_err(|e| err(e.to_string()))?;
    if !meta.file_type().is_file() {
        return Err(err("not a regular file (symlinks are not supported)".into()));
    }
    std::fs::read(path).map_err(|e| err(e.to_string()))
}
