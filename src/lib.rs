//! sigscope: a supply-chain inspector for container images.
//!
//! Point it at a registry repository and it shows, for every tag, the digest, platforms and
//! everything attached: cosign signatures and attestations, SBOMs and OCI 1.1 referrers such as
//! sigstore bundles, decoded down to the last certificate extension and transparency-log field,
//! and verified against identities the user picks.
//!
//! The library is the core: it knows nothing of the terminal. Modules:
//! - [`reference`]: digests and image references, validated on construction;
//! - [`artifact`]: pure decoders and encoders (DSSE, in-toto, Merkle proofs, Fulcio OIDs, …);
//! - [`target`], [`registry`]: what the user points at, and reading it (registries, OCI layouts);
//! - [`inventory`]: discovery of everything attached to every tag;
//! - [`untrusted`]: making registry text safe for a terminal;
//! - [`policy`]: admission policies (policy-controller, Kyverno, policy.json): evaluate, generate;
//! - [`fixture`]: a private Sigstore that mints test and demo material;
//! - [`demo`]: the embedded demo repository.

pub mod artifact;
pub mod compare;
pub mod demo;
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
pub mod tui;
pub mod untrusted;
pub mod verify;
