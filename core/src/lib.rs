//! sigscope's core: everything sigscope knows about container images and their supply chain,
//! with no terminal, no argument parsing and no printing.
//!
//! Point it at a registry repository or an OCI layout and it discovers, for every tag, the
//! digest, platforms and everything attached (cosign signatures and attestations, SBOMs, OCI 1.1
//! referrers such as sigstore bundles, Notary Project signatures), decodes each down to the last
//! certificate extension and transparency-log field, verifies them against the identities and
//! trust the caller chooses, evaluates admission policies and compares signers across builds.
//! Everything read from a registry is hostile until verified.
//!
//! Modules, from the bottom up:
//! - [`reference`]: digests and image references, validated on construction;
//! - [`artifact`]: pure decoders and encoders (DSSE, in-toto, certificates, Rekor entries,
//!   Merkle proofs, RFC 3161 timestamps, Notary envelopes, …);
//! - [`target`], [`registry`]: what the user points at, and reading it (registries, OCI layouts);
//! - [`inventory`]: discovery of everything attached to every tag;
//! - [`trust`]: trusted roots (files, cosign's variables, TUF) and Notary trust policies;
//! - [`verify`]: cosign's, gh's and notation's verification as ordered, named checks;
//! - [`policy`]: admission policies (policy-controller, Kyverno, policy.json, Connaisseur);
//! - [`compare`]: signers across builds, and the builds that stand out;
//! - [`engine`]: one engine for repository-wide work (verify, evaluate, compare every tag);
//! - [`untrusted`], [`natural`]: making registry text safe to show, and natural tag order;
//! - `fixture` (feature `fixture`): a private Sigstore that mints test, bench and demo material.

pub mod artifact;
pub mod compare;
pub mod engine;
#[cfg(any(test, feature = "fixture"))]
pub mod fixture;
pub mod inventory;
pub mod natural;
pub mod policy;
pub mod reference;
pub mod registry;
pub mod target;
#[cfg(test)]
pub(crate) mod testing;
pub mod trust;
pub mod untrusted;
pub mod verify;
