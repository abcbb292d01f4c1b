//! What the update asks the runtime to do. Effects are plain data; the runtime performs them.

use std::path::PathBuf;

use crate::inventory::model::ImageReport;

use super::action::RequestId;

/// Who must have signed, as the user picked or typed it (cosign's flags).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SignerSpec {
    /// `--certificate-identity` (or `-regexp` when `identity_is_regexp`) and
    /// `--certificate-oidc-issuer`.
    Identity {
        identity: String,
        identity_is_regexp: bool,
        issuer: String,
    },
    /// `--key FILE`: a PEM public key, read when the verification runs.
    KeyFile(PathBuf),
    /// `--notation`: Notary Project signatures under the notation trust policy and trust stores
    /// of a configuration folder (`None`: notation's own, `$XDG_CONFIG_HOME/notation`), read
    /// when the verification runs.
    NotationPolicy { config: Option<PathBuf> },
}

/// What is verified: the signatures, or the attestations (of one predicate type, or of any).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Evidence {
    Signatures,
    /// `predicate`: a cosign short name (`slsaprovenance1`) or a URI; `None` accepts any type.
    Attestations {
        predicate: Option<String>,
    },
}

/// A verification the user asked for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct VerifySpec {
    pub signer: SignerSpec,
    pub evidence: Evidence,
}

impl VerifySpec {
    /// The signatures of a keyless identity.
    pub fn identity(identity: &str, identity_is_regexp: bool, issuer: &str) -> VerifySpec {
        VerifySpec {
            signer: SignerSpec::Identity {
                identity: identity.to_owned(),
                identity_is_regexp,
                issuer: issuer.to_owned(),
            },
            evidence: Evidence::Signatures,
        }
    }

    /// `/regexp/ from issuer`, `identity from issuer` or `key FILE`, and what is verified.
    pub fn describe(&self) -> String {
        let who = match &self.signer {
            SignerSpec::Identity {
                identity,
                identity_is_regexp: true,
                issuer,
            } => format!("/{identity}/ from {issuer}"),
            SignerSpec::Identity {
                identity, issuer, ..
            } => format!("{identity} from {issuer}"),
            SignerSpec::KeyFile(path) => format!("key {}", path.display()),
            SignerSpec::NotationPolicy { config: None } => "Notation trust policy".to_owned(),
            SignerSpec::NotationPolicy { config: Some(dir) } => {
                format!("Notation trust policy in {}", dir.display())
            }
        };
        match &self.evidence {
            Evidence::Signatures => who,
            Evidence::Attestations { predicate: None } => format!("{who}, attestations"),
            Evidence::Attestations { predicate: Some(p) } => {
                format!("{who}, attestations of type {p}")
            }
        }
    }
}

/// What the copy menu puts on the clipboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    /// What it is, for the status line (`digest of v1.0.0`).
    pub what: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub enum Effect {
    /// List the tags, then inspect them concurrently; each result comes back as an action.
    /// Any discovery still running is cancelled.
    Discover { request: RequestId },
    /// Verify the signatures or attestations of `image` (tag `tag`) against `spec`.
    Verify {
        request: RequestId,
        tag: String,
        image: Box<ImageReport>,
        spec: VerifySpec,
    },
    /// Abort the verifications still waiting for a core (a verify-all replaces them).
    StopVerifying,
    /// Put text on the clipboard: the system clipboard, else OSC 52 through the terminal.
    Copy(Copy),
    /// Read the key file `path` (`~` expanded) and check that it holds a public key.
    CheckKey { request: RequestId, path: String },
    /// Open another repository (or layout) and discover it as request `request`.
    Open { request: RequestId, target: String },
}
