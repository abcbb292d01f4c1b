//! Why the user's Notary Project trust could not be read or applied.

/// Why notation trust could not be read or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotationTrustError {
    /// The trust policy document is malformed or breaks a rule of the specification.
    #[error("trust policy {origin}: {reason}")]
    Policy {
        /// Where the document came from (a path).
        origin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A policy or store file could not be read.
    #[error("reading {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// No statement applies to the repository (`registryScopes` lists neither it nor `*`).
    #[error(
        "no applicable trust policy for {scope}: no statement has it or \"*\" in its registryScopes (the scopes are: {})",
        if scopes.is_empty() { "none".to_owned() } else { scopes.join(", ") }
    )]
    NoApplicableStatement {
        /// The repository verified.
        scope: String,
        /// Every registry scope the policy lists.
        scopes: Vec<String>,
    },
}
