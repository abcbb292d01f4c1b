//! Trusted material: which CAs, transparency logs, CT logs and timestamp authorities are
//! believed, and when. From a `trusted_root.json` (protobuf-specs `TrustedRoot`), the embedded
//! public-good root, a TUF repository (kept current, cached per mirror), or cosign's environment
//! variables.

mod ca_pool;
mod cosign_env;
pub mod instances;
pub mod notation;
pub mod source;
mod trusted_root;
pub mod tuf;

pub use ca_pool::{
    Anchors, CaPool, PoolCertificate, code_signing_refused, unhandled_critical_extensions,
};
pub use cosign_env::{CosignTrustVariables, apply_cosign_env};
pub use instances::PublicInstance;
pub use source::{Provenance, Refresh, ResolvedTrust, TrustChoice, TrustOptions, resolve};
pub use trusted_root::{CertificateAuthority, TransparencyLog, TrustError, TrustedRoot, ValidFor};
