//! Trusted material: which CAs, transparency logs, CT logs and timestamp authorities are
//! believed, and when. From a `trusted_root.json` (protobuf-specs `TrustedRoot`), the embedded
//! public-good root, or cosign's environment variables.

mod ca_pool;
mod cosign_env;
pub mod notation;
mod trusted_root;

pub use ca_pool::{CaPool, PoolCertificate};
pub use cosign_env::{CosignTrustVariables, apply_cosign_env};
pub use trusted_root::{CertificateAuthority, TransparencyLog, TrustError, TrustedRoot, ValidFor};
